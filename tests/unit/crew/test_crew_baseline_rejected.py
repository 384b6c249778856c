"""The supervisor's plan keeps a seat a supervisor rejected on the crew board (ux_s13 #15): Plex's shift assignments
do not know the board's decisions. Its figures are dollars all the same: the re-plan's refusal device
(`replan.REFUSED_PAIR_COST`, 1e7) stays out of them (the board read "worth $9,998,934 more than supervisor's plan",
"Changes to the suggestions before this re-plan: Supervisor's plan 10,000,000"), and the published figures name
the rejected seat it keeps, for the board to say in words."""

from __future__ import annotations

from plexlabor.crew.board import plan_figures
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.optimizer import solve
from plexlabor.crew.replan import (
    CurrentPlan,
    assignments_of,
    compile_event,
    event_scope,
    with_current_plan,
)
from plexlabor.crew.service import plan_summary
from tests.unit.crew.crew_builder import DAY, T0, job, operator, place, problem

A, B = place("A"), place("B")


def test_the_supervisors_plan_keeping_a_rejected_seat_is_priced_in_dollars_and_named() -> None:
    # Given X planned at A and Y at B by the supervisor (Plex's shift assignments), Z spare; the nightly plan agrees
    crew = problem(
        [job("JA", A, start=2.0), job("JB", B, start=2.0)],
        [
            operator("X", planned=A, efficiency={"A": 1.2, "B": 1.0}),
            operator("Y", planned=B, efficiency={"A": 0.7, "B": 1.1}),
            operator("Z", efficiency={"A": 1.15, "B": 0.8}),
        ],
    )
    nightly = solve(crew)
    assert assignments_of(nightly) == {("JA", "X"), ("JB", "Y")}
    # and a planner rejected X at A on the board, then re-planned the rest of the shift
    decided = CurrentPlan(assignments=frozenset({("JB", "Y")}), accepted=frozenset(), rejected=frozenset({("JA", "X")}))
    message = ReplanMessage(reason="plan_changed", day=DAY, shift="1", detected_at=T0)
    changed, compiled = compile_event(crew, message)
    replanned = with_current_plan(compiled, decided, T0, event_scope(changed, decided, message))

    # When the re-plan is solved and its figures made
    plan = solve(replanned, 10)
    figures = plan_figures(plan)

    # Then Z takes A; the supervisor's plan (X at A, Y at B) pays one change (X at A is not among the suggestions
    # standing before the re-plan), 100 dollars, not the refusal device
    assert assignments_of(plan) == {("JA", "Z"), ("JB", "Y")}
    supervisor = plan.baseline("supervisor")
    assert supervisor is not None
    assert supervisor.breakdown.plan_change == 100.0
    assert figures["current"]["plan_change"] == 100.0
    assert abs(plan_summary(DAY, plan)["vs_supervisor"]) < 1_000
    assert figures["current"]["objective"] == supervisor.breakdown.objective
    # and the figures made with the re-plan's problem name the rejected seat the supervisor's plan keeps
    assert plan_figures(plan, replanned)["current_rejected"] == [
        {"employee_id": "X", "segment": "JA", "workcenter_code": "A"}
    ]


def test_a_plan_without_rejections_names_none() -> None:
    crew = problem([job("JA", A)], [operator("X", planned=A), operator("Z")])
    plan = solve(crew)
    assert "current_rejected" not in plan_figures(plan)
    assert "current_rejected" not in plan_figures(plan, None)
