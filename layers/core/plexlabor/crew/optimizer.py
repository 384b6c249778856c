"""Staff a crew problem: exact MILP on SciPy's HiGHS, a greedy fallback, and the plan with its reasons.

The MILP (maximise; HiGHS minimises the negation):

    max  sum_p net_p x_p  -  sum_j penalty_j s_j  -  sum_o overtime_rate_o t_o
    s.t. sum_{p in job j} x_p + s_j = fillable_j          every seat is filled or counted empty
         sum_{p in clique} x_p <= 1                        one job at a time per operator (interval cliques)
         sum_{p in group} x_p <= 1                         rest between the problem's shifts (`stretches`)
         sum_{p in j, cannot} x_p <= (k_j - 1) sum_{p in j, can} x_p
                                                           a crew with a setup includes one who can do it
         sum_{p of o} outside_p x_p <= day allowance_o     extra hours that day (when it can bind)
         sum_{p of o} outside_p x_p <= 7-day allowance_o   extra hours in 7 days (when it can bind)
         sum_{p of o} outside_p x_p - t_o <= spare_o       overtime hours beyond the week's straight time
         x binary, 0 <= s_j <= fillable_j, t_o >= 0

`x_p` are the pairs the setup rule does not bar (`pairs.Compiled.allowed`); `s_j` are the slack seats: the
model is always feasible and says which jobs stay short. Seats beyond
the number of qualified, available operators (`heads - fillable`) cannot be filled by any plan; they
are reported with their cause but not penalised, so every plan is scored on the same footing.

`solve` returns the better of the HiGHS incumbent and the greedy plan, the proven gap against the
best bound known (HiGHS's dual bound, or a relaxation that ignores conflicts when HiGHS has none),
and falls back to the greedy plan when HiGHS fails.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_array

from plexlabor.crew.models import (
    BaselineComparison,
    CrewAssignment,
    CrewJob,
    CrewPlan,
    CrewPolicy,
    CrewProblem,
    ObjectiveBreakdown,
    ProblemSize,
    SolverReport,
    UnstaffedCause,
    UnstaffedSeat,
)
from plexlabor.crew.pairs import (
    Compiled,
    PairInfo,
    compile_problem,
    overtime_hours,
    planned_for,
    refusal,
    setup_requirements,
)
from plexlabor.crew.stretches import RestGuard, maximal_cliques, rest_groups

logger = logging.getLogger(__name__)

MODEL_VERSION = "crew-milp-2026.11"
DEFAULT_TIME_LIMIT_S = 10.0
DEFAULT_GAP_TOLERANCE = 1e-3
"""A plan proven within 0.1% of the bound is accepted (HiGHS's own default is 0.01%)."""
MAX_VIOLATION_EXAMPLES = 5
NO_SETTER = "nobody in this crew can do the setup"
OFF = frozenset({"on leave", "called off"})
"""The reasons an operator is turned away for being off the day (`Operator.off_as`): an empty seat's cause is
`qualified_on_leave` when they are the only ones."""


# ---- plans as lists of pair indices --------------------------------------------------------------


class _Schedule:
    """Incremental feasibility of a partial plan: busy intervals and extra hours per operator."""

    def __init__(self, compiled: Compiled) -> None:
        self.c = compiled
        self.busy: dict[int, list[tuple[float, float]]] = {}
        self.extra = np.zeros(len(compiled.operators))
        self.chosen: list[int] = []
        self.on_job: set[tuple[int, int]] = set()

    def fits(self, pair: int) -> bool:
        c = self.c
        o, j = int(c.pair_op[pair]), int(c.pair_job[pair])
        if (o, j) in self.on_job:
            return False
        start, end = c.starts[j], c.ends[j]
        if any(start < b_end and b_start < end for b_start, b_end in self.busy.get(o, ())):
            return False
        extra = self.extra[o] + c.outside[pair]
        return bool(extra <= c.day_allowance[o] + 1e-9 and extra <= c.week_allowance[o] + 1e-9)

    def marginal(self, pair: int) -> float:
        """Net value of adding the pair, counting the overtime it causes."""
        c = self.c
        o = int(c.pair_op[pair])
        before = max(0.0, self.extra[o] - c.straight_spare[o])
        after = max(0.0, self.extra[o] + c.outside[pair] - c.straight_spare[o])
        return float(c.net[pair] - (after - before) * c.overtime_rate[o])

    def add(self, pair: int) -> None:
        c = self.c
        o, j = int(c.pair_op[pair]), int(c.pair_job[pair])
        self.busy.setdefault(o, []).append((c.starts[j], c.ends[j]))
        self.extra[o] += c.outside[pair]
        self.chosen.append(pair)
        self.on_job.add((o, j))


def greedy_plan(compiled: Compiled) -> list[int]:
    """The baseline: job operations in start order, each seat to the best free operator (marginal net
    value, overtime included; ties to the lowest employee id).

    Jobs are taken in start order, so an operator is free for a job exactly when every job they
    already have ends by its start: one `busy_until` per operator is enough.
    """
    c = compiled
    busy_until = np.full(len(c.operators), -np.inf)
    extra = np.zeros(len(c.operators))
    net = c.net
    chosen: list[int] = [int(p) for p in c.held]  # held pairs first: their operators are busy until they end
    np.maximum.at(busy_until, c.pair_op[c.held], c.ends[c.pair_job[c.held]])
    np.add.at(extra, c.pair_op[c.held], c.outside[c.held])
    seats_held = np.bincount(c.pair_job[c.held], minlength=len(c.jobs))
    needs_setup = np.zeros(len(c.jobs), dtype=bool)
    needs_setup[setup_rows(c)] = True
    rest = RestGuard(c)
    for pair in c.held.tolist():
        rest.give(int(c.pair_op[pair]), int(c.pair_job[pair]))
    open_pairs = c.allowed if c.closed is None else c.allowed[~c.closed[c.allowed]]
    for j, pairs in enumerate(c.pairs_of_job(open_pairs)):
        if len(pairs) == 0:
            continue
        ops = c.pair_op[pairs]
        start = c.starts[j]
        for _ in range(int(c.fillable[j] - seats_held[j])):
            after = extra[ops] + c.outside[pairs]
            fits = (busy_until[ops] <= start) & (after <= c.day_allowance[ops] + 1e-9)
            fits &= (after <= c.week_allowance[ops] + 1e-9) & ~rest.refused(ops, j)
            if needs_setup[j]:  # the first seat goes to one who can do the setup, or the job stays empty
                fits &= c.setup_capable[pairs]
            if not fits.any():
                break
            overtime = np.maximum(0.0, after - c.straight_spare[ops]) - np.maximum(
                0.0, extra[ops] - c.straight_spare[ops]
            )
            marginal = np.where(fits, net[pairs] - overtime * c.overtime_rate[ops], -np.inf)
            k = int(np.argmax(marginal))  # first maximum: pairs are in employee-id order
            if marginal[k] + c.penalty[j] <= 0:
                break
            pair, o = int(pairs[k]), int(ops[k])
            needs_setup[j] = False
            busy_until[o] = max(busy_until[o], c.ends[j])
            extra[o] += c.outside[pair]
            chosen.append(pair)
            rest.give(o, j)
    return chosen


def supervisor_plan(compiled: Compiled) -> tuple[list[int], list[str]]:
    """The current plan: each job operation staffed by the operators planned at its workcenter (in the
    shift assignments), up to its crew size. Planned operators who may not take the job are dropped
    and reported (uncertified, on leave, rest or hours rules)."""
    schedule = _Schedule(compiled)
    planned_at: dict[str, list[int]] = {}
    for o, op in enumerate(compiled.operators):
        if op.planned is not None and op.leave is None:
            planned_at.setdefault(op.planned.workcenter_id, []).append(o)
    by_pair = _planned_pairs(compiled, planned_at)
    violations: list[str] = []
    needs_setup = set(compiled.setup_jobs().tolist())  # the rule, whatever a re-plan holds: this is not our plan
    for j, job in enumerate(compiled.jobs):
        seats = int(job.crew_size)
        crew: list[int] = []
        for o in planned_at.get(job.place.workcenter_id, []):
            if seats == 0:
                break
            op = compiled.operators[o]
            if not planned_for(op, job, compiled.problem.day):  # planned at the workcenter for another shift
                continue
            pair = by_pair.get((o, j))
            if pair is None:
                why = refusal(compiled, o, j)
                violations.append(
                    f"{op.employee_id} planned at {job.place.workcenter_code} but may not staff {job.key}"
                    + (f": {why}" if why else "")
                )
                continue
            if schedule.fits(pair):  # the crew's pairs are other operators': adding them later changes nothing
                crew.append(pair)
                seats -= 1
        if crew and j in needs_setup and not compiled.setup_capable[crew].any():
            violations.append(f"nobody planned at {job.place.workcenter_code} can do the setup of {job.key}")
            continue
        for pair in crew:
            schedule.add(pair)
    return schedule.chosen, violations


def _planned_pairs(compiled: Compiled, planned_at: dict[str, list[int]]) -> dict[tuple[int, int], int]:
    """By (operator, job): the pairs of operators planned at the job's workcenter that the setup rule does not
    bar (the only ones the current plan looks up; a dict of every pair cost a sixth of a second per re-plan at
    plant scale)."""
    places = {wc: k for k, wc in enumerate(planned_at)}
    job_place = np.array([places.get(job.place.workcenter_id, -1) for job in compiled.jobs], dtype=np.int64)
    op_place = np.full(len(compiled.operators), -2, dtype=np.int64)
    for wc, ops in planned_at.items():
        op_place[ops] = places[wc]
    if not len(compiled.pair_job):
        return {}
    planned = np.flatnonzero((op_place[compiled.pair_op] == job_place[compiled.pair_job]) & ~compiled.barred)
    ops, jobs = compiled.pair_op[planned].tolist(), compiled.pair_job[planned].tolist()
    return dict(zip(zip(ops, jobs, strict=True), planned.tolist(), strict=True))


def evaluate(compiled: Compiled, chosen: list[int] | NDArray[np.int64]) -> ObjectiveBreakdown:
    chosen_array = np.asarray(sorted(int(p) for p in chosen), dtype=np.int64)
    filled = np.bincount(compiled.pair_job[chosen_array], minlength=len(compiled.jobs))
    empty = np.maximum(0, compiled.fillable - filled)
    overtime = overtime_hours(compiled, chosen_array)
    value = float(compiled.value[chosen_array].sum())
    labor = float(compiled.labor[chosen_array].sum())
    fatigue = float(compiled.fatigue[chosen_array].sum())
    changeover = float(compiled.changeover[chosen_array].sum())
    walking = float(compiled.walking[chosen_array].sum())
    overtime_cost = float((overtime * compiled.overtime_rate).sum())
    penalty = float((empty * compiled.penalty).sum())
    plan_change = 0.0 if compiled.change is None else float(compiled.change[chosen_array].sum())
    return ObjectiveBreakdown(
        objective=round(value - labor - fatigue - changeover - walking - overtime_cost - penalty - plan_change, 2),
        value=round(value, 2),
        labor_cost=round(labor, 2),
        fatigue=round(fatigue, 2),
        overtime=round(overtime_cost, 2),
        changeover=round(changeover, 2),
        walking=round(walking, 2),
        unstaffed_penalty=round(penalty, 2),
        seats_total=int(compiled.heads.sum()),
        seats_filled=int(filled.sum()),
        seats_unfillable=int((compiled.heads - compiled.fillable).sum()),
        overtime_hours=round(float(overtime.sum()), 2),
        assigned_hours=round(float(compiled.hours[chosen_array].sum()), 2),
        plan_change=round(plan_change, 2),
    )


def _objective(compiled: Compiled, chosen: list[int]) -> float:
    return evaluate(compiled, chosen).objective


def relaxation_bound(compiled: Compiled) -> float:
    """An upper bound that ignores every conflict between jobs: each job's best distinct operators
    (or the empty seat's penalty, if that is better), overtime ignored."""
    net = compiled.net
    total = 0.0
    for j, pairs in enumerate(compiled.pairs_of_job(compiled.allowed)):
        seats = int(compiled.fillable[j])
        if seats == 0:
            continue
        best = np.sort(compiled.seat_worth(j, net[pairs]))[::-1][:seats]
        total += float(best.sum())
    return total


# ---- the MILP ------------------------------------------------------------------------------------


@dataclass
class _Model:
    c: NDArray[np.float64]
    integrality: NDArray[np.int64]
    lower: NDArray[np.float64]  # 1 for a held pair, else 0
    upper: NDArray[np.float64]
    matrix: Any  # scipy sparse (rows x columns)
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    pairs: NDArray[np.int64]
    """The pair of each pair column (`Compiled.allowed`: the pairs the setup rule bars have none)."""

    @property
    def rows(self) -> int:
        return len(self.low)


class _Rows:
    """Rows of a sparse matrix, collected as arrays."""

    def __init__(self) -> None:
        self.row: list[NDArray[np.int64]] = []
        self.col: list[NDArray[np.int64]] = []
        self.val: list[NDArray[np.float64]] = []
        self.low: list[float] = []
        self.high: list[float] = []

    def add(self, columns: NDArray[np.int64], values: NDArray[np.float64], low: float, high: float) -> None:
        self.row.append(np.full(len(columns), len(self.low), dtype=np.int64))
        self.col.append(np.asarray(columns, dtype=np.int64))
        self.val.append(np.asarray(values, dtype=np.float64))
        self.low.append(low)
        self.high.append(high)


def setup_rows(compiled: Compiled) -> NDArray[np.int64]:
    """The jobs whose crew must be checked for someone able to do the setup (`Compiled.setup_jobs`), less
    those where held work settles it: an able operator is held there (the setup is theirs), or held operators
    who cannot do it fill every seat (they stand, and the plan says the crew has no setter)."""
    jobs = compiled.setup_jobs()
    held = compiled.held
    able_held = compiled.pair_job[held[compiled.setup_capable[held]]]
    crew = np.minimum(compiled.heads, compiled.fillable)
    return jobs[~np.isin(jobs, able_held) & (held_unable(compiled)[jobs] < crew[jobs])]


def held_unable(compiled: Compiled) -> NDArray[np.int64]:
    """Per job, the held pairs of operators who cannot do its setup."""
    held = compiled.held
    return np.bincount(compiled.pair_job[held[~compiled.setup_capable[held]]], minlength=len(compiled.jobs))


def build_model(compiled: Compiled) -> _Model:
    """The MILP over the pairs the setup rule does not bar (`Compiled.allowed`): one column each, then the slack
    seats and the overtime hours."""
    c = compiled
    allowed = c.allowed
    n_pairs = len(allowed)
    column_of = np.full(len(c.pair_job), -1, dtype=np.int64)  # a pair's column
    column_of[allowed] = np.arange(n_pairs)
    jobs_with_seats = np.flatnonzero(c.fillable > 0)
    slack_column = np.full(len(c.jobs), -1, dtype=np.int64)
    slack_column[jobs_with_seats] = n_pairs + np.arange(len(jobs_with_seats))
    by_operator = c.pairs_of_operator(allowed)
    overtime_ops = [
        o for o, pairs in enumerate(by_operator) if len(pairs) and c.outside[pairs].sum() > c.straight_spare[o] + 1e-9
    ]
    overtime_column = {o: n_pairs + len(jobs_with_seats) + k for k, o in enumerate(overtime_ops)}
    n_columns = n_pairs + len(jobs_with_seats) + len(overtime_ops)

    cost = np.zeros(n_columns)
    cost[:n_pairs] = -c.net[allowed]
    upper = np.ones(n_columns)
    integrality = np.zeros(n_columns, dtype=np.int64)
    integrality[:n_pairs] = 1
    rows = _Rows()

    # Seats: sum x + s = fillable (one row per job with a fillable seat).
    seat_row = np.full(len(c.jobs), -1, dtype=np.int64)
    seat_row[jobs_with_seats] = np.arange(len(jobs_with_seats))
    keep = seat_row[c.pair_job[allowed]] >= 0
    rows.row.append(seat_row[c.pair_job[allowed[keep]]])
    rows.col.append(np.flatnonzero(keep))
    rows.val.append(np.ones(int(keep.sum())))
    rows.row.append(np.arange(len(jobs_with_seats)))
    rows.col.append(slack_column[jobs_with_seats])
    rows.val.append(np.ones(len(jobs_with_seats)))
    rows.low.extend(c.fillable[jobs_with_seats].astype(float))
    rows.high.extend(c.fillable[jobs_with_seats].astype(float))
    cost[slack_column[jobs_with_seats]] = c.penalty[jobs_with_seats]
    upper[slack_column[jobs_with_seats]] = c.fillable[jobs_with_seats]

    # Setups: sum over those who cannot do it <= (crew - 1) x sum over those who can. Held operators who
    # cannot are fixed at 1: they leave the row, which then bounds the others by (crew - 1 - held) (held
    # ones stay whether or not a setter joins them; others who cannot come only with one who can).
    setups = setup_rows(c).tolist()
    by_job = c.pairs_of_job(allowed) if setups else []
    is_held = np.zeros(len(c.pair_job), dtype=bool)
    is_held[c.held] = True
    unable_held = held_unable(c)
    for j in setups:
        pairs = by_job[j]
        able = c.setup_capable[pairs]
        pairs, able = pairs[able | ~is_held[pairs]], able[able | ~is_held[pairs]]
        crew = int(min(c.heads[j], c.fillable[j]))
        rows.add(column_of[pairs], np.where(able, -float(crew - 1 - unable_held[j]), 1.0), -np.inf, 0.0)

    cliques: dict[bytes, list[NDArray[np.int64]]] = {}  # by job set: operators of like skills share one
    for o, pairs in enumerate(by_operator):
        if len(pairs) >= 2:
            jobs = c.pair_job[pairs]
            key = jobs.tobytes()
            if key not in cliques:
                cliques[key] = maximal_cliques(c.starts[jobs], c.ends[jobs])
            for clique in cliques[key]:
                rows.add(column_of[pairs[clique]], np.ones(len(clique)), -np.inf, 1.0)
        extra_pairs = pairs[c.outside[pairs] > 1e-9] if len(pairs) else pairs
        if len(extra_pairs) == 0:
            continue
        hours = c.outside[extra_pairs]
        for allowance in (c.day_allowance[o], c.week_allowance[o]):
            if hours.sum() > allowance + 1e-9:
                rows.add(column_of[extra_pairs], hours, -np.inf, float(allowance))
        if o in overtime_column:
            column = overtime_column[o]
            cost[column] = c.overtime_rate[o]
            upper[column] = np.inf
            rows.add(
                np.append(column_of[extra_pairs], column), np.append(hours, -1.0), -np.inf, float(c.straight_spare[o])
            )

    # Rest between the shifts of one problem: of each group, one pair at most (`stretches.rest_groups`).
    for group in rest_groups(c, by_operator):
        rows.add(column_of[group], np.ones(len(group)), -np.inf, 1.0)

    matrix = coo_array(
        (np.concatenate(rows.val), (np.concatenate(rows.row), np.concatenate(rows.col))),
        shape=(len(rows.low), n_columns),
    ).tocsr()
    lower = np.zeros(n_columns)
    lower[column_of[c.held]] = 1.0  # held pairs are never barred
    if c.closed is not None:  # a re-plan's pairs on seats the event does not touch (`replan.event_scope`)
        upper[column_of[allowed[c.closed[allowed]]]] = 0.0
    return _Model(cost, integrality, lower, upper, matrix, np.array(rows.low), np.array(rows.high), allowed)


def _solve_model(
    model: _Model, time_limit: float, gap_tolerance: float = DEFAULT_GAP_TOLERANCE, *, presolve: bool = False
) -> Any:
    """HiGHS's MILP. Presolve off by default: on the whole assignment model HiGHS's presolve and the probing after it
    take longer than the root LP, and reduce little (measured: 8.3 s vs 2.2 s on a 66k-pair shift). The small MILP
    over the LP's fractional pairs and the whole MILP after it (`_optimize`) of a problem of several shifts turn it
    on: on the 2,400-person plant's whole day with the rest rows between shifts the small MILP (20k columns left of
    111k) took 0.8 s CPU with presolve against 20.8 s without, the same optimum, and the whole MILP reached its
    optimum (gap 0.0006 %) in 17 s CPU with presolve, where without it it had not improved the plan in 30 s (one
    shift keeps it off: its plans stay those the golden tests hash)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return milp(
            model.c,
            integrality=model.integrality,
            bounds=Bounds(model.lower, model.upper),
            constraints=[LinearConstraint(model.matrix, model.low, model.high)] if model.rows else None,
            options={"time_limit": max(0.01, time_limit), "mip_rel_gap": gap_tolerance, "presolve": presolve},
        )


def _solve_lp(model: _Model, time_limit: float) -> Any:
    """The LP relaxation (dual simplex). Every row is an equality or has only an upper bound."""
    equal = model.low == model.high
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return linprog(
            model.c,
            A_ub=model.matrix[~equal] if (~equal).any() else None,
            b_ub=model.high[~equal] if (~equal).any() else None,
            A_eq=model.matrix[equal] if equal.any() else None,
            b_eq=model.low[equal] if equal.any() else None,
            bounds=np.column_stack([model.lower, model.upper]),
            method="highs-ds",
            options={"time_limit": max(0.01, time_limit)},
        )


def _fix(model: _Model, ones: NDArray[np.bool_], zeros: NDArray[np.bool_]) -> _Model:
    """The model with the pair columns in `ones` fixed to 1 and in `zeros` to 0, those columns removed."""
    n_columns = len(model.c)
    fixed = np.zeros(n_columns, dtype=bool)
    fixed[: len(model.pairs)] = ones | zeros
    one_columns = np.flatnonzero(ones)
    activity = np.asarray(model.matrix[:, one_columns].sum(axis=1)).ravel()
    keep = np.flatnonzero(~fixed)
    sub = model.matrix[:, keep]
    used = np.diff(sub.indptr) > 0
    return _Model(
        model.c[keep],
        model.integrality[keep],
        model.lower[keep],
        model.upper[keep],
        sub[used],
        (model.low - activity)[used],
        (model.high - activity)[used],
        model.pairs[~fixed[: len(model.pairs)]],
    )


@dataclass
class _Outcome:
    chosen: list[int] | None
    bound: float
    status: str
    nodes: int | None
    message: str


def _optimize(compiled: Compiled, model: _Model, deadline: float, gap_tolerance: float) -> _Outcome:
    """LP relaxation first: its bound, and (after fixing the pairs it makes integral) a small MILP over
    the fractional ones. Within `gap_tolerance` of the LP bound that is the plan; otherwise HiGHS gets
    the whole MILP for the time left, and the better plan wins."""

    def left() -> float:
        return deadline - time.perf_counter()

    bound, chosen, notes = np.inf, None, []
    several_shifts = len({job.shift_code for job in compiled.jobs}) > 1  # rest rows between them: presolve pays
    lp = _solve_lp(model, left())
    if lp.status == 0:
        bound = -float(lp.fun)
        x = lp.x[: len(model.pairs)]
        ones, zeros = x > 1 - 1e-6, x < 1e-6
        fractional = int((~ones & ~zeros).sum())
        if fractional:  # re-open every pair of the jobs and operators the fractional pairs touch
            touched = model.pairs[~ones & ~zeros]
            jobs = np.isin(compiled.pair_job[model.pairs], compiled.pair_job[touched])
            operators = np.isin(compiled.pair_op[model.pairs], compiled.pair_op[touched])
            ones &= ~(jobs | operators)
            zeros &= ~(jobs | operators)
        chosen = model.pairs[ones].tolist()
        if fractional:
            reduced = _fix(model, ones, zeros)
            rounded = _solve_model(reduced, left(), gap_tolerance, presolve=several_shifts)
            if rounded.x is not None:
                chosen += reduced.pairs[rounded.x[: len(reduced.pairs)] > 0.5].tolist()
        objective = evaluate(compiled, chosen).objective
        notes.append(
            f"LP bound {bound:,.2f}; {fractional} fractional pair(s): a MILP over the {int((~ones & ~zeros).sum())} "
            "pairs of their jobs and operators settled them"
            if fractional
            else f"LP bound {bound:,.2f}; the LP optimum is integral"
        )
        if bound - objective <= gap_tolerance * max(abs(objective), 1e-9):
            return _Outcome(chosen, bound, "optimal", 0, "; ".join(notes))
    else:
        notes.append(f"LP relaxation: {lp.message}")
    if left() <= 0.01:
        return _Outcome(chosen, bound, "time_limit", None, "; ".join(notes))
    result = _solve_model(model, left(), gap_tolerance, presolve=several_shifts)
    dual = result.get("mip_dual_bound")
    if dual is not None and np.isfinite(dual):
        bound = min(bound, -float(dual))
    if result.x is not None:
        full = model.pairs[result.x[: len(model.pairs)] > 0.5].tolist()
        if chosen is None or evaluate(compiled, full).objective > evaluate(compiled, chosen).objective:
            chosen = full
    notes.append(str(result.message))
    status = {0: "optimal", 1: "time_limit"}.get(int(result.status), "fallback")
    nodes = None if result.get("mip_node_count") is None else int(result.mip_node_count)
    return _Outcome(chosen, bound, status, nodes, "; ".join(notes))


# ---- the plan ------------------------------------------------------------------------------------


def _setup_needs(job: CrewJob, policy: CrewPolicy) -> str:
    """What a setup of the job needs, e.g. "CNC_LATHE L3" (empty: whoever may run it may set it up)."""
    return ", ".join(f"{r.skill_code} L{r.min_level}" for r in setup_requirements(job.requirements, policy))


def _reasons(
    compiled: Compiled, pair: int, info: PairInfo, overtime_here: float, setup: str | None = None
) -> tuple[str, ...]:
    """`setup`: "does" for the crew member who does the job's setup, "nobody" for each member of a crew
    with nobody able to do it."""
    job = compiled.jobs[int(compiled.pair_job[pair])]
    op = compiled.operators[int(compiled.pair_op[pair])]
    policy = compiled.problem.policy
    code = job.place.workcenter_code
    reasons: list[str] = []
    needs = _setup_needs(job, policy)
    if setup == "does":
        reasons.append(f"does the setup ({job.setup_hours:.1f} h" + (f": holds {needs} or higher)" if needs else ")"))
    elif setup == "nobody":
        reasons.append(
            f"{NO_SETTER} ({job.setup_hours:.1f} h"
            + (f": needs {needs} or higher)" if needs else ")")
            + ": the crew is held (started or accepted); swap in one who can"
        )
    for skill, level, validity in info.levels:
        if validity == "skill":
            reasons.append(f"holds {skill} L{level} for {code}")
        else:
            reasons.append(f"certified L{level} {skill} on {code} ({validity})")
    if not job.requirements:
        reasons.append(f"{code} requires no certification")
    window = f"over {policy.efficiency_window_days} days"
    if info.efficiency_here:
        reasons.append(f"{info.efficiency:.0%} efficiency there {window} ({info.efficiency_hours:.0f} h)")
    elif info.efficiency_hours > 0:
        reasons.append(f"no history at {code}; {info.efficiency:.0%} efficiency elsewhere {window}")
    else:
        reasons.append("no labor history: standard efficiency assumed")
    streak = op.consecutive_days + (1 if any(b.work_date == compiled.problem.day for b in op.blocks) else 0)
    reasons.append(f"{op.hours_last_7_days:.0f} h worked in the last 7 days, day {max(streak, 1)} in a row")
    day, here = compiled.problem.day, job.place.workcenter_id
    shifts_here = sorted({b.shift_code for b in op.blocks if b.workcenter_id == here and b.work_date == day})
    if info.planned_here:
        reasons.append("planned here by the supervisor")
    elif shifts_here and op.planned is not None and op.planned.workcenter_id == here:
        # the supervisor's plan is for another shift (ux_s16 #2: a seat extending it read "planned here")
        reasons.append(f"planned here by the supervisor for shift {', '.join(shifts_here)}, not shift {job.shift_code}")
    elif op.station is not None and info.distance_m is not None:
        reasons.append(f"{info.distance_m:.0f} m from {op.station.workcenter_code}")
    if compiled.outside[pair] >= 1 / 60:  # a minute or more: less is clock noise, not worth a reason
        outside = float(compiled.outside[pair])
        start, end = job.start.timestamp(), job.end.timestamp()
        touches = any(b.start.timestamp() <= end and start <= b.end.timestamp() for b in op.blocks)
        kind = "extends the scheduled shift" if touches else "call-in"
        reasons.append(
            f"{kind}: {_hours_or_minutes(outside)} outside the scheduled shift"
            + (
                f", {_hours_or_minutes(overtime_here)} overtime"
                if overtime_here > 1e-9
                else ", within weekly straight time"
            )
        )
    return tuple(reasons)


def _hours_or_minutes(hours: float) -> str:
    """ "2.6 h", or under an hour "25 min" (a tenth of an hour would print 0.0 h for a few minutes)."""
    return f"{hours:.1f} h" if hours >= 1 else f"{hours * 60:.0f} min"


def _segment(job: CrewJob) -> dict[str, Any]:
    """The `PlanSegment` fields of a plan row about `job`, and its hours."""
    return {
        "job_key": job.key,
        "job_operation_id": job.job_operation_id,
        "workcenter_id": job.place.workcenter_id,
        "workcenter_code": job.place.workcenter_code,
        "shift_code": job.shift_code,
        "start": job.start,
        "job_no": job.job_no,
        "operation_code": job.operation_code,
        "setup_hours": job.setup_hours,
        "hours": round(job.hours, 3),
    }


def _assignments(
    compiled: Compiled, chosen: list[int], setters: set[int], no_setter: set[int]
) -> tuple[CrewAssignment, ...]:
    overtime = overtime_hours(compiled, np.asarray(chosen, dtype=np.int64))
    extra = np.bincount(
        compiled.pair_op[np.asarray(chosen, dtype=np.int64)],
        weights=compiled.outside[np.asarray(chosen, dtype=np.int64)],
        minlength=len(compiled.operators),
    )
    rows = []
    for pair in sorted(
        chosen, key=lambda p: (int(compiled.pair_job[p]), compiled.operators[compiled.pair_op[p]].employee_id)
    ):
        job = compiled.jobs[int(compiled.pair_job[pair])]
        o = int(compiled.pair_op[pair])
        op = compiled.operators[o]
        share = float(compiled.outside[pair]) / extra[o] if extra[o] > 1e-9 else 0.0
        info = compiled.info(pair)
        rows.append(
            CrewAssignment(
                **_segment(job),
                end=job.end,
                employee_id=op.employee_id,
                supervisor_id=op.supervisor_id,
                value=round(float(compiled.value[pair]), 2),
                labor_cost=round(float(compiled.labor[pair]), 2),
                fatigue=round(float(compiled.fatigue[pair]), 2),
                changeover=round(float(compiled.changeover[pair]), 2),
                walking=round(float(compiled.walking[pair]), 2),
                outside_hours=round(float(compiled.outside[pair]), 3),
                planned_here=info.planned_here,
                does_setup=pair in setters,
                reasons=_reasons(
                    compiled,
                    pair,
                    info,
                    float(overtime[o]) * share,
                    "does" if pair in setters else "nobody" if int(compiled.pair_job[pair]) in no_setter else None,
                ),
            )
        )
    return tuple(rows)


def _setters(compiled: Compiled, chosen: list[int]) -> set[int]:
    """Per staffed job with a setup, the chosen pair who does it: of the crew able to, one held there (started
    or accepted: the setup is theirs, as `setup_rows` assumes), else the most efficient there (ties: the
    lowest employee id)."""
    held = set(compiled.held.tolist())
    best: dict[int, tuple[bool, float, str, int]] = {}
    for pair in chosen:
        j = int(compiled.pair_job[pair])
        if compiled.jobs[j].setup_hours <= 0 or not compiled.setup_capable[pair]:
            continue
        op = compiled.operators[int(compiled.pair_op[pair])]
        efficiency = float(compiled.value[pair] / max(compiled.hours[pair], 1e-9))
        key = (pair not in held, -efficiency, op.employee_id, pair)
        if j not in best or key < best[j]:
            best[j] = key
    return {key[-1] for key in best.values()}


def _without_setter(compiled: Compiled, chosen: list[int], setters: set[int]) -> set[int]:
    """The staffed jobs with a setup whose crew has nobody able to do it. Only held work makes one (held
    operators who cannot do it fill the crew): every other crew with a setup includes one who can."""
    staffed = {int(compiled.pair_job[p]) for p in chosen if compiled.jobs[int(compiled.pair_job[p])].setup_hours > 0}
    return staffed - {int(compiled.pair_job[p]) for p in setters}


def _no_setter_notes(compiled: Compiled, jobs: set[int]) -> tuple[str, ...]:
    notes = []
    for j in sorted(jobs):
        job = compiled.jobs[j]
        needs = _setup_needs(job, compiled.problem.policy)
        notes.append(
            f"job {job.job_no or job.job_id} operation {job.operation_code} at {job.place.workcenter_code} has no one "
            f"able to do its setup ({job.setup_hours:.1f} h, shift {job.shift_code}"
            + (f"; needs {needs} or higher" if needs else "")
            + "): its held crew cannot"
        )
    return tuple(notes)


def _unstaffed(compiled: Compiled, chosen: list[int]) -> tuple[UnstaffedSeat, ...]:
    filled = np.bincount(compiled.pair_job[np.asarray(chosen, dtype=np.int64)], minlength=len(compiled.jobs))
    day = compiled.problem.day.isoformat()
    several_shifts = len({job.shift_code for job in compiled.jobs}) > 1  # the rest rows between them may keep one out
    rest = ", or too short a rest from their job in another shift" if several_shifts else ""
    kept_out_of = _kept_out_counter(compiled, chosen)
    seats: list[UnstaffedSeat] = []
    for j, job in enumerate(compiled.jobs):
        stat = compiled.job_stats(j)
        structural = int(compiled.heads[j] - compiled.fillable[j])
        short = int(compiled.fillable[j] - filled[j])

        def seat(cause: UnstaffedCause, count: int, reason: str, job: Any = job) -> UnstaffedSeat:
            return UnstaffedSeat(**_segment(job), seats=count, cause=cause, reason=reason)

        if structural > 0:
            needs = f"the job needs {job.crew_size} operator{'' if job.crew_size == 1 else 's'}"
            away = ", ".join(f"{why}: {count}" for why, count in sorted(stat.turned_away.items()))
            all_off = bool(stat.turned_away) and set(stat.turned_away) <= OFF  # leave and call-offs only
            if stat.skill_ok == 0:
                lapsed = f" ({stat.lapsed} hold it with a lapsed certification)" if stat.lapsed else ""
                what = " and ".join(stat.missing)
                seats.append(seat("nobody_qualified", structural, f"{needs}; nobody holds {what} on {day}{lapsed}"))
            elif stat.skill_ok < job.crew_size:
                detail = f"; of them {away}" if away else ""
                reason = f"{needs}; only {stat.skill_ok} hold the required skills on {day}{detail}"
                seats.append(seat("too_few_qualified", structural, reason))
            elif stat.candidates == 0 and all_off:
                off = " or ".join(sorted(stat.turned_away, reverse=True))  # "on leave or called off"
                reason = f"{needs}; all {stat.skill_ok} qualified operators are {off}"
                seats.append(seat("qualified_on_leave", structural, reason))
            else:
                cause: UnstaffedCause = "qualified_on_leave" if all_off else "qualified_unavailable"
                may = "none" if stat.candidates == 0 else f"only {stat.candidates}"
                reason = f"{needs}; {may} of the {stat.skill_ok} qualified operators may work it ({away})"
                seats.append(seat(cause, structural, reason))
        if short > 0 and (kept_out := kept_out_of(j)):  # the re-plan's scope, not the people, left it
            who = "1 qualified operator" if kept_out == 1 else f"{kept_out} qualified operators"
            reason = (
                f"{who} not placed elsewhere at that time {'is' if kept_out == 1 else 'are'} kept out: this re-plan "
                "changes only the seats its event touched (re-plan the rest of the shift to fill it)"
            )
            seats.append(seat("kept_by_replan", short, reason))
        elif short > 0:
            seats.append(
                seat(
                    "qualified_busy",
                    short,
                    (
                        "the one qualified, available operator is assigned to other job operations at the same "
                        f"time (or has no hours left{rest})"
                        if stat.candidates == 1
                        else f"all {stat.candidates} qualified, available operators are assigned to other job "
                        f"operations at the same time (or have no hours left{rest})"
                    ),
                )
            )
    return tuple(seats)


def _kept_out_counter(compiled: Compiled, chosen: list[int]) -> Callable[[int], int]:
    """For a job `j`: how many operators with a pair to it that the re-plan's scope closed (`Compiled.closed`) hold no
    chosen pair overlapping it: free people a seat left empty did not take because the re-plan may not move them
    there (ux_s15 #2: such a seat read "all qualified, available operators are assigned to other job operations").
    Always 0 for a plan without a scope (the nightly plan)."""
    if compiled.closed is None:
        return lambda j: 0
    closed = compiled.allowed[compiled.closed[compiled.allowed]]
    closed = closed[np.argsort(compiled.pair_job[closed], kind="stable")]
    bounds = np.searchsorted(compiled.pair_job[closed], np.arange(len(compiled.jobs) + 1))
    taken = np.asarray(chosen, dtype=np.int64)
    jobs = compiled.pair_job[taken]

    def count(j: int) -> int:
        overlapping = (compiled.starts[jobs] < compiled.ends[j]) & (compiled.starts[j] < compiled.ends[jobs])
        busy = set(compiled.pair_op[taken[overlapping]].tolist())
        return len(set(compiled.pair_op[closed[bounds[j] : bounds[j + 1]]].tolist()) - busy)

    return count


def _size(compiled: Compiled) -> ProblemSize:
    return ProblemSize(
        jobs=len(compiled.jobs),
        seats=int(compiled.heads.sum()),
        operators=len(compiled.operators),
        operators_available=len(np.unique(compiled.pair_op[compiled.allowed])),
        candidate_pairs=len(compiled.allowed),
    )


def baseline_pricing(compiled: Compiled) -> Compiled:
    """`compiled` as a baseline is priced: a pair's change costs at most `CrewPolicy.change_cost`, what a change to the
    suggestions standing before a re-plan costs. A pair a supervisor rejected carries the re-plan's refusal device
    (`replan.REFUSED_PAIR_COST`, 1e7: it keeps the optimizer off the pair), which is no dollars anyone spends; the
    supervisor's plan may keep such a pair (ux_s13 #15: the board read "worth $9,998,934 more than supervisor's plan"),
    and it is priced as the change it is (the board says in words which seat it keeps: `crew.board.plan_figures`)."""
    if compiled.change is None:
        return compiled
    return replace(compiled, change=np.minimum(compiled.change, compiled.problem.policy.change_cost))


def _comparison(
    name: str, description: str, plan: ObjectiveBreakdown, base: ObjectiveBreakdown, violations: list[str]
) -> BaselineComparison:
    delta = plan.objective - base.objective
    return BaselineComparison(
        name=name,  # type: ignore[arg-type]
        description=description,
        breakdown=base,
        improvement=round(delta, 2),
        improvement_pct=None if abs(base.objective) < 1e-9 else round(100 * delta / abs(base.objective), 2),
        rule_violations=len(violations),
        violation_examples=tuple(violations[:MAX_VIOLATION_EXAMPLES]),
    )


def solve(
    problem: CrewProblem | Compiled,
    time_limit: float = DEFAULT_TIME_LIMIT_S,
    *,
    build_seconds: float = 0.0,
    use_milp: bool = True,
    gap_tolerance: float = DEFAULT_GAP_TOLERANCE,
) -> CrewPlan:
    """The best plan within `time_limit` seconds (the MILP's share; compiling is extra)."""
    started = time.perf_counter()
    compiled = problem if isinstance(problem, Compiled) else compile_problem(problem)
    crew = compiled.problem
    greedy = greedy_plan(compiled)
    greedy_breakdown = evaluate(compiled, greedy)
    current, violations = supervisor_plan(compiled)
    bound = relaxation_bound(compiled)

    chosen, method, status, nodes, message = greedy, "greedy-fallback", "fallback", None, ""
    variables = constraints = 0
    if len(compiled.allowed) == 0:
        status, message = "empty", "no operator may staff any of the job operations"
    elif use_milp:
        model = build_model(compiled)
        variables, constraints = len(model.c), model.rows
        try:
            outcome = _optimize(compiled, model, started + time_limit, gap_tolerance)
        except Exception as error:  # HiGHS failed: the greedy plan stands
            logger.exception("HiGHS failed; using the greedy plan")
            message = f"HiGHS failed ({type(error).__name__}: {error}); greedy plan"
        else:
            bound = min(bound, outcome.bound)
            status, nodes, message = outcome.status, outcome.nodes, outcome.message
            if outcome.chosen is not None and _objective(compiled, outcome.chosen) >= greedy_breakdown.objective:
                chosen, method = outcome.chosen, "highs-milp"
            elif outcome.chosen is None:
                message += "; HiGHS returned no plan: greedy plan"

    breakdown = evaluate(compiled, chosen)
    setters = _setters(compiled, chosen)
    no_setter = _without_setter(compiled, chosen, setters)
    bound = max(bound, breakdown.objective)  # rounding in the breakdown must not make the gap negative
    gap = (bound - breakdown.objective) / max(abs(breakdown.objective), 1e-9)
    solve_seconds = time.perf_counter() - started
    priced = baseline_pricing(compiled)
    baselines = [
        _comparison(
            "greedy",
            "job operations in start order, each seat to the best free qualified operator",
            breakdown,
            evaluate(priced, greedy),
            [],
        ),
        _comparison(
            "supervisor",
            "the shift assignments' planned workcenters, crews up to the crew size",
            breakdown,
            evaluate(priced, current),
            violations,
        ),
    ]
    return CrewPlan(
        plant=crew.plant,
        day=crew.day,
        shift_codes=crew.shift_codes,
        window_start=crew.window_start,
        window_end=crew.window_end,
        model_version=MODEL_VERSION,
        policy=crew.policy,
        size=_size(compiled),
        breakdown=breakdown,
        solver=SolverReport(
            method=method,  # type: ignore[arg-type]
            status=status,  # type: ignore[arg-type]
            proven_gap=round(gap, 6),
            bound=round(bound, 2),
            time_limit_s=time_limit,
            build_seconds=round(build_seconds, 3),
            solve_seconds=round(solve_seconds, 3),
            variables=variables,
            constraints=constraints,
            nodes=nodes,
            message=message,
        ),
        baselines=tuple(baselines),
        assignments=_assignments(compiled, chosen, setters, no_setter),
        unstaffed=_unstaffed(compiled, chosen),
        notes=crew.notes + _no_setter_notes(compiled, no_setter),
    )
