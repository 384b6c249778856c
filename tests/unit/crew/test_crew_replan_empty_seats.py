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
from tests.unit.crew.test_crew_removals import _decide
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


def _seats_open(store: InMemoryAuditStore) -> dict[str, int]:
    """The empty seats the shift's open short-seat suggestions stand for, per segment."""
    found: dict[str, int] = {}
    for event in _empty(store):
        segment = str(event.payload["segment"])
        found[segment] = found.get(segment, 0) + int(event.payload["seats"])
    return found


def test_a_seat_whose_suggestion_the_re_plan_closes_gets_a_new_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # ux_s16 #1: J1 needs two welders and the plant has one (A): one seat empty from the night on, "too few
    # qualified". A's call-off leaves both empty, for the same cause: the night's suggestion (1 seat) is closed and
    # its successor (2 seats) has the same id, which the re-plan skipped as already published: no open suggestion
    crew = problem(
        [job("J1", place("WLD-01"), requirements=(WELD,), crew=2), job("J3", place("WLD-03"), requirements=(WELD,))],
        [operator("A", levels={"SK-WELD": 2}), operator("B")],
    )
    monkeypatch.setattr(crew_build, "build_problem", lambda *_, **__: crew)
    store, clock = InMemoryAuditStore(), [AT]
    publish_plan(solve(crew, 10), store, T0 - timedelta(hours=10))
    assert _seats_open(store) == {"J1": 1, "J3": 1}

    summary = run(container(store, clock), message("call_off", clock[0], employee_id="A"))

    assert _seats_open(store) == {"J1": 2, "J3": 1}
    assert sum(_seats_open(store).values()) == summary["unstaffed_seats"] == 3
    [j1] = [e for e in _empty(store) if e.payload["segment"] == "J1"]
    assert j1.payload["note"].startswith("After a call-off of A: 2 seats at WLD-01")


