"""The GAP large-neighbourhood search (plexlabor.crew.gap_lns): feasible, never worse than its start, for
profits (maximisation) and for costs (minimisation, as negated profits), exact when the neighbourhood is
the whole problem (against brute force), deterministic for a seed, within its deadline, and out of the
pairs it is not allowed."""

from __future__ import annotations

import time

import numpy as np
import pytest

from plexlabor.crew.gap_lns import LnsSettings, improve_by_subproblems
from tests.unit.crew.test_crew_gap_search import brute_force, feasible, tight_instance, value


@pytest.mark.parametrize("neighbourhood", ["jobs", "agents"])
@pytest.mark.parametrize("minimise", [False, True])
@pytest.mark.parametrize(("agents", "jobs", "seed"), [(2, 30, 1), (5, 60, 2), (10, 100, 3)])
def test_the_result_is_feasible_and_never_worse_than_the_start(
    agents: int, jobs: int, seed: int, minimise: bool, neighbourhood: str
) -> None:
    profit, resource, capacity, start = tight_instance(agents, jobs, seed)
    if not minimise:  # the generator's costs as profits: the search must now seek the dear pairs
        profit = -profit
    settings = LnsSettings(neighbourhood=neighbourhood, subproblem_s=0.5)

    result = improve_by_subproblems(
        profit, resource, capacity, start, pair_score=profit.astype(float), max_rounds=6, seed=seed, settings=settings
    )

    assert feasible(resource, capacity, result.assignment)
    assert result.profit == value(profit, result.assignment) > value(profit, start)
    assert result.steps <= 6 and result.improvements >= 1


@pytest.mark.parametrize("seed", range(4))
def test_the_whole_problem_as_neighbourhood_reaches_the_brute_force_optimum(seed: int) -> None:
    profit, resource, capacity, start = tight_instance(3, 8, 200 + seed)
    whole = LnsSettings(agents_start=3, agents_min=3, agents_max=3, subproblem_s=30.0)

    result = improve_by_subproblems(profit, resource, capacity, start, max_rounds=2, seed=seed, settings=whole)

    assert result.profit == brute_force(profit, resource, capacity)


@pytest.mark.parametrize("neighbourhood", ["jobs", "agents"])
def test_the_same_seed_gives_the_same_search(neighbourhood: str) -> None:
    profit, resource, capacity, start = tight_instance(10, 60, 9)
    small = LnsSettings(neighbourhood=neighbourhood, agents_start=2, agents_max=3, jobs_start=10, subproblem_s=30.0)
    first, again = (
        improve_by_subproblems(profit, resource, capacity, start, pair_score=profit * 1.0, max_rounds=8, settings=small)
        for _ in range(2)
    )

    assert first.assignment.tolist() == again.assignment.tolist()
    assert (first.profit, first.steps, first.rounds_proven) == (again.profit, again.steps, again.rounds_proven)


def test_it_stops_at_the_deadline() -> None:
    profit, resource, capacity, start = tight_instance(20, 200, 5)
    started = time.perf_counter()

    slow = LnsSettings(subproblem_s=5.0)
    result = improve_by_subproblems(
        profit, resource, capacity, start, deadline=started + 0.5, max_rounds=10_000, settings=slow
    )

    assert time.perf_counter() - started < 1.5  # HiGHS stops a little after its limit
    assert feasible(resource, capacity, result.assignment) and result.profit >= value(profit, start)


def test_it_stays_in_the_allowed_pairs_and_stops_at_the_target() -> None:
    profit, resource, capacity, start = tight_instance(5, 60, 11)
    allowed = np.random.default_rng(0).random(profit.shape) < 0.5
    allowed[start, np.arange(60)] = True

    result = improve_by_subproblems(profit, resource, capacity, start, allowed=allowed, max_rounds=20)

    assert result.profit > value(profit, start)
    assert allowed[result.assignment, np.arange(60)].all()
    reached = improve_by_subproblems(profit, resource, capacity, start, target=value(profit, start) + 1, max_rounds=20)
    assert reached.profit >= value(profit, start) + 1 and reached.improvements == 1
    unmoved = improve_by_subproblems(profit, resource, capacity, start, target=value(profit, start), max_rounds=20)
    assert unmoved.steps == 0 and unmoved.assignment.tolist() == start.tolist()


def test_a_bad_start_is_refused() -> None:
    profit, resource, capacity, start = tight_instance(4, 20, 13)
    with pytest.raises(ValueError, match="feasible assignment"):
        improve_by_subproblems(profit, resource, capacity - 30, start)
    with pytest.raises(ValueError, match=r"each of the 20 jobs an agent 0\.\.3"):
        improve_by_subproblems(profit, resource, capacity, np.append(start[:-1], 4))
