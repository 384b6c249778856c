"""The crew optimizer on small hand-made problems: hard rules, causes of empty seats, ties, exactness."""

from __future__ import annotations

import itertools
from collections import defaultdict

import numpy as np
import pytest

import plexlabor.crew.optimizer as optimizer
from plexlabor.crew.models import CrewPlan, CrewPolicy, CrewProblem
from plexlabor.crew.optimizer import evaluate, solve
from plexlabor.crew.pairs import compile_problem
from tests.unit.crew.crew_builder import DAY, WELD, block, job, operator, place, problem

CNC04 = place("CNC-04", x=0, y=0)
CNC05 = place("CNC-05", x=30, y=40)


def assert_feasible(plan: CrewPlan) -> None:
    """No operator twice at once, no job over its crew size, nobody twice on one job."""
    by_operator = defaultdict(list)
    by_job = defaultdict(list)
    for a in plan.assignments:
        by_operator[a.employee_id].append((a.start, a.end))
        by_job[a.job_key].append(a.employee_id)
    for intervals in by_operator.values():
        intervals.sort()
        for (_, end), (start, _) in itertools.pairwise(intervals):
            assert end <= start
    for employees in by_job.values():
        assert len(employees) == len(set(employees))


def test_nobody_certified_reports_the_missing_certification() -> None:
    # Given a CNC job, one welder and one operator whose CNC certification lapsed
    crew = problem(
        [job("A", CNC04)],
        [operator("E1", levels={"SK-WELD": 2}), operator("E2", levels={}, lapsed={"SK-CNC": 3})],
    )
    # When planned
    plan = solve(crew, 5)
    # Then the job stays empty, and the reason names the skill, level and date
    assert plan.assignments == ()
    [seat] = plan.unstaffed
    assert seat.cause == "nobody_qualified"
    assert "CNC_LATHE L2 (valid certification)" in seat.reason
    assert DAY.isoformat() in seat.reason and "1 hold it with a lapsed certification" in seat.reason
    assert plan.breakdown.seats_unfillable == 1 and plan.breakdown.unstaffed_penalty == 0


def test_everyone_on_leave() -> None:
    crew = problem([job("A", CNC04)], [operator("E1", leave="Vacation"), operator("E2", leave="Sick")])
    plan = solve(crew, 5)
    [seat] = plan.unstaffed
    assert seat.cause == "qualified_on_leave"
    assert seat.reason == "the job needs 1 operator; all 2 qualified operators are on leave"
    assert plan.size.operators_available == 0


def test_a_called_off_operator_is_counted_called_off_not_on_leave() -> None:
    """ux_s17 L4: after a "no transport" call-off the empty seats' reasons read "(on leave: 2, rest rule: 1)"."""
    from plexlabor.crew.models import CALL_OFF_LEAVE

    crew = problem([job("A", CNC04)], [operator("E1", leave="Vacation"), operator("E2", leave=CALL_OFF_LEAVE)])
    plan = solve(crew, 5)
    [seat] = plan.unstaffed
    assert seat.cause == "qualified_on_leave"
    assert seat.reason == "the job needs 1 operator; all 2 qualified operators are on leave or called off"
    three = problem([job("A", CNC04, crew=3)], [operator("E1", leave=CALL_OFF_LEAVE), operator("E2")])
    [short] = solve(three, 5).unstaffed
    assert "called off: 1" in short.reason and "on leave" not in short.reason


def test_qualified_but_busy_is_reported_as_such() -> None:
    # Two simultaneous jobs, one qualified operator: one job is short because the operator is taken
    crew = problem([job("A", CNC04), job("B", CNC05)], [operator("E1")])
    plan = solve(crew, 5)
    assert len(plan.assignments) == 1
    [seat] = plan.unstaffed
    assert seat.cause == "qualified_busy"
    assert seat.reason == (  # one operator: not "all 1 qualified, available operators are" (ux104 #28)
        "the one qualified, available operator is assigned to other job operations at the same time "
        "(or has no hours left)"
    )
    assert plan.breakdown.unstaffed_penalty == pytest.approx(8 * CrewPolicy().unstaffed_penalty_per_hour)


