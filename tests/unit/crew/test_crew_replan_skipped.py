"""crew_replan skips a plan change with nothing to re-plan (review 123, defect 8: the crew board's `POST /crew/replan`
took any day and shift): a shift without crew suggestions (it would be planned from scratch and its plan put in the
queue) or one that is over. Logged and counted (`CrewReplanSkipped`); nothing is written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from plexlabor.audit import InMemoryAuditStore
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.replanning import run
from plexlabor.plex.sources import LaborSource
from tests.unit.crew.test_crew_replan_handler import DAY, SHIFT_START, _Recording
from tests.unit.crew.test_crew_replan_kept_store import _deps, planned

__all__ = ["planned"]  # the fixture


def _plan_changed(
    source: LaborSource, store: InMemoryAuditStore, day: date, at: datetime
) -> tuple[dict[str, Any], list[Any]]:
    recording = _Recording(store)
    message = ReplanMessage(reason="plan_changed", day=day, shift="1", detected_at=at)
    return run(_deps(source, store, None, [at]), message), recording.tried


def test_a_shift_without_a_plan_or_one_that_is_over_is_not_re_planned(
    planned: tuple[LaborSource, InMemoryAuditStore],
) -> None:
    source, store = planned
    # a shift of the history, never planned, asked long after it ended
    summary, written = _plan_changed(source, store, DAY - timedelta(days=3), datetime(2026, 11, 23, 12, tzinfo=UTC))
    assert summary == {"reason": "plan_changed", "skipped": "no plan"} and written == []
    # the planned shift, asked the day after it ended
    summary, written = _plan_changed(source, store, DAY, datetime(2026, 11, 24, 18, tzinfo=UTC))
    assert summary == {"reason": "plan_changed", "skipped": "over"} and written == []


def test_a_planned_shift_that_is_running_is_re_planned(planned: tuple[LaborSource, InMemoryAuditStore]) -> None:
    source, store = planned
    summary, written = _plan_changed(source, store, DAY, SHIFT_START + timedelta(hours=1))
    assert "skipped" not in summary and summary["shift_from"] == "read"
    assert written  # at least the re-plan's applied event
