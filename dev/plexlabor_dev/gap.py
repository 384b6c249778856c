"""Generalized assignment problems (OR-Library gap1-gap12 and the large types A-D).

A GAP gives every job to exactly one agent; each agent's resource use stays within its capacity;
the total profit is maximised. gap1-gap12 are maximisation files; types A-D (`gap-large`) are
minimisation files, read as maximisation of the negated costs (`read_gap_file(path, minimise=True)`;
`GapProblem.in_file_sense` turns a value back into the file's cost). In crew terms an agent is an
operator (capacity = available hours), a job is a job operation (resource = the hours it takes that
operator, profit = its value).

Two solvers, measured against each other by `tests/bench/bench_crew.py`:

- `solve_gap_plain`: the textbook MILP handed to HiGHS (`scipy.optimize.milp`) with default settings.
- `solve_gap`: the same MILP, but only after the work that makes it small:
  1. a primal solution: regret greedy (Martello-Toth, four desirability measures) + shift/swap descent;
  2. a dual bound: the Lagrangian relaxation of the assignment constraints (one 0-1 knapsack per agent,
     solved exactly by dynamic programming), started from the LP duals and improved by subgradient
     steps; every few steps the knapsack solutions are repaired into a new primal solution;
  3. profits are integers, so the optimum is at most `T = floor(bound)`. For `T, T-1, ...` down to the
     best known value + 1: a pair (agent, job) whose Lagrangian bound with the pair forced in is below
     `T` cannot be part of any solution worth `T` or more, so it is dropped, and HiGHS solves the
     MILP over the remaining pairs (usually a fifth of them). If that optimum reaches `T` it is the
     global optimum (every solution worth `T` or more lives in the reduced problem); otherwise no
     solution is worth `T`, and the next target is tried. When the target falls to the best known
     value, that value is proven optimal without further search.
  4. with a time limit: path relinking with ejection chains (`plexlabor_dev.gap_ejection`, after Yagiura,
     Ibaraki and Glover), each job among its best agents by Lagrangian pair bound and kept out of the pairs the
     bound rules out; one thread of walks beside the MILPs from the start (HiGHS runs through highspy, which
     releases the GIL; HiGHS starts from the best found, takes the walks' better solutions while it runs and
     hands its own back), and, if the MILPs have not proven their best optimal, a second thread after them;
     each thread runs four walks (seeds) one after the other, each from the best found when it starts.

Both return `GapSolution` with the objective, the assignment, whether optimality is proven and the
upper bound that proves it. The data files are read from `../shared/benchmarks/gap/` and
`../shared/benchmarks/gap-large/` (see `default_gap_dir`) at run time; they are never copied into the
repository.
"""

from __future__ import annotations

import contextlib
import csv
import math
import os
import threading
import time
import warnings
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import highspy
import numpy as np
from numba import njit
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_array

from plexlabor_dev.gap_ejection import SearchResult, compile_ejection, relink_search

GAP_DIR_ENV = "PLEXLABOR_GAP_DIR"
OPTIMA_FILE = "optima.csv"

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

STEP_SCALE = 2.0
"""Polyak step scale at the start of the subgradient (halved whenever the bound stalls)."""
STALL_STEPS = 5
"""Steps without a better bound before the step scale is halved."""
LAGRANGIAN_SHARE = 0.3
"""With a time limit, the subgradient stops after this share of it (the MILPs get the rest)."""
MILP_SHARE_OF_LEFT = 0.9
"""HiGHS gets this share of the time left: it stops a little after its limit on a loaded machine, and the
descent over its solution comes after it."""
SEARCH_SHARE = 0.5
SEARCH_MAX_S = 5.0
"""With a time limit, the search from the MILPs' best solution gets this share of the time left after
the bound, at most SEARCH_MAX_S (on generated type D instances it finds nothing more after a few thousand
steps), and the MILPs the rest; it only runs when the MILPs have not proven their best optimal."""
SEARCH_THREADS = 2
"""Walks of the search at once after the MILPs (different seeds, one thread each: the machine's cores); one of
them already runs beside the MILPs (SEARCH_BESIDE_MILPS)."""
SEARCH_RESTARTS = 4
"""Walks each thread runs one after the other, all from the MILPs' best with new seeds, each in an equal share of
the thread's time left. A walk finds its best early and then stalls, so the best of several short walks beats one
long walk: at the same number of local optima, 8 walks of 2,000 reached a cost at least as low as one walk of
16,000 on all 8 generated type-D instances of seeds 61 and 62 (lower on 6, by 1-14; 2 walks per thread: lower on 3)."""
SEARCH_BESIDE_MILPS = True
"""With a time limit, one thread runs the search's walks beside HiGHS, each from the best at its start; HiGHS
takes the better solutions they find (user-solution callback). After the MILPs the other thread's walks start from
HiGHS's own best, as before, not from the walks' best (a second basin: from the walks' best the solver was worse on
generated type D, summed +16 on 5 instances, from HiGHS's -24 on 4, in runs whose MILP phase was too long; with the
split right, level with no walk beside: docs/crew.md). HiGHS solves on one core, so on the 2-core machine
the other was idle while it did. Through SciPy a walk beside HiGHS slowed its proofs on types B and C (SciPy's
HiGHS takes the GIL back often: plain HiGHS 25.6 s wall beside a walk against 12.5 s alone, the same CPU);
highspy releases the GIL while it solves. The walks beside run at the lowest priority (BESIDE_NICE): they take
CPU that HiGHS leaves idle, not HiGHS's (its proofs on types A-C are not slowed on a loaded machine)."""
BESIDE_NICE = 19
SEARCH_MARGIN_S = 0.05
"""The search stops this long before the deadline (it reads the clock every few steps); the solver waits for the walk
beside the MILPs until half of it before the deadline, no longer (at nice 19 it may be starved in a call)."""
SEARCH_MAX_OPTIMA = 10_000_000
_HIGHS_OPTIMAL = 0
_HIGHS_INFEASIBLE = 2


