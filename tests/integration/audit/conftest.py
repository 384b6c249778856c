"""Fixtures of the audit contract tests: fake AWS credentials, moto, and each store implementation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

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
from tests.support import use_fake_aws

AUDIT_TABLE_NAME = "plexlabor-audit-test"
STATE_TABLE_NAME = "plexlabor-state-test"


@pytest.fixture(autouse=True)
def fake_aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never reach a real account: moto only, with dummy credentials and a fixed region."""
    use_fake_aws(monkeypatch)


@pytest.fixture
def dynamodb_client() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("dynamodb", region_name="us-east-1")


@pytest.fixture
def audit_table(dynamodb_client: Any) -> str:
    create_audit_table(dynamodb_client, AUDIT_TABLE_NAME)
    return AUDIT_TABLE_NAME


@pytest.fixture
def state_table(dynamodb_client: Any) -> str:
    create_state_table(dynamodb_client, STATE_TABLE_NAME)
    return STATE_TABLE_NAME


@pytest.fixture(params=["in_memory", "dynamodb"])
def audit_store(request: pytest.FixtureRequest) -> InMemoryAuditStore | DynamoDbAuditStore:
    """Every AuditStore implementation; the contract tests run once against each."""
    if request.param == "in_memory":
        return InMemoryAuditStore()
    table = request.getfixturevalue("audit_table")
    return DynamoDbAuditStore(table, client=request.getfixturevalue("dynamodb_client"))


@pytest.fixture(params=["in_memory", "dynamodb"])
def nonce_store(request: pytest.FixtureRequest) -> InMemoryLinkNonceStore | DynamoDbLinkNonceStore:
    """Every LinkNonceStore implementation; the contract tests run once against each."""
    if request.param == "in_memory":
        return InMemoryLinkNonceStore()
    table = request.getfixturevalue("state_table")
    return DynamoDbLinkNonceStore(table, client=request.getfixturevalue("dynamodb_client"))


T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


def _make_event(**fields: Any) -> AuditEvent:
    """A valid finding event at T0; keyword arguments override any field."""
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
    return AuditEvent(**(defaults | fields))


@pytest.fixture
def make_event() -> Callable[..., AuditEvent]:
    return _make_event