def test_ties_are_deterministic_whatever_the_input_order() -> None:
    # Given two identical operators and one job
    jobs = [job("A", CNC04)]
    twins = [operator("E2"), operator("E1")]
    # When solved with the operators in either order
    first = solve(problem(jobs, twins), 5)
    second = solve(problem(jobs, twins[::-1]), 5)
    # Then the same operator gets the job and the plans are the same
    assert [a.employee_id for a in first.assignments] == [a.employee_id for a in second.assignments]
    assert first.assignments == second.assignments and first.breakdown == second.breakdown


def test_crew_size_two_takes_two_distinct_operators() -> None:
    crew = problem(
        [job("A", CNC04, crew=2)],
        [operator("E1", pay=30), operator("E2", pay=20), operator("E3", pay=22)],
    )
    plan = solve(crew, 5)
    assert sorted(a.employee_id for a in plan.assignments) == ["E2", "E3"]  # the two cheapest
    assert plan.unstaffed == ()
    assert_feasible(plan)


def test_crew_size_two_with_one_qualified_operator() -> None:
    crew = problem([job("A", CNC04, crew=2)], [operator("E1"), operator("E2", levels={"SK-CNC": 1})])
    plan = solve(crew, 5)
    assert [a.employee_id for a in plan.assignments] == ["E1"]
    [seat] = plan.unstaffed
    assert seat.cause == "too_few_qualified" and seat.seats == 1
    assert "the job needs 2 operators; only 1 hold the required skills" in seat.reason


def test_rest_rule_binds_and_names_itself() -> None:
    # E1 worked yesterday's 2nd shift (until 23:00): a 06:00 job leaves 7 h of rest
    yesterday = block("2", DAY.fromordinal(DAY.toordinal() - 1))
    crew = problem([job("A", CNC04)], [operator("E1", shifts=(yesterday,))])
    plan = solve(crew, 5)
    [seat] = plan.unstaffed
    assert seat.cause == "qualified_unavailable" and "rest rule: 1" in seat.reason
    # With a 6-hour rest rule the same call-in is allowed, and it is overtime past the week's 40 h
    relaxed = problem([job("A", CNC04)], [operator("E1", shifts=(yesterday,), week=40)], CrewPolicy(min_rest_hours=6))
    plan = solve(relaxed, 5)
    [assignment] = plan.assignments
    assert assignment.outside_hours == 8
    assert any("call-in: 8.0 h outside the scheduled shift, 8.0 h overtime" in r for r in assignment.reasons)
    assert plan.breakdown.overtime_hours == 8


def test_a_short_extension_of_the_shift_is_said_in_minutes() -> None:
    # A job from 06:00 to 14:55 against a 06:00-14:30 shift: 25 minutes past it ("0.4 h" read as nothing)
    crew = problem([job("A", CNC04, hours=8 + 55 / 60)], [operator("E1", shifts=(block("1"),))])
    [assignment] = solve(crew, 5).assignments
    assert any("extends the scheduled shift: 25 min outside the scheduled shift" in r for r in assignment.reasons)


def test_daily_hours_bind_across_two_extensions() -> None:
    # E1 works the 1st shift (8 paid hours); one 3-hour job ends as it starts, another starts as it ends.
    # Either alone fits in 12 h a day; both would make 14 h.
    crew = problem(
        [job("A", CNC04, start=-3, hours=3), job("B", CNC05, start=8.5, hours=3, shift="2")],
        [operator("E1")],
    )
    plan = solve(crew, 5)
    assert len(plan.assignments) == 1
    assert plan.assignments[0].outside_hours == 3
    assert any("extends the scheduled shift" in r for r in plan.assignments[0].reasons)
    [seat] = plan.unstaffed
    assert seat.cause == "qualified_busy"  # E1 may take either, not both
    # the LP relaxation takes one job and a third of the other: the fractional path and then HiGHS's proof
    assert "1 fractional pair(s)" in plan.solver.message
    assert plan.solver.status == "optimal" and plan.solver.proven_gap == pytest.approx(0, abs=1e-3)