def default_gap_dir(collection: str = "gap") -> Path:
    """`$PLEXLABOR_GAP_DIR` (gap1-gap12 only), else `<repo>/../shared/benchmarks/<collection>` (the
    repository's sibling; `gap` or `gap-large`)."""
    configured = os.environ.get(GAP_DIR_ENV)
    if configured and collection == "gap":
        return Path(configured)
    repo_root = Path(__file__).resolve().parents[2]  # dev/plexlabor_dev/gap.py → the checkout
    return (repo_root / ".." / "shared" / "benchmarks" / collection).resolve()


def compile_kernels() -> float:
    """Compile the Numba kernels (the knapsacks and the ejection-chain search), or load them from Numba's cache
    beside the code, before a timed solve; returns the seconds it took (a few seconds on the first run
    after an install, well under one after)."""
    started = time.perf_counter()
    _knapsacks(np.ones((1, 2)), np.ones((1, 2), dtype=np.int64), np.ones(1, dtype=np.int64), 2)
    compile_ejection()
    return time.perf_counter() - started


# ---- the problem and its file format -------------------------------------------------------------


@dataclass(frozen=True)
class GapProblem:
    """One instance: `profit[i, j]` and `resource[i, j]` of giving job j to agent i, `capacity[i]`.
    A minimisation file's costs are held negated (`minimise`), so every solver maximises."""

    name: str
    profit: IntArray
    resource: IntArray
    capacity: IntArray
    minimise: bool = False

    def __post_init__(self) -> None:
        m, n = self.profit.shape
        if self.resource.shape != (m, n) or self.capacity.shape != (m,):
            raise ValueError(
                f"{self.name}: profit {self.profit.shape}, resource {self.resource.shape} and "
                f"capacity {self.capacity.shape} do not agree"
            )
        if m < 1 or n < 1:
            raise ValueError(f"{self.name}: needs at least one agent and one job")
        if (self.resource < 0).any() or (self.capacity < 0).any():
            raise ValueError(f"{self.name}: resources and capacities must be non-negative")

    @property
    def agents(self) -> int:
        return int(self.profit.shape[0])

    @property
    def jobs(self) -> int:
        return int(self.profit.shape[1])

    def in_file_sense(self, value: float) -> float:
        """A value (objective or bound) as the file states it: the cost of a minimisation file."""
        return -value if self.minimise else value

    def value(self, assignment: IntArray) -> int:
        """Total profit of an assignment (agent index per job)."""
        return int(self.profit[assignment, np.arange(self.jobs)].sum())

    def is_feasible(self, assignment: IntArray) -> bool:
        if assignment.shape != (self.jobs,) or (assignment < 0).any() or (assignment >= self.agents).any():
            return False
        load = np.bincount(assignment, weights=self.resource[assignment, np.arange(self.jobs)], minlength=self.agents)
        return bool((load <= self.capacity + 1e-9).all())


def parse_gap_text(text: str, name: str = "gap", minimise: bool = False) -> list[GapProblem]:
    """Parse the OR-Library format: P, then per problem `m n`, m rows of n profits (costs when
    `minimise`), m rows of n resources, m capacities (whitespace-separated integers)."""
    try:
        numbers = [int(token) for token in text.split()]
    except ValueError as error:
        raise ValueError(f"{name}: not a GAP file (non-integer token: {error})") from None
    if not numbers:
        raise ValueError(f"{name}: empty GAP file")
    position = 1
    problems: list[GapProblem] = []

    def take(count: int, what: str) -> list[int]:
        nonlocal position
        if position + count > len(numbers):
            raise ValueError(f"{name}: problem {len(problems) + 1} ends early (reading {what})")
        chunk = numbers[position : position + count]
        position += count
        return chunk

    for number in range(1, numbers[0] + 1):
        m, n = take(2, "m n")
        if m < 1 or n < 1:
            raise ValueError(f"{name}: problem {number} has {m} agents and {n} jobs")
        profit = np.array(take(m * n, "profits"), dtype=np.int64).reshape(m, n)
        resource = np.array(take(m * n, "resources"), dtype=np.int64).reshape(m, n)
        capacity = np.array(take(m, "capacities"), dtype=np.int64)
        problems.append(GapProblem(f"{name}#{number}", -profit if minimise else profit, resource, capacity, minimise))
    if position != len(numbers):
        raise ValueError(f"{name}: {len(numbers) - position} numbers left after {numbers[0]} problems")
    return problems


