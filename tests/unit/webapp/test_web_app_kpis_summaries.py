"""The KPI page reads the status index as summaries (`AuditStore.summaries_by_status`: the payload cut to
`audit.store.SUMMARY_KEYS`), so a container's first load carries no evidence (helper 170: 328 pending approvals,
657 KB of payloads, 4.4-5.2 s on moto). The figures must not change: every scenario of the KPI tests
(`tests/unit/review/test_review_kpis.py`, `test_review_kpis_outcomes.py`) is run again with `compute_kpis` reading
through the page's `KpiReads`, and its own assertions decide."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus, InMemoryAuditStore
from plexlabor.audit.events import SUPERSEDED_BY
from plexlabor.audit.store import SUMMARY_KEYS
from plexlabor.platform.clock import utc_now
from plexlabor.review import kpis
from plexlabor.webapp.kpireads import KpiReads
from tests.unit.review import test_review_kpis as scenarios
from tests.unit.review import test_review_kpis_outcomes as outcomes

SCENARIOS = {
    f"{module.__name__.rsplit('.', 1)[-1]}.{name}": (module, test)
    for module in (scenarios, outcomes)
    for name, test in inspect.getmembers(module, inspect.isfunction)
    if name.startswith("test_") and not inspect.signature(test).parameters
}


def _through_kpi_reads(audit: Any, **options: Any) -> kpis.Kpis:
    return kpis.compute_kpis(KpiReads(audit, utc_now), **options)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_kpi_scenario_counts_the_same_from_summaries(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    module, test = SCENARIOS[name]
    monkeypatch.setattr(module, "compute_kpis", _through_kpi_reads)
    test()


def _event(event_type: AuditEventType, status: AuditStatus, item: str, minutes: int, **payload: Any) -> AuditEvent:
    return AuditEvent(
        record_key=f"job-operations:{item}",
        event_type=event_type,
        status=status,
        occurred_at=scenarios.T0 + timedelta(minutes=minutes),
        actor="crew_planner",
        finding_id=item,
        model_version="crew-milp-2026.11",
        payload=payload,
    )


def test_the_page_holds_summaries_and_counts_re_plans_and_choices_by_hand_as_a_whole_read_does() -> None:
    # Given crew seats with their evidence: one expired, one replaced by a re-plan, one coded by hand
    store = InMemoryAuditStore()
    evidence: dict[str, Any] = {"kind": "crew_assignment", "candidates": [{"hours": 8.5}] * 40, "note": "x" * 400}
    for item in ("seat-1", "seat-2", "seat-3"):
        store.append(_event(AuditEventType.RECOMMENDATION, AuditStatus.PENDING_APPROVAL, item, 0, **evidence))
    store.append(
        _event(
            AuditEventType.RECOMMENDATION,
            AuditStatus.PENDING_APPROVAL,
            "seat-3-hand",
            5,
            kind="crew_assignment",
            chosen_by_hand=True,
            replaces="seat-3",
        )
    )
    store.append(_event(AuditEventType.EXPIRED, AuditStatus.EXPIRED, "seat-1", 60, kind="crew_assignment"))
    store.append(
        _event(
            AuditEventType.EXPIRED, AuditStatus.EXPIRED, "seat-2", 30, **{"kind": "crew_assignment", SUPERSEDED_BY: "r"}
        )
    )
    clock: Callable[[], Any] = lambda: scenarios.T0 + timedelta(days=1)  # noqa: E731
    reads = KpiReads(store, clock)
    # When the page computes its figures
    page = kpis.compute_kpis(reads, clock=clock)
    # Then they are a whole read's, from events that carry no evidence
    assert page == kpis.compute_kpis(store, clock=clock)
    [row] = page.by_kind
    assert (row.suggested, row.expired, row.chosen_by_hand) == (3, 1, 1)
    held = reads.by_status(AuditStatus.PENDING_APPROVAL, scenarios.T0 - timedelta(days=1), 100)
    assert len(held) == 4 and all(set(e.payload) <= set(SUMMARY_KEYS) for e in held)
    assert "candidates" not in str(held)
