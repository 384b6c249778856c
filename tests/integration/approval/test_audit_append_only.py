"""The audit table is append-only in what the code sends, not only by convention: through a whole
approval (finding, notification, decision, write-back, revert) every write to the audit table is a Put
inside a TransactWriteItems on condition `attribute_not_exists`, which is all that its IAM grants and
its resource policy let through (`infra.constructs.permissions.TABLE_CONDITIONS`,
`infra.constructs.storage.TRANSACTIONS_ONLY`)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

import pytest
from approval_aws import SUPERVISORS, Stack
from botocore.client import BaseClient

from plexlabor_dev.commands.approval import revert_command
from tests.support import make_finding, make_request

READS = {"Query", "GetItem", "DescribeTable", "CreateTable"}
FINDING = "f-appendonly0000000000001"


@pytest.fixture
def dynamodb_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Every DynamoDB operation any client in this process sends, with its parameters."""
    calls: list[tuple[str, dict[str, Any]]] = []
    send = BaseClient._make_api_call

    def recording(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_name == "dynamodb":
            calls.append((operation, params))
        return send(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    yield calls


def _audit_writes(calls: list[tuple[str, dict[str, Any]]], table: str) -> list[tuple[str, dict[str, Any]]]:
    """(operation, the write) for each write that names the audit table, transactional ones item by item."""
    writes: list[tuple[str, dict[str, Any]]] = []
    for operation, params in calls:
        if operation == "TransactWriteItems":
            for item in params["TransactItems"]:
                [(kind, write)] = item.items()
                if write.get("TableName") == table:
                    writes.append((f"TransactWriteItems.{kind}", write))
        elif operation == "BatchWriteItem":
            writes += [(operation, {}) for name in params.get("RequestItems", {}) if name == table]
        elif params.get("TableName") == table and operation not in READS:
            writes.append((operation, params))
    return writes


def test_every_audit_write_of_a_whole_approval_is_a_conditional_put_in_a_transaction(
    stack: Stack, dynamodb_calls: list[tuple[str, dict[str, Any]]]
) -> None:
    # Given a finding approved by its supervisor, written back to Plex and then reverted
    finding = make_finding(finding_id=FINDING, record_key="time-clock-entries:T0000002")
    finding = finding.model_copy(update={"suggested_correction": {"clockoutTime": "2026-03-02T14:07:00.0000000Z"}})
    stack.start(make_request(finding))
    assert stack.notify() == 1
    [token] = stack.links_for(SUPERVISORS["E0001"])
    assert stack.decide(token, action="approve")["statusCode"] == 200
    assert stack.write_back() == 1
    args = argparse.Namespace(finding_id=FINDING, audit_table=None, endpoint_url=None, actor="ops-1")
    assert revert_command(args) == 0
    assert stack.story("time-clock-entries:T0000002") == [
        "finding",
        "notification",
        "decision",
        "writeback",
        "revert",
    ]
    # Then every write to the audit table was a Put in a transaction, each on a key that must be new
    writes = _audit_writes(dynamodb_calls, stack.env["AUDIT_TABLE_NAME"])
    assert len(writes) == 10  # five events, each with its event-id guard item
    assert {operation for operation, _ in writes} == {"TransactWriteItems.Put"}
    assert all(write["ConditionExpression"].startswith("attribute_not_exists(") for _, write in writes)