def chu_beasley_type_d(agents: int, jobs: int, seed: int) -> GapProblem:
    """A generated instance of OR-Library type D's shape (Chu and Beasley 1997): resources uniform in
    1..100, costs 111 - resource + a uniform -10..10, capacities 0.8 * sum of the agent's resources / agents
    (a minimisation problem, held negated as the files are). For measuring without the benchmark files."""
    rng = np.random.default_rng(seed)
    resource = rng.integers(1, 101, size=(agents, jobs))
    cost = 111 - resource + rng.integers(-10, 11, size=(agents, jobs))
    capacity = (0.8 * resource.sum(axis=1) / agents).astype(np.int64)
    return GapProblem(f"type-d-{agents}x{jobs}-seed{seed}", -cost, resource, capacity, minimise=True)


def read_gap_file(path: Path | str, minimise: bool = False) -> list[GapProblem]:
    path = Path(path)
    return parse_gap_text(path.read_text(encoding="utf-8"), path.name, minimise)


@dataclass(frozen=True)
class PublishedOptima:
    """`optima.csv`: (file name, problem number) -> the published optimum, in the files' own sense
    (column `optimum_max`, or `optimum_min` for minimisation files)."""

    values: dict[tuple[str, int], int]
    minimise: bool


def read_optima(path: Path | str) -> PublishedOptima:
    with Path(path).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    minimise = bool(rows) and "optimum_min" in rows[0]
    column = "optimum_min" if minimise else "optimum_max"
    return PublishedOptima({(row["file"], int(row["problem"])): int(row[column]) for row in rows}, minimise)


# ---- results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GapSolution:
    """The best assignment found, its value, and what is proven about it."""

    name: str
    objective: int | None
    """None when no feasible assignment was found (the instance may be infeasible)."""
    assignment: tuple[int, ...] | None
    proven_optimal: bool
    upper_bound: float | None
    """A proven upper bound on the optimum (None when nothing was proven)."""
    seconds: float
    method: str
    milp_calls: int = 0
    pairs_in_milp: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float | None:
        """(bound - objective) / objective, HiGHS's definition; 0 when proven optimal."""
        if self.proven_optimal:
            return 0.0
        if self.objective is None or self.upper_bound is None:
            return None
        return max(0.0, (self.upper_bound - self.objective) / max(abs(self.objective), 1e-9))


# ---- the plain MILP (the yardstick) --------------------------------------------------------------


def _scipy_milp(
    problem: GapProblem, agents: IntArray, jobs: IntArray, options: dict[str, object]
) -> tuple[int, IntArray | None, float | None]:
    """Solve max profit over the given (agent, job) pairs with SciPy's HiGHS (the yardstick's way). Returns (HiGHS
    status, assignment, bound)."""
    m, n = problem.agents, problem.jobs
    count = len(agents)
    columns = np.arange(count)
    assign = coo_array((np.ones(count), (jobs, columns)), shape=(n, count))
    load = coo_array((problem.resource[agents, jobs].astype(float), (agents, columns)), shape=(m, count))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = milp(
            -problem.profit[agents, jobs].astype(float),
            integrality=np.ones(count),
            bounds=Bounds(0, 1),
            constraints=[LinearConstraint(assign, 1, 1), LinearConstraint(load, -np.inf, problem.capacity)],
            options=options,
        )
    bound = None if result.get("mip_dual_bound") is None else -float(result.mip_dual_bound)
    if result.x is None:
        return int(result.status), None, bound
    chosen = result.x > 0.5
    assignment = np.full(n, -1, dtype=np.int64)
    assignment[jobs[chosen]] = agents[chosen]
    return int(result.status), assignment, bound


def solve_gap_plain(problem: GapProblem, time_limit: float | None = None) -> GapSolution:
    """The plain formulation, every pair a binary, HiGHS defaults (plus the time limit, if given)."""
    started = time.perf_counter()
    agents, jobs = np.divmod(np.arange(problem.agents * problem.jobs), problem.jobs)
    options: dict[str, object] = {} if time_limit is None else {"time_limit": float(time_limit)}
    status, assignment, bound = _scipy_milp(problem, agents, jobs, options)
    seconds = time.perf_counter() - started
    if assignment is None or (assignment < 0).any():
        return GapSolution(problem.name, None, None, False, None, seconds, "plain milp", 1, len(agents))
    return GapSolution(
        problem.name,
        problem.value(assignment),
        tuple(int(a) for a in assignment),
        status == _HIGHS_OPTIMAL,
        bound,
        seconds,
        "plain milp",
        1,
        len(agents),
    )


# ---- HiGHS with a start and the search's solutions (the tuned solver's MILPs) ----------------------


class _Incumbent:
    """The best feasible assignment found so far, shared by the MILPs (HiGHS's callbacks) and the search threads."""

    def __init__(self, problem: GapProblem, assignment: IntArray) -> None:
        self.problem = problem
        self._lock = threading.Lock()
        self.assignment = assignment.copy()
        self.value = problem.value(assignment)

    def offer(self, assignment: IntArray) -> bool:
        """Keep `assignment` if it is feasible and better than the best; True if it was kept."""
        if not self.problem.is_feasible(assignment):
            return False
        value = self.problem.value(assignment)
        with self._lock:
            if value <= self.value:
                return False
            self.assignment, self.value = assignment.copy(), value
            return True

    def best(self) -> tuple[IntArray, int]:
        with self._lock:
            return self.assignment.copy(), self.value


