"""A call-off, a swap or a supervisor's re-plan changes only the seats it touches (ux141 #4), even when the plan it
starts from is far from the best (a nightly plan cut by its time limit): on a generated plant's 1st shift whose
current plan is the greedy one, a re-plan that may move anyone (`scope=None`, as before) moves some twenty people
for one call-off; the re-plan of the event moves only the person who covers the seat."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from plexlabor.crew.build import build_problem
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.models import CrewPlan, CrewProblem
from plexlabor.crew.optimizer import solve
from plexlabor.crew.replan import (
    CurrentPlan,
    assignments_of,
    compile_event,
    event_scope,
    pair_indexes,
    people_moved,
    with_current_plan,
)
from plexlabor.plex.folder import PlantFolderSource
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant

PLANT = PlantSpec(employees=240, weeks=2, seed=301)
DAY = date(2026, 11, 23)  # Monday after the history


@pytest.fixture(scope="module")
def shift(tmp_path_factory: pytest.TempPathFactory) -> tuple[CrewProblem, CrewPlan]:
    """The plant's 1st shift and its greedy plan (the current plan: far from the best, as a plan cut short is)."""
    folder = tmp_path_factory.mktemp("scope") / "plant"
    generate_plant(PLANT, folder)
    problem = build_problem(PlantFolderSource(folder), DAY, "1")
    return problem, solve(problem, use_milp=False)


def _replan(problem: CrewProblem, current: CurrentPlan, message: ReplanMessage, scoped: bool = True) -> CrewPlan:
    now = problem.window_start - timedelta(minutes=20)
    _, compiled = compile_event(problem, message)
    scope = event_scope(problem, current, message) if scoped else None
    return solve(with_current_plan(compiled, current, now, scope), 10.0)


def test_a_call_off_moves_only_who_covers_its_seat(shift: tuple[CrewProblem, CrewPlan]) -> None:
    problem, nightly = shift
    current = CurrentPlan.of(nightly)
    people = sorted({a.employee_id for a in nightly.assignments})
    for employee in people[:: len(people) // 3][:3]:
        message = ReplanMessage(
            reason="call_off", day=DAY, shift="1", employee_id=employee, detected_at=problem.window_start
        )
        seats = sum(1 for _, e in current.assignments if e == employee)
        absent = frozenset({employee})
        scoped = _replan(problem, current, message)
        anyone = _replan(problem, current, message, scoped=False)
        assert people_moved(set(current.assignments), assignments_of(scoped), absent) <= seats
        assert (
            people_moved(set(current.assignments), assignments_of(anyone), absent) >= 10
        )  # the cause: gains elsewhere
        kept = {a for a in current.assignments if a[1] != employee}
        assert kept <= assignments_of(scoped)


def test_a_swap_moves_the_person_swapped_in_and_who_fills_the_seat_they_left(
    shift: tuple[CrewProblem, CrewPlan],
) -> None:
    problem, nightly = shift
    _, compiled = compile_event(
        problem, ReplanMessage(reason="refresh", day=DAY, shift="1", detected_at=problem.window_start)
    )
    busy = {(a.employee_id): a.job_key for a in nightly.assignments}
    index = pair_indexes(compiled, assignments_of(nightly))
    # a seat of the plan, and someone planned elsewhere (on an overlapping seat) who may take it
    seat, replaced, chosen = next(
        (job.key, a.employee_id, compiled.operators[int(compiled.pair_op[p])].employee_id)
        for a in nightly.assignments
        if (job := next(j for j in compiled.jobs if j.key == a.job_key))
        for p in compiled.pairs_of_job(compiled.allowed)[compiled.jobs.index(job)].tolist()
        if (who := compiled.operators[int(compiled.pair_op[p])].employee_id) in busy
        and who != a.employee_id
        and (a.job_key, a.employee_id) in index
    )
    current = CurrentPlan(
        assignments=frozenset(assignments_of(nightly) - {(seat, replaced)} | {(seat, chosen)}),
        accepted=frozenset({(seat, chosen)}),
        rejected=frozenset({(seat, replaced)}),
    )
    swap = ReplanMessage(reason="swap", day=DAY, shift="1", employee_id=chosen, detected_at=problem.window_start)
    plan = _replan(problem, current, swap)
    assert (seat, chosen) in assignments_of(plan) and (seat, replaced) not in assignments_of(plan)
    # the person swapped in leaves their seat; one more may take it
    assert people_moved(set(current.assignments), assignments_of(plan)) <= 2
    assert people_moved(set(current.assignments), assignments_of(_replan(problem, current, swap, scoped=False))) >= 10


def test_a_supervisors_re_plan_changes_nothing_outside_the_departments_they_see(
    shift: tuple[CrewProblem, CrewPlan],
) -> None:
    problem, nightly = shift
    department = {job.key: job.place.department_code for job in problem.jobs}
    seen = sorted({d for d in department.values() if d})[:1]
    current = CurrentPlan.of(nightly)
    message = ReplanMessage(
        reason="plan_changed", day=DAY, shift="1", detected_at=problem.window_start, departments=tuple(seen)
    )
    plan = _replan(problem, current, message)
    changed = set(current.assignments) ^ assignments_of(plan)
    assert {department[job] for job, _ in changed} <= set(seen)
    assert set(current.assignments) <= assignments_of(plan)  # nobody decided anything: nobody is moved
    anyone = set(current.assignments) ^ assignments_of(_replan(problem, current, message, scoped=False))
    assert {department[job] for job, _ in anyone} - set(seen)  # before: seats she cannot see moved
