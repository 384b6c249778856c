"""Large-neighbourhood search for the generalized assignment problem: re-solve a part exactly.

`improve_by_subproblems` starts from a feasible assignment and repeatedly frees a set of jobs, solves
the sub-problem (the freed jobs over what the other jobs leave of each capacity) exactly as a MILP on
HiGHS (`scipy.optimize.milp`) with a short time limit, and keeps the result when it is better. Two
neighbourhoods (`LnsSettings.neighbourhood`), drawn with a seeded RNG:

- "jobs": a few jobs that have another allowed agent, free to go to any allowed agent. Given
  `pair_score` (e.g. each pair's Lagrangian bound), a job is drawn the more likely the more its best
  other agent scores above its own, and is followed by a job of that agent, to make room for it;
- "agents": every job of a few agents, to go among those agents (Mitrović-Minić and Punnen's very
  large-scale neighbourhood search); the first agent at random, then agents that the freed jobs can
  move to, weighted by the allowed pairs between them.

A set that was solved to optimality without gain is not drawn again until the incumbent changes. The
neighbourhood grows after `grow_after` rounds in a row proven without gain and shrinks when HiGHS runs
out of its time, so the sub-problems stay about as large as HiGHS solves in the time given.

`allowed[i, j]` (e.g. from a Lagrangian bound: pairs that can still be in a better solution) keeps the
sub-problems small; the incumbent's own pairs are always allowed. Each sub-MILP carries a cutoff row
(its profit at least the incumbent's + 1, profits are integers), so HiGHS proves "nothing better here"
as infeasibility instead of re-finding the incumbent.

Why written here: SciPy gives the exact solver but no neighbourhood search around it. Deterministic
for a seed when stopped by `max_rounds` and every sub-MILP finishes within its time limit (HiGHS is
deterministic); a `deadline` makes the number of rounds depend on the machine.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from plexlabor.crew.gap_search import SearchResult, checked_start

IntArray = NDArray[np.int64]

_HIGHS_OPTIMAL = 0
_HIGHS_INFEASIBLE = 2
MIN_SUBPROBLEM_S = 0.05
"""A sub-MILP is not started with less time than this left before the deadline."""


@dataclass(frozen=True)
class LnsSettings:
    """The neighbourhood search's parameters (set by hand and compared on generated instances of OR-Library
    type D's shape, never on the benchmark files)."""

    agents_start: int = 3
    agents_min: int = 2
    agents_max: int = 12
    grow_after: int = 4
    """Rounds in a row proven without gain before the neighbourhood grows by one agent."""
    subproblem_s: float = 1.0
    """HiGHS's time limit per sub-MILP."""
    neighbourhood: str = "jobs"
    """"jobs": free `jobs_start` random jobs (that have another allowed agent) to go to any allowed agent;
    "agents": free every job of `agents_start` agents, to go among those agents."""
    jobs_start: int = 20
    jobs_min: int = 6
    grow: float = 0.25
    """The neighbourhood grows (shrinks) by this share of its size, at least by one."""
    draws: int = 20
    """Attempts to draw an agent set not yet proven without gain before the round is skipped."""


@dataclass(frozen=True)
class LnsResult(SearchResult):
    """`steps` counts the sub-MILPs solved, `improvements` those that gave a better assignment."""

    rounds_proven: int = 0
    """Sub-MILPs that HiGHS finished (optimal or infeasible under the cutoff) within their time limit."""
    agents_last: int = 0
    """The neighbourhood size (agents per round) at the end."""