def _milp_over(
    problem: GapProblem,
    agents: IntArray,
    jobs: IntArray,
    time_limit: float | None,
    incumbent: _Incumbent | None = None,
) -> tuple[int, IntArray | None, float | None]:
    """Solve max profit over the given (agent, job) pairs with HiGHS (highspy, which releases the GIL while it
    solves, so the search runs beside it). With `incumbent`: HiGHS starts from its best when every pair of it is
    among the given ones, takes the better solutions the search finds meanwhile (HiGHS's user-solution callback:
    its pruning and RINS work from them) and hands its own improving ones back. Returns (status as SciPy's:
    0 optimal, 1 time limit, 2 infeasible; assignment; bound)."""
    m, n = problem.agents, problem.jobs
    count = len(agents)
    column = np.full((m, n), -1, dtype=np.int64)
    column[agents, jobs] = np.arange(count)
    assign = coo_array((np.ones(count), (jobs, np.arange(count))), shape=(n, count)).tocsr()
    load = coo_array((problem.resource[agents, jobs].astype(float), (agents, np.arange(count))), shape=(m, count))
    load = load.tocsr()
    highs = highspy.Highs()
    highs.silent()
    if time_limit is not None:
        highs.setOptionValue("time_limit", float(time_limit))
    no_entries = np.array([], dtype=np.int32)
    highs.addCols(count, -problem.profit[agents, jobs].astype(float), np.zeros(count), np.ones(count), 0,
                  no_entries, no_entries, np.array([]))  # fmt: skip
    highs.changeColsIntegrality(count, np.arange(count, dtype=np.int32), np.full(count, highspy.HighsVarType.kInteger))
    for rows, lower, upper in (
        (assign, np.ones(n), np.ones(n)),
        (load, np.full(m, -highspy.kHighsInf), problem.capacity),
    ):
        highs.addRows(rows.shape[0], lower, upper.astype(float), rows.nnz, rows.indptr[:-1].astype(np.int32),
                      rows.indices.astype(np.int32), rows.data)  # fmt: skip

    def as_columns(assignment: IntArray) -> FloatArray | None:
        chosen = column[assignment, np.arange(n)]
        if (chosen < 0).any():
            return None
        values = np.zeros(count)
        values[chosen] = 1.0
        return values

    def as_assignment(values: FloatArray | list[float]) -> IntArray:
        chosen = np.asarray(values) > 0.5
        assignment = np.full(n, -1, dtype=np.int64)
        assignment[jobs[chosen]] = agents[chosen]
        return assignment

    if incumbent is not None:
        given = incumbent.best()[1]
        start = as_columns(incumbent.best()[0])
        if start is not None:
            highs.setSolution(count, np.arange(count, dtype=np.int32), start)

        def found(event: highspy.HighsCallbackEvent) -> None:
            incumbent.offer(as_assignment(event.data_out.mip_solution))

        def share(event: highspy.HighsCallbackEvent) -> None:
            nonlocal given
            assignment, value = incumbent.best()
            values = as_columns(assignment) if value > given else None
            if values is not None and event.data_in is not None:
                event.data_in.setSolution(values)
                given = value

        highs.cbMipImprovingSolution.subscribe(found)
        highs.cbMipUserSolution.subscribe(share)
    highs.run()
    status = highs.getModelStatus()
    info = highs.getInfo()
    bound = -float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None
    code = {highspy.HighsModelStatus.kOptimal: _HIGHS_OPTIMAL, highspy.HighsModelStatus.kInfeasible: _HIGHS_INFEASIBLE}
    if info.primal_solution_status != 2:  # 2: feasible
        return code.get(status, 1), None, bound
    return code.get(status, 1), as_assignment(highs.getSolution().col_value), bound


# ---- primal heuristics ---------------------------------------------------------------------------


def _regret_greedy(problem: GapProblem, desirability: FloatArray) -> IntArray | None:
    """Martello-Toth: repeatedly place the job whose best and second-best agents differ most."""
    resource, m, n = problem.resource, problem.agents, problem.jobs
    residual = problem.capacity.astype(float)
    assignment = np.full(n, -1, dtype=np.int64)
    free = np.ones(n, dtype=bool)
    for _ in range(n):
        columns = np.flatnonzero(free)
        scores = np.where(resource[:, columns] <= residual[:, None], desirability[:, columns], -np.inf)
        best_agent = np.argmax(scores, axis=0)
        best = scores[best_agent, np.arange(len(columns))]
        if np.isneginf(best).any():
            return None
        if m > 1:
            second = np.partition(scores, m - 2, axis=0)[m - 2]
            regret = np.where(np.isneginf(second), np.inf, best - second)
        else:
            regret = np.full(len(columns), np.inf)
        k = int(np.argmax(regret))
        job, agent = int(columns[k]), int(best_agent[k])
        assignment[job] = agent
        residual[agent] -= resource[agent, job]
        free[job] = False
    return assignment


