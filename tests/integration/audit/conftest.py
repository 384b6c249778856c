"""Fixtures of the audit contract tests: moto and each store implementation (the tier's conftest gives fake AWS
credentials)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from plexlabor.audit import (
    AuditEvent,
    AuditEventType,
    AuditStatus,
    InMemoryAuditStore,
    InMemoryLinkNonceStore,
)
from plexlabor.audit.dynamodb import (
    DynamoDbAuditStore,
    DynamoDbLinkNonceStore,
    create_audit_table,
    create_state_table,
)

AUDIT_TABLE_NAME = "plexlabor-audit-test"
STATE_TABLE_NAME = "plexlabor-state-test"


@pytest.fixture
def dynamodb_client(aws: None) -> Any:
    return boto3.client("dynamodb", region_name="us-east-1")


@pytest.fixture
def audit_table(dynamodb_client: Any) -> str:
    create_audit_table(dynamodb_client, AUDIT_TABLE_NAME)
    return AUDIT_TABLE_NAME


@pytest.fixture
def state_table(dynamodb_client: Any) -> str:
    create_state_table(dynamodb_client, STATE_TABLE_NAME)
    return STATE_TABLE_NAME


STORES = ["in_memory", "dynamodb"]
"""Every store is tested twice: the in-memory fake, then the DynamoDB adapter on moto."""


def _store(request: pytest.FixtureRequest, in_memory: type, adapter: type, table_fixture: str) -> Any:
    """The fake, or the adapter on the moto table of `table_fixture`, as the fixture's parameter says."""
    if request.param == "in_memory":
        return in_memory()
    return adapter(request.getfixturevalue(table_fixture), client=request.getfixturevalue("dynamodb_client"))


@pytest.fixture(params=STORES)
def audit_store(request: pytest.FixtureRequest) -> InMemoryAuditStore | DynamoDbAuditStore:
    """Every AuditStore implementation; the contract tests run once against each."""
    return _store(request, InMemoryAuditStore, DynamoDbAuditStore, "audit_table")


@pytest.fixture(params=STORES)
def nonce_store(request: pytest.FixtureRequest) -> InMemoryLinkNonceStore | DynamoDbLinkNonceStore:
    """Every LinkNonceStore implementation; the contract tests run once against each."""
    return _store(request, InMemoryLinkNonceStore, DynamoDbLinkNonceStore, "state_table")


T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
MakeEvent = Callable[..., AuditEvent]

STAGES: dict[AuditEventType, dict[str, Any]] = {
    AuditEventType.NOTIFICATION: {
        "status": AuditStatus.NOTIFIED,
        "actor": "approval_notifier",
        "supervisor_id": "sup-17",
    },
    AuditEventType.DECISION: {"status": AuditStatus.APPROVED, "actor": "sup-17", "supervisor_id": "sup-17"},
    AuditEventType.WRITEBACK: {"status": AuditStatus.WRITTEN, "actor": "plex_writeback"},
}
"""What an event of these types is unless a test says otherwise: sup-17 notified, sup-17 approved,
the write-back done."""


def audit_event(**fields: Any) -> AuditEvent:
    """A valid event of finding F-1001 at T0: the finding logged, or with `event_type`, that stage of
    its approval (STAGES); keyword arguments override any field."""
    defaults: dict[str, Any] = {
        "record_key": "time-clock-entries:1001",
        "event_type": AuditEventType.FINDING,
        "status": AuditStatus.LOGGED,
        "occurred_at": T0,
        "actor": "punch_validator",
        "finding_id": "F-1001",
        "employee_id": "emp-7f3a",
        "model_version": "rules-2026.11",
        "payload": {"anomaly_type": "MISSED_PUNCH", "confidence": 0.91},
    }
    return AuditEvent(**(defaults | STAGES.get(fields.get("event_type", AuditEventType.FINDING), {}) | fields))


@pytest.fixture
def make_event() -> MakeEvent:
    return audit_event
