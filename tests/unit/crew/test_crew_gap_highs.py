"""The tuned GAP solver's MILPs on HiGHS through highspy: they start from the best assignment found, take the better
ones the search finds while HiGHS works and hand theirs back (plexlabor_dev.gap._milp_over, _Incumbent), and a
search walk runs beside them."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from plexlabor_dev import gap
from plexlabor_dev.gap import GapProblem, _descent, _greedy_and_descent, _Incumbent, _milp_over, chu_beasley_type_d
from plexlabor_dev.gap_ejection import SearchResult, relink_search


def _every_pair(problem: GapProblem) -> tuple[np.ndarray, np.ndarray]:
    agents, jobs = np.divmod(np.arange(problem.agents * problem.jobs), problem.jobs)
    return agents.astype(np.int64), jobs.astype(np.int64)


def test_the_incumbent_keeps_only_a_better_feasible_assignment() -> None:
    problem = GapProblem("two", np.array([[3, 1], [1, 3]]), np.ones((2, 2), dtype=np.int64), np.full(2, 1))
    incumbent = _Incumbent(problem, np.array([1, 0]))  # worth 2

    assert not incumbent.offer(np.array([0, 0]))  # worth 4 but agent 0 over its capacity of 1
    assert incumbent.offer(np.array([0, 1]))  # worth 6
    assert not incumbent.offer(np.array([1, 0]))
    assignment, value = incumbent.best()
    assert assignment.tolist() == [0, 1] and value == 6


def test_highs_starts_from_the_incumbent() -> None:
    """With almost no time HiGHS has not found a solution of its own on a 20 x 100 type-D instance: what it returns
    is the start it was given (or better)."""
    problem = chu_beasley_type_d(20, 100, 5)
    start = _greedy_and_descent(problem)
    assert start is not None
    agents, jobs = _every_pair(problem)

    status, assignment, _ = _milp_over(problem, agents, jobs, 0.001, _Incumbent(problem, start))

    assert status == 1  # the time limit
    assert assignment is not None and problem.is_feasible(assignment)
    assert problem.value(assignment) >= problem.value(start)


def test_highs_takes_a_better_solution_found_while_it_works_and_hands_its_own_back() -> None:
    """A solution offered to the incumbent while HiGHS runs (as the search beside it does) reaches HiGHS through its
    user-solution callback: HiGHS returns it or better, far better than it finds alone in the time."""
    problem = chu_beasley_type_d(20, 100, 5)
    start = _greedy_and_descent(problem)
    assert start is not None
    good = relink_search(problem.profit, problem.resource, problem.capacity, start, max_optima=3000, seed=1)
    assert good.profit > problem.value(start)
    incumbent = _Incumbent(problem, start)
    agents, jobs = _every_pair(problem)
    offer = threading.Timer(0.3, incumbent.offer, args=(good.assignment,))
    offer.start()

    _, assignment, _ = _milp_over(problem, agents, jobs, 1.5, incumbent)

    offer.join()
    assert assignment is not None and problem.value(assignment) >= good.profit
    assert incumbent.best()[1] >= good.profit


def test_a_walk_runs_beside_the_milps_and_starts_from_the_best_then(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a time limit, one thread searches while HiGHS solves (SEARCH_BESIDE_MILPS); its better solution is
    the solver's answer, and each walk starts from the best found when it starts."""
    problem = chu_beasley_type_d(5, 40, 3)
    greedy = _greedy_and_descent(problem)
    assert greedy is not None
    better = _descent(problem, relink_search(problem.profit, problem.resource, problem.capacity, greedy,
                                             max_optima=500).assignment)  # fmt: skip
    milp_started, milp_running = threading.Event(), threading.Event()
    walks_during_milp: list[bool] = []

    def milp(*_args: object, **_kw: object) -> tuple[int, None, None]:
        milp_running.set()
        milp_started.set()
        time.sleep(0.6)
        milp_running.clear()
        return 1, None, None  # time limit, nothing found

    def walk(*arrays: np.ndarray, **_kw: object) -> SearchResult:
        milp_started.wait(2.0)  # a walk begun beside the MILPs may start before HiGHS does
        walks_during_milp.append(milp_running.is_set())
        time.sleep(0.05)
        return SearchResult(better.copy(), problem.value(better), 1, 1)

    monkeypatch.setattr(gap, "_milp_over", milp)
    monkeypatch.setattr(gap, "relink_search", walk)
    monkeypatch.setattr(gap, "SEARCH_BESIDE_MILPS", True)

    solution = gap.solve_gap(problem, time_limit=2.0, subgradient_iterations=3)

    assert any(walks_during_milp)
    assert solution.objective is not None and solution.objective >= problem.value(better)


def test_a_walk_stops_when_asked() -> None:
    """The walk beside the MILPs stops once they have proven their best optimal (the event), not at the deadline."""
    problem = chu_beasley_type_d(10, 100, 7)
    start = _greedy_and_descent(problem)
    assert start is not None
    stop = threading.Event()
    stop.set()
    began = time.perf_counter()

    result = relink_search(problem.profit, problem.resource, problem.capacity, start,
                           deadline=began + 30, max_optima=10_000_000, stop=stop)  # fmt: skip

    assert time.perf_counter() - began < 3
    assert problem.is_feasible(result.assignment)
