"""A re-plan keeps one short-seat suggestion per empty seat (ux164 #3): a seat already published as empty keeps its
suggestion (no second one "After a call-off of ..." for a seat the call-off did not empty), a seat the event emptied
gets one saying so, and a seat filled again has its suggestion closed (superseded). Before, each re-plan whose cause
for a seat differed published a second row for it and the board counted the seat twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

import plexlabor.crew.build as crew_build
from plexlabor.audit import AuditEvent, InMemoryAuditStore
from plexlabor.crew.optimizer import solve
from plexlabor.crew.publish import publish_plan
from plexlabor.crew.replanning import run
from plexlabor.crew.suggestions import read_day
from tests.unit.crew.crew_builder import DAY, T0, WELD, job, operator, place, problem
from tests.unit.crew.test_crew_replan_events import container, message

AT = T0 + timedelta(minutes=15)


def _empty(store: InMemoryAuditStore) -> list[AuditEvent]:
    """The shift's open short-seat suggestions."""
    read = read_day(store, DAY)
    return [e for e in read.openings if e.payload.get("kind") == "crew_unstaffed" and e.event_id not in read.closed]


def test_each_empty_seat_keeps_one_suggestion_and_only_the_seat_emptied_blames_the_call_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # two welding seats at the same time, one welder (A): one seat stays empty from the night on
    crew = problem(
        [job("J1", place("WLD-01"), requirements=(WELD,)), job("J3", place("WLD-03"), requirements=(WELD,))],
        [operator("A", levels={"SK-WELD": 2}), operator("B")],
    )
    monkeypatch.setattr(crew_build, "build_problem", lambda *_, **__: crew)
    store, clock = InMemoryAuditStore(), [AT]
    publish_plan(solve(crew, 10), store, T0 - timedelta(hours=10))
    [night] = _empty(store)
    deps = container(store, clock)

    run(deps, message("call_off", clock[0], employee_id="A"))  # A's seat empties too

    empty = _empty(store)
    assert sorted(str(e.payload["segment"]) for e in empty) == ["J1", "J3"]  # each seat once
    assert night in empty  # the seat empty since the night keeps its suggestion, which blames nothing
    [emptied] = [e for e in empty if e != night]
    assert emptied.payload["note"].startswith("After a call-off of A: ")

    clock[0] += timedelta(minutes=2)
    run(deps, message("call_off_undone", clock[0], employee_id="A", reported_by="P0001"))  # A back in one seat
    assert len(_empty(store)) == 1
