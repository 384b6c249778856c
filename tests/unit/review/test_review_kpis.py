"""KPIs from the audit table: approve rate and time to decision per type and model, review time per person-day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus, InMemoryAuditStore
from plexlabor.review.kpis import compute_kpis

T0 = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)


def _finding(
    store: InMemoryAuditStore,
    finding_id: str,
    at: datetime,
    anomaly: str,
    model: str = "m1",
    status: AuditStatus = AuditStatus.PENDING_APPROVAL,
) -> None:
    store.append(
        AuditEvent(
            record_key=f"time-clock-entries:{finding_id}",
            event_type=AuditEventType.FINDING,
            status=status,
            occurred_at=at,
            actor="punch_validator",
            finding_id=finding_id,
            model_version=model,
            payload={"anomaly_type": anomaly},
        )
    )


def _decide(store: InMemoryAuditStore, finding_id: str, at: datetime, who: str, approve: bool) -> None:
    store.append(
        AuditEvent(
            record_key=f"time-clock-entries:{finding_id}",
            event_type=AuditEventType.DECISION,
            status=AuditStatus.APPROVED if approve else AuditStatus.REJECTED,
            occurred_at=at,
            actor=who,
            supervisor_id=who,
            finding_id=finding_id,
            payload={},
        )
    )


def test_approve_rate_time_to_decision_and_writes_per_type_and_model() -> None:
    store = InMemoryAuditStore()
    _finding(store, "f1", T0, "MISSED_PUNCH")
    _finding(store, "f2", T0, "MISSED_PUNCH")
    _finding(store, "f3", T0, "MISSED_PUNCH", model="m2")
    _finding(store, "f4", T0, "LATE_CLOCK_IN", status=AuditStatus.LOGGED)
    _decide(store, "f1", T0 + timedelta(minutes=30), "E0001", approve=True)
    _decide(store, "f2", T0 + timedelta(minutes=90), "E0001", approve=False)
    store.append(
        AuditEvent(
            record_key="time-clock-entries:f1",
            event_type=AuditEventType.WRITEBACK,
            status=AuditStatus.WRITTEN,
            occurred_at=T0 + timedelta(hours=2),
            actor="plex_writeback",
            finding_id="f1",
            previous_values={},
        )
    )

    figures = compute_kpis(store, clock=lambda: T0 + timedelta(days=1))
    rows = {(r.type, r.model_version): r for r in figures.by_kind}

    missed = rows[("MISSED_PUNCH", "m1")]
    assert (missed.suggested, missed.approved, missed.rejected, missed.written) == (2, 1, 1, 1)
    assert missed.approve_rate == pytest.approx(0.5)
    assert missed.median_minutes_to_decision == pytest.approx(60)
    assert rows[("MISSED_PUNCH", "m2")].approve_rate is None
    late = rows[("LATE_CLOCK_IN", "m1")]
    assert (late.suggested, late.sent_for_review) == (1, 0)


def test_review_time_counts_gaps_within_a_sitting_per_person_and_day() -> None:
    store = InMemoryAuditStore()
    for number in range(4):
        _finding(store, f"f{number}", T0, "MISSED_PUNCH")
    _decide(store, "f0", T0 + timedelta(minutes=10), "E0001", approve=True)  # first of a sitting: 1 min
    _decide(store, "f1", T0 + timedelta(minutes=12), "E0001", approve=True)  # 2 min later
    _decide(store, "f2", T0 + timedelta(minutes=15), "E0001", approve=True)  # 3 min later
    _decide(store, "f3", T0 + timedelta(hours=3), "E0001", approve=True)  # a new sitting: 1 min

    [day] = compute_kpis(store, clock=lambda: T0 + timedelta(days=1)).by_reviewer_day

    assert (day.reviewer, day.decided) == ("E0001", 4)
    assert day.minutes == pytest.approx(1 + 2 + 3 + 1)
