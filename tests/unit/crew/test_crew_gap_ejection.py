"""Path relinking with ejection chains for the GAP (plexlabor_dev.gap_ejection): every returned solution
feasible and never worse than the start, exact on small instances (against brute force), the penalty
weights moved by Yagiura et al.'s rule, deterministic for a seed, and kept out of ruled-out pairs."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from plexlabor_dev import gap_ejection
from plexlabor_dev.gap import chu_beasley_type_d
from plexlabor_dev.gap_ejection import _BEST_COST, _COST, _FLOOR, _OPTIMA, _update_weights, relink_search
from tests.unit.crew.gap_instances import brute_force, feasible, tight_instance, value


@pytest.mark.parametrize(("agents", "jobs", "seed"), [(2, 30, 1), (5, 60, 2), (10, 100, 3), (20, 100, 4), (5, 200, 5)])
def test_the_result_is_feasible_and_better_than_a_random_start(agents: int, jobs: int, seed: int) -> None:
    profit, resource, capacity, start = tight_instance(agents, jobs, seed)

    result = relink_search(profit, resource, capacity, start, max_optima=300, seed=seed)

    assert feasible(resource, capacity, result.assignment)
    assert result.profit == value(profit, result.assignment) > value(profit, start)
    assert result.improvements >= 1 and result.steps > 0


def test_on_a_type_d_instance_it_keeps_feasible_and_improves_the_greedy() -> None:
    problem = chu_beasley_type_d(10, 100, 7)
    greedy = np.argmin(problem.resource / problem.capacity[:, None], axis=0)  # least share of capacity: fits
    assert problem.is_feasible(greedy)

    result = relink_search(problem.profit, problem.resource, problem.capacity, greedy, max_optima=2000)

    assert problem.is_feasible(result.assignment) and result.profit == problem.value(result.assignment)
    assert -result.profit < 0.98 * -problem.value(greedy)


@pytest.mark.parametrize("seed", range(8))
def test_small_instances_reach_the_brute_force_optimum(seed: int) -> None:
    profit, resource, capacity, start = tight_instance(3, 8, 100 + seed)
    optimum = brute_force(profit, resource, capacity)

    result = relink_search(profit, resource, capacity, start, target=optimum, max_optima=3000, seed=seed)

    assert result.profit == optimum and feasible(resource, capacity, result.assignment)


def test_weights_go_up_on_violated_agents_only_while_the_local_optimum_beats_the_best() -> None:
    capacity = np.array([10.0, 10.0, 10.0])
    load = np.array([14.0, 12.0, 9.0])  # agent 0 over by 4 (the most), agent 1 by 2, agent 2 within
    alpha = np.ones(3)
    state = np.zeros(9)
    state[_FLOOR] = 0.5
    state[_BEST_COST] = 100.0
    state[_COST] = 90.0  # the local optimum's cost: pcost 90 + 4 + 2 = 96 < 100

    _update_weights(load, capacity, alpha, state, 0.2, 0.1)

    assert alpha.tolist() == pytest.approx([1.2, 1.1, 1.0])  # up by 0.2 * overload / largest overload
    assert state[_OPTIMA] == 1

    state[_COST] = 98.0  # pcost 98 + 1.2 * 4 + 1.1 * 2 = 105 >= 100: every weight down by 10 %
    _update_weights(load, capacity, alpha, state, 0.2, 0.1)
    assert alpha.tolist() == pytest.approx([1.08, 0.99, 0.9])

    feasible_load = np.array([10.0, 8.0, 9.0])
    state[_COST] = 50.0  # feasible (a new best would be kept elsewhere): down, but never below the floor
    for _ in range(30):
        _update_weights(feasible_load, capacity, alpha, state, 0.2, 0.1)
    assert alpha.tolist() == pytest.approx([0.5, 0.5, 0.5])


def test_the_same_seed_gives_the_same_search() -> None:
    profit, resource, capacity, start = tight_instance(10, 100, 9)
    runs = [relink_search(profit, resource, capacity, start, max_optima=400, seed=s) for s in (3, 3, 4)]

    assert runs[0].assignment.tolist() == runs[1].assignment.tolist()
    assert (runs[0].profit, runs[0].steps) == (runs[1].profit, runs[1].steps)
    assert runs[0].steps != runs[2].steps or runs[0].assignment.tolist() != runs[2].assignment.tolist()


def test_it_never_enters_a_pair_whose_bound_cannot_beat_the_best() -> None:
    profit, resource, capacity, start = tight_instance(5, 60, 11)
    ruled_out = np.random.default_rng(0).random(profit.shape) < 0.5
    ruled_out[start, np.arange(60)] = False
    pair_bound = np.where(ruled_out, value(profit, start), 1e9)  # ruled-out pairs can only match the start

    result = relink_search(profit, resource, capacity, start, pair_bound=pair_bound, max_optima=500)

    assert result.profit > value(profit, start)
    assert not ruled_out[result.assignment, np.arange(60)].any()


def test_it_stops_at_the_target_and_refuses_a_bad_start() -> None:
    profit, resource, capacity, start = tight_instance(5, 60, 12)
    target = value(profit, start) + 1

    result = relink_search(profit, resource, capacity, start, target=target, max_optima=5000)
    unstopped = relink_search(profit, resource, capacity, start, max_optima=5000)

    assert result.profit >= target and 0 < result.steps < unstopped.steps / 10
    unmoved = relink_search(profit, resource, capacity, start, target=value(profit, start), max_optima=5000)
    assert unmoved.steps == 0 and unmoved.assignment.tolist() == start.tolist()
    with pytest.raises(ValueError, match="feasible assignment"):
        relink_search(profit, resource, capacity - 30, start)
    with pytest.raises(ValueError, match=r"each of the 60 jobs an agent 0\.\.4"):
        relink_search(profit, resource, capacity, np.append(start[:-1], 5))


def _counted_calls(monkeypatch: pytest.MonkeyPatch, seconds_per_reading: float) -> list[int]:
    """The local optima asked of each call into the compiled probe, under a clock that moves `seconds_per_reading`
    at each reading (a thread that gets little CPU: every call looks slow)."""
    clock = iter(seconds_per_reading * k for k in range(1, 1_000_000))
    monkeypatch.setattr(gap_ejection, "time", SimpleNamespace(perf_counter=lambda: next(clock)))
    asked: list[int] = []
    compiled = gap_ejection._probe

    def probe(*args: Any) -> bool:
        asked.append(int(args[-1]))
        return bool(compiled(*args))

    monkeypatch.setattr(gap_ejection, "_probe", probe)
    return asked


def test_a_walk_short_of_cpu_reads_the_clock_after_each_local_optimum(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a deadline, a call into the compiled code takes as many local optima as fit in CALL_SECONDS at the pace
    of the last call, and one in a walk's first call (its pace not known yet): when calls take a wall second, one each
    (a thread starved of CPU still reads the clock often and stops near its deadline)."""
    problem = chu_beasley_type_d(10, 100, 7)
    greedy = np.argmin(problem.resource / problem.capacity[:, None], axis=0)
    asked = _counted_calls(monkeypatch, 1.0)

    result = relink_search(problem.profit, problem.resource, problem.capacity, greedy, deadline=30.0, max_optima=10**6)

    assert problem.is_feasible(result.assignment)
    assert len(asked) > 3 and set(asked) == {1}


