"""`plexlabor incidents reindex` writes as the deployed audit table allows (review_s14 #8).

The table's resource policy denies `dynamodb:PutItem` to everyone when there is no enclosing operation
(`infra.constructs.storage.TRANSACTIONS_ONLY`): a bare PutItem is AccessDenied on AWS, a Put inside a
TransactWriteItems is not. moto enforces no resource policy, so the backfill's moto test could not see it; these
tests look at the calls the adapter makes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from infra.constructs.storage import TRANSACTIONS_ONLY
from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus
from plexlabor.audit.dynamodb import DynamoDbAuditStore

CONDITION_FAILED = {
    "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
    "CancellationReasons": [{"Code": "ConditionalCheckFailed"}],
}


class RecordingClient:
    """The DynamoDB client's two writes, noted; `indexed_already` answers a transaction as a failed condition."""

    def __init__(self, *, indexed_already: bool = False) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.indexed_already = indexed_already

    def put_item(self, **request: Any) -> dict[str, Any]:
        self.calls.append(("PutItem", request))
        return {}

    def transact_write_items(self, **request: Any) -> dict[str, Any]:
        self.calls.append(("TransactWriteItems", request))
        if self.indexed_already:
            raise ClientError(CONDITION_FAILED, "TransactWriteItems")  # type: ignore[arg-type]
        return {}


def _denied_by_the_table(operation: str) -> bool:
    """The table's `AuditPutsOnlyInTransactions` statement: PutItem with no enclosing operation."""
    assert TRANSACTIONS_ONLY == {"Null": {"dynamodb:EnclosingOperation": "true"}}
    return operation == "PutItem"


def _opening(kind: str | None = "incident_coding") -> AuditEvent:
    return AuditEvent(
        record_key="incidents:inc-00000000000000000001",
        event_id="e1",
        event_type=AuditEventType.RECOMMENDATION,
        status=AuditStatus.PENDING_APPROVAL,
        occurred_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
        actor="E0042",
        model_version="incident-coder",
        finding_id="inc-00000000000000000001",
        payload={} if kind is None else {"kind": kind},
    )


def test_the_backfill_puts_inside_a_transaction_with_its_condition() -> None:
    client = RecordingClient()

    added = DynamoDbAuditStore("audit", client=client).index_kind([_opening(), _opening(kind=None)])

    assert added == 1
    assert [operation for operation, _ in client.calls] == ["TransactWriteItems"]
    assert not any(_denied_by_the_table(operation) for operation, _ in client.calls)
    ((_, request),) = client.calls
    ((item,),) = [entry.values() for entry in request["TransactItems"]]
    assert item["TableName"] == "audit" and item["Item"]["event_id"] == {"S": "e1"}
    assert "attribute_not_exists(#index)" in item["ConditionExpression"]
    assert item["ExpressionAttributeNames"]["#index"] == "gsi_kind_pk"


def test_an_event_in_the_index_already_is_left_and_not_counted() -> None:
    client = RecordingClient(indexed_already=True)

    assert DynamoDbAuditStore("audit", client=client).index_kind([_opening()]) == 0
    assert len(client.calls) == 1
