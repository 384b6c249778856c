"""A reindex cut inside one instant goes on from the event it stopped at: a plan published at once can hold more
crew events than `REINDEX_CHUNK`, and a position by time alone made every later run read that instant again from its
start, give the same first chunk (already indexed) and stop: it stalled and the index was never marked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from plexlabor.crew import suggestions
from plexlabor.crew.suggestions import REINDEX_CHUNK, day_since, indexed_from, reindex_if_unmarked
from tests.unit.crew.test_crew_reindex_budget import Clock, Unindexed
from tests.unit.crew.test_crew_suggestions import DAY, T0, _suggestion

EVENTS = 450
"""Crew events written before the index, all at one instant: more than two chunks of `REINDEX_CHUNK` (200)."""


def test_450_events_of_one_instant_are_indexed_in_three_runs_of_one_chunk_each(monkeypatch: pytest.MonkeyPatch) -> None:
    assert REINDEX_CHUNK == 200
    clock = Clock()  # one second per event given its key
    monkeypatch.setattr(suggestions.time, "monotonic", clock)
    store = Unindexed(clock)
    instant = T0 - timedelta(days=2)
    written = [_suggestion(f"E{n:03}", instant) for n in range(EVENTS)]
    for event in written:
        store.append(event)
    runs = []
    while True:
        before = len(store.indexed)
        # a run with 150 s to spend, a chunk taking 200: its first chunk, then cut before the next one
        done = reindex_if_unmarked(store, DAY, T0, "crew_planner", deadline=clock.now + 150)
        assert done is not None
        runs.append((len(store.indexed) - before, done.complete))
        if done.complete:
            break
        assert len(runs) < 6, f"stalled: {runs}"
    assert runs == [(200, False), (200, False), (50, True)]
    assert sorted(store.indexed) == sorted(e.event_id for e in written)
    assert clock.now == EVENTS  # no transaction spent twice
    assert indexed_from(store) == day_since(DAY)