def _descent(problem: GapProblem, assignment: IntArray) -> IntArray:
    """Best-improvement shifts (a job to another agent) and swaps (two jobs trade agents)."""
    profit, resource = problem.profit, problem.resource
    jobs = np.arange(problem.jobs)
    assignment = assignment.copy()
    residual = problem.capacity - np.bincount(assignment, weights=resource[assignment, jobs], minlength=problem.agents)
    while True:
        gain = profit - profit[assignment, jobs][None, :]
        fits = resource <= residual[:, None]
        fits[assignment, jobs] = False
        gain = np.where(fits, gain, 0)
        if gain.max() > 0:
            agent, job = np.unravel_index(int(np.argmax(gain)), gain.shape)
            residual[assignment[job]] += resource[assignment[job], job]
            residual[agent] -= resource[agent, job]
            assignment[job] = agent
            continue
        a_j, a_k = assignment[:, None], assignment[None, :]
        j, k = jobs[:, None], jobs[None, :]
        delta = profit[a_k, j] + profit[a_j, k] - profit[a_j, j] - profit[a_k, k]
        feasible = (residual[a_j] + resource[a_j, j] - resource[a_j, k] >= 0) & (
            residual[a_k] + resource[a_k, k] - resource[a_k, j] >= 0
        )
        delta = np.where(feasible & (a_j != a_k), delta, 0)
        if delta.max() > 0:
            first, second = np.unravel_index(int(np.argmax(delta)), delta.shape)
            a, b = assignment[first], assignment[second]
            residual[a] += resource[a, first] - resource[a, second]
            residual[b] += resource[b, second] - resource[b, first]
            assignment[first], assignment[second] = b, a
            continue
        return assignment


def _greedy_and_descent(problem: GapProblem) -> IntArray | None:
    profit = problem.profit.astype(float)
    resource = np.maximum(problem.resource, 1).astype(float)
    best: IntArray | None = None
    for desirability in (profit, profit / resource, -resource, -resource / np.maximum(problem.capacity, 1)[:, None]):
        start = _regret_greedy(problem, desirability)
        if start is None:
            continue
        candidate = _descent(problem, start)
        if best is None or problem.value(candidate) > problem.value(best):
            best = candidate
    return best


def _repair(problem: GapProblem, chosen: NDArray[np.bool_]) -> IntArray | None:
    """Turn the knapsack solutions (a job may be taken by several agents or none) into an assignment."""
    profit, resource = problem.profit, problem.resource
    residual = problem.capacity.astype(float)
    assignment = np.full(problem.jobs, -1, dtype=np.int64)
    for job in range(problem.jobs):
        takers = np.flatnonzero(chosen[:, job])
        if len(takers):
            agent = int(takers[np.argmax(profit[takers, job])])
            if resource[agent, job] <= residual[agent]:
                assignment[job] = agent
                residual[agent] -= resource[agent, job]
    for missing in np.flatnonzero(assignment < 0):
        job = int(missing)
        fits = np.flatnonzero(resource[:, job] <= residual)
        if not len(fits):
            return None
        agent = int(fits[np.argmax(profit[fits, job])])
        assignment[job] = agent
        residual[agent] -= resource[agent, job]
    return _descent(problem, assignment)


# ---- the Lagrangian bound ------------------------------------------------------------------------


class _Knapsacks:
    """One 0-1 knapsack per agent (items = jobs, weights = resources), solved by dynamic programming:
    `solve` compiled (`_knapsacks`), `tables` (every prefix of the jobs, for the pair bounds) vectorised over
    the agents."""

    def __init__(self, problem: GapProblem) -> None:
        m, n = problem.agents, problem.jobs
        width = int(problem.capacity.max()) + 1
        shifted = np.arange(width)[None, None, :] - problem.resource.T[:, :, None]  # (job, agent, capacity)
        flat = np.arange(m)[None, :, None] * width + np.maximum(shifted, 0)
        self.gather = np.where(shifted >= 0, flat, m * width)  # m*width = a -inf sentinel
        self.m, self.n, self.width = m, n, width
        self.resource = np.ascontiguousarray(problem.resource, dtype=np.int64)
        self.capacity = problem.capacity.astype(np.int64)

    def solve(self, values: FloatArray) -> tuple[FloatArray, NDArray[np.bool_]]:
        """Each agent's best knapsack value at its capacity, and the items each agent takes."""
        return _knapsacks(np.ascontiguousarray(values, dtype=np.float64), self.resource, self.capacity, self.width)

    def tables(self, values: FloatArray, order: Iterable[int]) -> FloatArray:
        """`result[k]`: each agent's best value at every capacity using only the first k jobs of `order`."""
        m, width = self.m, self.width
        buffer = np.zeros(m * width + 1)
        buffer[-1] = -np.inf
        table = buffer[:-1].reshape(m, width)
        out = [table.copy()]
        for job in order:
            candidate = buffer[self.gather[job]] + np.maximum(values[:, job], 0)[:, None]
            np.maximum(table, candidate, out=table)
            out.append(table.copy())
        return np.stack(out)


