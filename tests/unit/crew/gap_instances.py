"""Generated GAP instances for the search tests: Chu and Beasley's type D shape with a feasible start, and
the checks (value, feasibility, the brute-force optimum of a small instance)."""

from __future__ import annotations

import itertools

import numpy as np


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
