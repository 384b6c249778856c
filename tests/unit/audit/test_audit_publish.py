"""publish_once when the store is down: the error propagates (the caller retries the whole run)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus, AuditUnavailableError, InMemoryAuditStore
from plexlabor.audit.publish import publish_once

T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


class DownAfterOne(InMemoryAuditStore):
    """Records one event, then throttles."""

    def append(self, event: AuditEvent) -> None:
        if self.by_status(AuditStatus.LOGGED):
            raise AuditUnavailableError("throttled")
        super().append(event)


def _event(name: str) -> AuditEvent:
    return AuditEvent(
        record_key=f"job-operations:{name}",
        event_type=AuditEventType.RECOMMENDATION,
        status=AuditStatus.LOGGED,
        occurred_at=T0,
        actor="test",
        model_version="test-1",
        payload={"kind": "test"},
    )


def test_an_unavailable_store_stops_the_run_with_what_was_recorded_kept() -> None:
    # Given a store that throttles after the first append
    store = DownAfterOne()
    # When two events are published
    # Then the second append raises, and the first event stays recorded
    with pytest.raises(AuditUnavailableError):
        publish_once(store, [_event("A"), _event("B")])
    assert [e.record_key for e in store.by_status(AuditStatus.LOGGED)] == ["job-operations:A"]
