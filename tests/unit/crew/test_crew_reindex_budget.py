"""crew_planner's migration of the plan-day index is bounded by the function's time (review_s16, lead 2): on a table
deployed before the index and not yet reindexed, `reindex_if_unmarked` read every crew event of 10 days from the status
indexes and gave each its key in a transaction of its own, after publishing; on a large plant that could outlast the
function, and a timeout retried the whole plan run. Now it stops at a deadline (the Lambda context's time left less
`service.REINDEX_RESERVE_S`), marks nothing, keeps how far it got, and the next run goes on from there until one
reads to the end and marks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pytest

from functions.crew_planner import handler as crew_planner
from plexlabor.audit import AuditEvent, InMemoryAuditStore
from plexlabor.audit.schema import GSI_PLAN_DAY
from plexlabor.crew import suggestions, wiring
from plexlabor.crew.service import REINDEX_RESERVE_S
from plexlabor.crew.suggestions import day_since, indexed_from, reindex_if_unmarked
from plexlabor.plant import PlantFolder
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.sources import LaborSource
from tests.support import FakeLambdaContext, load_event
from tests.unit.crew.test_crew_suggestions import DAY, T0, _suggestion

EVENTS = 10
"""Crew events written before the index, a minute apart."""


class Clock:
    """`time.monotonic` for the test: one second per event given the index's key."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Unindexed(InMemoryAuditStore):
    """The fake table with crew events written before the index: each given its key once (`indexed`), one
    transaction of one second each (`clock`)."""

    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self.clock = clock
        self.indexed: list[str] = []

    def add_to_index(self, index_name: str, events: Iterable[AuditEvent]) -> int:
        assert index_name == GSI_PLAN_DAY
        added = 0
        for event in events:
            self.clock.now += 1
            if event.event_id not in self.indexed:
                self.indexed.append(event.event_id)
                added += 1
        return added


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(suggestions.time, "monotonic", clock)
    monkeypatch.setattr(suggestions, "REINDEX_CHUNK", 2)
    return clock


def _table(clock: Clock) -> tuple[Unindexed, list[str]]:
    store = Unindexed(clock)
    events = [_suggestion(f"E{n}", T0 - timedelta(days=3) + timedelta(minutes=n)) for n in range(EVENTS)]
    for event in events:
        store.append(event)
    return store, [e.event_id for e in events]


def test_a_reindex_cut_by_its_deadline_marks_nothing_and_the_next_run_goes_on_from_there(clock: Clock) -> None:
    store, written = _table(clock)
    runs = []
    while True:
        before = len(store.indexed)
        done = reindex_if_unmarked(store, DAY, T0, "crew_planner", deadline=clock.now + 3)
        assert done is not None
        runs.append((len(store.indexed) - before, done.complete))
        if done.complete:
            break
        assert indexed_from(store) is None  # cut: no marker, a fallback read still finds what it did not reach
        assert len(runs) < EVENTS
    # each run gives at most two chunks their key (the deadline is looked at before each), none twice, and the
    # last one marks the index
    assert runs == [(4, False), (4, False), (2, True)]
    assert sorted(store.indexed) == sorted(written) and clock.now == EVENTS  # no transaction spent twice
    assert indexed_from(store) == day_since(DAY)
    assert reindex_if_unmarked(store, DAY, T0, "crew_planner") is None


def test_runs_with_no_time_left_each_give_the_first_chunk_its_key_and_the_last_marks(clock: Clock) -> None:
    # review2_s16 #6: a run begun past its deadline (the plan run left less than the reserve) read nothing and added
    # nothing, run after run: the index was never marked
    store, written = _table(clock)
    runs = []
    while True:
        before = len(store.indexed)
        done = reindex_if_unmarked(store, DAY, T0, "crew_planner", deadline=clock.now - 1)
        assert done is not None
        runs.append((len(store.indexed) - before, done.complete))
        if done.complete:
            break
        assert indexed_from(store) is None
        assert len(runs) < EVENTS
    # one chunk of two a run, none twice; the run after the last chunk finds nothing left to do and marks
    assert runs == [(2, False)] * 5 + [(0, True)]
    assert sorted(store.indexed) == sorted(written) and indexed_from(store) == day_since(DAY)


def test_a_run_with_no_time_left_keeps_its_place_for_the_next(clock: Clock) -> None:
    store, _ = _table(clock)
    done = reindex_if_unmarked(store, DAY, T0, "crew_planner", deadline=clock.now - 1)
    assert done is not None and not done.complete and len(store.indexed) == 2 and indexed_from(store) is None
    # the next nightly run (a day later, reading from a day later) goes on from where the cut one got to
    later = reindex_if_unmarked(store, DAY + timedelta(days=1), T0 + timedelta(days=1), "crew_planner")
    assert later is not None and later.complete and later.added == EVENTS - 2
    assert indexed_from(store) == day_since(DAY + timedelta(days=1))


def test_progress_of_a_run_from_a_later_day_is_not_taken_for_an_earlier_one(clock: Clock) -> None:
    # a run from a later day skipped what lies before its own start: a run from an earlier day reads it all
    store, written = _table(clock)
    cut = reindex_if_unmarked(store, DAY + timedelta(days=1), T0, "crew_planner", deadline=clock.now + 1)
    assert cut is not None and not cut.complete
    done = reindex_if_unmarked(store, DAY - timedelta(days=5), T0, "crew_planner")
    assert done is not None and done.complete and sorted(store.indexed) == sorted(written)


def test_crew_planner_bounds_the_migration_by_the_time_its_context_has_left(
    labelled_plant: PlantFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(suggestions, "REINDEX_CHUNK", 1)
    store = Unindexed(Clock())  # its own clock: the function's time runs as it does
    before = [_suggestion(f"E{n}", T0 - timedelta(days=1) + timedelta(minutes=n)) for n in range(3)]
    for written in before:
        store.append(written)
    deps = wiring.Dependencies(
        source=LaborSource(PlantFolderSource(labelled_plant.path), "America/Detroit"),
        store=store,
        time_limit_s=20,
        clock=lambda: datetime(2026, 11, 22, 20, tzinfo=UTC),
    )
    event = load_event("crew_planner") | {"detail": {"shift": "1"}}
    # a run whose time left is within the reserve publishes its plan and gives one chunk its key, no more
    summary = crew_planner.handler(event, FakeLambdaContext(timeout_s=REINDEX_RESERVE_S), dependencies=deps)
    assert summary["published"] > 0 and summary["plan_day_index"].startswith("1 added, not marked: cut")
    assert store.indexed == [before[0].event_id]
    assert indexed_from(store) is None and store.history(suggestions.PROGRESS_RECORD)
    # the next run with time to spare goes on and marks
    again = crew_planner.handler(event, FakeLambdaContext(), dependencies=deps)
    assert again["plan_day_index"].endswith("added, marked") and indexed_from(store) is not None
    assert {e.event_id for e in before} <= set(store.indexed)
