"""OR-Library GAP: the parser, the tuned solver against brute force and the plain MILP, gap1 problem 1."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from plexlabor_dev.gap import (
    OPTIMA_FILE,
    SEARCH_RESTARTS,
    SEARCH_THREADS,
    GapProblem,
    _Incumbent,
    _searches,
    compile_kernels,
    default_gap_dir,
    parse_gap_text,
    read_gap_file,
    read_optima,
    solve_gap,
    solve_gap_plain,
)
from plexlabor_dev.gap_ejection import SearchResult

SMALL = """
2
 2 3
 5 4 3
 2 6 4
 2 3 2
 3 2 2
 4 4
 3 4
 9 8 7 6
 6 7 8 9
 5 5 5 5
 1 1 1 1
 1 1 1 1
 1 1 1 1
 2 2 1
"""
"""Two problems: 2 agents x 3 jobs, and 3 agents x 4 jobs whose capacities (2, 2, 1) force a spread."""


def brute_force(problem: GapProblem) -> int | None:
    """The best value over every assignment (maximisation; a minimisation file's costs are held negated)."""
    best = None
    for assignment in itertools.product(range(problem.agents), repeat=problem.jobs):
        a = np.array(assignment)
        if problem.is_feasible(a):
            value = problem.value(a)
            best = value if best is None else max(best, value)
    return best


def test_parser_reads_every_problem_of_a_file() -> None:
    first, second = parse_gap_text(SMALL, "small.txt")
    assert first.name == "small.txt#1" and (first.agents, first.jobs) == (2, 3)
    assert first.profit.tolist() == [[5, 4, 3], [2, 6, 4]]
    assert first.resource.tolist() == [[2, 3, 2], [3, 2, 2]]
    assert first.capacity.tolist() == [4, 4]
    assert (second.agents, second.jobs) == (3, 4) and second.capacity.tolist() == [2, 2, 1]


def test_parser_refuses_a_truncated_or_padded_file() -> None:
    with pytest.raises(ValueError, match="problem 2 ends early"):
        parse_gap_text(SMALL.strip().rsplit("\n", 2)[0], "cut.txt")
    with pytest.raises(ValueError, match="left after 2 problems"):
        parse_gap_text(SMALL + " 7", "long.txt")
    with pytest.raises(ValueError, match="non-integer"):
        parse_gap_text("1 1 1 x", "bad.txt")


@pytest.mark.parametrize("index", [0, 1])
def test_tuned_and_plain_solvers_agree_with_brute_force(index: int) -> None:
    problem = parse_gap_text(SMALL)[index]
    expected = brute_force(problem)
    for solution in (solve_gap(problem), solve_gap_plain(problem)):
        assert solution.objective == expected and solution.proven_optimal
        assert solution.assignment is not None and problem.is_feasible(np.array(solution.assignment))


def test_random_instances_match_the_plain_milp() -> None:
    rng = np.random.default_rng(11)
    for k in range(12):
        m, n = int(rng.integers(2, 5)), int(rng.integers(4, 12))
        resource = rng.integers(5, 26, size=(m, n))
        problem = GapProblem(
            f"random#{k}",
            rng.integers(10, 51, size=(m, n)),
            resource,
            (resource.sum(axis=1) * 0.8 / m).astype(np.int64) + 5,
        )
        tuned, plain = solve_gap(problem), solve_gap_plain(problem)
        assert tuned.objective == plain.objective
        assert tuned.proven_optimal == plain.proven_optimal


def test_an_infeasible_instance_has_no_objective() -> None:
    problem = GapProblem("tight#1", np.array([[5, 5]]), np.array([[3, 3]]), np.array([4]))
    solution = solve_gap(problem)
    assert solution.objective is None and not solution.proven_optimal


def test_gap1_problem_1_reaches_336() -> None:
    path = default_gap_dir() / "gap1.txt"
    if not path.is_file():
        pytest.skip(f"OR-Library data not found at {path} (set PLEXLABOR_GAP_DIR to the gap folder)")
    problem = read_gap_file(path)[0]
    optimum = read_optima(default_gap_dir() / OPTIMA_FILE).values[("gap1.txt", 1)]
    solution = solve_gap(problem)
    assert optimum == 336
    assert solution.objective == 336 and solution.proven_optimal and solution.upper_bound == 336


@pytest.mark.parametrize("index", [0, 1])
def test_a_minimisation_file_is_solved_to_its_least_cost(index: int) -> None:
    problem = parse_gap_text(SMALL, "small.txt", minimise=True)[index]
    assert problem.profit.tolist()[0][0] < 0  # held as negated costs
    least_cost = problem.in_file_sense(brute_force(problem))  # type: ignore[arg-type]
    assert least_cost == (14, 24)[index]
    for solution in (solve_gap(problem), solve_gap_plain(problem)):
        assert solution.objective is not None and problem.in_file_sense(solution.objective) == least_cost
        assert solution.proven_optimal and solution.upper_bound is not None
        assert problem.in_file_sense(solution.upper_bound) == least_cost  # the bound is a lower bound on cost


def test_gapa_problem_1_reaches_its_published_least_cost() -> None:
    folder = default_gap_dir("gap-large")
    if not (folder / "gapa.txt").is_file():
        pytest.skip(f"OR-Library GAP types A-D not found in {folder}")
    optima = read_optima(folder / OPTIMA_FILE)
    problem = read_gap_file(folder / "gapa.txt", minimise=optima.minimise)[0]
    solution = solve_gap(problem, time_limit=20)
    assert optima.minimise and optima.values[("gapa.txt", 1)] == 1698
    assert solution.objective is not None and problem.in_file_sense(solution.objective) == 1698
    assert solution.proven_optimal


def test_a_milp_solution_cut_short_is_improved_over_all_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    """HiGHS stopped by its time limit only saw the kept pairs: solve_gap descends over all of them."""
    rng = np.random.default_rng(7)
    problem = GapProblem(
        "loose", rng.integers(1, 50, size=(3, 8)), np.ones((3, 8), dtype=np.int64), np.full(3, 8, dtype=np.int64)
    )
    worst = np.argmin(problem.profit, axis=0).astype(np.int64)  # feasible (capacities hold every job)
    monkeypatch.setattr("plexlabor_dev.gap._greedy_and_descent", lambda _: worst.copy())
    monkeypatch.setattr("plexlabor_dev.gap._milp_over", lambda *_args, **_kw: (1, worst.copy(), None))  # 1: time limit

    solution = solve_gap(problem, time_limit=5, subgradient_iterations=0)

    assert solution.objective == problem.profit.max(axis=0).sum()  # every job moved to its best agent
    assert solution.assignment is not None and problem.is_feasible(np.array(solution.assignment))


def test_with_a_time_limit_the_search_improves_what_the_milp_left(monkeypatch: pytest.MonkeyPatch) -> None:
    """A MILP cut short by its time limit hands its best to the ejection-chain search, which only improves it."""
    rng = np.random.default_rng(21)
    resource = rng.integers(1, 101, size=(5, 40))
    problem = GapProblem(
        "type-d-shaped",
        -(111 - resource + rng.integers(-10, 11, size=(5, 40))),
        resource,
        (0.8 * resource.sum(axis=1) / 5).astype(np.int64),
        minimise=True,
    )
    early = solve_gap_plain(problem, 0.2)  # what HiGHS has after a fifth of a second
    assert early.assignment is not None
    left = np.array(early.assignment)
    monkeypatch.setattr("plexlabor_dev.gap._milp_over", lambda *_a, **_k: (1, left.copy(), None))  # 1: time limit
    monkeypatch.setattr("plexlabor_dev.gap._descent", lambda _problem, assignment: assignment)
    compile_kernels()  # a fresh checkout compiles the Numba kernels once: not within the timed solve

    solution = solve_gap(problem, time_limit=3, subgradient_iterations=5)

    assert "ejection-chain search" in solution.method
    assert any("ejection-chain search" in note for note in solution.notes)
    assert solution.assignment is not None and problem.is_feasible(np.array(solution.assignment))
    assert solution.objective is not None and solution.objective >= problem.value(left)
    assert solution.seconds < 4.0  # the limit, and a little for the last steps on a loaded machine


def test_the_search_restarts_new_walks_from_the_same_start_in_shares_of_the_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each thread runs SEARCH_RESTARTS walks one after the other (new seeds, all from the MILPs' best), each
    ending at an equal share of the time the thread has left, the last at the deadline."""
    problem = GapProblem("two", np.array([[3, 1], [1, 3]]), np.ones((2, 2), dtype=np.int64), np.full(2, 2))
    start = np.array([1, 0], dtype=np.int64)
    calls: list[tuple[int, float, list[int]]] = []

    def walk(*arrays: np.ndarray, seed: int, deadline: float, **_kw: object) -> SearchResult:
        calls.append((seed, deadline, arrays[3].tolist()))  # profit, resource, capacity, start
        return SearchResult(start.copy(), problem.value(start), 1, 0)

    monkeypatch.setattr("plexlabor_dev.gap.relink_search", walk)
    deadline = time.perf_counter() + 0.5

    results = _searches(problem, _Incumbent(problem, start), np.zeros((2, 2)), target=6, deadline=deadline)

    walks = SEARCH_THREADS * SEARCH_RESTARTS
    assert len(results) == walks
    assert sorted(seed for seed, _, _ in calls) == list(range(walks))
    assert all(begun == [1, 0] for _, _, begun in calls)
    for thread in range(SEARCH_THREADS):
        ends = [until for seed, until, _ in sorted(calls) if seed % SEARCH_THREADS == thread]
        assert ends == sorted(ends) and ends[-1] == pytest.approx(deadline)
        assert ends[0] < deadline - 0.3  # the first walk gets about a quarter of the half second


def test_a_thread_stops_restarting_once_a_walk_reaches_the_target(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = GapProblem("two", np.array([[3, 1], [1, 3]]), np.ones((2, 2), dtype=np.int64), np.full(2, 2))
    best = np.array([0, 1], dtype=np.int64)
    monkeypatch.setattr(
        "plexlabor_dev.gap.relink_search", lambda *_a, **_k: SearchResult(best.copy(), problem.value(best), 1, 0)
    )

    results = _searches(
        problem, _Incumbent(problem, best), np.zeros((2, 2)), target=6, deadline=time.perf_counter() + 5
    )

    assert len(results) == SEARCH_THREADS  # one walk per thread: each reached the target at once
