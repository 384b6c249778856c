"""The supervisor's plan keeps a seat a supervisor rejected on the crew board (ux_s13 #15): Plex's shift assignments
do not know the board's decisions. Its figures are dollars all the same: the re-plan's refusal device
(`replan.REFUSED_PAIR_COST`, 1e7) stays out of them (the board read "worth $9,998,934 more than supervisor's plan",
"Changes to the suggestions before this re-plan: Supervisor's plan 10,000,000"), and the published figures name
the rejected seat it keeps, for the board to say in words."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from functions.crew_planner import handler as crew_planner
from functions.crew_replan import handler as crew_replan
from plexlabor.approval.messages import ApprovalAction, Decision
from plexlabor.approval.recommendations import Recommended, recommendation_decision
from plexlabor.audit import AuditStatus, InMemoryAuditStore
from plexlabor.crew import wiring
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
from plexlabor.plant import PlantFolder
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.sources import LaborSource
from tests.support import FakeLambdaContext, load_event
from tests.unit.crew.crew_builder import DAY, T0, job, operator, place, problem
from tests.unit.crew.test_crew_swap import SHIFT_START, SINCE, _assignments, _sqs, _suggestions

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


@pytest.fixture
def planned_all(labelled_plant: PlantFolder) -> tuple[LaborSource, InMemoryAuditStore]:
    """The nightly plan of shift 1 on the generated plant, every seat waiting for a decision (`CREW_APPROVAL=all`: a
    seat that keeps the supervisor's plan may be rejected too)."""
    source = LaborSource(PlantFolderSource(labelled_plant.path), "America/Detroit")
    store = InMemoryAuditStore()
    nightly = wiring.Dependencies(source=source, store=store, time_limit_s=20, approval="all", clock=lambda: SINCE)
    event = {**load_event("crew_planner"), "detail": {"date": DAY.isoformat(), "shift": "1"}}
    assert crew_planner.handler(event, FakeLambdaContext(), dependencies=nightly)["published"] > 0
    return source, store


def test_a_re_plan_after_a_rejection_publishes_dollar_figures_naming_the_rejected_seat(
    planned_all: tuple[LaborSource, InMemoryAuditStore],
) -> None:
    # Given the nightly plan of a generated plant, and a planner rejecting a waiting seat that keeps the supervisor's
    # plan (its person is planned at that workcenter in Plex), then re-planning the rest of the shift
    source, store = planned_all
    kept = next(
        e
        for e in _assignments(store, "crew_planner")
        if e.status is AuditStatus.PENDING_APPROVAL and not e.payload.get("changes_current_plan")
    )
    now = SHIFT_START - timedelta(hours=1)
    reject = Decision(action=ApprovalAction.REJECT, reason="not today", supervisor_id="P0001")
    store.append(recommendation_decision(Recommended.of(kept), reject, now, "crew_board"))
    deps = wiring.ReplanDependencies(source=source, store=store, time_limit_s=20, clock=lambda: now)
    message = ReplanMessage(reason="plan_changed", day=DAY, shift="1", detected_at=now)

    assert crew_replan.handler(_sqs(message), FakeLambdaContext(), dependencies=deps) == {"batchItemFailures": []}

    # Then the figures it published beside its suggestions are dollars (no 1e7 anywhere) and name the rejected seat
    replanned = [e for e in _suggestions(store) if e.actor == "crew_replan"]
    [figures] = {json.dumps(e.payload["plan_figures"], sort_keys=True) for e in replanned}
    published = json.loads(figures)
    assert all(abs(v) < 1e6 for plan in ("recommended", "current", "greedy") for v in published[plan].values())
    seat = {"employee_id": kept.employee_id, "segment": kept.payload["segment"]}
    assert seat in [{k: s[k] for k in seat} for s in published["current_rejected"]]