@njit(cache=True)
def _knapsacks(values, resource, capacity, width):  # type: ignore[no-untyped-def]
    """Per agent i the 0-1 knapsack over the jobs of positive `values[i]` within `capacity[i]`: its best
    value and the jobs it takes. In place over the capacities (high to low), the choices kept per job for
    the walk back; compiled because NumPy would need a temporary per job (5-9 times slower)."""
    m, n = values.shape
    best = np.zeros(m)
    chosen = np.zeros((m, n), dtype=np.bool_)
    took = np.zeros((n, width), dtype=np.bool_)
    row = np.zeros(width)
    for i in range(m):
        top = capacity[i]
        row[:] = 0.0
        for j in range(n):
            value, size = values[i, j], resource[i, j]
            took[j, : top + 1] = False
            if value <= 0.0 or size > top:
                continue
            for w in range(top, size - 1, -1):
                if row[w - size] + value > row[w]:
                    row[w] = row[w - size] + value
                    took[j, w] = True
        best[i] = row[top]
        left = top
        for j in range(n - 1, -1, -1):
            if took[j, left]:
                chosen[i, j] = True
                left -= resource[i, j]
    return best, chosen


def _lp_duals(problem: GapProblem) -> FloatArray:
    """Duals of the assignment rows of the LP relaxation: the subgradient's starting multipliers."""
    m, n = problem.agents, problem.jobs
    count = m * n
    agents, jobs = np.divmod(np.arange(count), n)
    assign = coo_array((np.ones(count), (jobs, np.arange(count))), shape=(n, count))
    load = coo_array((problem.resource.ravel().astype(float), (agents, np.arange(count))), shape=(m, count))
    result = linprog(
        -problem.profit.ravel().astype(float),
        A_ub=load,
        b_ub=problem.capacity,
        A_eq=assign,
        b_eq=np.ones(n),
        bounds=(0, 1),
        method="highs",
    )
    if result.status != 0:
        return np.asarray(problem.profit.max(axis=0), dtype=float)
    return -np.asarray(result.eqlin.marginals, dtype=float)


@dataclass
class _Lagrangian:
    bound: float
    multipliers: FloatArray
    best_value: int
    best: IntArray
    iterations: int


def _subgradient(
    problem: GapProblem,
    knapsacks: _Knapsacks,
    best: IntArray,
    multipliers: FloatArray,
    iterations: int,
    deadline: float | None = None,
) -> _Lagrangian:
    """Minimise L(u) = sum(u) + sum_i knapsack_i(profit - u) by Polyak steps; repair now and then.
    Stops after `iterations` steps or at `deadline` (`time.perf_counter()`), whichever comes first."""
    best_value = problem.value(best)
    best_bound, best_multipliers = math.inf, multipliers.copy()
    step_scale, stalled = STEP_SCALE, 0
    iteration = 0
    for iteration in range(1, iterations + 1):
        if deadline is not None and iteration > 1 and time.perf_counter() > deadline:
            break
        per_agent, chosen = knapsacks.solve(problem.profit - multipliers[None, :])
        bound = float(multipliers.sum() + per_agent.sum())
        if bound < best_bound - 1e-9:
            best_bound, best_multipliers, stalled = bound, multipliers.copy(), 0
        else:
            stalled += 1
            if stalled >= STALL_STEPS:
                step_scale, stalled = step_scale / 2, 0
        if math.floor(best_bound + 1e-6) <= best_value:
            break
        subgradient = 1 - chosen.sum(axis=0)
        if not subgradient.any():  # the knapsacks assign every job once: optimal for these multipliers
            break
        if iteration % 5 == 1:
            repaired = _repair(problem, chosen)
            if repaired is not None and problem.value(repaired) > best_value:
                best, best_value = repaired, problem.value(repaired)
        step = step_scale * max(bound - best_value, 1e-3) / float(subgradient @ subgradient)
        multipliers = multipliers - step * subgradient
    return _Lagrangian(best_bound, best_multipliers, best_value, best, iteration)


def _forced_bounds(
    problem: GapProblem, knapsacks: _Knapsacks, multipliers: FloatArray
) -> tuple[float, FloatArray, FloatArray]:
    """The Lagrangian bound, and for each pair the exact Lagrangian bound of the solutions that
    contain it (`with_pair`) and of those that do not (`without_pair`).

    Agent i's knapsack without job j at capacity k is max over a of prefix_j(a) + suffix_j(k - a)
    (the best with jobs before j in capacity a, plus the best with jobs after j in the rest).
    """
    m, n = problem.agents, problem.jobs
    rows = np.arange(m)
    values = problem.profit - multipliers[None, :]
    prefix = knapsacks.tables(values, range(n))  # prefix[j]: jobs 0..j-1
    suffix = knapsacks.tables(values, range(n - 1, -1, -1))[::-1]  # suffix[j]: jobs j..n-1
    per_agent = prefix[n][rows, knapsacks.capacity]
    bound = float(multipliers.sum() + per_agent.sum())
    width = knapsacks.width
    capacities = np.arange(width)
    with_pair = np.full((m, n), -np.inf)
    without_pair = np.empty((m, n))
    for job in range(n):
        before, after = prefix[job], suffix[job + 1]  # (m, width) each
        room = problem.capacity - problem.resource[:, job]
        # best without `job` at capacity `room` (with it forced in) and at full capacity (forced out)
        for target, out, extra in ((room, None, values[:, job]), (knapsacks.capacity, without_pair, 0.0)):
            rest = target[:, None] - capacities[None, :]
            valid = (rest >= 0) & (target[:, None] >= 0)
            combined = np.where(valid, before + after[rows[:, None], np.maximum(rest, 0)], -np.inf).max(axis=1)
            total = bound - per_agent + combined + extra
            if out is None:
                with_pair[:, job] = np.where(room >= 0, total, -np.inf)
            else:
                out[:, job] = total
    return bound, with_pair, without_pair


