"""Path relinking with ejection chains for the generalized assignment problem (after Yagiura, Ibaraki and
Glover: TS-EC, INFORMS J. Computing 16(2), 2004, and PREC, EJOR 169, 2006).

`relink_search` improves a feasible assignment (agent per job, maximising profit; internally costs are the
negated profits and minimised) and returns the best feasible one it finds, never worse than the start:

- the search walks over every assignment, feasible or not, at the penalised cost
  pcost = cost + sum over agents of `alpha[i] * overload[i]`;
- an *ejection-chain probe* is a local search with the first improving move (first admissible move
  strategy) in three neighbourhoods, tried in this order: shift (a job to another agent), swap (two jobs
  of two agents trade places) and ejection chains (job j1 leaves agent i1 for i2, which ejects j2 to i3,
  which ejects j3 ..., up to `chain_depth` jobs; the last ejected job goes to any of its candidate agents,
  i1 included). A chain is grown from every (j1, i2): at the second level every job of i2 is tried and the
  `chain_breadth` best partial chains are grown further, one job per level (the best), as long as the
  partial chain can still end below the current pcost (its gain so far beats the cheapest insertion of the
  job in the air);
- a job only goes to its candidate agents: the `candidates` agents whose Lagrangian pair bound is best
  (the cost any solution with the pair can reach), and never to a pair whose bound cannot beat the best
  solution found (costs are integers);
- a move that puts a job back on an agent it left within the last `tenure` moves is tabu, unless it reaches
  a feasible solution cheaper than the best (aspiration);
- at each local optimum the weights are updated as in the papers: if its pcost is at least the best
  feasible cost, every weight is multiplied by 1 - `weight_down`; otherwise each agent's weight by
  1 + `weight_up` * overload[i] / max overload (raised on the violated agents only). The probe then goes on
  from the same solution under the new weights;
- path relinking: a reference set of the `elite` best distinct feasible solutions found by the probes; a
  path from one of them to another (each step moves the differing job whose move is cheapest in pcost to
  its agent in the guiding solution), `relink_points` solutions at equal distances on it, and a probe of
  `probe_optima` local optima from each; the probes' best solutions update the reference set (a better one
  replaces the worst). The first reference set comes from probes started at the start solution.

Why written here: SciPy has no GAP heuristic, and the tabu search this replaced stalled 0.2-1 % above the
optimum on type D (docs/crew.md). Compiled with Numba (a development dependency, like this
package); the compiled code releases the GIL and is cached beside this file.

Deterministic for a given `seed` when stopped by `max_optima`; a `deadline` makes the work depend on the
machine.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numba import njit
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SearchResult:
    assignment: IntArray
    """Agent index per job: the best feasible assignment found (the start if none was better)."""
    profit: int
    steps: int
    improvements: int


def checked_start(
    profit: NDArray[np.int64], resource: NDArray[np.int64], capacity: NDArray[np.int64], start: IntArray
) -> tuple[IntArray, float]:
    """`start` as agent indices, once it is checked to give every job an agent within the capacities, and its
    cost (the negated profit). Raises ValueError otherwise."""
    m, n = profit.shape
    start = np.asarray(start, dtype=np.int64)
    if start.shape != (n,) or (start < 0).any() or (start >= m).any():
        raise ValueError(f"the start must give each of the {n} jobs an agent 0..{m - 1}")
    jobs = np.arange(n)
    load = np.bincount(start, weights=resource[start, jobs].astype(np.float64), minlength=m)
    if (load > capacity + 1e-9).any():
        raise ValueError("the start must be a feasible assignment of every job")
    return start, -float(profit[start, jobs].sum())


OPTIMA_PER_CALL = 20
"""Local optima between two reads of the clock (one call into the compiled code), at most."""
CALL_SECONDS = 0.01
"""With a deadline, one call into the compiled code aims at this many wall seconds: it takes as many local optima as
the last call's wall seconds per local optimum allow (at least one, at most OPTIMA_PER_CALL; one in a walk's first
call). A thread starved of CPU (the walk beside HiGHS runs at nice 19, and the machine is shared) then still reads the
clock often and stops near its deadline: with a fixed 20 per call, `plexlabor crew gap` on type D at load 8 took up
to 10.75 s for a 10-s limit."""
EPS = 1e-9

# the walk's counters (a float array, so one argument carries them)
_MOVES, _OPTIMA, _BEST_COST, _COST, _OVER, _TARGET, _IMPROVEMENTS, _PROBE_COST, _FLOOR = range(9)
# the settings in the array the compiled code reads
_TENURE, _SPREAD, _UP, _DOWN, _DEPTH, _BREADTH = range(6)


@dataclass(frozen=True)
class EjectionSettings:
    """The search's parameters (chosen on generated instances of OR-Library type D's shape, never on the
    benchmark files)."""

    candidates: int = 3
    """Agents a job may go to (its best by Lagrangian pair bound; 2, 4 and 6 were worse)."""
    chain_depth: int = 4
    chain_breadth: int = 1
    tenure_min: int = 3
    tenure_spread: int = 5
    """A (job, agent) pair stays tabu for tenure_min + a random number below tenure_spread moves."""
    weight_up: float = 0.2
    weight_down: float = 0.1
    weight_floor: float = 1e-3
    """Weights never fall below this share of the starting weight."""
    elite: int = 10
    relink_points: int = 4
    probe_optima: int = 100
    """Local optima (weight updates) per probe (300 and 1,000 were worse, 50 level)."""


@dataclass
class _Walk:
    """The arrays the compiled code reads and changes."""

    assign: IntArray
    load: FloatArray
    members: IntArray
    count: IntArray
    position: IntArray
    alpha: FloatArray
    tabu_until: IntArray
    best: IntArray
    probe_best: IntArray
    state: FloatArray


def relink_search(
    profit: NDArray[np.int64],
    resource: NDArray[np.int64],
    capacity: NDArray[np.int64],
    start: IntArray,
    *,
    pair_bound: FloatArray | None = None,
    target: int | None = None,
    deadline: float | None = None,
    max_optima: int = 5_000,
    seed: int = 0,
    settings: EjectionSettings = EjectionSettings(),
    stop: threading.Event | None = None,
    on_better: Callable[[IntArray], object] | None = None,
) -> SearchResult:
    """Maximise total profit from the feasible assignment `start` (agent per job).

    `pair_bound[i, j]`: an upper bound on the profit of any solution that gives job j to agent i (a
    Lagrangian bound): it ranks each job's candidate agents, and a pair whose bound cannot beat the best
    found is never entered. `target`: stop as soon as a solution reaches it. Stops after `max_optima` local
    optima in all, at `deadline` (`time.perf_counter()`) or once `stop` is set (read with the clock). `steps` in
    the result counts the moves made. `on_better` is handed each better solution (a copy) between two calls into the
    compiled code, so a caller that stops waiting for the walk at its deadline has its best so far."""
    m, n = profit.shape
    start, start_cost = checked_start(profit, resource, capacity, start)
    cost = -np.ascontiguousarray(profit, dtype=np.float64)
    res = np.ascontiguousarray(resource, dtype=np.float64)
    cap = np.asarray(capacity, dtype=np.float64)
    if m < 2 or (target is not None and -start_cost >= target):
        return SearchResult(start.copy(), -round(start_cost), 0, 0)
    lower = np.full((m, n), -np.inf) if pair_bound is None else -np.asarray(pair_bound, dtype=np.float64)
    ranking = np.where(lower == -np.inf, 0.0, lower) + 1e-6 * cost  # the bound first, then the cost
    candidates = np.ascontiguousarray(np.argsort(ranking, axis=0, kind="stable")[: min(settings.candidates, m)].T)
    params = np.array(
        [
            settings.tenure_min,
            settings.tenure_spread,
            settings.weight_up,
            settings.weight_down,
            max(settings.chain_depth, 2),
            max(settings.chain_breadth, 1),
        ]
    )
    start_weight = float(np.abs(cost).mean() / max(res.mean(), EPS))
    walk = _new_walk(res, start, start_weight, settings.weight_floor)
    walk.state[_BEST_COST] = start_cost
    walk.state[_TARGET] = -np.inf if target is None else -float(target)
    arrays = (cost, res, cap, np.ascontiguousarray(lower), candidates, params)
    rng = np.random.default_rng(seed)
    _seed(seed)
    elite: list[tuple[float, IntArray]] = [(start_cost, start.copy())]

    def out_of_time() -> bool:
        return (
            (deadline is not None and time.perf_counter() > deadline)
            or walk.state[_OPTIMA] >= max_optima
            or (stop is not None and stop.is_set())
        )

    pace = [0.0]  # wall seconds per local optimum in the last call (CALL_SECONDS)
    reported = [start_cost]  # the best cost handed to `on_better`

    def probe(origin: IntArray) -> bool:
        """A probe of `probe_optima` local optima from `origin`; its best feasible solution goes to the
        reference set. True when the search is over (target reached, or out of time)."""
        _reset(res, cap, origin, walk.assign, walk.load, walk.members, walk.count, walk.position, walk.state)
        walk.state[_PROBE_COST] = np.inf
        left = settings.probe_optima
        while left > 0:
            if out_of_time():
                break
            chunk = min(OPTIMA_PER_CALL, left, max_optima - int(walk.state[_OPTIMA]))
            if deadline is not None:  # the first call of a walk takes one: its pace is not known yet
                chunk = max(1, min(chunk, int(CALL_SECONDS / pace[0]) if pace[0] > 0 else 1))
            mutable = (walk.assign, walk.load, walk.members, walk.count, walk.position, walk.alpha)
            called, optima_before = time.perf_counter(), walk.state[_OPTIMA]
            reached = _probe(*arrays, *mutable, walk.tabu_until, walk.best, walk.probe_best, walk.state, chunk)
            if on_better is not None and walk.state[_BEST_COST] < reported[0]:
                reported[0] = walk.state[_BEST_COST]
                on_better(walk.best.copy())
            if reached:
                return True
            pace[0] = (time.perf_counter() - called) / max(walk.state[_OPTIMA] - optima_before, 1)
            left -= chunk
        if np.isfinite(walk.state[_PROBE_COST]):
            _offer(elite, walk.state[_PROBE_COST], walk.probe_best.copy(), settings.elite)
        return out_of_time()

    def relink() -> list[IntArray]:
        """Starts for the next probes: points on a path between two members of the reference set."""
        if len(elite) < 2:
            return [elite[0][1]]
        first, second = rng.choice(len(elite), size=2, replace=False)
        path = _relink(cost, res, cap, walk.alpha, elite[first][1], elite[second][1], settings.relink_points)
        return list(path) if len(path) else [elite[first][1]]

    starts = [start] * settings.elite  # the first reference set: probes from the start (the weights differ)
    while not any(probe(origin) for origin in starts):
        starts = relink()
    return SearchResult(
        walk.best.copy(), -round(walk.state[_BEST_COST]), int(walk.state[_MOVES]), int(walk.state[_IMPROVEMENTS])
    )


def _new_walk(res: FloatArray, start: IntArray, weight: float, floor: float) -> _Walk:
    m, n = res.shape
    state = np.zeros(9)
    state[_FLOOR] = floor * weight
    return _Walk(
        start.copy(),
        np.zeros(m),
        np.zeros((m, n), dtype=np.int64),
        np.zeros(m, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
        np.full(m, weight),
        np.zeros((m, n), dtype=np.int64),
        start.copy(),
        start.copy(),
        state,
    )


def _offer(elite: list[tuple[float, IntArray]], cost: float, solution: IntArray, size: int) -> None:
    """Reference set update: a solution not already in it enters if there is room or it beats the worst."""
    if any(cost == held and np.array_equal(solution, kept) for held, kept in elite):
        return
    if len(elite) < size:
        elite.append((cost, solution))
        return
    worst = max(range(len(elite)), key=lambda index: elite[index][0])
    if cost < elite[worst][0]:
        elite[worst] = (cost, solution)


def compile_ejection() -> None:
    """Compile (or load from Numba's cache) the compiled parts, so that a timed run does not pay for it."""
    rng = np.random.default_rng(0)
    resource = rng.integers(1, 10, size=(3, 8))
    relink_search(-resource, resource, np.full(3, 30), np.zeros(8, dtype=np.int64), max_optima=30)


# ---- the compiled parts --------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _seed(seed: int) -> None:
    np.random.seed(seed)


@njit(cache=True, nogil=True)
def _excess(load: float, capacity: float) -> float:
    return load - capacity if load > capacity else 0.0


@njit(cache=True, nogil=True)
def _reset(res, cap, origin, assign, load, members, count, position, state):  # type: ignore[no-untyped-def]
    """The walk at `origin`: loads, each agent's jobs, cost and overload (the cost is set by the caller's
    next call; here the loads and the job lists)."""
    m = res.shape[0]
    count[:] = 0
    load[:] = 0.0
    for j in range(origin.shape[0]):
        i = origin[j]
        assign[j] = i
        load[i] += res[i, j]
        members[i, count[i]] = j
        position[j] = count[i]
        count[i] += 1
    over = 0.0
    for i in range(m):
        over += _excess(load[i], cap[i])
    state[_OVER] = over
    state[_COST] = np.nan  # computed by _probe from the assignment


@njit(cache=True, nogil=True)
def _move_job(cost, res, cap, assign, load, members, count, position, tabu_until, state, job, agent, until):  # type: ignore[no-untyped-def]
    old = assign[job]
    tabu_until[old, job] = until
    state[_OVER] -= _excess(load[old], cap[old]) + _excess(load[agent], cap[agent])
    load[old] -= res[old, job]
    load[agent] += res[agent, job]
    state[_OVER] += _excess(load[old], cap[old]) + _excess(load[agent], cap[agent])
    state[_COST] += cost[agent, job] - cost[old, job]
    last = members[old, count[old] - 1]  # the job takes its place in old's list
    members[old, position[job]] = last
    position[last] = position[job]
    count[old] -= 1
    members[agent, count[agent]] = job
    position[job] = count[agent]
    count[agent] += 1
    assign[job] = agent


@njit(cache=True, nogil=True)
def _change(alpha, load, cap, agent, delta):  # type: ignore[no-untyped-def]
    """Penalty change and overload change of adding `delta` to an agent's load."""
    before = _excess(load[agent], cap[agent])
    after = _excess(load[agent] + delta, cap[agent])
    return alpha[agent] * (after - before), after - before


@njit(cache=True, nogil=True)
def _probe(  # type: ignore[no-untyped-def]
    cost, res, cap, lower, candidates, params,
    assign, load, members, count, position, alpha, tabu_until, best, probe_best, state, optima,
):  # fmt: skip
    """The ejection-chain probe from the current assignment for `optima` local optima. True when a solution
    reaches the target cost."""
    m, n = cost.shape
    width = candidates.shape[1]
    tenure, spread = int(params[_TENURE]), int(params[_SPREAD])
    up, down = params[_UP], params[_DOWN]
    depth, breadth = int(params[_DEPTH]), int(params[_BREADTH])
    if np.isnan(state[_COST]):
        total = 0.0
        for j in range(n):
            total += cost[assign[j], j]
        state[_COST] = total
    cheapest = np.empty(n)  # each job's cheapest candidate cost: the optimistic end of a chain
    for j in range(n):
        low = np.inf
        for c in range(width):
            low = min(low, cost[candidates[j, c], j])
        cheapest[j] = low
    move_jobs = np.empty(depth, dtype=np.int64)
    move_to = np.empty(depth, dtype=np.int64)
    path_jobs = np.empty(depth, dtype=np.int64)
    path_to = np.empty(depth, dtype=np.int64)
    used = np.zeros(m, dtype=np.bool_)
    top_value = np.empty(breadth)
    top_job = np.empty(breadth, dtype=np.int64)
    reached = 0
    while reached < optima:
        step = int(state[_MOVES])
        limit = state[_BEST_COST] - 1.0 + 1e-6  # a pair whose bound is above cannot improve the best
        length = _first_improving(
            cost, res, cap, lower, candidates, assign, load, members, count, alpha, tabu_until, state,
            step, limit, cheapest, move_jobs, move_to, path_jobs, path_to, used, top_value, top_job, depth, breadth,
        )  # fmt: skip
        if length == 0:  # a local optimum: the weights move, then the best move that is not tabu
            reached += 1
            _update_weights(load, cap, alpha, state, up, down)
            length = _best_admissible(
                cost, res, cap, lower, candidates, assign, load, members, count, alpha, tabu_until, state,
                step, limit, move_jobs, move_to, best,
            )  # fmt: skip
            if state[_BEST_COST] <= state[_TARGET]:
                return True
        if length > 0:
            state[_MOVES] += 1
            for k in range(length):
                until = step + tenure + np.random.randint(spread)
                _move_job(
                    cost, res, cap, assign, load, members, count, position, tabu_until, state,
                    move_jobs[k], move_to[k], until,
                )  # fmt: skip
            if state[_OVER] <= EPS:
                if state[_COST] < state[_BEST_COST] - 0.5:
                    best[:] = assign
                    state[_BEST_COST] = state[_COST]
                    state[_IMPROVEMENTS] += 1
                    if state[_BEST_COST] <= state[_TARGET]:
                        return True
                if state[_COST] < state[_PROBE_COST] - 0.5:
                    probe_best[:] = assign
                    state[_PROBE_COST] = state[_COST]
    return False


@njit(cache=True, nogil=True)
def _capture(assign, best, state, over, delta, j, to_j, k, to_k):  # type: ignore[no-untyped-def]
    """A move looked at (not necessarily made) that reaches a feasible solution cheaper than the best: kept
    as the new best (j to `to_j`, and k to `to_k` when k >= 0)."""
    if state[_OVER] + over > EPS or state[_COST] + delta >= state[_BEST_COST] - 0.5:
        return
    best[:] = assign
    best[j] = to_j
    if k >= 0:
        best[k] = to_k
    state[_BEST_COST] = state[_COST] + delta
    state[_IMPROVEMENTS] += 1


@njit(cache=True, nogil=True)
def _update_weights(load, cap, alpha, state, up, down):  # type: ignore[no-untyped-def]
    """Yagiura et al.'s rule at a local optimum: every weight down when its pcost is no better than the best
    feasible cost (or it is feasible), else each violated agent's weight up by its share of the largest
    overload."""
    m = load.shape[0]
    state[_OPTIMA] += 1
    pcost, worst = state[_COST], 0.0
    for i in range(m):
        excess = _excess(load[i], cap[i])
        pcost += alpha[i] * excess
        worst = max(worst, excess)
    if pcost >= state[_BEST_COST] - EPS or worst <= EPS:
        for i in range(m):
            alpha[i] = max(alpha[i] * (1.0 - down), state[_FLOOR])
    else:
        for i in range(m):
            alpha[i] *= 1.0 + up * _excess(load[i], cap[i]) / worst


@njit(cache=True, nogil=True)
def _best_admissible(  # type: ignore[no-untyped-def]
    cost, res, cap, lower, candidates, assign, load, members, count, alpha, tabu_until, state, step, limit,
    move_jobs, move_to, kept,
):  # fmt: skip
    """The shift or swap of least pcost that is not tabu (none improves: this is a local optimum), into
    `move_jobs` / `move_to`; returns its length (0 if every move is tabu or ruled out). A move looked at that
    reaches a better feasible solution is kept in `kept` (the best)."""
    n = cost.shape[1]
    width = candidates.shape[1]
    best, length = np.inf, 0
    for j in range(n):
        a = assign[j]
        gone, gone_over = _change(alpha, load, cap, a, -res[a, j])
        for c in range(width):
            b = candidates[j, c]
            if not _open(lower, tabu_until, assign, limit, step, j, b):
                continue
            came, came_over = _change(alpha, load, cap, b, res[b, j])
            price = cost[b, j] - cost[a, j] + gone + came
            _capture(assign, kept, state, gone_over + came_over, cost[b, j] - cost[a, j], j, b, -1, -1)
            if price < best:
                best, length = price, 1
                move_jobs[0], move_to[0] = j, b
            for p in range(count[b]):
                k = members[b, p]
                if lower[a, k] > limit or tabu_until[a, k] > step:
                    continue
                at_a, over_a = _change(alpha, load, cap, a, res[a, k] - res[a, j])
                at_b, over_b = _change(alpha, load, cap, b, res[b, j] - res[b, k])
                delta = cost[b, j] + cost[a, k] - cost[a, j] - cost[b, k]
                _capture(assign, kept, state, over_a + over_b, delta, j, b, k, a)
                price = delta + at_a + at_b
                if price < best:
                    best, length = price, 2
                    move_jobs[0], move_to[0], move_jobs[1], move_to[1] = j, b, k, a
    return length


@njit(cache=True, nogil=True)
def _open(lower, tabu_until, assign, limit, step, job, agent):  # type: ignore[no-untyped-def]
    """May `job` move to `agent` (not its own, not tabu, a pair that can still improve the best)?"""
    return agent != assign[job] and lower[agent, job] <= limit and tabu_until[agent, job] <= step


@njit(cache=True, nogil=True)
def _first_improving(  # type: ignore[no-untyped-def]
    cost, res, cap, lower, candidates, assign, load, members, count, alpha, tabu_until, state,
    step, limit, cheapest, move_jobs, move_to, path_jobs, path_to, used, top_value, top_job, depth, breadth,
):  # fmt: skip
    """The first move that lowers pcost (shift, then swap, then ejection chain; jobs from a random first
    one), as shifts into `move_jobs` / `move_to`; returns its length (0 at a local optimum)."""
    n = cost.shape[1]
    width = candidates.shape[1]
    first = np.random.randint(n)
    # shifts (a tabu one only by aspiration: a feasible solution cheaper than the best)
    for s in range(n):
        j = (first + s) % n
        a = assign[j]
        gone, gone_over = _change(alpha, load, cap, a, -res[a, j])
        for c in range(width):
            i = candidates[j, c]
            if i == a or lower[i, j] > limit:
                continue
            came, came_over = _change(alpha, load, cap, i, res[i, j])
            delta = cost[i, j] - cost[a, j]
            if tabu_until[i, j] > step:
                if state[_OVER] + gone_over + came_over > EPS or state[_COST] + delta >= state[_BEST_COST] - 0.5:
                    continue
            elif delta + gone + came >= -EPS:
                continue
            move_jobs[0], move_to[0] = j, i
            return 1
    # swaps: j to a candidate agent b, one of b's jobs k back to j's agent a
    for s in range(n):
        j = (first + s) % n
        a = assign[j]
        for c in range(width):
            b = candidates[j, c]
            if not _open(lower, tabu_until, assign, limit, step, j, b):
                continue
            for p in range(count[b]):
                k = members[b, p]
                if lower[a, k] > limit or tabu_until[a, k] > step:
                    continue
                delta = cost[b, j] + cost[a, k] - cost[a, j] - cost[b, k]
                at_a, _ = _change(alpha, load, cap, a, res[a, k] - res[a, j])
                at_b, _ = _change(alpha, load, cap, b, res[b, j] - res[b, k])
                if delta + at_a + at_b < -EPS:
                    move_jobs[0], move_to[0], move_jobs[1], move_to[1] = j, b, k, a
                    return 2
    # ejection chains
    for s in range(n):
        j1 = (first + s) % n
        length = _chain_from(
            cost, res, cap, lower, candidates, assign, load, members, count, alpha, tabu_until,
            step, limit, cheapest, j1, move_jobs, move_to, path_jobs, path_to, used, top_value, top_job,
            depth, breadth,
        )  # fmt: skip
        if length > 0:
            return length
    return 0


@njit(cache=True, nogil=True)
def _close(cost, res, cap, lower, candidates, assign, load, alpha, tabu_until, step, limit, used, i1, i1_delta, job):  # type: ignore[no-untyped-def]
    """The cheapest place for the last ejected `job` among its candidates that the chain has not used (its
    first agent `i1` allowed, whose load has already changed by `i1_delta`): (price, agent) or (inf, -1)."""
    width = candidates.shape[1]
    best, where = np.inf, -1
    for c in range(width):
        i = candidates[job, c]
        if i == assign[job] or lower[i, job] > limit or tabu_until[i, job] > step:
            continue
        if i == i1:
            after, _ = _change(alpha, load, cap, i, i1_delta + res[i, job])
            before, _ = _change(alpha, load, cap, i, i1_delta)
            price = cost[i, job] + after - before
        elif used[i]:
            continue
        else:
            came, _ = _change(alpha, load, cap, i, res[i, job])
            price = cost[i, job] + came
        if price < best:
            best, where = price, i
    return best, where


@njit(cache=True, nogil=True)
def _chain_from(  # type: ignore[no-untyped-def]
    cost, res, cap, lower, candidates, assign, load, members, count, alpha, tabu_until,
    step, limit, cheapest, j1, move_jobs, move_to, path_jobs, path_to, used, top_value, top_job, depth, breadth,
):  # fmt: skip
    """An improving ejection chain that starts with job j1 leaving its agent, or 0."""
    width = candidates.shape[1]
    i1 = assign[j1]
    left_i1, _ = _change(alpha, load, cap, i1, -res[i1, j1])
    i1_delta = -res[i1, j1]
    for c in range(width):
        i2 = candidates[j1, c]
        if not _open(lower, tabu_until, assign, limit, step, j1, i2):
            continue
        base = cost[i2, j1] - cost[i1, j1] + left_i1
        kept = 0
        used[i1] = True
        used[i2] = True
        for p in range(count[i2]):
            j2 = members[i2, p]
            at_i2, _ = _change(alpha, load, cap, i2, res[i2, j1] - res[i2, j2])
            value = base + at_i2 - cost[i2, j2]  # the chain so far, j2 in the air
            if value + cheapest[j2] >= -EPS:
                continue
            price, i3 = _close(cost, res, cap, lower, candidates, assign, load, alpha, tabu_until, step, limit,
                               used, i1, i1_delta, j2)  # fmt: skip
            if i3 >= 0 and value + price < -EPS:
                move_jobs[0], move_to[0], move_jobs[1], move_to[1] = j1, i2, j2, i3
                used[i1] = False
                used[i2] = False
                return 2
            if kept < breadth:  # the best partial chains are grown further
                top_value[kept], top_job[kept] = value, j2
                kept += 1
            else:
                worst = 0
                for t in range(1, breadth):
                    if top_value[t] > top_value[worst]:
                        worst = t
                if value < top_value[worst]:
                    top_value[worst], top_job[worst] = value, j2
        for t in range(kept):
            path_jobs[0], path_to[0], path_jobs[1] = j1, i2, top_job[t]
            length = _grow(
                cost, res, cap, lower, candidates, assign, load, members, count, alpha, tabu_until, step, limit,
                cheapest, used, i1, i1_delta, top_value[t], path_jobs, path_to, move_jobs, move_to, depth,
            )  # fmt: skip
            if length > 0:
                used[i1] = False
                used[i2] = False
                return length
        used[i1] = False
        used[i2] = False
    return 0


@njit(cache=True, nogil=True)
def _grow(  # type: ignore[no-untyped-def]
    cost, res, cap, lower, candidates, assign, load, members, count, alpha, tabu_until, step, limit,
    cheapest, used, i1, i1_delta, value, path_jobs, path_to, move_jobs, move_to, depth,
):  # fmt: skip
    """Grow the partial chain path_jobs[0..1] (job path_jobs[1] in the air, worth `value` so far) one job
    per level, each time the best next (agent, ejected job); returns the length of the first improving
    closed chain, or 0. `used` marks the chain's agents (cleared again before returning)."""
    width = candidates.shape[1]
    level, found = 1, 0
    marked = np.empty(depth, dtype=np.int64)
    marks = 0
    while level + 1 < depth and found == 0:
        air = path_jobs[level]
        best_value, best_agent, best_job = np.inf, -1, -1
        for c in range(width):
            i = candidates[air, c]
            if used[i] or not _open(lower, tabu_until, assign, limit, step, air, i):
                continue
            for p in range(count[i]):
                k = members[i, p]
                at_i, _ = _change(alpha, load, cap, i, res[i, air] - res[i, k])
                partial = value + cost[i, air] + at_i - cost[i, k]
                if partial + cheapest[k] >= -EPS:
                    continue
                used[i] = True
                price, to = _close(cost, res, cap, lower, candidates, assign, load, alpha, tabu_until, step,
                                   limit, used, i1, i1_delta, k)  # fmt: skip
                used[i] = False
                if to >= 0 and partial + price < -EPS:
                    for t in range(level):
                        move_jobs[t], move_to[t] = path_jobs[t], path_to[t]
                    move_jobs[level], move_to[level] = air, i
                    move_jobs[level + 1], move_to[level + 1] = k, to
                    found = level + 2
                    break
                if partial < best_value:
                    best_value, best_agent, best_job = partial, i, k
            if found:
                break
        if found or best_agent < 0:
            break
        path_to[level] = best_agent
        path_jobs[level + 1] = best_job
        used[best_agent] = True
        marked[marks] = best_agent
        marks += 1
        value = best_value
        level += 1
    for t in range(marks):
        used[marked[t]] = False
    return found


@njit(cache=True, nogil=True)
def _relink(cost, res, cap, alpha, origin, guide, points):  # type: ignore[no-untyped-def]
    """`points` solutions at equal distances on a path from `origin` to `guide`: each step moves the job,
    among those still on another agent than in `guide`, whose move to its guide agent is cheapest in pcost."""
    m, n = cost.shape
    current = origin.copy()
    load = np.zeros(m)
    for j in range(n):
        load[current[j]] += res[current[j], j]
    differing = np.empty(n, dtype=np.int64)
    count = 0
    for j in range(n):
        if current[j] != guide[j]:
            differing[count] = j
            count += 1
    out = np.empty((points, n), dtype=np.int64)
    made = 0
    for step in range(1, count):
        best, pick = np.inf, -1
        for t in range(count):
            j = differing[t]
            if current[j] == guide[j]:
                continue
            a, b = current[j], guide[j]
            gone, _ = _change(alpha, load, cap, a, -res[a, j])
            came, _ = _change(alpha, load, cap, b, res[b, j])
            price = cost[b, j] - cost[a, j] + gone + came
            if price < best:
                best, pick = price, j
        a, b = current[pick], guide[pick]
        load[a] -= res[a, pick]
        load[b] += res[b, pick]
        current[pick] = b
        if made < points and step * (points + 1) >= (made + 1) * count:
            out[made] = current
            made += 1
    return out[:made]
