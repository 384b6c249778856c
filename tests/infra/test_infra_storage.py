"""The DynamoDB tables: schema from plexlabor.audit.schema, PITR, encryption, retention."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match

from infra.constants import IDEMPOTENCY_PARTITION_KEY, IDEMPOTENCY_TTL_ATTRIBUTE
from infra.constructs.storage import APPEND_ONLY_DENIED_ACTIONS, TRANSACTIONS_ONLY
from infra.function_specs import FUNCTION_SPECS, TableAccess
from infra.testing import Synthesized, actions, resources
from plexlabor.audit.schema import AUDIT_TABLE, STATE_TABLE


def _table(synthesized: Synthesized, name: str) -> dict[str, Any]:
    storage = synthesized.stack.storage
    table = {"audit": storage.audit_table, "state": storage.state_table, "idem": storage.idempotency_table}[name]
    return synthesized.template["Resources"][synthesized.logical_id(table)]


def _keys(schema: list[dict[str, str]]) -> tuple[str, ...]:
    return tuple(key["AttributeName"] for key in schema)


def test_there_are_exactly_three_tables(synthesized: Synthesized) -> None:
    synthesized.assertions.resource_count_is("AWS::DynamoDB::Table", 3)


@pytest.mark.parametrize("name", ["audit", "state", "idem"])
def test_every_table_is_on_demand_encrypted_and_has_pitr(synthesized: Synthesized, name: str) -> None:
    properties = _table(synthesized, name)["Properties"]

    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    # AWS-managed KMS key (aws/dynamodb), not the AWS-owned default
    assert properties["SSESpecification"] == {"SSEEnabled": True}


def test_audit_table_matches_the_domain_schema(synthesized: Synthesized) -> None:
    properties = _table(synthesized, "audit")["Properties"]

    assert _keys(properties["KeySchema"]) == ("record_key", "event_sk")
    assert (AUDIT_TABLE.partition_key, AUDIT_TABLE.sort_key) == ("record_key", "event_sk")
    indexes = {index["IndexName"]: index for index in properties["GlobalSecondaryIndexes"]}
    assert set(indexes) == {index.name for index in AUDIT_TABLE.indexes}
    assert {"gsi_status", "gsi_supervisor", "gsi_employee"} <= set(indexes)
    for spec in AUDIT_TABLE.indexes:
        assert _keys(indexes[spec.name]["KeySchema"]) == (spec.partition_key, spec.sort_key)
        assert indexes[spec.name]["Projection"] == {"ProjectionType": "ALL"}
    assert "TimeToLiveSpecification" not in properties  # never expires


def test_audit_table_is_retained_protected_and_append_only(synthesized: Synthesized) -> None:
    table = _table(synthesized, "audit")

    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    assert table["Properties"]["DeletionProtectionEnabled"] is True
    statements = {s["Sid"]: s for s in table["Properties"]["ResourcePolicy"]["PolicyDocument"]["Statement"]}
    assert set(statements) == {"AuditTableIsAppendOnly", "AuditPutsOnlyInTransactions"}
    assert all(s["Effect"] == "Deny" and s["Principal"] == {"AWS": "*"} for s in statements.values())
    assert set(statements["AuditTableIsAppendOnly"]["Action"]) == set(APPEND_ONLY_DENIED_ACTIONS)
    assert "Condition" not in statements["AuditTableIsAppendOnly"]
    # a bare PutItem (no enclosing TransactWriteItems) could replace an event: denied to everyone
    bare_puts = statements["AuditPutsOnlyInTransactions"]
    assert bare_puts["Action"] == "dynamodb:PutItem" and bare_puts["Condition"] == TRANSACTIONS_ONLY


def test_every_role_that_appends_to_the_audit_table_may_put_only_inside_a_transaction(
    synthesized: Synthesized,
) -> None:
    audit = synthesized.logical_id(synthesized.stack.storage.audit_table)
    appenders = [spec.name for spec in FUNCTION_SPECS if TableAccess.AUDIT_APPEND in spec.access]
    assert len(appenders) >= 8
    for name in appenders:
        puts = [
            statement
            for statement in synthesized.function_statements(name)
            if "dynamodb:PutItem" in actions(statement) and any(audit in repr(r) for r in resources(statement))
        ]
        assert puts, name
        for statement in puts:
            assert statement["Condition"] == {
                "ForAnyValue:StringEquals": {"dynamodb:EnclosingOperation": ["TransactWriteItems"]}
            }, name


def test_state_table_matches_the_domain_schema_with_ttl(synthesized: Synthesized) -> None:
    table = _table(synthesized, "state")
    properties = table["Properties"]

    assert _keys(properties["KeySchema"]) == (STATE_TABLE.partition_key, STATE_TABLE.sort_key) == ("pk", "sk")
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["DeletionPolicy"] == "Retain"
    assert properties["DeletionProtectionEnabled"] is True


def test_idempotency_table_has_the_powertools_schema(synthesized: Synthesized) -> None:
    synthesized.assertions.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [{"AttributeName": IDEMPOTENCY_PARTITION_KEY, "KeyType": "HASH"}],
            "TimeToLiveSpecification": {"AttributeName": IDEMPOTENCY_TTL_ATTRIBUTE, "Enabled": True},
            "GlobalSecondaryIndexes": Match.absent(),
        },
    )
    assert (IDEMPOTENCY_PARTITION_KEY, IDEMPOTENCY_TTL_ATTRIBUTE) == ("id", "expiration")