# ---- the tuned solver ----------------------------------------------------------------------------


def solve_gap(problem: GapProblem, time_limit: float | None = None, subgradient_iterations: int = 80) -> GapSolution:
    """Maximise profit; prove optimality with the Lagrangian bound and MILPs over the pairs that can
    still matter (see the module docstring). Profits must be integers (the OR-Library's are)."""
    started = time.perf_counter()
    deadline = None if time_limit is None else started + time_limit

    def remaining() -> float | None:
        return None if deadline is None else max(0.0, deadline - time.perf_counter())

    best = _greedy_and_descent(problem)
    if best is None:  # no greedy placement fits: let HiGHS decide feasibility
        plain = solve_gap_plain(problem, remaining())
        return GapSolution(
            problem.name,
            plain.objective,
            plain.assignment,
            plain.proven_optimal,
            plain.upper_bound,
            time.perf_counter() - started,
            "plain milp (no greedy start)",
            plain.milp_calls,
            plain.pairs_in_milp,
        )
    knapsacks = _Knapsacks(problem)
    bound_by = None if time_limit is None else started + LAGRANGIAN_SHARE * time_limit
    lagrangian = _subgradient(problem, knapsacks, best, _lp_duals(problem), subgradient_iterations, bound_by)
    best, best_value = lagrangian.best, lagrangian.best_value
    bound, with_pair, without_pair = _forced_bounds(problem, knapsacks, lagrangian.multipliers)
    target = math.floor(min(bound, lagrangian.bound) + 1e-6)
    milp_by = (
        None if deadline is None else deadline - min(SEARCH_SHARE * (deadline - time.perf_counter()), SEARCH_MAX_S)
    )
    incumbent = _Incumbent(problem, best)
    sense = problem.in_file_sense
    notes = [
        f"lagrangian bound {sense(lagrangian.bound):.2f} after {lagrangian.iterations} subgradient steps, "
        f"best then {sense(lagrangian.best_value):.0f}",
    ]
    searches: list[SearchResult] = []
    stop = threading.Event()
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        beside = None
        if deadline is not None and SEARCH_BESIDE_MILPS:
            beside = pool.submit(_walks_beside, problem, incumbent, with_pair, target, deadline - SEARCH_MARGIN_S, stop)
        milps = _milp_targets(problem, incumbent, target, with_pair, without_pair, milp_by)
        upper, calls, pairs = milps.upper, milps.calls, milps.pairs
        notes.append(f"{calls} milp calls, best then {sense(milps.best_value):.0f}")
        if incumbent.best()[1] >= upper:
            stop.set()
        elif deadline is not None and (remaining() or 0) > 0:
            if beside is None:
                searches = _searches(problem, incumbent, with_pair, int(upper), deadline - SEARCH_MARGIN_S)
            else:
                searches = _walks(
                    problem, incumbent, with_pair, int(upper), deadline - SEARCH_MARGIN_S, 0, stop, milps.own
                )
        stop.set()
        if beside is not None:
            try:
                searches += beside.result(timeout=max(0.0, (remaining() or 0.0) - SEARCH_MARGIN_S / 2))
            except TimeoutError:  # starved (nice 19) in a call: its better solutions before it are in the incumbent
                notes.append("the walks beside the milps were still in a call at the deadline (not waited for)")
    finally:
        pool.shutdown(wait=False)  # the walk beside ends at its next read of the clock (it has seen `stop`)
    best, best_value = incumbent.best()
    steps = sum(search.steps for search in searches)
    if searches:
        notes.append(
            f"ejection-chain search, {len(searches)} walks ({SEARCH_THREADS} at once), {steps} moves, "
            f"best {sense(max(search.profit for search in searches)):.0f}"
        )
    proven = best_value >= upper
    method = "lagrangian bound" if calls == 0 else f"lagrangian fixing + {calls} highs milp"
    if steps:
        method += f" + ejection-chain search ({steps} moves)"
    return GapSolution(
        problem.name,
        best_value,
        tuple(int(a) for a in best),
        proven,
        float(upper),
        time.perf_counter() - started,
        method,
        calls,
        pairs,
        notes,
    )


@dataclass
class _Milps:
    best: IntArray
    best_value: int
    upper: float
    """The proven upper bound: the last target shown out of reach (or the best, once it reaches it)."""
    calls: int
    pairs: int
    own: IntArray | None
    """HiGHS's own best (descended; None if it found none): the walks after the MILPs start from it."""


