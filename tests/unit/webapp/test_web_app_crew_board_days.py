"""The crew board's reads per container (`crewboard.BoardReader`; review 123, defect 5): only the `BOARD_DAYS` days
asked for last are kept, with what the day reader holds of them, so a viewer or a crawler paging back through
the boards does not grow the container's memory with every day; a day dropped is read whole when asked again,
a day kept is caught up."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from plexlabor.audit import AuditEvent, AuditStatus
from plexlabor.audit.events import recommendation_event
from plexlabor.crew import suggestions
from plexlabor.crew.suggestions import day_since
from plexlabor.webapp import crewboard
from plexlabor.webapp.crewboard import BOARD_DAYS, BoardReader, planned_shifts
from tests.unit.crew.test_crew_suggestions import CountingStore

TODAY = date(2026, 12, 5)
NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


def test_only_the_days_asked_for_last_are_kept_and_a_day_dropped_is_read_whole_again() -> None:
    store = CountingStore()
    reader = BoardReader(store, ttl_s=0.0)  # every ask reads (caught up or whole): what is kept shows
    # Given today's board asked for, then 60 past days paged through, today again between each
    for back in range(1, 61):
        reader.day(TODAY, NOW)
        reader.day(TODAY - timedelta(days=back), NOW)
    # Then the container keeps BOARD_DAYS days: today and the last days asked for
    kept = reader.kept_days
    assert len(kept) == BOARD_DAYS and TODAY in kept
    assert kept[-1] == TODAY - timedelta(days=60) and TODAY - timedelta(days=1) not in kept
    # today, kept, is caught up; a day dropped is read whole again (the day reader forgot it too)
    store.clear()
    reader.day(TODAY, NOW)
    assert [since is not None for _, since in store.day_reads] == [True]  # from the last read on
    store.clear()
    reader.day(TODAY - timedelta(days=1), NOW)
    assert store.day_reads == [((TODAY - timedelta(days=1)).isoformat(), None)]  # all of the day's crew events


def test_the_shifts_planned_are_listed_when_the_opening_indexes_hold_more_than_a_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given pages of 10 events and 25 older openings of other kinds before tomorrow's plan, the newest events
    monkeypatch.setattr(suggestions, "READ_LIMIT", 10)
    monkeypatch.setattr(crewboard, "READ_LIMIT", 10, raising=False)  # the board's own read until 2026-12-06
    store = CountingStore()
    since = day_since(TODAY)
    for n in range(25):
        store.append(_opening(f"punch-{n}", since + timedelta(minutes=n), {"kind": "punch_finding"}))
    tomorrow = TODAY + timedelta(days=1)
    start = datetime(2026, 12, 6, 6, tzinfo=UTC)
    plan = {"kind": "crew_assignment", "plan_day": tomorrow.isoformat(), "shift_code": "1"}
    plan |= {"start": start.isoformat(), "end": (start + timedelta(hours=8)).isoformat()}
    store.append(_opening("crew-1", NOW - timedelta(hours=1), plan))
    # Then tomorrow's shift is listed, by the plain read and by the container's kept one
    assert [(s.day, s.shift) for s in planned_shifts(store, TODAY)] == [(tomorrow, "1")]
    assert [(s.day, s.shift) for s in BoardReader(store).planned(TODAY, NOW)] == [(tomorrow, "1")]


def _opening(event_id: str, at: datetime, payload: dict[str, str]) -> AuditEvent:
    return recommendation_event(
        "job-operations:JO-1",
        event_id,
        status=AuditStatus.PENDING_APPROVAL,
        occurred_at=at,
        actor="crew_planner",
        model_version="m-1",
        payload=payload,
    )