def test_seven_day_maximum_bars_a_call_in() -> None:
    crew = problem([job("A", CNC04)], [operator("E1", shifts=(), hours_7=56)])
    plan = solve(crew, 5)
    [seat] = plan.unstaffed
    assert "would exceed 60 h in 7 days: 1" in seat.reason


def test_consecutive_days_bar_a_scheduled_operator_and_say_why() -> None:
    # Given E1 scheduled and planned at CNC-04 on what would be their 12th day in a row (ux119 #22), E2 on their 6th
    crew = problem(
        [job("A", CNC04), job("B", CNC05, requirements=(WELD,))],
        [operator("E1", planned=CNC04, streak=11, hours_7=50), operator("E2", levels={"SK-WELD": 1}, streak=5)],
    )
    plan = solve(crew, 5)
    # E1 is offered nowhere (the weekly day of rest, max 6 days in a row); E2's 6th day is allowed
    assert [a.employee_id for a in plan.assignments] == ["E2"]
    [seat] = plan.unstaffed
    assert seat.cause == "qualified_unavailable" and "over 6 days in a row: 1" in seat.reason
    [supervisor] = [b for b in plan.baselines if b.name == "supervisor"]
    assert supervisor.violation_examples == ("E1 planned at CNC-04 but may not staff A: over 6 days in a row (day 12)",)
    # a plant that allows more sets it
    relaxed = solve(crew.model_copy(update={"policy": CrewPolicy(max_consecutive_days=12)}), 5)
    assert {a.employee_id for a in relaxed.assignments} == {"E1", "E2"}


def test_reasons_quote_certification_efficiency_and_hours() -> None:
    crew = problem(
        [job("A", CNC04)],
        [operator("E1", efficiency={"CNC-04": 1.12}, hours_7=6, planned=CNC04), operator("E2", levels={"SK-CNC": 2})],
    )
    plan = solve(crew, 5)
    [assignment] = plan.assignments
    assert assignment.employee_id == "E1"
    assert assignment.reasons[0] == "certified L3 CNC_LATHE on CNC-04 (no expiry)"
    assert "112% efficiency there over 90 days (40 h)" in assignment.reasons
    assert "6 h worked in the last 7 days, day 1 in a row" in assignment.reasons
    assert "planned here by the supervisor" in assignment.reasons


def test_brute_force_agrees_on_a_tiny_instance() -> None:
    # Given three operators, four overlapping jobs (one needing two), a call-in with overtime, walking
    policy = CrewPolicy(fatigue_hours_threshold=30)
    crew = problem(
        [
            job("A", CNC04, start=0, hours=8, crew=2),
            job("B", CNC05, start=0, hours=4),
            job("C", CNC05, start=4, hours=4),
            job("D", place("WLD-01", x=60, y=0), start=2, hours=5, requirements=(WELD,)),
        ],
        [
            operator("E1", efficiency={"CNC-04": 1.2}, home=CNC04, levels={"SK-CNC": 3, "SK-WELD": 1}),
            operator("E2", pay=30, home=CNC05, efficiency={"CNC-05": 0.9}, hours_7=45),
            operator("E3", shifts=(), week=38, levels={"SK-CNC": 2, "SK-WELD": 2}, home=CNC04, streak=2),
        ],
        policy,
    )
    compiled = compile_problem(crew)
    pairs = range(len(compiled.pair_job))
    # When every subset of pairs is tried
    best = -np.inf
    for size in range(len(pairs) + 1):
        for subset in itertools.combinations(pairs, size):
            chosen = list(subset)
            per_job = np.bincount(compiled.pair_job[chosen], minlength=len(compiled.jobs))
            if (per_job > compiled.fillable).any():
                continue
            ok = True
            extra = np.zeros(len(compiled.operators))
            for p, q in itertools.combinations(chosen, 2):
                if compiled.pair_op[p] == compiled.pair_op[q]:
                    a, b = compiled.pair_job[p], compiled.pair_job[q]
                    if compiled.starts[a] < compiled.ends[b] and compiled.starts[b] < compiled.ends[a]:
                        ok = False
            for p in chosen:
                extra[compiled.pair_op[p]] += compiled.outside[p]
            allowance = np.minimum(compiled.day_allowance, compiled.week_allowance)
            ok &= bool((extra <= allowance + 1e-9).all())
            if ok:
                best = max(best, evaluate(compiled, chosen).objective)
    # Then the MILP finds the same optimum
    plan = solve(compiled, 5)
    assert plan.solver.status == "optimal"
    assert plan.breakdown.objective == pytest.approx(best, abs=0.02)
    assert plan.breakdown.overtime_hours > 0  # the instance exercises the overtime variable
    assert_feasible(plan)