def _milp_targets(
    problem: GapProblem,
    incumbent: _Incumbent,
    target: int,
    with_pair: FloatArray,
    without_pair: FloatArray,
    milp_by: float | None,
) -> _Milps:
    """For `target`, `target - 1`, ... down to the best known value + 1: HiGHS over the pairs that can be in
    a solution worth the target (see the module docstring, step 3), until one is reached or `milp_by`. The
    incumbent is shared with the search threads (it may improve meanwhile)."""
    fits = problem.resource <= problem.capacity[:, None]
    calls, pairs = 0, 0
    upper: float = target
    own: IntArray | None = None

    def milp_left() -> float | None:
        return None if milp_by is None else max(0.0, milp_by - time.perf_counter())

    while target > incumbent.best()[1]:
        left = milp_left()
        if left is not None and left <= 0:
            break
        allowed = fits & (with_pair >= target - 1e-6)
        forced_in = allowed & (without_pair < target - 1e-6)  # leaving the pair out cannot reach `target`
        pinned = forced_in.any(axis=0)
        allowed[:, pinned] &= forced_in[:, pinned]
        if not allowed.any(axis=0).all():  # some job has no pair left: nothing is worth `target`
            target -= 1
            upper = target
            continue
        agents, jobs = np.nonzero(allowed)
        limit = None if left is None else MILP_SHARE_OF_LEFT * left
        status, assignment, _ = _milp_over(problem, agents.astype(np.int64), jobs.astype(np.int64), limit, incumbent)
        calls, pairs = calls + 1, max(pairs, len(agents))
        if assignment is not None and (assignment >= 0).all():
            # the MILP only knew the kept pairs: a dropped pair may still improve a solution that is not
            # optimal (a time limit), so descend over all of them
            descended = _descent(problem, assignment)
            incumbent.offer(descended)
            if own is None or problem.value(descended) > problem.value(own):
                own = descended
        if status == _HIGHS_OPTIMAL:
            if incumbent.best()[1] >= target:
                upper = incumbent.best()[1]
                break
            target -= 1  # the best over every pair that could reach `target` is below it
            upper = target
        elif status == _HIGHS_INFEASIBLE:
            target -= 1
            upper = target
        else:  # time limit: `upper` stays the last target proven
            break
    best, best_value = incumbent.best()
    return _Milps(best, best_value, upper, calls, pairs, own)


def _walks(
    problem: GapProblem,
    incumbent: _Incumbent,
    pair_bound: FloatArray,
    target: int,
    deadline: float,
    first_seed: int,
    stop: threading.Event,
    start_from: IntArray | None = None,
) -> list[SearchResult]:
    """One thread's share of the search: SEARCH_RESTARTS walks (seeds first_seed, + SEARCH_THREADS, ...) one after
    the other, each from `start_from` if given, else from the incumbent's best at its start, and ending at an equal
    share of the time left; each walk offers the incumbent its better solutions as it finds them (so the MILPs take
    them while it runs, and a caller that stops waiting at the deadline has them) and its best at its end. Stops at
    the deadline, once a walk reaches `target`, or on `stop`."""
    results: list[SearchResult] = []
    for restart in range(SEARCH_RESTARTS):
        now = time.perf_counter()
        if results and (now >= deadline or results[-1].profit >= target or stop.is_set()):
            break
        start = incumbent.best()[0] if start_from is None else start_from
        result = relink_search(
            problem.profit,
            problem.resource,
            problem.capacity,
            start,
            pair_bound=pair_bound,
            target=target,
            deadline=now + (deadline - now) / (SEARCH_RESTARTS - restart),
            max_optima=SEARCH_MAX_OPTIMA,
            seed=first_seed + restart * SEARCH_THREADS,
            stop=stop,
            on_better=incumbent.offer,
        )
        incumbent.offer(result.assignment)
        results.append(result)
    return results


def _walks_beside(
    problem: GapProblem,
    incumbent: _Incumbent,
    pair_bound: FloatArray,
    target: int,
    deadline: float,
    stop: threading.Event,
) -> list[SearchResult]:
    """`_walks` (seeds 1, 3, ...) at the lowest CPU priority of this thread (Linux sets it per thread): on a quiet
    machine the walks take the core HiGHS leaves idle, on a loaded one HiGHS keeps the share the solver gets."""
    with contextlib.suppress(OSError, AttributeError):  # no per-thread priority: the walks just compete
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BESIDE_NICE)
    return _walks(problem, incumbent, pair_bound, target, deadline, 1, stop)


def _searches(
    problem: GapProblem,
    incumbent: _Incumbent,
    pair_bound: FloatArray,
    target: int,
    deadline: float,
) -> list[SearchResult]:
    """The ejection-chain search (path relinking) from the incumbent until `deadline`: SEARCH_THREADS threads at
    once (the compiled code releases the GIL), each running `_walks`."""
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=SEARCH_THREADS - 1) as pool:
        beside = [
            pool.submit(_walks, problem, incumbent, pair_bound, target, deadline, seed, stop)
            for seed in range(1, SEARCH_THREADS)
        ]
        own = _walks(problem, incumbent, pair_bound, target, deadline, 0, stop)
        return [*own, *(result for future in beside for result in future.result())]


def solve_gap_files(paths: Iterable[Path | str], time_limit: float | None = None) -> list[GapSolution]:
    return [solve_gap(problem, time_limit) for path in paths for problem in read_gap_file(path)]
