"""What the crew board reads from a plan (issue 10), on a small plant with the in-memory audit store: the
nightly plan's suggestions carry who else may staff each seat (qualified, available: a compiled pair) and
the plan's objective against the supervisor's plan and greedy; a swap made on the board is held by the
re-plan its `swap` message starts, and the person it replaced is not suggested there again."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from functions.crew_planner import handler as crew_planner
from functions.crew_replan import handler as crew_replan
from plexlabor.approval.messages import ApprovalAction, Decision
from plexlabor.approval.recommendations import Recommended, recommendation_decision
from plexlabor.audit import AuditEvent, AuditStatus, InMemoryAuditStore
from plexlabor.crew import wiring
from plexlabor.crew.board import SWAP_CANDIDATES, swap_candidates
from plexlabor.crew.build import build_problem
from plexlabor.crew.optimizer import solve
from plexlabor.crew.pairs import compile_problem
from plexlabor.crew.replanning import read_current_plan
from plexlabor.plant import PlantFolder
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.sources import LaborSource
from plexlabor.review.queue import Role, Viewer
from plexlabor.webapp.crewboard import SwapRefusedError, plan_swap
from tests.support import FakeLambdaContext, load_event
from tests.unit.crew.crew_builder import WELD, job, operator, place, problem

DAY = date(2026, 11, 23)  # Monday after the history
SHIFT_START = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # 06:00 in Detroit
SINCE = datetime(2026, 11, 20, tzinfo=UTC)
PLANNER = Viewer("P0001", frozenset({Role.PLANNER}))


def _assignments(store: InMemoryAuditStore, actor: str) -> list[AuditEvent]:
    events = store.by_status(AuditStatus.PENDING_APPROVAL, SINCE, 10_000)
    events += store.by_status(AuditStatus.LOGGED, SINCE, 10_000)
    return [e for e in events if e.actor == actor and e.payload.get("kind") == "crew_assignment"]


@pytest.fixture
def planned(labelled_plant: PlantFolder) -> tuple[LaborSource, InMemoryAuditStore, dict[str, Any]]:
    source = LaborSource(PlantFolderSource(labelled_plant.path), "America/Detroit")
    store = InMemoryAuditStore()
    nightly = wiring.Dependencies(source=source, store=store, time_limit_s=20, clock=lambda: SINCE)
    event = {**load_event("crew_planner"), "detail": {"date": DAY.isoformat(), "shift": "1"}}
    summary = crew_planner.handler(event, FakeLambdaContext(), dependencies=nightly)
    assert summary["published"] > 0
    return source, store, summary


def test_each_suggestion_offers_qualified_available_operators_and_the_plans_figures(
    planned: tuple[LaborSource, InMemoryAuditStore, dict[str, Any]],
) -> None:
    source, store, summary = planned
    events = _assignments(store, "crew_planner")
    compiled = compile_problem(build_problem(source.port, DAY, "1", timezone=source.timezone))
    may_staff = {
        (compiled.jobs[j].key, compiled.operators[o].employee_id)
        for j, o in zip(compiled.pair_job.tolist(), compiled.pair_op.tolist(), strict=True)
    }
    crews: dict[str, set[str | None]] = {}
    for event in events:
        crews.setdefault(str(event.payload["segment"]), set()).add(event.employee_id)
    offered = 0
    for event in events:
        segment, candidates = str(event.payload["segment"]), event.payload["swap_candidates"]
        assert sum(not c.get("sets_up") for c in candidates) <= SWAP_CANDIDATES  # more: those who may set up
        for candidate in candidates:
            assert (segment, candidate["employee_id"]) in may_staff  # qualified and allowed there
            assert candidate["employee_id"] not in crews[segment]  # not already in that crew
        parts = ("labor_cost", "fatigue", "changeover", "walking")  # 0 when left out
        nets = [c.get("value", 0.0) - sum(c.get(k, 0.0) for k in parts) for c in candidates]
        swaps = [net - c.get("leaves", {}).get("loss", 0.0) for net, c in zip(nets, candidates, strict=True)]
        assert swaps == sorted(swaps, reverse=True)  # best first, the seat they leave counted
        offered += len(candidates)
    assert offered > 0
    figures = events[0].payload["plan_figures"]  # on every suggestion of the plan
    assert all(e.payload["plan_figures"] == figures for e in _suggestions(store))
    assert figures["shifts"] == ["1"]
    assert figures["recommended"]["objective"] == summary["objective"]
    assert figures["recommended"]["objective"] - figures["greedy"]["objective"] == pytest.approx(summary["vs_greedy"])
    current = figures["current"]["objective"]
    assert figures["recommended"]["objective"] - current == pytest.approx(summary["vs_supervisor"])


def test_a_swap_is_held_by_the_re_plan_and_the_replaced_person_stays_out(
    planned: tuple[LaborSource, InMemoryAuditStore, dict[str, Any]],
) -> None:
    source, store, _ = planned
    waiting = next(
        e
        for e in _assignments(store, "crew_planner")
        if e.status is AuditStatus.PENDING_APPROVAL and e.payload["swap_candidates"]
    )
    offered = waiting.payload["swap_candidates"][0]
    chosen = offered["employee_id"]
    now = SHIFT_START - timedelta(hours=1)
    swap = plan_swap(store, waiting.event_id, chosen, PLANNER, now)
    # What the web app does with it (the review service's path: tests/unit/webapp/test_web_app_crew.py)
    store.append(swap.opening)
    approve = Decision(action=ApprovalAction.APPROVE, supervisor_id="P0001")
    store.append(recommendation_decision(Recommended.of(swap.opening), approve, now, "crew_board"))
    reject = Decision(action=ApprovalAction.REJECT, reason=swap.rejection, supervisor_id="P0001")
    store.append(recommendation_decision(Recommended.of(waiting), reject, now, "queue"))
    segment = str(waiting.payload["segment"])
    deps = wiring.ReplanDependencies(source=source, store=store, time_limit_s=20, clock=lambda: now)

    assert crew_replan.handler(_sqs(swap.replan), FakeLambdaContext(), dependencies=deps) == {"batchItemFailures": []}

    after, _ = read_current_plan(store, DAY, "1", SINCE)
    assert (segment, chosen) in after.accepted and (segment, chosen) in after.assignments
    assert (segment, waiting.employee_id) in after.rejected
    # one job at a time: whatever the plan had them do at the same time is no longer theirs
    times = {
        str(e.payload["segment"]): (e.payload["start"], e.payload["end"])
        for e in _assignments(store, "crew_planner") + _assignments(store, "crew_replan")
    }
    start, end = times[segment]
    theirs = [times[s] for s, e in after.assignments if e == chosen and s != segment]
    assert not [t for t in theirs if t[0] < end and start < t[1]]
    replanned = _assignments(store, "crew_replan")
    assert (segment, waiting.employee_id) not in {(str(e.payload["segment"]), e.employee_id) for e in replanned}
    # the re-plan's own suggestions carry its figures: this shift alone, with what changing the plan cost
    assert replanned and all("a swap on the crew board" in str(e.payload["note"]) for e in replanned)
    newest = max((e for e in _suggestions(store) if "plan_figures" in e.payload), key=lambda e: e.occurred_at)
    assert newest.actor == "crew_replan" and newest.payload["plan_figures"]["shifts"] == ["1"]


def _suggestions(store: InMemoryAuditStore) -> list[AuditEvent]:
    events = store.by_status(AuditStatus.PENDING_APPROVAL, SINCE, 10_000)
    return events + store.by_status(AuditStatus.LOGGED, SINCE, 10_000)


def _sqs(message: Any) -> dict[str, Any]:
    event = load_event("crew_replan")
    return {"Records": [{**event["Records"][0], "body": message.model_dump_json(by_alias=True)}]}


def test_the_setter_is_swapped_only_for_one_who_may_do_the_setup(
    planned: tuple[LaborSource, InMemoryAuditStore, dict[str, Any]],
) -> None:
    source, store, _ = planned
    compiled = compile_problem(build_problem(source.port, DAY, "1", timezone=source.timezone))
    may_set_up = {
        (compiled.jobs[j].key, compiled.operators[o].employee_id): bool(able)
        for j, o, able in zip(
            compiled.pair_job.tolist(), compiled.pair_op.tolist(), compiled.setup_capable.tolist(), strict=True
        )
        if compiled.jobs[j].setup_hours > 0
    }
    setters = [e for e in _assignments(store, "crew_planner") if e.payload.get("setup_hours")]
    assert setters, "the plant's plan names no setter"
    for event in _assignments(store, "crew_planner"):
        for candidate in event.payload["swap_candidates"]:
            key = (str(event.payload["segment"]), candidate["employee_id"])
            assert candidate.get("sets_up", False) == may_set_up.get(key, False)
    setter = next(e for e in setters if e.status is AuditStatus.PENDING_APPROVAL and e.payload["swap_candidates"])
    able = setter.payload["swap_candidates"][0]
    assert able.get("sets_up")
    now = SHIFT_START - timedelta(hours=1)
    assert (
        plan_swap(store, setter.event_id, able["employee_id"], PLANNER, now).opening.employee_id == able["employee_id"]
    )

    unable = {key: value for key, value in able.items() if key != "sets_up"}  # the same operator, as if unable
    payload = setter.payload | {"swap_candidates": [unable]}
    spoiled = InMemoryAuditStore()
    for event in _suggestions(store):
        spoiled.append(event.model_copy(update={"payload": payload}) if event.event_id == setter.event_id else event)
    with pytest.raises(SwapRefusedError, match="may not do the setup"):
        plan_swap(spoiled, setter.event_id, able["employee_id"], PLANNER, now)


def test_the_setters_seat_offers_the_best_of_those_who_may_do_the_setup_wherever_they_rank() -> None:
    """A crew of two with a setup: seven operators run CNC-01 better than the two who may set it up (L3). The plan
    takes the better setter and the best runner; the five best of the rest cannot set up, so the one setter left,
    the worst there, is offered after them, and is the one the setter's seat offers."""
    cnc = place("CNC-01")
    runners = [operator(f"R{k}", levels={"SK-CNC": 2}, efficiency={"CNC-01": 1.3 - k / 100}) for k in range(7)]
    setters = [operator(f"S{k}", levels={"SK-CNC": 3}, efficiency={"CNC-01": 0.8 - k / 10}) for k in range(2)]
    compiled = compile_problem(problem([job("J", cnc, crew=2, setup_hours=1.0)], [*runners, *setters]))
    plan = solve(compiled, 10)
    assert sorted((a.employee_id, a.does_setup) for a in plan.assignments) == [("R0", False), ("S0", True)]
    offered = swap_candidates(compiled, plan)["J"]
    assert [c["employee_id"] for c in offered] == ["R1", "R2", "R3", "R4", "R5", "S1"]
    assert [c.get("sets_up", False) for c in offered] == [False] * 5 + [True]