def _medium_problem(operators: int = 300, jobs: int = 150) -> CrewProblem:
    rng = np.random.default_rng(5)
    places = [place(f"CNC-{i:02d}", x=float(i % 10) * 9, y=float(i // 10) * 12) for i in range(40)]
    return problem(
        [
            job(f"J{k:03d}", places[k % 40], start=float(rng.choice([0, 0, 2, 4])), hours=float(rng.uniform(2, 6)))
            for k in range(jobs)
        ],
        [
            operator(
                f"E{k:03d}",
                pay=float(rng.uniform(18, 34)),
                home=places[k % 40],
                efficiency={f"CNC-{i:02d}": float(rng.uniform(0.7, 1.3)) for i in rng.choice(40, 8)},
                hours_7=float(rng.uniform(0, 50)),
            )
            for k in range(operators)
        ],
    )


def test_time_limit_returns_the_best_plan_so_far_with_a_gap() -> None:
    crew = _medium_problem()
    plan = solve(crew, time_limit=1e-3)
    assert plan.solver.status in ("time_limit", "optimal")
    if plan.solver.status == "time_limit":  # the usual case: HiGHS had no time at all
        assert plan.solver.proven_gap is not None and plan.solver.proven_gap > 0
        assert plan.solver.bound is not None and plan.solver.bound >= plan.breakdown.objective
    greedy = plan.baseline("greedy")
    assert greedy is not None and plan.breakdown.objective >= greedy.breakdown.objective
    assert_feasible(plan)


def test_greedy_fallback_when_the_solver_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(optimizer, "_solve_lp", broken)
    monkeypatch.setattr(optimizer, "_solve_model", broken)
    crew = problem([job("A", CNC04), job("B", CNC05, crew=2)], [operator("E1"), operator("E2"), operator("E3")])
    plan = solve(crew, 5)
    assert plan.solver.method == "greedy-fallback" and plan.solver.status == "fallback"
    assert "solver crashed" in plan.solver.message
    assert len(plan.assignments) == 3 and plan.unstaffed == ()
    assert plan.solver.bound is not None and plan.solver.proven_gap is not None
    assert_feasible(plan)


def test_plan_beats_greedy_where_greedy_is_myopic() -> None:
    # Greedy gives the first job to the versatile operator; the optimum keeps them for the welding job
    crew = problem(
        [job("A", CNC04), job("B", place("WLD-01"), requirements=(WELD,))],
        [operator("E1", levels={"SK-CNC": 3, "SK-WELD": 2}, efficiency={"CNC-04": 1.1}), operator("E2")],
    )
    plan = solve(crew, 5)
    greedy = plan.baseline("greedy")
    assert greedy is not None
    assert plan.breakdown.seats_filled == 2 and greedy.breakdown.seats_filled == 1
    assert greedy.improvement > 0


def test_empty_problem() -> None:
    plan = solve(problem([], [operator("E1")]), 5)
    assert plan.solver.status == "empty" and plan.assignments == () and plan.breakdown.objective == 0