def test_without_a_deadline_the_calls_keep_their_full_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pace only matters against a deadline: a walk bounded by local optima alone (deterministic for a seed) asks
    OPTIMA_PER_CALL of every call, however slow the clock says they are."""
    problem = chu_beasley_type_d(10, 100, 7)
    greedy = np.argmin(problem.resource / problem.capacity[:, None], axis=0)
    asked = _counted_calls(monkeypatch, 1.0)

    relink_search(problem.profit, problem.resource, problem.capacity, greedy, max_optima=200)

    assert asked and set(asked) == {gap_ejection.OPTIMA_PER_CALL}


def test_each_better_solution_is_handed_on_as_it_is_found() -> None:
    problem = chu_beasley_type_d(10, 100, 7)
    greedy = np.argmin(problem.resource / problem.capacity[:, None], axis=0)
    handed: list[np.ndarray] = []

    result = relink_search(
        problem.profit, problem.resource, problem.capacity, greedy, max_optima=300, on_better=handed.append
    )

    values = [problem.value(assignment) for assignment in handed]
    assert len(handed) >= 2 and all(problem.is_feasible(assignment) for assignment in handed)
    assert values == sorted(set(values)) and values[0] > problem.value(greedy)
    assert np.array_equal(handed[-1], result.assignment)