def improve_by_subproblems(
    profit: NDArray[np.int64],
    resource: NDArray[np.int64],
    capacity: NDArray[np.int64],
    start: IntArray,
    *,
    allowed: NDArray[np.bool_] | None = None,
    pair_score: NDArray[np.float64] | None = None,
    target: int | None = None,
    deadline: float | None = None,
    max_rounds: int = 1_000,
    seed: int = 0,
    settings: LnsSettings = LnsSettings(),
) -> LnsResult:
    """Maximise total profit from the feasible assignment `start` (agent per job) by re-solving a few jobs
    (or the jobs of a few agents) at a time exactly. Stops after `max_rounds` sub-problems, at `deadline`
    (`time.perf_counter()`), or when a solution reaches `target` (a proven upper bound on the optimum)."""
    m, n = profit.shape
    jobs = np.arange(n)
    best = checked_start(resource, capacity, start)
    open_pairs = np.ones((m, n), dtype=bool) if allowed is None else allowed.copy()
    open_pairs &= resource <= capacity[:, None]
    best_value = int(profit[best, jobs].sum())
    rng = np.random.default_rng(seed)
    by_jobs = settings.neighbourhood == "jobs"
    least, most = (settings.jobs_min, n) if by_jobs else (settings.agents_min, min(settings.agents_max, m))
    size = min(max(settings.jobs_start if by_jobs else settings.agents_start, least), most)
    proven_sets: set[frozenset[int]] = set()
    rounds = proven = improvements = without_gain = 0
    if m < 2 or (target is not None and best_value >= target):
        return LnsResult(best, best_value, 0, 0, 0, size)
    while rounds < max_rounds:
        left = None if deadline is None else deadline - time.perf_counter()
        if left is not None and left < MIN_SUBPROBLEM_S:
            break
        if by_jobs:
            drawn = _draw_jobs(open_pairs, best, size, rng, proven_sets, settings.draws, pair_score)
        else:
            drawn = _draw_agents(open_pairs, best, size, rng, proven_sets, settings.draws)
        if drawn is None:  # every set of this size drawn was already proven: look wider
            if size >= most:
                break
            size += 1
            continue
        freed, pairs = drawn
        rounds += 1
        limit = settings.subproblem_s if left is None else min(settings.subproblem_s, left)
        status, moved = _solve_subproblem(profit, resource, capacity, best, freed, pairs, limit)
        if moved is not None and int(profit[moved, jobs].sum()) > best_value:
            best, best_value = moved, int(profit[moved, jobs].sum())
            improvements += 1
            proven_sets.clear()
            without_gain = 0
            if target is not None and best_value >= target:
                break
        elif status in (_HIGHS_OPTIMAL, _HIGHS_INFEASIBLE):
            proven_sets.add(frozenset(freed.tolist()))
            without_gain += 1
            if without_gain >= settings.grow_after and size < most:
                size, without_gain = min(most, size + max(1, round(settings.grow * size))), 0
        else:  # out of time: a smaller neighbourhood
            size = max(least, size - max(1, round(settings.grow * size)))
            without_gain = 0
        proven += status in (_HIGHS_OPTIMAL, _HIGHS_INFEASIBLE)
    return LnsResult(best, best_value, rounds, improvements, proven, size)


def _draw_jobs(
    open_pairs: NDArray[np.bool_],
    assignment: IntArray,
    size: int,
    rng: np.random.Generator,
    proven_sets: set[frozenset[int]],
    draws: int,
    pair_score: NDArray[np.float64] | None,
) -> tuple[IntArray, NDArray[np.bool_]] | None:
    """`size` jobs that have another allowed agent (not a set in `proven_sets`), free to go to any allowed
    agent; None after `draws` tries. With `pair_score` (higher = more promising, e.g. a Lagrangian bound
    of the solutions containing the pair), half are drawn the more likely the better their best other
    agent scores than their own, each followed by a job of that other agent (to make room for it)."""
    n = open_pairs.shape[1]
    columns = np.arange(n)
    others = open_pairs.copy()
    others[assignment, columns] = False
    candidates = np.flatnonzero(others.any(axis=0))
    if not len(candidates):
        return None
    size = min(size, len(candidates))
    if pair_score is None:
        badness, wanted = np.ones(n), np.zeros(n, dtype=np.int64)
    else:
        scored = np.where(others, pair_score, -np.inf)
        wanted = np.argmax(scored, axis=0)
        badness = np.maximum(scored[wanted, columns] - pair_score[assignment, columns], 0.0) + 1.0
    weight = np.where(others.any(axis=0), badness, 0.0)
    for _ in range(draws):
        chosen: list[int] = []
        while len(chosen) < size:
            free = weight.copy()
            free[chosen] = 0.0
            job = int(rng.choice(n, p=free / free.sum()))
            chosen.append(job)
            if pair_score is not None and len(chosen) < size:  # a job of the agent it wants, to make room
                there = free * (assignment == wanted[job])
                there[job] = 0.0
                if there.sum() > 0:
                    chosen.append(int(rng.choice(n, p=there / there.sum())))
        freed = np.array(sorted(chosen), dtype=np.int64)
        if frozenset(chosen) not in proven_sets:
            return freed, open_pairs[:, freed]
    return None


