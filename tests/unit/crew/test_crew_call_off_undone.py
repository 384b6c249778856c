"""A call-off undone on the crew board (`call_off_undone`): crew_replan makes the person plannable again for the
shift, records the undo so that no later read of the shift (this container's or a cold one's) applies the call-off
again, and lets nobody else move (only the person may come in). Before, crew_replan was not told: its re-plans kept
the person off the shift until they clocked in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

import plexlabor.crew.build as crew_build
from plexlabor.audit import InMemoryAuditStore
from plexlabor.crew.claims import SeatClaims, call_offs_of, person_log
from plexlabor.crew.optimizer import solve
from plexlabor.crew.publish import publish_plan
from plexlabor.crew.replan import CurrentPlan, assignments_of, replan
from plexlabor.crew.replanning import KEPT_FOR, current_plan, folded, recorded, run
from plexlabor.crew.suggestions import read_day
from tests.unit.crew.crew_builder import DAY, T0, WELD, job, operator, place, problem
from tests.unit.crew.test_crew_replan_events import container, down, message, planned_store, reads

__all__ = ["reads"]  # the fixture, used by name

AT = T0 + timedelta(minutes=15)


def _leave(deps: object, who: str) -> str | None:
    kept = deps.problems[(DAY, "1")]  # type: ignore[attr-defined]
    return {op.employee_id: op.leave for op in kept.problem.operators}[who]


def test_an_undone_call_off_makes_the_person_plannable_again(reads: list[int]) -> None:
    store, clock = planned_store(), [AT]
    deps = container(store, clock)
    run(deps, message("call_off", clock[0], employee_id="A"))
    assert _leave(deps, "A") == "call_off"
    clock[0] += timedelta(minutes=2)
    summary = run(deps, message("call_off_undone", clock[0], employee_id="A", reported_by="P0001"))
    assert _leave(deps, "A") is None
    assert [e.reason for e in deps.problems[(DAY, "1")].events] == []
    assert summary["people_moved"] == 0  # nobody else moves for the person coming back


def test_a_cold_container_does_not_apply_an_undone_call_off_again(reads: list[int]) -> None:
    store, clock = planned_store(), [AT]
    run(container(store, clock), message("call_off", clock[0], employee_id="A"))
    clock[0] += timedelta(minutes=2)
    run(container(store, clock), message("call_off_undone", clock[0], employee_id="A", reported_by="P0001"))
    assert folded(recorded(read_day(store, DAY, T0 - timedelta(days=1)), DAY, "1")) == ()

    for later in (timedelta(minutes=1), KEPT_FOR + timedelta(minutes=1)):  # from the store, and read again
        cold = container(store, [clock[0] + later])
        run(cold, down(clock[0] + timedelta(minutes=1)))  # the same event: the second container's is a redelivery
        assert [e.reason for e in cold.problems[(DAY, "1")].events] == ["workcenter_down"]
        assert _leave(cold, "A") is None


def test_a_call_off_recorded_again_after_its_undo_holds(reads: list[int]) -> None:
    store, clock = planned_store(), [AT]
    deps = container(store, clock)
    run(deps, message("call_off", clock[0], employee_id="A"))
    run(deps, message("call_off_undone", clock[0] + timedelta(minutes=1), employee_id="A"))
    run(deps, message("call_off", clock[0] + timedelta(minutes=2), employee_id="A"))
    assert _leave(deps, "A") == "call_off"
    cold = container(store, [clock[0] + KEPT_FOR + timedelta(minutes=5)])
    run(cold, down(clock[0] + KEPT_FOR + timedelta(minutes=5)))
    assert _leave(cold, "A") == "call_off"


def test_the_undo_lets_go_a_call_off_claim_the_board_could_not(reads: list[int]) -> None:
    store, clock = planned_store(), [AT]
    SeatClaims(store, lambda: clock[0]).call_off("A", DAY, "1", "sick", "P0001", clock[0])
    deps = container(store, clock)
    run(deps, message("call_off", clock[0], employee_id="A"))
    run(deps, message("call_off_undone", clock[0] + timedelta(minutes=1), employee_id="A", reported_by="P0001"))
    assert call_offs_of(store.history(person_log(DAY, "A")), DAY) == []


def test_an_undo_names_the_person_and_takes_no_reason() -> None:
    with pytest.raises(ValidationError, match="needs employee_id"):
        message("call_off_undone", AT)
    with pytest.raises(ValidationError, match="takes no call_off_reason"):
        message("call_off_undone", AT, employee_id="A", call_off_reason="sick")


def test_the_person_back_takes_an_empty_seat_and_nobody_else_moves_or_comes_in() -> None:
    # J2 left empty by A's call-off; C, cheaper, is free: without the undo's scope C would take it (checked)
    crew = problem(
        [job("J1", place("CNC-01")), job("J2", place("CNC-02"))],
        [operator("A"), operator("B"), operator("C", pay=15.0)],
    )
    current = CurrentPlan(assignments=frozenset({("J1", "B")}))
    plan = replan(crew, current, message("call_off_undone", AT, employee_id="A"), AT, time_limit=10)
    assert assignments_of(plan) == {("J1", "B"), ("J2", "A")}


def test_the_person_back_in_their_old_seat_is_a_new_suggestion_waiting_in_the_queue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # ux164 #2: J1 needs a welder, only A welds: A's call-off leaves it empty; the undo's re-plan put A back in it but
    # published nothing (the pair's id was the superseded suggestion's, "already published"), so J1 stayed empty
    crew = problem(
        [job("J1", place("WLD-01"), requirements=(WELD,)), job("J2", place("CNC-02"))],
        [operator("A", levels={"SK-CNC": 3, "SK-WELD": 2}), operator("B")],
    )
    monkeypatch.setattr(crew_build, "build_problem", lambda *_, **__: crew)
    store, clock = InMemoryAuditStore(), [AT]
    publish_plan(solve(crew, 10), store, T0 - timedelta(hours=10))
    deps = container(store, clock)
    run(deps, message("call_off", clock[0], employee_id="A"))
    clock[0] += timedelta(minutes=2)

    summary = run(deps, message("call_off_undone", clock[0], employee_id="A", reported_by="P0001"))

    assert summary["published"] >= 1
    read = read_day(store, DAY)
    waiting = [
        e.event_id
        for e in read.openings
        if (e.payload.get("segment"), e.employee_id) == ("J1", "A") and e.event_id not in read.closed
    ]
    assert len(waiting) == 1  # a new suggestion, beside the superseded one
    plan, openings = current_plan(read, "1")
    assert ("J1", "A") in plan.assignments and openings[("J1", "A")].event_id == waiting[0]