def test_a_swap_counts_the_seat_its_person_leaves_and_says_when_nobody_can_take_it() -> None:
    """ux164 #7: Quinn is the best on the 1.6 h seat at ASM-07 but holds the 8 h seat at ASM-06 nobody else may run
    (she alone welds). Priced by the seat she would take only, she was "worth more" than the suggestion; the swap
    empties her 8 h seat, so it is worth her value there and that empty seat's penalty less, and ranks last."""
    weld, lathe = place("ASM-06"), place("ASM-07", x=10)
    jobs = [job("LONG", weld, requirements=(WELD,)), job("SHORT", lathe, hours=1.6)]
    people = [
        operator("Q", levels={"SK-CNC": 2, "SK-WELD": 1}, efficiency={"ASM-07": 1.5}),
        operator("B", levels={"SK-CNC": 2}, efficiency={"ASM-07": 1.0}),
        operator("F", levels={"SK-CNC": 2}, efficiency={"ASM-07": 0.9}),
    ]
    compiled = compile_problem(problem(jobs, people))
    plan = solve(compiled, 10)
    assert sorted((a.job_key, a.employee_id) for a in plan.assignments) == [("LONG", "Q"), ("SHORT", "B")]
    offered = swap_candidates(compiled, plan)["SHORT"]
    net = {
        c["employee_id"]: c["value"] - sum(c.get(k, 0.0) for k in ("labor_cost", "changeover", "walking"))
        for c in offered
    }
    assert net["Q"] > net["F"]  # on the seat alone she is the better one
    assert [c["employee_id"] for c in offered] == ["F", "Q"]  # the swap's worth counts the seat she leaves
    [quinn] = [c for c in offered if c["employee_id"] == "Q"]
    leaves = quinn["leaves"]
    assert (leaves["workcenter_code"], leaves["hours"], leaves["empty"]) == ("ASM-06", 8.0, True)
    [long_pair] = [
        p
        for p in range(len(compiled.pair_job))
        if compiled.jobs[compiled.pair_job[p]].key == "LONG"
        and compiled.operators[compiled.pair_op[p]].employee_id == "Q"
    ]
    assert leaves["loss"] == pytest.approx(float(compiled.net[long_pair]) + 8.0 * 150.0, abs=0.01)
    assert "leaves" not in next(c for c in offered if c["employee_id"] == "F")  # free: leaves nothing