def test_each_of_a_segments_empty_seats_keeps_its_own_suggestion(monkeypatch: pytest.MonkeyPatch) -> None:
    # J1 needs three welders and the plant has two (A, C), one of them at J3: J1 has two short-seat suggestions, one
    # seat nobody may fill ("too few qualified") and one left short ("assigned to other job operations"). A call-off
    # elsewhere (B, at J2) leaves both as they were: each keeps its suggestion. Before, the first of J1's seats kept
    # one suggestion for the segment and closed the other: one open suggestion for two empty seats
    crew = problem(
        [
            job("J1", place("WLD-01"), requirements=(WELD,), crew=3, hours=4.0),
            job("J3", place("WLD-03"), requirements=(WELD,)),
            job("J2", place("CNC-02")),
        ],
        [operator("A", levels={"SK-WELD": 2}), operator("C", levels={"SK-WELD": 2}), operator("B")],
    )
    monkeypatch.setattr(crew_build, "build_problem", lambda *_, **__: crew)
    store, clock = InMemoryAuditStore(), [AT]
    publish_plan(solve(crew, 10), store, T0 - timedelta(hours=10))
    night = _empty(store)
    assert sorted(str(e.payload["cause"]) for e in night) == ["qualified_busy", "too_few_qualified"]

    summary = run(container(store, clock), message("call_off", clock[0], employee_id="B"))

    assert _seats_open(store) == {"J1": 2, "J2": 1}
    assert sum(_seats_open(store).values()) == summary["unstaffed_seats"]
    assert {e.event_id for e in night} <= {e.event_id for e in _empty(store)}  # each for its own seat


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_a_seat_whose_decided_suggestion_counted_fewer_seats_gets_a_new_one(
    monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    # review_s16 #9: J1 needs two welders and the plant has one (A); the supervisor decided J1's night suggestion (1
    # seat). A's call-off empties the second seat: J1 gets a new suggestion for both. Before, its id was the decided
    # one's, counted as already published: no suggestion for the seat the call-off emptied
    crew = problem(
        [job("J1", place("WLD-01"), requirements=(WELD,), crew=2), job("J3", place("WLD-03"), requirements=(WELD,))],
        [operator("A", levels={"SK-WELD": 2}), operator("B")],
    )
    monkeypatch.setattr(crew_build, "build_problem", lambda *_, **__: crew)
    store, clock = InMemoryAuditStore(), [AT]
    publish_plan(solve(crew, 10), store, T0 - timedelta(hours=10))
    [night] = [e for e in _empty(store) if e.payload["segment"] == "J1"]
    _decide(store, night, action, at=AT - timedelta(minutes=5))
    assert _seats_open(store) == {"J3": 1}
    deps = container(store, clock)

    summary = run(deps, message("call_off", clock[0], employee_id="A"))

    assert _seats_open(store) == {"J1": 2, "J3": 1}
    assert summary["unstaffed_seats"] == 3 and summary["already_published"] == 1  # J3's suggestion stands
    [j1] = [e for e in _empty(store) if e.payload["segment"] == "J1"]
    assert j1.payload["note"].startswith("After a call-off of A: 2 seats at WLD-01")
    # as many seats empty as the decided suggestion counted: that decision stands for them, nothing new
    clock[0] += timedelta(minutes=2)
    run(deps, message("call_off_undone", clock[0], employee_id="A", reported_by="P0001"))
    assert _seats_open(store) == {"J3": 1}


def test_only_the_seats_whose_cover_the_call_off_changed_blame_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # ux_verify_s16 G: a call-off's re-plan published a note for an empty seat of another department (here J9, an
    # operation the night's plan did not have, which nobody may weld) reading "After a call-off of A: ...", though A
    # was neither planned there nor able to work it, and the undo kept it
    crew = problem(
        [job("J2", place("CNC-02")), job("J9", place("ASM-01"), requirements=(WELD,))],
        [operator("A")],
    )
    monkeypatch.setattr(crew_build, "build_problem", lambda *_, **__: crew)
    store, clock = InMemoryAuditStore(), [AT]
    night = crew.model_copy(update={"jobs": crew.jobs[:1]})
    publish_plan(solve(night, 10), store, T0 - timedelta(hours=10))
    deps = container(store, clock)

    run(deps, message("call_off", clock[0], employee_id="A"))

    notes = {str(e.payload["segment"]): e.payload for e in _empty(store)}
    assert notes["J2"]["note"].startswith("After a call-off of A: 1 seat at CNC-02")  # A's seat: it emptied it
    assert notes["J9"]["note"].startswith("1 seat at ASM-01") and "trigger" not in notes["J9"]
    clock[0] += timedelta(minutes=2)
    run(deps, message("call_off_undone", clock[0], employee_id="A", reported_by="P0001"))
    assert [str(e.payload["segment"]) for e in _empty(store)] == ["J9"]
    assert not any(e.payload["note"].startswith("After") for e in _empty(store))


def test_the_undo_gives_back_a_short_seat_of_the_shift_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    # as ux_verify_s16 F next door: A's 30-minute J3 after J1 is worth less than the change cost of seating A again,
    # so before 4f3330a9 the undo gave A back J1 only and J3 stayed empty, its note blaming the undone call-off
    crew = problem(
        [job("J1", place("CNC-01"), hours=8.0), job("J3", place("CNC-01"), start=8.0, hours=0.5)], [operator("A")]
    )
    monkeypatch.setattr(crew_build, "build_problem", lambda *_, **__: crew)
    store, clock = InMemoryAuditStore(), [AT]
    night = solve(crew, 10)
    assert {(a.job_key, a.employee_id) for a in night.assignments} == {("J1", "A"), ("J3", "A")}
    publish_plan(night, store, T0 - timedelta(hours=10))
    deps = container(store, clock)
    run(deps, message("call_off", clock[0], employee_id="A"))
    assert _seats_open(store) == {"J1": 1, "J3": 1}
    clock[0] += timedelta(minutes=2)

    run(deps, message("call_off_undone", clock[0], employee_id="A", reported_by="P0001"))

    assert _empty(store) == []
