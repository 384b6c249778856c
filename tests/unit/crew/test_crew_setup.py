"""Changeovers: an operation that follows another part's at the same workcenter starts with a setup (the
approved `setupHours`) inside its first segment; the crew of that segment must include an operator certified
above the workcenter's levels (`CrewPolicy.setup_levels_above_minimum`), who is named in the plan. No segment
and no start time is added."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from plexlabor.audit import AuditStatus, InMemoryAuditStore
from plexlabor.crew.build import build_problem
from plexlabor.crew.models import CrewPolicy, CrewProblem, SkillHolding
from plexlabor.crew.optimizer import build_model, greedy_plan, setup_rows, solve, supervisor_plan
from plexlabor.crew.pairs import compile_problem, on_leave
from plexlabor.crew.publish import publish_plan
from plexlabor.plant import PlantFolder
from plexlabor.plex.folder import PlantFolderSource
from tests.unit.crew.crew_builder import job, operator, place, problem

DAY = date(2026, 11, 23)
CNC = place("CNC-01")


@pytest.fixture(scope="module")
def plant_problem(labelled_plant: PlantFolder) -> CrewProblem:
    return build_problem(labelled_plant.path, DAY)


def test_setups_follow_another_part_inside_the_first_segment(
    labelled_plant: PlantFolder, plant_problem: CrewProblem
) -> None:
    port = PlantFolderSource(labelled_plant.path)
    operations = {op.id: op for op in port.job_operations()}
    approved = {(a.part_id, a.operation_code, a.workcenter_id): a for a in port.approved_workcenters()}
    setups = [j for j in plant_problem.jobs if j.setup_hours > 0]
    assert setups and len({j.job_operation_id for j in setups}) == len(setups)  # one segment per operation
    for segment in setups:
        op = operations[segment.job_operation_id]
        assert op.status == "Scheduled" and segment.start == op.scheduled_start  # the operation's first segment
        standard = approved[(op.part_id, op.operation_code, op.workcenter_id)]
        assert segment.setup_hours == pytest.approx(min(standard.setup_hours, segment.hours), abs=1e-4)
        earlier = [
            other
            for other in operations.values()
            if other.workcenter_id == op.workcenter_id
            and other.scheduled_start is not None
            and other.scheduled_start < segment.start
        ]
        assert earlier and max(earlier, key=lambda o: (o.scheduled_start, o.id)).part_id != op.part_id
    plain = build_problem(labelled_plant.path, DAY, policy=CrewPolicy(plan_setups=False))
    assert not any(j.setup_hours for j in plain.jobs)
    same = [(j.key, j.start, j.end, j.crew_size) for j in plain.jobs]
    assert same == [(j.key, j.start, j.end, j.crew_size) for j in plant_problem.jobs]  # no new segments or starts


def test_the_plant_plan_names_who_does_each_staffed_setup(plant_problem: CrewProblem) -> None:
    plan = solve(plant_problem, 20)
    setups = {j.key: j for j in plant_problem.jobs if j.setup_hours > 0}
    setters = [a for a in plan.assignments if a.does_setup]
    assert setters and {a.job_key for a in plan.assignments} & set(setups) == {a.job_key for a in setters}
    assert len(setters) == len({a.job_key for a in setters})  # one setter per segment
    store = InMemoryAuditStore()
    publish_plan(plan, store, datetime(2026, 11, 22, 20, tzinfo=UTC))
    events = store.by_status(AuditStatus.PENDING_APPROVAL, limit=10_000) + store.by_status(
        AuditStatus.LOGGED, limit=10_000
    )
    notes = [e.payload["note"] for e in events if e.payload.get("setup_hours")]
    assert len(notes) == len(setters) and all(", does the setup of job " in note for note in notes)


def _one_seat(setup_hours: float, **expert: object) -> CrewProblem:
    """CNC-01 requires CNC_LATHE L2. A (L2) is the better operator there; B holds L3."""
    a = operator("A", levels={"SK-CNC": 2}, efficiency={"CNC-01": 1.2})
    b = operator("B", levels={"SK-CNC": 3}, efficiency={"CNC-01": 0.9}).model_copy(update=expert)
    return problem([job("J1", CNC, setup_hours=setup_hours)], [a, b])


def test_a_setup_goes_to_the_operator_certified_above_the_workcenter_level() -> None:
    plan = solve(_one_seat(0.8), 10)
    (assignment,) = plan.assignments
    assert assignment.employee_id == "B" and assignment.does_setup and assignment.setup_hours == 0.8
    assert assignment.reasons[0] == "does the setup (0.8 h: holds CNC_LATHE L3 or higher)"
    store = InMemoryAuditStore()
    publish_plan(plan, store, datetime(2026, 11, 22, 20, tzinfo=UTC))
    (event,) = store.by_status(AuditStatus.PENDING_APPROVAL, limit=10)
    assert (
        "Suggest B on CNC-01 for job J-J1 operation 10 (8.0 h, shift 1), does the setup of job J-J1 operation 10 "
        "(0.8 h)" in event.payload["note"]
    )


def test_without_a_setup_the_better_operator_runs_it() -> None:
    (assignment,) = solve(_one_seat(0.0), 10).assignments
    assert assignment.employee_id == "A" and not assignment.does_setup


def test_a_lapsed_higher_level_cannot_do_the_setup() -> None:
    lapsed = SkillHolding(skill_id="SK-CNC", level_valid=2, level_held=3, lapsed_on=DAY - timedelta(days=3))
    plan = solve(_one_seat(0.8, skills={"SK-CNC": lapsed}), 10)
    assert not plan.assignments
    (seat,) = plan.unstaffed
    assert seat.setup_hours == 0.8 and "cannot do the setup: 2" in seat.reason


def test_the_setup_level_is_a_policy() -> None:
    lenient = _one_seat(0.8).model_copy(update={"policy": CrewPolicy(setup_levels_above_minimum=0)})
    (assignment,) = solve(lenient, 10).assignments
    assert assignment.employee_id == "A" and assignment.does_setup


def _crew_of_two(**kwargs: object) -> CrewProblem:
    """A two-person job with a setup: A and C (L2) are the better crew (A the best), only B (L3) can do the setup."""
    a = operator("A", levels={"SK-CNC": 2}, efficiency={"CNC-01": 1.2}, planned=CNC)
    c = operator("C", levels={"SK-CNC": 2}, efficiency={"CNC-01": 1.1}, planned=CNC)
    b = operator("B", levels={"SK-CNC": 3}, efficiency={"CNC-01": 0.9})
    return problem([job("J2", CNC, crew=2, setup_hours=1.0)], [a, b, c], **kwargs)  # type: ignore[arg-type]


def test_a_crew_includes_one_who_can_do_the_setup() -> None:
    crew = _crew_of_two()
    compiled = compile_problem(crew)
    assert len(compiled.pair_job) == 3 and setup_rows(compiled).tolist() == [0]
    assert build_model(compiled).rows == 1 + 1  # seats, and the setup row: no new column or segment
    plan = solve(compiled, 10)
    assert plan.solver.status == "optimal"
    assert sorted(a.employee_id for a in plan.assignments) == ["A", "B"]  # B and the better of A and C
    assert [a.employee_id for a in plan.assignments if a.does_setup] == ["B"]
    greedy = {compiled.operators[int(compiled.pair_op[p])].employee_id for p in greedy_plan(compiled)}
    assert "B" in greedy and len(greedy) == 2
    chosen, violations = supervisor_plan(compiled)  # A and C are planned there: nobody to set up
    assert not chosen and violations == ["nobody planned at CNC-01 can do the setup of J2"]


def test_a_crew_without_a_setup_is_the_better_pair() -> None:
    plain = _crew_of_two(policy=CrewPolicy(plan_setups=False))
    plain = plain.model_copy(update={"jobs": tuple(j.model_copy(update={"setup_hours": 0.0}) for j in plain.jobs)})
    compiled = compile_problem(plain)
    assert not len(setup_rows(compiled))
    assert sorted(a.employee_id for a in solve(compiled, 10).assignments) == ["A", "C"]


def _called_off(crew: CrewProblem, employee_id: str) -> CrewProblem:
    """The problem with `employee_id` on leave (a call-off)."""
    operators = tuple(
        o.model_copy(update={"leave": "call-off"}) if o.employee_id == employee_id else o for o in crew.operators
    )
    return crew.model_copy(update={"operators": operators})


def test_a_call_off_of_the_only_setter_empties_the_crew_as_compiling_again_does() -> None:
    crew = _crew_of_two()
    gone = _called_off(crew, "B")
    kept, fresh = on_leave(compile_problem(crew), gone, "B"), compile_problem(gone)
    assert np.array_equal(kept.pair_job, fresh.pair_job) and np.array_equal(kept.pair_op, fresh.pair_op)
    assert kept.barred.tolist() == fresh.barred.tolist() == [True, True]  # A and C stay in the data, barred
    assert np.array_equal(kept.fillable, fresh.fillable) and kept.fillable.tolist() == [0]
    assert kept.job_stats(0).turned_away == fresh.job_stats(0).turned_away
    assert not solve(kept, 10).assignments


def test_a_call_off_of_one_the_setup_rule_bars_counts_them_on_leave_as_compiling_again_does() -> None:
    """A (L2) is barred from a one-person segment with a setup; their call-off turns them away as on leave, as
    compiling the problem with them on leave does (before, the count kept them as unable to do the setup)."""
    crew = _one_seat(0.8)
    gone = _called_off(crew, "A")
    compiled = compile_problem(crew)
    assert compiled.job_stats(0).turned_away == {"cannot do the setup": 1}
    kept, fresh = on_leave(compiled, gone, "A"), compile_problem(gone)
    assert kept.job_stats(0).turned_away == fresh.job_stats(0).turned_away == {"on leave": 1}


def test_one_mask_bars_the_pairs_the_setup_rule_turns_away_from_every_plan() -> None:
    """A crew of one with a setup: A (L2, the better operator there) stays in the data, barred; the model has no
    column for them, greedy and the supervisor's plan do not seat them, and the empty seat's reason counts them."""
    crew = _one_seat(0.8).model_copy(
        update={"operators": tuple(o.model_copy(update={"planned": CNC}) for o in _one_seat(0.8).operators)}
    )
    compiled = compile_problem(crew)
    employees = [compiled.operators[int(o)].employee_id for o in compiled.pair_op]
    assert employees == ["A", "B"] and compiled.barred.tolist() == [True, False]
    assert compiled.allowed.tolist() == [1] and build_model(compiled).pairs.tolist() == [1]
    assert greedy_plan(compiled) == [1]
    chosen, violations = supervisor_plan(compiled)  # both planned there: A may not staff it, B does
    assert chosen == [1] and violations == ["A planned at CNC-01 but may not staff J1"]
    plan = solve(compiled, 10)
    assert plan.size.candidate_pairs == 1 and plan.size.operators_available == 1
    assert [a.employee_id for a in plan.assignments] == ["B"]
    without_b = compile_problem(crew.model_copy(update={"operators": crew.operators[:1]}))
    (seat,) = solve(without_b, 10).unstaffed
    assert without_b.fillable.tolist() == [0] and "cannot do the setup: 1" in seat.reason


def test_a_held_crew_stands_without_a_setup_row() -> None:
    compiled = compile_problem(_crew_of_two())
    ops = [compiled.operators[int(o)].employee_id for o in compiled.pair_op]
    held = np.array([ops.index("A"), ops.index("C")], dtype=np.int64)  # accepted by a supervisor: nobody able
    plan = solve(replace(compiled, held=held), 10)
    assert not len(setup_rows(replace(compiled, held=held)))
    assert plan.solver.status == "optimal" and sorted(a.employee_id for a in plan.assignments) == ["A", "C"]
    assert not any(a.does_setup for a in plan.assignments)
