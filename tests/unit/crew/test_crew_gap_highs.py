"""The tuned GAP solver's MILPs on HiGHS through highspy: they start from the best assignment found, take the better
ones the search finds while HiGHS works and hand theirs back (plexlabor_dev.gap._milp_over, _Incumbent), and a
search walk runs beside them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

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
        milp_started.wait(10.0)  # a walk begun beside the MILPs may start before HiGHS does
        walks_during_milp.append(milp_running.is_set())
        time.sleep(0.05)
        return SearchResult(better.copy(), problem.value(better), 1, 1)

    monkeypatch.setattr(gap, "_milp_over", milp)
    monkeypatch.setattr(gap, "relink_search", walk)
    monkeypatch.setattr(gap, "SEARCH_BESIDE_MILPS", True)

    solution = gap.solve_gap(problem, time_limit=10.0, subgradient_iterations=3)

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


def test_after_the_milps_the_walks_start_from_highs_own_best(monkeypatch: pytest.MonkeyPatch) -> None:
    """The thread that searches after the MILPs starts each walk from HiGHS's solution, even when the walk beside
    found a better one (it keeps searching from that): two basins instead of one."""
    problem = chu_beasley_type_d(5, 40, 3)
    greedy = _greedy_and_descent(problem)
    assert greedy is not None
    from_highs = _descent(problem, relink_search(problem.profit, problem.resource, problem.capacity, greedy,
                                                 max_optima=300, seed=2).assignment)  # fmt: skip
    better = _descent(problem, relink_search(problem.profit, problem.resource, problem.capacity, from_highs,
                                             max_optima=2000, seed=3).assignment)  # fmt: skip
    assert problem.value(better) > problem.value(from_highs) > problem.value(greedy)
    starts: dict[int, list[list[int]]] = {0: [], 1: []}

    def milp(*_args: object, **_kw: object) -> tuple[int, np.ndarray, None]:
        time.sleep(0.3)
        return 1, from_highs.copy(), None  # time limit

    def walk(*arrays: np.ndarray, seed: int, **_kw: object) -> SearchResult:
        starts[seed % 2].append(arrays[3].tolist())
        time.sleep(0.05)
        found = better if seed % 2 else arrays[3]  # the walks beside (odd seeds) find the better one
        return SearchResult(found.copy(), problem.value(found), 1, 1)

    monkeypatch.setattr(gap, "_milp_over", milp)
    monkeypatch.setattr(gap, "relink_search", walk)
    monkeypatch.setattr(gap, "_descent", lambda _problem, assignment: assignment)
    monkeypatch.setattr(gap, "SEARCH_BESIDE_MILPS", True)

    solution = gap.solve_gap(problem, time_limit=10.0, subgradient_iterations=3)

    assert starts[0] and all(start == from_highs.tolist() for start in starts[0])
    assert solution.objective == problem.value(better)


def test_the_solver_does_not_wait_past_its_deadline_for_a_walk_beside_that_is_starved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The walk beside the MILPs runs at nice 19: on a loaded machine its call into the compiled code can end long
    after the deadline. The solver returns at its deadline with the better solution that walk handed on before."""
    problem = chu_beasley_type_d(5, 40, 3)
    greedy = _greedy_and_descent(problem)
    assert greedy is not None
    better = _descent(problem, relink_search(problem.profit, problem.resource, problem.capacity, greedy,
                                             max_optima=2000, seed=3).assignment)  # fmt: skip
    assert problem.value(better) > problem.value(greedy)
    released = threading.Event()

    def milp(*_args: object, **_kw: object) -> tuple[int, None, None]:
        return 1, None, None  # time limit, nothing found

    def walk(
        *arrays: np.ndarray, seed: int, on_better: Callable[[np.ndarray], object] | None = None, **_kw: object
    ) -> SearchResult:
        if seed % 2:  # beside the MILPs: hands on the better solution, then is stuck in a call
            if on_better is not None:
                on_better(better.copy())
            released.wait(5.0)
        return SearchResult(arrays[3].copy(), problem.value(arrays[3]), 1, 0)

    monkeypatch.setattr(gap, "_milp_over", milp)
    monkeypatch.setattr(gap, "relink_search", walk)
    monkeypatch.setattr(gap, "SEARCH_BESIDE_MILPS", True)

    try:
        solution = gap.solve_gap(problem, time_limit=1.0, subgradient_iterations=3)
    finally:
        released.set()

    assert solution.seconds < 1.5
    assert solution.objective == problem.value(better)
    assert any("not waited for" in note for note in solution.notes)
