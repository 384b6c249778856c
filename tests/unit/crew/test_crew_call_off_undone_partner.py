"""ux_s15 #2: undoing a call-off puts back, beside the person, those the call-off's re-plan took off the shift with
them. J1 needs two operators and a setup only A may do: A's call-off empties both seats (B alone is barred by the
setup rule, so B's suggestion is superseded). Before, the undo's re-plan let only A come in: B, free all along,
stayed superseded with no seat, and J1's second seat read "stays empty: all qualified, available operators are
assigned elsewhere", while a manual re-plan put B back."""

from __future__ import annotations

from datetime import timedelta

import pytest

import plexlabor.crew.build as crew_build
from plexlabor.audit import InMemoryAuditStore
from plexlabor.crew.optimizer import solve
from plexlabor.crew.publish import publish_plan
from plexlabor.crew.replan import CurrentPlan, replan
from plexlabor.crew.replanning import current_plan, run
from plexlabor.crew.suggestions import read_day
from tests.unit.crew.crew_builder import DAY, T0, job, operator, place, problem
from tests.unit.crew.test_crew_replan_events import container, message

AT = T0 - timedelta(hours=2)  # before the shift: nothing started, nothing held


def _crew() -> object:
    return problem(
        [job("J1", place("ASM-02"), crew=2, setup_hours=1.0)],
        [operator("A", levels={"SK-CNC": 4}), operator("B", levels={"SK-CNC": 2})],  # only A may do the setup
    )


def _standing(store: InMemoryAuditStore) -> set[tuple[str, str]]:
    plan, _ = current_plan(read_day(store, DAY), "1")
    return set(plan.assignments)


def test_an_undo_puts_back_the_partner_the_call_off_superseded(monkeypatch: pytest.MonkeyPatch) -> None:
    crew = _crew()
    monkeypatch.setattr(crew_build, "build_problem", lambda *_, **__: crew)
    store, clock = InMemoryAuditStore(), [AT]
    publish_plan(solve(crew, 10), store, T0 - timedelta(hours=10))  # type: ignore[arg-type]
    assert _standing(store) == {("J1", "A"), ("J1", "B")}
    deps = container(store, clock)
    run(deps, message("call_off", clock[0], employee_id="A"))
    assert _standing(store) == set()  # B cannot run J1 without a setter: both superseded

    clock[0] += timedelta(minutes=2)
    run(deps, message("call_off_undone", clock[0], employee_id="A", reported_by="P0001"))

    assert _standing(store) == {("J1", "A"), ("J1", "B")}  # what a re-plan of the shift gives
    read = read_day(store, DAY)
    empty = [e for e in read.openings if e.payload.get("kind") == "crew_unstaffed" and e.event_id not in read.closed]
    assert empty == []  # no short seat calling the free B busy


def test_a_seat_the_undo_leaves_empty_while_someone_qualified_is_free_says_so() -> None:
    # the undo lets only A (and those A's call-off took off) in: C, free and qualified, is kept out of J1's second
    # seat; its reason said "all qualified, available operators are assigned to other job operations"
    crew = problem([job("J1", place("ASM-02"), crew=2)], [operator("A"), operator("C")])

    plan = replan(crew, CurrentPlan(), message("call_off_undone", AT, employee_id="A"), AT, time_limit=10)

    assert {a.employee_id for a in plan.assignments} == {"A"}
    [seat] = plan.unstaffed
    assert seat.cause == "kept_by_replan"
    assert "assigned to other job operations" not in seat.reason
    assert "1 qualified operator not placed elsewhere at that time is kept out" in seat.reason
