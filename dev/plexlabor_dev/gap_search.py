"""Local search for the generalized assignment problem: improve a feasible assignment.

A GAP gives each of n jobs to one of m agents, each agent's resource use within its capacity, at the
best total profit. `improve_assignment` starts from a feasible assignment and returns the best feasible
one it finds, never a worse one than the start. It is a tabu search over the assignments with capacity
allowed to overflow at a price (Yagiura, Ibaraki and Glover 2004; Díaz and Fernández 2001):

- the search minimises cost + sum over agents of `weight[i] * overload[i]`; while the assignment is
  infeasible each overloaded agent's weight grows, while it is feasible every weight shrinks (adaptive
  penalty), so the walk crosses infeasible regions and comes back;
- neighbourhoods, all evaluated at every step: shift (a job to another agent), swap (two jobs of two
  agents trade places) and ejection chains of length two (a job moves to an agent, which hands one of
  its jobs on to a third agent, the best for that job);
- a move that gives a job back to an agent it left within the last `tenure` steps is tabu, unless it
  is a shift that reaches a feasible assignment better than the best so far (aspiration);
- after `restart_after` steps without a new best, the walk restarts from an elite solution (one of the
  best few found) with a few jobs shifted at random.

Why written here: SciPy (HiGHS) has exact MILP solving but no GAP heuristic, and the other well-kept
libraries for it (OR-Tools' CP-SAT: measured no better in 10 s on two cores) are not dependencies. The
steps are compiled with Numba (a development dependency, like this package): a step loops over every
(job, agent) and (job, job) pair once, 0.1-0.3 ms at 20 x 100 to 20 x 200, 2-5 times faster than the
same search written as NumPy array operations (whose Python overhead per step dominated). Numba caches
the compiled code beside this file (`cache=True`); `compile_search()` compiles it ahead of a timed run.

Deterministic for a given `seed` when stopped by `max_steps`; a `deadline` makes the number of steps
depend on the machine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numba import njit
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

BLOCKED = 1e18
"""The price of a move that is not allowed (into a pair ruled out, or onto the job's own agent)."""
STEPS_PER_CALL = 32
"""Steps between two reads of the clock (one call into the compiled code)."""

# the search's state between calls into the compiled code (a float array, so one argument carries it)
_STEP, _BEST_COST, _SINCE_BEST, _IMPROVEMENTS, _ELITE_COUNT, _TARGET_COST, _WEIGHT_FLOOR, _COST = range(8)


@dataclass(frozen=True)
class SearchSettings:
    """The tabu search's parameters (defaults chosen on generated instances of OR-Library type D's shape,
    never on the benchmark files; other values within this range made no measurable difference)."""

    tenure_min: int = 2
    tenure_spread: int = 6
    """A pair stays tabu for tenure_min + a random number below tenure_spread steps (+ n / 20)."""
    weight_up: float = 0.10
    weight_down: float = 0.05
    """An overloaded agent's penalty weight is multiplied by 1 + weight_up each step, another's by
    1 - weight_down (never below `weight_floor` times the starting weight)."""
    weight_floor: float = 0.05
    restart_after: int = 400
    """Steps without a new best before the walk restarts from an elite solution."""
    elite: int = 5
    kick_jobs: int = 4
    """Jobs shifted at random (to allowed agents) when the walk restarts from an elite solution."""


@dataclass(frozen=True)
class SearchResult:
    assignment: IntArray
    """Agent index per job: the best feasible assignment found (the start if none was better)."""
    profit: int
    steps: int
    improvements: int


@dataclass
class _Problem:
    """The arrays the compiled steps read (costs = negated profits)."""

    cost: FloatArray
    resource: FloatArray
    capacity: FloatArray
    lower: FloatArray
    """A lower bound on the cost of any solution that uses the pair (-inf: no bound)."""


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


def improve_assignment(
    profit: NDArray[np.int64],
    resource: NDArray[np.int64],
    capacity: NDArray[np.int64],
    start: IntArray,
    *,
    pair_bound: FloatArray | None = None,
    target: int | None = None,
    deadline: float | None = None,
    max_steps: int = 20_000,
    seed: int = 0,
    settings: SearchSettings = SearchSettings(),
) -> SearchResult:
    """Maximise total profit from the feasible assignment `start` (agent per job).

    `pair_bound[i, j]`: an upper bound on the profit of any solution that gives job j to agent i (a
    Lagrangian bound); job j is never moved to agent i once that bound cannot beat the best found
    (profits are integers), so the search stays among the pairs that can still improve it. `target`: stop
    as soon as a solution reaches it (a proven upper bound on the optimum). Stops after `max_steps`
    steps or at `deadline` (`time.perf_counter()`). The compiled steps release the GIL, so walks in several
    threads run at once."""
    m, n = profit.shape
    start, start_cost = checked_start(profit, resource, capacity, start)
    problem = _Problem(
        -profit.astype(np.float64),
        resource.astype(np.float64),
        capacity.astype(np.float64),
        np.full((m, n), -np.inf) if pair_bound is None else -np.asarray(pair_bound, dtype=np.float64),
    )
    load = np.bincount(start, weights=problem.resource[start, np.arange(n)], minlength=m).astype(np.float64)
    if m < 2 or (target is not None and -start_cost >= target):
        return SearchResult(start.copy(), -round(start_cost), 0, 0)

    start_weight = float(np.abs(problem.cost).mean() / max(problem.resource.mean(), 1e-9))
    state = np.zeros(8)
    state[_BEST_COST] = state[_COST] = start_cost
    state[_ELITE_COUNT] = 1
    state[_TARGET_COST] = -np.inf if target is None else -float(target)
    state[_WEIGHT_FLOOR] = settings.weight_floor * start_weight
    params = np.array(
        [
            settings.tenure_min,
            settings.tenure_spread,
            settings.weight_up,
            settings.weight_down,
            settings.restart_after,
            settings.kick_jobs,
        ],
        dtype=np.float64,
    )
    assign, best = start.copy(), start.copy()
    weight = np.full(m, start_weight)
    tabu_until = np.zeros((m, n), dtype=np.int64)
    elite = np.zeros((max(settings.elite, 1), n), dtype=np.int64)
    elite[0] = start
    elite_cost = np.full(len(elite), np.inf)
    elite_cost[0] = start_cost
    _seed(seed)
    while int(state[_STEP]) < max_steps:
        if deadline is not None and time.perf_counter() > deadline:
            break
        steps = min(STEPS_PER_CALL, max_steps - int(state[_STEP]))
        arrays = (problem.cost, problem.resource, problem.capacity, problem.lower, assign, load, weight, tabu_until)
        if _steps(*arrays, best, elite, elite_cost, state, params, steps):
            break  # the target is reached
    return SearchResult(best, -round(state[_BEST_COST]), int(state[_STEP]), int(state[_IMPROVEMENTS]))


def compile_search() -> None:
    """Compile (or load from Numba's cache) the search's steps, so that a timed run does not pay for it."""
    rng = np.random.default_rng(0)
    resource = rng.integers(1, 10, size=(2, 6))
    improve_assignment(-resource, resource, np.full(2, 30), np.zeros(6, dtype=np.int64), max_steps=3)


# ---- the compiled steps --------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _seed(seed: int) -> None:
    np.random.seed(seed)


@njit(cache=True, nogil=True)
def _over(x: float) -> float:
    return x if x > 0.0 else 0.0


@njit(cache=True, nogil=True)
def _prices(cost, resource, capacity, lower, assign, load, weight, limit, ins, leave, over):
    """Penalised prices: `ins[i, j]` of putting job j on agent i (BLOCKED on its own agent and in a pair
    ruled out), `leave[j]` of taking j off its agent; `over[i]` each agent's overload. Returns the total
    overload."""
    m, n = cost.shape
    total = 0.0
    for i in range(m):
        over[i] = _over(load[i] - capacity[i])
        total += over[i]
    for j in range(n):
        a = assign[j]
        leave[j] = -cost[a, j] + weight[a] * (_over(load[a] - resource[a, j] - capacity[a]) - over[a])
        for i in range(m):
            if i == a or lower[i, j] > limit:
                ins[i, j] = BLOCKED
            else:
                ins[i, j] = cost[i, j] + weight[i] * (_over(load[i] + resource[i, j] - capacity[i]) - over[i])
    return total


@njit(cache=True, nogil=True)
def _best_shift(cost, resource, capacity, assign, load, ins, leave, over, tabu, total_over, cost_now, best_cost, move):
    """The best shift (job j to agent i) into `move` = (kind 0, j, -1, i); a tabu one only if it reaches a
    feasible assignment cheaper than the best (aspiration, preferred to any other move). Returns its price."""
    m, n = cost.shape
    best = BLOCKED
    for j in range(n):
        a = assign[j]
        for i in range(m):
            if ins[i, j] >= BLOCKED:
                continue
            price = ins[i, j] + leave[j]
            if tabu[i, j]:
                left = _over(load[a] - resource[a, j] - capacity[a])
                arrived = _over(load[i] + resource[i, j] - capacity[i])
                if total_over - over[a] - over[i] + left + arrived > 1e-9:
                    continue
                if cost_now + cost[i, j] - cost[a, j] >= best_cost - 0.5:
                    continue
                price -= BLOCKED / 1e3
            if price < best:
                best = price
                move[0], move[1], move[2], move[3] = 0, j, -1, i
    return best


@njit(cache=True, nogil=True)
def _onward(ins, tabu, first, second):
    """Each job's cheapest and second-cheapest open agent (not tabu, not blocked; -1 if none)."""
    m, n = ins.shape
    for j in range(n):
        f, s, fp, sp = -1, -1, BLOCKED, BLOCKED
        for i in range(m):
            p = ins[i, j]
            if p >= BLOCKED or tabu[i, j]:
                continue
            if p < fp:
                s, sp, f, fp = f, fp, i, p
            elif p < sp:
                s, sp = i, p
        first[j], second[j] = f, s


@njit(cache=True, nogil=True)
def _best_pair_move(cost, resource, capacity, assign, load, weight, ins, leave, over, tabu, best, move):
    """The best swap (j and k trade agents: kind 1) or ejection chain (j to k's agent b, k on to its best
    other agent c: kind 2) if cheaper than `best`, into `move` = (kind, j, k, c). Returns the best price."""
    n = cost.shape[1]
    first = np.empty(n, dtype=np.int64)
    second = np.empty(n, dtype=np.int64)
    _onward(ins, tabu, first, second)
    for j in range(n):
        a = assign[j]
        for k in range(n):
            b = assign[k]
            if b == a or ins[b, j] >= BLOCKED or tabu[b, j]:
                continue
            at_b = weight[b] * (_over(load[b] + resource[b, j] - resource[b, k] - capacity[b]) - over[b])
            c = first[k] if first[k] != a else second[k]
            if c >= 0:
                price = cost[b, j] + leave[j] + at_b - cost[b, k] + ins[c, k]
                if price < best:
                    best = price
                    move[0], move[1], move[2], move[3] = 2, j, k, c
            if k > j and ins[a, k] < BLOCKED and not tabu[a, k]:
                at_a = weight[a] * (_over(load[a] - resource[a, j] + resource[a, k] - capacity[a]) - over[a])
                price = cost[b, j] + cost[a, k] - cost[a, j] - cost[b, k] + at_a + at_b
                if price < best:
                    best = price
                    move[0], move[1], move[2], move[3] = 1, j, k, -1
    return best


@njit(cache=True, nogil=True)
def _shift_job(cost, resource, assign, load, tabu_until, job, agent, until, state):
    old = assign[job]
    tabu_until[old, job] = until
    load[old] -= resource[old, job]
    load[agent] += resource[agent, job]
    state[_COST] += cost[agent, job] - cost[old, job]
    assign[job] = agent


@njit(cache=True, nogil=True)
def _apply(cost, resource, assign, load, tabu_until, move, step, tenure, spread, state):
    kind, j, k, c = move[0], move[1], move[2], move[3]
    if kind == 0:
        _shift_job(cost, resource, assign, load, tabu_until, j, c, step + tenure + np.random.randint(spread), state)
        return
    a, b = assign[j], assign[k]
    _shift_job(cost, resource, assign, load, tabu_until, j, b, step + tenure + np.random.randint(spread), state)
    onward = a if kind == 1 else c
    _shift_job(cost, resource, assign, load, tabu_until, k, onward, step + tenure + np.random.randint(spread), state)


@njit(cache=True, nogil=True)
def _restart(cost, resource, lower, assign, load, elite, state, kick_jobs):
    """Restart from a random elite solution with `kick_jobs` random jobs on random allowed other agents."""
    m, n = cost.shape
    assign[:] = elite[np.random.randint(int(state[_ELITE_COUNT]))]
    limit = state[_BEST_COST] - 1.0 + 1e-6
    for job in np.random.permutation(n)[: min(kick_jobs, n)]:
        options = np.array([i for i in range(m) if i != assign[job] and lower[i, job] <= limit])
        if len(options):
            assign[job] = options[np.random.randint(len(options))]
    load[:] = 0.0
    state[_COST] = 0.0
    for j in range(n):
        load[assign[j]] += resource[assign[j], j]
        state[_COST] += cost[assign[j], j]


@njit(cache=True, nogil=True)
def _keep_best(assign, best, elite, elite_cost, state):
    """A new best: kept, and in the elite in place of the worst there (the elite are the last bests)."""
    best[:] = assign
    state[_BEST_COST] = state[_COST]
    state[_SINCE_BEST] = 0
    state[_IMPROVEMENTS] += 1
    count = int(state[_ELITE_COUNT])
    slot = count if count < len(elite) else int(np.argmax(elite_cost))
    elite[slot] = assign
    elite_cost[slot] = state[_COST]
    state[_ELITE_COUNT] = min(count + 1, len(elite))


@njit(cache=True, nogil=True)
def _steps(
    cost, resource, capacity, lower, assign, load, weight, tabu_until, best, elite, elite_cost, state, params, steps
):
    """Run `steps` steps of the search; True when a solution reaches the target cost."""
    m, n = cost.shape
    tenure, spread = int(params[0]) + n // 20, int(params[1])
    weight_up, weight_down, restart_after, kick_jobs = params[2], params[3], int(params[4]), int(params[5])
    ins, leave, over = np.empty((m, n)), np.empty(n), np.empty(m)
    tabu = np.empty((m, n), dtype=np.bool_)
    move = np.empty(4, dtype=np.int64)
    for _ in range(steps):
        state[_STEP] += 1
        step = int(state[_STEP])
        tabu[:] = tabu_until > step
        limit = state[_BEST_COST] - 1.0 + 1e-6  # a pair whose lower bound is above cannot improve the best
        total_over = _prices(cost, resource, capacity, lower, assign, load, weight, limit, ins, leave, over)
        now, best_cost = state[_COST], state[_BEST_COST]
        price = _best_shift(
            cost, resource, capacity, assign, load, ins, leave, over, tabu, total_over, now, best_cost, move
        )
        price = _best_pair_move(cost, resource, capacity, assign, load, weight, ins, leave, over, tabu, price, move)
        if price >= BLOCKED / 2:  # every move blocked
            state[_SINCE_BEST] = restart_after
        else:
            _apply(cost, resource, assign, load, tabu_until, move, step, tenure, spread, state)
        feasible = True
        for i in range(m):
            if load[i] > capacity[i] + 1e-9:  # dearer overload where it is; cheaper everywhere once all fits
                feasible = False
                weight[i] *= 1.0 + weight_up
        if feasible:
            for i in range(m):
                weight[i] = max(weight[i] * (1.0 - weight_down), state[_WEIGHT_FLOOR])
        state[_SINCE_BEST] += 1
        if feasible and state[_COST] < state[_BEST_COST] - 0.5:
            _keep_best(assign, best, elite, elite_cost, state)
            if state[_BEST_COST] <= state[_TARGET_COST]:
                return True
        if state[_SINCE_BEST] >= restart_after:
            _restart(cost, resource, lower, assign, load, elite, state, kick_jobs)
            tabu_until[:] = 0
            state[_SINCE_BEST] = 0
    return False
