"""The day-hours and rest limits across shifts (ux141 #1): a whole-day plan leaves 8 h between one person's jobs in
different shifts, and a re-plan of one shift counts what the neighbouring shifts already give the person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from plexlabor.audit.store import InMemoryAuditStore
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.models import ShiftBlock
from plexlabor.crew.optimizer import solve
from plexlabor.crew.pairs import ELSEWHERE, compile_problem, refusal
from plexlabor.crew.publish import publish_plan
from plexlabor.crew.replan import CurrentPlan, assignments_of, replan
from plexlabor.crew.stretches import with_commitments
from plexlabor.crew.suggestions import Commitment, commitments, read_day
from tests.unit.crew.crew_builder import DAY, T0, block, job, operator, place, problem

A, B = place("A"), place("B")


def _stretches(plan_rows: list[tuple[str, datetime, datetime]]) -> dict[str, list[tuple[datetime, datetime]]]:
    by_person: dict[str, list[tuple[datetime, datetime]]] = {}
    for employee, start, end in plan_rows:
        by_person.setdefault(employee, []).append((start, end))
    return {person: sorted(times) for person, times in by_person.items()}


def test_a_whole_day_plan_leaves_the_rest_between_one_persons_shifts() -> None:
    # Given a day off for everyone (call-ins only): job JA in shift 1 (06:00-12:00) and JB in shift 2 (14:30-20:30),
    # X far the best at both, Z the spare: before, X got both (12 h in all, 2.5 h between them)
    crew = problem(
        [job("JA", A, start=0.0, hours=6.0), job("JB", B, start=8.5, hours=6.0, shift="2")],
        [operator("X", shifts=(), efficiency={"A": 1.4, "B": 1.4}), operator("Z", shifts=())],
    )
    for use_milp in (True, False):  # the MILP and greedy (its baseline and fallback) alike
        plan = solve(crew, use_milp=use_milp)
        # Then X has one of them and Z the other: nobody works two stretches less than 8 h apart
        assert {employee for _, employee in assignments_of(plan)} == {"X", "Z"}, use_milp
        for times in _stretches([(a.employee_id, a.start, a.end) for a in plan.assignments]).values():
            gaps = [(later[0] - earlier[1]) for earlier, later in pairwise(times)]
            assert all(gap <= timedelta(0) or gap >= timedelta(hours=8) for gap in gaps)
    # without Z one job stays empty, and its reason names the rest
    alone = solve(crew.model_copy(update={"operators": crew.operators[:1]}))
    [seat] = alone.unstaffed
    assert len(alone.assignments) == 1 and "too short a rest from their job in another shift" in seat.reason


def test_a_job_that_continues_another_across_the_shift_change_stays_within_the_day() -> None:
    # JB starts as JA ends: one stretch of 12 h, allowed; with JC (another 2 h right after) it would be 14 h
    jobs = [
        job("JA", A, start=2.5, hours=6.0),
        job("JB", B, start=8.5, hours=6.0, shift="2"),
        job("JC", B, start=14.5, hours=2.0, shift="2"),
    ]
    crew = problem(jobs, [operator("X", shifts=(), efficiency={"A": 1.4, "B": 1.4})])
    plan = solve(crew)
    assert sum(a.hours for a in plan.assignments) <= 12.0
    assert {key for key, _ in assignments_of(plan)} == {"JA", "JB"}


def _shift(crew, shift: str):  # type: ignore[no-untyped-def]
    """The problem of one shift of `crew`."""
    return crew.model_copy(
        update={"shift_codes": (shift,), "jobs": tuple(j for j in crew.jobs if j.shift_code == shift)}
    )


def test_a_re_plan_of_one_shift_counts_the_persons_seats_in_the_others() -> None:
    # Given shift 1's plan (published: X, called in, on JA 06:00-14:30) and shift 2's (Y, scheduled, on JB 14:30-23:00)
    crew = problem(
        [job("JA", A, start=0.0, hours=8.5), job("JB", B, start=8.5, hours=8.5, shift="2")],
        [
            operator("X", shifts=(), efficiency={"A": 1.4, "B": 1.4}),
            operator("Y", shifts=(block("2"),), efficiency={"B": 1.5}),
            operator("Z", shifts=(), efficiency={"B": 0.9}),
        ],
    )
    first, second = _shift(crew, "1"), _shift(crew, "2")
    store = InMemoryAuditStore()
    publish_plan(solve(first), store, T0 - timedelta(hours=10))
    assert assignments_of(solve(second)) == {("JB", "Y")}
    # When Y calls off and shift 2 is re-planned
    call_off = ReplanMessage(reason="call_off", day=DAY, shift="2", employee_id="Y", detected_at=T0)
    current = CurrentPlan(assignments=frozenset({("JB", "Y")}))
    committed = commitments(read_day(store, DAY), DAY, {"2"})
    assert [(c.employee_id, c.shift_code, c.outside_hours) for c in committed] == [("X", "1", 8.5)]
    blind = replan(second, current, call_off, T0, time_limit=10)
    plan = replan(second, current, call_off, T0, time_limit=10, commitments=committed)
    # Then X (8.5 h in shift 1 already) is not given 8.5 h more: Z covers the seat. Counting nothing of shift 1
    # (as before), X got it: 17 h in one day
    assert assignments_of(blind) == {("JB", "X")}
    assert assignments_of(plan) == {("JB", "Z")}


def test_work_elsewhere_bars_the_same_time_a_short_rest_and_a_stretch_over_the_day() -> None:
    crew = problem(
        [job("JA", A, start=0.0, hours=8.5), job("JB", B, start=8.5, hours=8.5, shift="2")],
        [operator("X", shifts=()), operator("W", shifts=())],
    )
    compiled = compile_problem(_shift(crew, "1"))
    night_before = Commitment(
        "X", DAY - timedelta(days=1), "3", (T0 - timedelta(hours=7.5)).timestamp(), T0.timestamp(), 7.5
    )
    rested = Commitment(
        "W", DAY, "2", (T0 + timedelta(hours=10)).timestamp(), (T0 + timedelta(hours=16)).timestamp(), 6
    )
    counted = with_commitments(compiled, [night_before, rested])
    # X's night shift ends at 06:00 as JA starts: 16 h in a row; W's shift-2 job starts 1.5 h after JA ends
    assert counted.barred.all() and counted.fillable.tolist() == [0]
    assert counted.job_stats(0).turned_away[ELSEWHERE] == 2
    plan = solve(counted)
    assert plan.assignments == () and "planned in a neighbouring shift: 2" in plan.unstaffed[0].reason
    # a day shift before a night shift (8 h between) is no conflict, and its hours count in the day
    fine = Commitment(
        "X", DAY, "2", (T0 + timedelta(hours=16.5)).timestamp(), datetime(2026, 11, 24, tzinfo=UTC).timestamp(), 3.0
    )
    allowed = with_commitments(compiled, [fine])
    assert not allowed.barred.any() and allowed.day_allowance.tolist() == [12.0, 9.0]


def test_extending_the_night_shift_before_counts_that_shift_in_the_day() -> None:
    # X worked the night before (23:00-07:00, work date the day before): a job 06:00-12:00 extends it by 5 h, 13 h in
    # a row; before, only the planned day's shifts counted (ux141's plant: 8.5 h + 5.6 h = 14.1 h on a Saturday)
    night = ShiftBlock(
        start=T0 - timedelta(hours=7),
        end=T0 + timedelta(hours=1),
        shift_code="3",
        work_date=DAY - timedelta(days=1),
        paid_hours=8.0,
    )
    crew = problem([job("JA", A, hours=6.0), job("JB", B, hours=4.0)], [operator("X", shifts=(night,))])
    compiled = compile_problem(crew)
    assert refusal(compiled, 0, 0) == "would exceed 12 h that day (in a row with a shift of another day)"
    assert refusal(compiled, 0, 1) is None  # 8 h + 3 h outside it
    assert assignments_of(solve(crew)) == {("JB", "X")}