def _draw_agents(
    open_pairs: NDArray[np.bool_],
    assignment: IntArray,
    size: int,
    rng: np.random.Generator,
    proven_sets: set[frozenset[int]],
    draws: int,
) -> tuple[IntArray, NDArray[np.bool_]] | None:
    """The jobs of a set of `size` agents not in `proven_sets`: a random first agent, then each next one with
    probability growing with the allowed pairs between it and the agents drawn so far (its jobs that may
    go to them, their jobs that may come to it); None after `draws` tries."""
    m = open_pairs.shape[0]
    owner = np.zeros((m, len(assignment)), dtype=bool)
    owner[assignment, np.arange(len(assignment))] = True
    # links[a, b]: jobs of a that may go to b plus jobs of b that may go to a
    moves = owner.astype(np.int64) @ open_pairs.T.astype(np.int64)
    links = moves + moves.T
    np.fill_diagonal(links, 0)
    for _ in range(draws):
        chosen = [int(rng.integers(m))]
        while len(chosen) < size:
            weight = links[chosen].sum(axis=0).astype(float) + 0.1
            weight[chosen] = 0.0
            chosen.append(int(rng.choice(m, p=weight / weight.sum())))
        freed = np.flatnonzero(np.isin(assignment, chosen))
        if frozenset(freed.tolist()) not in proven_sets:
            pairs = np.zeros((m, len(freed)), dtype=bool)
            pairs[chosen] = open_pairs[:, freed][chosen]
            return freed, pairs
    return None


def _solve_subproblem(
    profit: NDArray[np.int64],
    resource: NDArray[np.int64],
    capacity: NDArray[np.int64],
    assignment: IntArray,
    freed: IntArray,
    pairs: NDArray[np.bool_],
    time_limit: float,
) -> tuple[int, IntArray | None]:
    """Re-assign the `freed` jobs exactly over the pairs `pairs[i, k]` (agent i, job freed[k]; the
    incumbent's own pairs are added), within what the other jobs leave of each capacity, at a profit
    above the current one. Returns HiGHS's status and the whole new assignment (None when HiGHS found no
    better one)."""
    m, n = profit.shape
    if not len(freed):
        return _HIGHS_INFEASIBLE, None
    pairs = pairs.copy()
    pairs[assignment[freed], np.arange(len(freed))] = True
    kept = np.setdiff1d(np.arange(n), freed)
    room = capacity - np.bincount(assignment[kept], weights=resource[assignment[kept], kept], minlength=m)
    rows, columns = np.nonzero(pairs)
    pair_job = freed[columns]
    count = len(rows)
    value = profit[rows, pair_job].astype(float)
    current = float(profit[assignment[freed], freed].sum())
    index = np.arange(count)
    one_each = coo_array((np.ones(count), (columns, index)), shape=(len(freed), count))
    loads = coo_array((resource[rows, pair_job].astype(float), (rows, index)), shape=(m, count))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = milp(
            -value,
            integrality=np.ones(count),
            bounds=Bounds(0, 1),
            constraints=[
                LinearConstraint(one_each, 1, 1),
                LinearConstraint(loads, -np.inf, room.astype(float)),
                LinearConstraint(value[None, :], current + 1, np.inf),  # better than now, or nothing
            ],
            options={"time_limit": time_limit},
        )
    if result.x is None:
        return int(result.status), None
    taken = result.x > 0.5
    moved = assignment.copy()
    moved[pair_job[taken]] = rows[taken]
    job_load = np.bincount(moved, weights=resource[moved, np.arange(n)], minlength=m)
    if (job_load > capacity).any() or np.bincount(pair_job[taken], minlength=n)[freed].min() != 1:
        return int(result.status), None  # HiGHS's tolerances let something through: not taken
    return int(result.status), moved
