"""Setups with held work (re-planning): a crew whose held members cannot do the setup still gets someone who
can; held members who cannot stay held, and the plan says the crew has no setter; a slipped operation's
setup lies in its first segment still to come."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from plexlabor.crew.build import _jobs, _Standards, shift_instances
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.models import CrewPlan, CrewProblem, Place
from plexlabor.crew.optimizer import greedy_plan, setup_rows, solve, supervisor_plan
from plexlabor.crew.pairs import compile_problem
from plexlabor.crew.replan import CurrentPlan, compile_event, with_current_plan
from plexlabor.models import ApprovedWorkcenter, JobOperation, Shift
from tests.unit.crew.crew_builder import DAY, T0, job, operator, place, problem

CNC = place("CNC-01")
NO_SETTER = "nobody in this crew can do the setup"


def _crew() -> CrewProblem:
    """A crew of two with a 1.0 h setup at CNC-01 (L2 to run, L3 to set up): A and D (L3) can set up,
    B and C (L2) cannot; C is the best operator there."""
    a = operator("A", levels={"SK-CNC": 3}, efficiency={"CNC-01": 1.0})
    b = operator("B", levels={"SK-CNC": 2}, efficiency={"CNC-01": 1.0})
    c = operator("C", levels={"SK-CNC": 2}, efficiency={"CNC-01": 1.3})
    d = operator("D", levels={"SK-CNC": 3}, efficiency={"CNC-01": 0.8})
    return problem([job("J", CNC, crew=2, setup_hours=1.0)], [a, b, c, d])


def _replan(crew: CrewProblem, current: CurrentPlan, called_off: str, now: datetime) -> CrewPlan:
    message = ReplanMessage(reason="call_off", day=DAY, shift="1", employee_id=called_off, detected_at=now)
    _, compiled = compile_event(crew, message)
    return solve(with_current_plan(compiled, current, now), 10)


def _crew_of(plan: CrewPlan) -> list[tuple[str, bool]]:
    return sorted((a.employee_id, a.does_setup) for a in plan.assignments)


def test_a_call_off_of_the_setter_after_the_start_gets_another_setter() -> None:
    crew = _crew()
    nightly = solve(crew, 10)
    assert _crew_of(nightly) == [("A", True), ("C", False)]
    plan = _replan(crew, CurrentPlan.of(nightly), "A", T0 + timedelta(minutes=15))  # C held: started
    assert plan.solver.status == "optimal" and _crew_of(plan) == [("C", False), ("D", True)]
    assert not any(NO_SETTER in r for a in plan.assignments for r in a.reasons)


def test_a_call_off_of_the_other_member_keeps_the_held_setter_without_a_row() -> None:
    crew = _crew()
    current = CurrentPlan.of(solve(crew, 10))
    now = T0 + timedelta(minutes=15)
    message = ReplanMessage(reason="call_off", day=DAY, shift="1", employee_id="C", detected_at=now)
    compiled = with_current_plan(compile_event(crew, message)[1], current, now)
    assert not len(setup_rows(compiled))  # A, able, is held there: the setup is covered
    plan = solve(compiled, 10)
    assert ("A", True) in _crew_of(plan) and len(plan.assignments) == 2


def test_an_accepted_member_who_cannot_set_up_gets_a_setter_before_the_shift() -> None:
    current = CurrentPlan(assignments=frozenset({("J", "A"), ("J", "B")}), accepted=frozenset({("J", "B")}))
    plan = _replan(_crew(), current, "A", T0 - timedelta(hours=2))
    assert plan.solver.status == "optimal" and _crew_of(plan) == [("B", False), ("D", True)]


def test_greedy_gives_the_open_seat_next_to_a_held_member_to_a_setter() -> None:
    current = CurrentPlan(assignments=frozenset({("J", "A"), ("J", "B")}), accepted=frozenset({("J", "B")}))
    now = T0 - timedelta(hours=2)
    message = ReplanMessage(reason="call_off", day=DAY, shift="1", employee_id="A", detected_at=now)
    compiled = with_current_plan(compile_event(_crew(), message)[1], current, now)
    chosen = {compiled.operators[int(compiled.pair_op[p])].employee_id for p in greedy_plan(compiled)}
    assert chosen == {"B", "D"}


def test_held_members_who_cannot_set_up_filling_the_crew_stand_and_the_plan_says_so() -> None:
    compiled = compile_problem(_crew())
    ops = [compiled.operators[int(o)].employee_id for o in compiled.pair_op]
    held = replace(compiled, held=np.array([ops.index("B"), ops.index("C")], dtype=np.int64))
    assert not len(setup_rows(held))
    plan = solve(held, 10)
    assert plan.solver.status == "optimal" and _crew_of(plan) == [("B", False), ("C", False)]
    assert all(a.reasons[0].startswith(NO_SETTER + " (1.0 h: needs CNC_LATHE L3") for a in plan.assignments)
    assert any("J-J operation 10 at CNC-01 has no one able to do its setup" in n for n in plan.notes)
    nightly = solve(compiled, 10)  # the near miss: nothing held, a setter is named and nothing flagged
    assert not any(NO_SETTER in r for a in nightly.assignments for r in a.reasons)
    assert not any("able to do its setup" in n for n in nightly.notes)


def _one_seat() -> CrewProblem:
    """A one-person segment with a setup: only A (L3) may staff it in a plan from scratch; B (L2) cannot set up."""
    a = operator("A", levels={"SK-CNC": 3}, efficiency={"CNC-01": 1.0})
    b = operator("B", levels={"SK-CNC": 2}, efficiency={"CNC-01": 1.2})
    return problem([job("J", CNC, setup_hours=0.5)], [a, b])


def test_a_started_operator_who_cannot_set_up_stays_held_on_a_one_person_setup() -> None:
    crew = _one_seat()
    assert compile_problem(crew).barred.tolist() == [False, True]  # B's pair is barred from the seat
    current = CurrentPlan(assignments=frozenset({("J", "B")}))
    compiled = with_current_plan(compile_problem(crew), current, T0 + timedelta(minutes=20))
    plan = solve(compiled, 10)
    assert plan.solver.status == "optimal" and _crew_of(plan) == [("B", False)]
    assert plan.assignments[0].reasons[0].startswith(NO_SETTER)
    assert any("has no one able to do its setup" in n for n in plan.notes)


def test_an_unheld_operator_who_cannot_set_up_gets_no_pair() -> None:
    current = CurrentPlan(assignments=frozenset({("J", "B")}))  # before the start, not accepted: not held
    plan = solve(with_current_plan(compile_problem(_one_seat()), current, T0 - timedelta(hours=1)), 10)
    assert _crew_of(plan) == [("A", True)]


def test_a_held_operator_on_leave_is_not_held() -> None:
    crew = _one_seat()
    gone = crew.model_copy(
        update={
            "operators": tuple(
                o.model_copy(update={"leave": "sick"}) if o.employee_id == "B" else o for o in crew.operators
            )
        }
    )
    current = CurrentPlan(assignments=frozenset({("J", "B")}), accepted=frozenset({("J", "B")}))
    plan = solve(with_current_plan(compile_problem(gone), current, T0 + timedelta(minutes=20)), 10)
    assert _crew_of(plan) == [("A", True)]


# ---- where a slipped operation's setup lies (build) ----------------------------------------------


def _segments_of(closed_by: datetime) -> list[tuple[str, float]]:
    """Operation OP-2 (part Y, 10:00-18:00, not started) follows OP-1 (part X) at W; only shift 2 is planned."""
    shifts = [
        Shift(shift_id="S1", shift_code="1", name="1st", start_local="06:00", end_local="14:30"),
        Shift(shift_id="S2", shift_code="2", name="2nd", start_local="14:30", end_local="23:00"),
    ]
    instances = shift_instances(shifts, DAY - timedelta(days=2), DAY + timedelta(days=2), ZoneInfo("UTC"))
    at = datetime(DAY.year, DAY.month, DAY.day, tzinfo=UTC)

    def operation(op_id: str, part: str, start: int, end: int, status: str) -> JobOperation:
        return JobOperation(
            id=op_id, job_id=f"JOB-{op_id}", part_id=part, operation_no=10, operation_code="10",
            workcenter_id="W", quantity=10, standard_hours=end - start,
            scheduled_start=at + timedelta(hours=start), scheduled_end=at + timedelta(hours=end), status=status,
        )  # fmt: skip

    operations = [operation("OP-1", "X", 6, 10, "Complete"), operation("OP-2", "Y", 10, 18, "Scheduled")]
    approved = {
        (part, "10", "W"): ApprovedWorkcenter(
            part_id=part,
            operation_code="10",
            workcenter_id="W",
            crew_size=1,
            standard_production_rate=5,
            setup_hours=1.5,
        )
        for part in ("X", "Y")
    }
    standards = _Standards(lambda wc: Place(workcenter_id=wc, workcenter_code=wc), {}, approved)
    planned = [i for i in instances if i.work_date == DAY and i.shift.shift_code == "2"]
    window = (planned[0].start, planned[0].segment_end)
    jobs, _ = _jobs(operations, instances, {(DAY, "2")}, window, closed_by, standards, 0.5, plan_setups=True)
    return [(j.key, j.setup_hours) for j in jobs]


def test_a_slipped_operation_sets_up_in_its_first_planned_segment() -> None:
    replanned_at = datetime(DAY.year, DAY.month, DAY.day, 15, tzinfo=UTC)  # its shift-1 piece is over, not started
    assert _segments_of(replanned_at) == [("OP-2/2", 1.5)]


def test_a_shift_two_plan_made_before_shift_one_leaves_the_setup_to_shift_one() -> None:
    night_before = datetime(DAY.year, DAY.month, DAY.day, tzinfo=UTC) - timedelta(hours=4)
    assert _segments_of(night_before) == [("OP-2/2", 0.0)]


def test_the_only_setter_calling_off_into_the_shift_leaves_the_held_member_standing() -> None:
    """B is the only one able to set up; A started with B. B's call-off drops every pair of those who cannot
    (`on_leave`, as compiling again does), but A, held, stays; C, not held, gets no seat; the plan says no setter."""
    a = operator("A", levels={"SK-CNC": 2}, efficiency={"CNC-01": 1.2})
    b = operator("B", levels={"SK-CNC": 3}, efficiency={"CNC-01": 0.9})
    c = operator("C", levels={"SK-CNC": 2}, efficiency={"CNC-01": 1.1})
    crew = problem([job("J", CNC, crew=2, setup_hours=1.0)], [a, b, c])
    current = CurrentPlan(assignments=frozenset({("J", "A"), ("J", "B")}))
    started = _replan(crew, current, "B", T0 + timedelta(minutes=15))
    assert _crew_of(started) == [("A", False)] and started.assignments[0].reasons[0].startswith(NO_SETTER)
    before = _replan(crew, current, "B", T0 - timedelta(minutes=20))  # the near miss: nothing held yet
    assert not before.assignments and not any("able to do its setup" in n for n in before.notes)


def test_a_held_setter_keeps_the_setup_when_a_better_one_joins_the_crew() -> None:
    """A (able) and C started together 15 minutes ago: the setup is A's (no setup row). C calls off and E, able
    and better there than A, covers the seat: the plan still names A, who started the setup, not E."""
    e = operator("E", levels={"SK-CNC": 3}, efficiency={"CNC-01": 1.2})
    crew = _crew()
    crew = crew.model_copy(update={"operators": (*crew.operators, e)})
    current = CurrentPlan(assignments=frozenset({("J", "A"), ("J", "C")}))
    plan = _replan(crew, current, "C", T0 + timedelta(minutes=15))
    assert plan.solver.status == "optimal" and _crew_of(plan) == [("A", True), ("E", False)]
    assert plan.assignments[0].reasons[0].startswith("does the setup")


def test_the_supervisors_plan_is_held_to_the_setup_rule_whatever_the_re_plan_holds() -> None:
    """B, able, is held on the segment (accepted): the re-plan needs no setup row there. The supervisor planned A
    and C, who cannot set up, there: their crew still breaks the rule, as it does in a plan from scratch."""
    a = operator("A", levels={"SK-CNC": 2}, planned=CNC)
    c = operator("C", levels={"SK-CNC": 2}, planned=CNC)
    b = operator("B", levels={"SK-CNC": 3})
    compiled = compile_problem(problem([job("J", CNC, crew=2, setup_hours=1.0)], [a, b, c]))
    ops = [compiled.operators[int(o)].employee_id for o in compiled.pair_op]
    held = replace(compiled, held=np.array([ops.index("B")], dtype=np.int64))
    assert not len(setup_rows(held))
    violation = ["nobody planned at CNC-01 can do the setup of J"]
    assert supervisor_plan(compiled) == ([], violation) and supervisor_plan(held) == ([], violation)
