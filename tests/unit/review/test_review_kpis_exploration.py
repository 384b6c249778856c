"""The KPIs count the scorer's suggestions, not what it recorded only as eligible for its exploration sample (closing
review s15 #4): the eligible findings not drawn, which the model in force would not have kept, are not "suggested"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from plexlabor.audit import AuditStatus, InMemoryAuditStore
from plexlabor.intake.recording import finding_event
from plexlabor.review.kpis import compute_kpis
from tests.unit.learning.test_exploration_unseen import explored_findings

T0 = datetime(2026, 12, 6, 8, tzinfo=UTC)


def test_the_eligible_findings_not_drawn_are_not_counted_among_the_models_suggestions() -> None:
    found = explored_findings()
    store = InMemoryAuditStore()
    for finding in found:
        status = AuditStatus.PENDING_APPROVAL if finding.route == "review" else AuditStatus.LOGGED
        store.append(finding_event(finding, status, T0, "punch_validator", "SUP-1"))
    drawn = sum(f.route == "review" for f in found)
    assert 0 < drawn < len(found)

    (row,) = compute_kpis(store, clock=lambda: T0 + timedelta(hours=1)).by_kind

    assert (row.suggested, row.sent_for_review) == (drawn, drawn)
