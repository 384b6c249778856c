"""The GAP tabu search (plexlabor_dev.gap_search): feasible, never worse than its start, exact on small
instances (against brute force), deterministic for a seed, and it keeps out of the pairs it is told
cannot improve."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from plexlabor_dev.gap_search import improve_assignment


def tight_instance(agents: int, jobs: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Chu and Beasley's type D shape (cost = 111 - resource + noise, as negated profits) with capacities
    that just hold a random assignment, which is the start."""
    rng = np.random.default_rng(seed)
    resource = rng.integers(1, 101, size=(agents, jobs))
    profit = -(111 - resource + rng.integers(-10, 11, size=(agents, jobs)))
    start = rng.integers(0, agents, size=jobs)
    load = np.bincount(start, weights=resource[start, np.arange(jobs)], minlength=agents)
    capacity = load.astype(np.int64) + rng.integers(0, 20, size=agents)
    return profit, resource, capacity, start


def value(profit: np.ndarray, assignment: np.ndarray) -> int:
    return int(profit[assignment, np.arange(len(assignment))].sum())


def feasible(resource: np.ndarray, capacity: np.ndarray, assignment: np.ndarray) -> bool:
    load = np.bincount(assignment, weights=resource[assignment, np.arange(len(assignment))], minlength=len(capacity))
    return bool((load <= capacity).all())


def brute_force(profit: np.ndarray, resource: np.ndarray, capacity: np.ndarray) -> int:
    """The best value over every assignment (all agents**jobs of them, as one array)."""
    agents, jobs = profit.shape
    every = np.array(list(itertools.product(range(agents), repeat=jobs)))  # (agents**jobs, jobs)
    used = resource[every, np.arange(jobs)]
    loads = np.stack([(used * (every == agent)).sum(axis=1) for agent in range(agents)], axis=1)
    values = profit[every, np.arange(jobs)].sum(axis=1)
    return int(values[(loads <= capacity).all(axis=1)].max())


@pytest.mark.parametrize(("agents", "jobs", "seed"), [(2, 30, 1), (5, 60, 2), (10, 100, 3), (20, 100, 4), (5, 200, 5)])
def test_the_result_is_feasible_and_never_worse_than_the_start(agents: int, jobs: int, seed: int) -> None:
    profit, resource, capacity, start = tight_instance(agents, jobs, seed)

    result = improve_assignment(profit, resource, capacity, start, max_steps=300, seed=seed)

    assert feasible(resource, capacity, result.assignment)
    assert result.profit == value(profit, result.assignment) >= value(profit, start)
    assert result.profit > value(profit, start)  # a random start is never a local optimum here
    assert result.improvements >= 1 and result.steps <= 300


@pytest.mark.parametrize("seed", range(8))
def test_small_instances_reach_the_brute_force_optimum(seed: int) -> None:
    profit, resource, capacity, start = tight_instance(3, 8, 100 + seed)

    optimum = brute_force(profit, resource, capacity)

    result = improve_assignment(profit, resource, capacity, start, target=optimum, max_steps=3000, seed=seed)

    assert result.profit == optimum


def test_the_same_seed_gives_the_same_search() -> None:
    profit, resource, capacity, start = tight_instance(10, 100, 9)
    runs = [improve_assignment(profit, resource, capacity, start, max_steps=400, seed=s) for s in (3, 3, 4)]

    assert runs[0].assignment.tolist() == runs[1].assignment.tolist()
    first, again, other = ((run.profit, run.steps, run.improvements) for run in runs)
    assert first == again
    assert runs[0].assignment.tolist() != runs[2].assignment.tolist() or first != other  # another seed, another walk


def test_it_never_enters_a_pair_whose_bound_cannot_beat_the_best() -> None:
    profit, resource, capacity, start = tight_instance(5, 60, 11)
    ruled_out = np.random.default_rng(0).random(profit.shape) < 0.5
    ruled_out[start, np.arange(60)] = False  # the start's own pairs stay
    pair_bound = np.where(ruled_out, value(profit, start), 1e9)  # ruled-out pairs can only match the start

    result = improve_assignment(profit, resource, capacity, start, pair_bound=pair_bound, max_steps=500)

    assert result.profit > value(profit, start)
    assert not ruled_out[result.assignment, np.arange(60)].any()


def test_it_stops_at_the_target() -> None:
    profit, resource, capacity, start = tight_instance(5, 60, 12)
    target = value(profit, start) + 1

    result = improve_assignment(profit, resource, capacity, start, target=target, max_steps=5000)

    assert result.profit >= target and result.improvements == 1 and result.steps < 5000
    unmoved = improve_assignment(profit, resource, capacity, start, target=value(profit, start), max_steps=5000)
    assert unmoved.steps == 0 and unmoved.assignment.tolist() == start.tolist()


def test_a_bad_start_is_refused_and_one_agent_is_left_alone() -> None:
    profit, resource, capacity, start = tight_instance(4, 20, 13)
    with pytest.raises(ValueError, match="feasible assignment"):
        improve_assignment(profit, resource, capacity - 30, start)
    with pytest.raises(ValueError, match=r"each of the 20 jobs an agent 0\.\.3"):
        improve_assignment(profit, resource, capacity, np.append(start[:-1], 4))
    single = improve_assignment(profit[:1], resource[:1], np.array([resource[0].sum()]), np.zeros(20, dtype=np.int64))
    assert single.assignment.tolist() == [0] * 20 and single.steps == 0
