"""punch_poller with fakes: the cursor's first run, its advance, and no advance when enqueue fails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.punch_poller import handler as poller
from plexlabor.intake.cursor import TIME_CLOCK_CURSOR, InMemoryCursorStore
from plexlabor.intake.errors import EnqueueError
from plexlabor.intake.messages import change_marker
from plexlabor.intake.poller import PollPolicy, changed_labor, poll_window
from plexlabor.intake.queue import InMemoryPunchQueue
from plexlabor.intake.wiring import PollerDependencies
from plexlabor.models import LaborEntry
from plexlabor.plex.folder import PlantFolderSource
from tests.support import FakeLambdaContext
from tests.unit.intake.intake_samples import scheduled_event

POLICY = PollPolicy(lookback=timedelta(hours=24), overlap=timedelta(minutes=5), labor_window=timedelta(hours=24))


@pytest.fixture
def plant_now(plant_source: PlantFolderSource) -> datetime:
    """The plant's extract time: polls run 'now' = then."""
    return plant_source.plant.meta().end


def run(
    source: PlantFolderSource,
    cursors: InMemoryCursorStore,
    queue: InMemoryPunchQueue,
    now: datetime,
    detail: dict | None = None,
) -> dict:
    deps = PollerDependencies(source=source, cursors=cursors, queue=queue, policy=POLICY, clock=lambda: now)
    return poller.handler(scheduled_event(detail), FakeLambdaContext(), dependencies=deps)


def test_first_run_reads_the_lookback_and_sets_the_cursor(plant_source, plant_now) -> None:
    # Given no cursor yet
    cursors, queue = InMemoryCursorStore(), InMemoryPunchQueue()
    # When the schedule fires
    result = run(plant_source, cursors, queue, plant_now)
    # Then the last 24 h were read, everything found is on the queue, and the cursor is 'now'
    assert result["since"] == (plant_now - timedelta(hours=24)).isoformat()
    assert result["cursor_before"] is None and result["cursor_advanced"] is True
    assert cursors.get(TIME_CLOCK_CURSOR) == plant_now
    expected = plant_source.time_clock_entries_modified(plant_now - timedelta(hours=24), plant_now)
    assert result["punches"] == len(expected) > 0
    assert result["enqueued"] == len(queue.messages)
    assert {m.source for m in queue.messages} == {"poll"}
    assert {m.resource for m in queue.messages} == {"time-clock-entries", "labor-entries"}


def test_the_next_run_starts_at_the_cursor_minus_the_overlap_and_advances_it(plant_source, plant_now) -> None:
    cursors, queue = InMemoryCursorStore(), InMemoryPunchQueue()
    first = plant_now - timedelta(hours=2)
    run(plant_source, cursors, queue, first)
    result = run(plant_source, cursors, queue, plant_now)
    assert result["since"] == (first - POLICY.overlap).isoformat()
    assert result["cursor_before"] == first.isoformat()
    assert cursors.get(TIME_CLOCK_CURSOR) == plant_now


def test_when_enqueue_fails_the_cursor_does_not_move_and_the_poll_fails(plant_source, plant_now) -> None:
    # Given a cursor two days back and a queue that refuses a message
    before = plant_now - timedelta(days=2)
    cursors, queue = InMemoryCursorStore({TIME_CLOCK_CURSOR: before}), InMemoryPunchQueue()
    queue.fail_next(1)
    # When the poll runs, it fails (the scheduler retries it)...
    with pytest.raises(EnqueueError):
        run(plant_source, cursors, queue, plant_now)
    # ...and the cursor stays, so the retry reads the same window again
    assert cursors.get(TIME_CLOCK_CURSOR) == before
    result = run(plant_source, cursors, queue, plant_now)
    assert result["since"] == (before - POLICY.overlap).isoformat()
    assert cursors.get(TIME_CLOCK_CURSOR) == plant_now


def test_a_late_poll_cannot_move_the_cursor_backwards(plant_source, plant_now) -> None:
    cursors = InMemoryCursorStore({TIME_CLOCK_CURSOR: plant_now})
    result = run(
        plant_source,
        cursors,
        InMemoryPunchQueue(),
        plant_now,
        detail={
            "since": (plant_now - timedelta(days=3)).isoformat(),
            "until": (plant_now - timedelta(days=2)).isoformat(),
        },
    )
    assert result["cursor_advanced"] is False
    assert cursors.get(TIME_CLOCK_CURSOR) == plant_now


def test_an_explicit_window_in_the_event_detail_replays_that_window(plant_source, plant_now) -> None:
    since, until = plant_now - timedelta(days=7), plant_now - timedelta(days=6)
    queue = InMemoryPunchQueue()
    result = run(
        plant_source,
        InMemoryCursorStore(),
        queue,
        plant_now,
        detail={"since": since.isoformat(), "until": until.isoformat()},
    )
    assert (result["since"], result["until"]) == (since.isoformat(), until.isoformat())
    assert result["punches"] == len(plant_source.time_clock_entries_modified(since, until))


def test_labor_entries_changed_since_the_window_start_are_kept_once() -> None:
    since = datetime(2026, 11, 20, 12, tzinfo=UTC)
    started = datetime(2026, 11, 20, 6, tzinfo=UTC)

    def labor(id_: str, **times: datetime) -> LaborEntry:
        return LaborEntry(
            id=id_, employee_id="E1", workcenter_id="W", job_id="J", job_operation_id="JO", start_time=started, **times
        )

    ended_now = labor("L1", end_time=since + timedelta(minutes=3))
    old = labor("L2", end_time=since - timedelta(hours=1))
    edited = labor("L3", end_time=since - timedelta(hours=1), modified_date=since + timedelta(minutes=1))
    kept = changed_labor([ended_now, old, edited, ended_now], since)
    assert [e.id for e in kept] == ["L1", "L3"]
    assert all(change_marker(e) >= since for e in kept)


def test_the_poll_window_rules() -> None:
    now = datetime(2026, 11, 26, 7, tzinfo=UTC)
    assert poll_window(None, now, POLICY, None, None) == (now - POLICY.lookback, now)
    cursor = now - timedelta(minutes=10)
    assert poll_window(cursor, now, POLICY, None, None) == (cursor - POLICY.overlap, now)
    with pytest.raises(ValueError, match="empty poll window"):
        poll_window(None, now, POLICY, now, now)
