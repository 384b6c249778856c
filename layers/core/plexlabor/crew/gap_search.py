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
libraries for it (OR-Tools' routing and CP-SAT) are not dependencies. The search is written with NumPy
so that every neighbourhood is one set of array operations per step (at most 20 x 200 here: an n x n
swap matrix of 40,000 entries costs well under a millisecond); a Python loop over moves would be
hundreds of times slower.

Deterministic for a given `seed` when stopped by `max_steps`; a `deadline` makes the number of steps
depend on the machine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

BLOCKED = 1e12
"""Added to the price of a move that is not allowed (tabu, or into a pair ruled out); never chosen."""
DEADLINE_CHECK_EVERY = 8
"""Steps between two reads of the clock."""


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


def _loads(assign: IntArray, resource: FloatArray, agents: int) -> FloatArray:
    """Each agent's resource use under `assign`."""
    return np.bincount(assign, weights=resource[assign, np.arange(len(assign))], minlength=agents).astype(float)


def _overload(load: FloatArray, capacity: FloatArray) -> FloatArray:
    return np.maximum(load - capacity, 0.0)


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
    steps or at `deadline` (`time.perf_counter()`)."""
    m, n = profit.shape
    jobs = np.arange(n)
    start = np.asarray(start, dtype=np.int64)
    capacity_f = capacity.astype(float)
    resource_f = resource.astype(float)
    if start.shape != (n,) or (start < 0).any() or (start >= m).any():
        raise ValueError(f"the start must give each of the {n} jobs an agent 0..{m - 1}")
    start_load = _loads(start, resource_f, m)
    if (_overload(start_load, capacity_f) > 0).any():
        raise ValueError("the start must be a feasible assignment of every job")
    cost = -profit.astype(float)
    best = start.copy()
    best_cost = float(cost[start, jobs].sum())
    entry_cost = _entry_cost(cost, pair_bound, best_cost)  # the price of moving a job in
    result = SearchResult(best, -round(best_cost), 0, 0)
    if m < 2 or (target is not None and -best_cost >= target):
        return result

    rng = np.random.default_rng(seed)
    tenure_base = settings.tenure_min + n // 20
    start_weight = float(np.abs(cost).mean() / max(resource_f.mean(), 1e-9))
    weight = np.full(m, start_weight)
    weight_floor = settings.weight_floor * start_weight
    elite: list[tuple[float, IntArray]] = [(best_cost, best.copy())]
    assign, load = start.copy(), start_load
    tabu_until = np.zeros((m, n), dtype=np.int64)
    since_best, improvements, step = 0, 0, 0
    neighbourhood = _Neighbourhood(resource_f, capacity_f)
    for step in range(1, max_steps + 1):
        if deadline is not None and step % DEADLINE_CHECK_EVERY == 0 and time.perf_counter() > deadline:
            break
        moves = neighbourhood.best_move(entry_cost, assign, load, weight, tabu_until > step, best_cost)
        if moves is None:  # every move blocked
            since_best = settings.restart_after
        for job, agent in moves or ():
            old = int(assign[job])
            tabu_until[old, job] = step + tenure_base + int(rng.integers(settings.tenure_spread))
            load[old] -= resource_f[old, job]
            load[agent] += resource_f[agent, job]
            assign[job] = agent
        overloaded = load > capacity_f + 1e-9
        if overloaded.any():  # dearer overload where it is; cheaper everywhere once all is feasible
            weight[overloaded] *= 1 + settings.weight_up
        else:
            weight = np.maximum(weight * (1 - settings.weight_down), weight_floor)
        since_best += 1
        if not overloaded.any():
            value = float(cost[assign, jobs].sum())
            if value < best_cost - 0.5:
                best, best_cost, since_best = assign.copy(), value, 0
                improvements += 1
                entry_cost = _entry_cost(cost, pair_bound, best_cost)
                _keep_elite(elite, value, best, settings.elite)
                if target is not None and -best_cost >= target:
                    break
        if since_best >= settings.restart_after:
            assign = _kick(elite[int(rng.integers(len(elite)))][1], entry_cost, rng, settings.kick_jobs)
            load = _loads(assign, resource_f, m)
            tabu_until[:] = 0
            since_best = 0
    return SearchResult(best, -round(best_cost), step, improvements)


class _Neighbourhood:
    """Finds the best move from an assignment. The n x n matrices are computed into buffers kept from
    step to step (a fresh 320 kB array per operation costs a page-mapping round trip each time)."""

    def __init__(self, resource: FloatArray, capacity: FloatArray) -> None:
        n = resource.shape[1]
        self.resource, self.capacity = resource, capacity
        self.jobs = np.arange(n)
        self.change = np.empty((n, n))
        self.penalty = np.empty((n, n))
        self.swap = np.empty((n, n))
        self.chain = np.empty((n, n))

    def best_move(
        self,
        entry_cost: FloatArray,
        assign: IntArray,
        load: FloatArray,
        weight: FloatArray,
        tabu: NDArray[np.bool_],
        best_cost: float,
    ) -> list[tuple[int, int]] | None:
        """The best move from `assign` as (job, new agent) pairs, by penalised cost (cost + weight .
        overload); None if all are blocked. A tabu move (giving a job back to an agent it left) is taken
        only when it is a shift that reaches a feasible assignment better than `best_cost`."""
        resource, capacity, jobs = self.resource, self.capacity, self.jobs
        over = _overload(load, capacity)
        own_cost, own_res = entry_cost[assign, jobs], resource[assign, jobs]
        own_weight, own_over = weight[assign], over[assign]
        room = capacity[assign] - load[assign] + own_res  # what j's agent has left once j is gone
        leave = own_weight * (np.maximum(-room, 0.0) - own_over) - own_cost  # j leaves its agent

        # shift: job j to agent i
        over_in = _overload(load[:, None] + resource, capacity[:, None]) - over[:, None]  # (m, n)
        insert = entry_cost + weight[:, None] * over_in  # penalised price of putting j on i
        insert[assign, jobs] = BLOCKED
        open_insert = insert + BLOCKED * tabu
        shift = open_insert + leave
        feasible_after = (float(over.sum()) + over_in + (np.maximum(-room, 0.0) - own_over)) <= 1e-9
        shift_cost = np.where(feasible_after, own_cost.sum() + entry_cost - own_cost, np.inf)
        shift_cost[assign, jobs] = np.inf
        aspiring = np.where(shift_cost < best_cost - 0.5, shift_cost - best_cost - BLOCKED, np.inf)

        # swap and chain from one matrix: change[j, k] = the penalised change at j's agent a when j
        # leaves and k arrives (BLOCKED when k may not go to a: same agent, tabu, or ruled out)
        arrival = entry_cost + BLOCKED * tabu
        arrival[assign, jobs] = BLOCKED
        change, penalty = self.change, self.penalty
        np.take(resource, assign, axis=0, out=penalty)
        np.subtract(penalty, room[:, None], out=penalty)
        np.maximum(penalty, 0.0, out=penalty)
        np.multiply(penalty, own_weight[:, None], out=penalty)
        np.take(arrival, assign, axis=0, out=change)
        np.add(change, penalty, out=change)
        np.subtract(change, (own_weight * own_over + own_cost)[:, None], out=change)
        swap = np.add(change, change.T, out=self.swap)  # j and k trade agents
        # ejection chain: j to b (k's agent), k on to the best other agent c (neither a nor b):
        # onward[i, k] = the best price of k on an agent other than i and k's own
        first = np.argmin(open_insert, axis=0)
        first_price = open_insert[first, jobs]
        open_insert[first, jobs] = BLOCKED
        second = np.argmin(open_insert, axis=0)
        onward = np.broadcast_to(first_price, insert.shape).copy()
        onward[first, jobs] = open_insert[second, jobs]
        chain = np.take(onward, assign, axis=0, out=self.chain)
        np.add(chain, change.T, out=chain)
        np.add(chain, leave[:, None], out=chain)

        options = (shift, swap, chain, aspiring)
        places = [int(np.argmin(option)) for option in options]
        lowest = [float(option.flat[place]) for option, place in zip(options, places, strict=True)]
        kind = int(np.argmin(lowest))
        if lowest[kind] >= BLOCKED / 2:
            return None
        x, y = (int(v) for v in np.unravel_index(places[kind], options[kind].shape))
        if kind in (0, 3):
            return [(y, x)]
        if kind == 2:
            onward_agent = int(second[y]) if first[y] == assign[x] else int(first[y])
            return [(x, int(assign[y])), (y, onward_agent)]
        return [(x, int(assign[y])), (y, int(assign[x]))]


def _entry_cost(cost: FloatArray, pair_bound: FloatArray | None, best_cost: float) -> FloatArray:
    """`cost`, BLOCKED where a pair's bound shows it cannot be in a solution better than `best_cost`."""
    if pair_bound is None:
        return cost
    return np.where(pair_bound >= -best_cost + 1 - 1e-6, cost, BLOCKED)


def _keep_elite(elite: list[tuple[float, IntArray]], cost: float, assignment: IntArray, size: int) -> None:
    if any((assignment == kept).all() for _, kept in elite):
        return
    elite.append((cost, assignment.copy()))
    elite.sort(key=lambda item: item[0])
    del elite[size:]


def _kick(assignment: IntArray, entry_cost: FloatArray, rng: np.random.Generator, count: int) -> IntArray:
    """A copy of `assignment` with `count` random jobs shifted to random allowed agents (may overload)."""
    kicked = assignment.copy()
    for job in rng.choice(len(kicked), size=min(count, len(kicked)), replace=False):
        open_agents = np.flatnonzero((entry_cost[:, job] < BLOCKED / 2) & (np.arange(len(entry_cost)) != kicked[job]))
        if len(open_agents):
            kicked[job] = int(rng.choice(open_agents))
    return kicked
