"""A person's clock-in / clock-out spread (`Norm.of`): robust to their odd days, and using every ordinary one; then
shrunk towards the plant's spreads (`shrunk_spreads`)."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from plexlabor.validation.norms import OFFSET_CLIP, Norm, shrunk_spreads


def test_the_clipped_spread_leaves_the_odd_days_out() -> None:
    # Given 60 ordinary days of a habit 3 min wide about 2 min early, and 3 days an hour late
    rng = random.Random(7)
    ordinary = [rng.gauss(-2, 3) for _ in range(60)]
    norm = Norm.of([*ordinary, 60.0, 61.0, 62.0], 1.0, OFFSET_CLIP)
    assert norm is not None
    # Then the spread is the ordinary days' (the odd ones left out), and the median theirs
    assert norm.sigma == pytest.approx(statistics.pstdev(ordinary), rel=0.1)
    assert norm.median == pytest.approx(statistics.median(ordinary), abs=0.5)


def test_the_clipped_spread_errs_less_than_the_mad_on_a_normal_habit() -> None:
    # Given 200 people of 50 shifts each, every habit 3 min wide (a near miss: without the clip, the MAD)
    rng = random.Random(11)
    errors: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(200):
        days = [rng.gauss(0, 3) for _ in range(50)]
        for clipped in (True, False):
            norm = Norm.of(days, 1.0, OFFSET_CLIP if clipped else None)
            assert norm is not None
            errors[clipped].append(abs(norm.sigma / 3 - 1))
    # Then both are about right, and the clipped one errs less
    assert statistics.mean(errors[True]) < 0.1
    assert statistics.mean(errors[True]) < 0.8 * statistics.mean(errors[False])


def test_a_habit_with_no_spread_keeps_the_floor() -> None:
    norm = Norm.of([5.0] * 20, 1.0, OFFSET_CLIP)
    assert norm is not None and (norm.median, norm.sigma) == (5.0, 1.0)


def _people(rng: random.Random, count: int, shifts: int = 55) -> dict[str, tuple[float, list[float], float]]:
    """People whose spreads come from 1.5-4.5 min, each with `shifts` ordinary days and now and then an odd one."""
    people = {}
    for number in range(count):
        spread = rng.uniform(1.5, 4.5)
        days = [rng.gauss(0, spread) if rng.random() > 0.03 else rng.uniform(20, 60) for _ in range(shifts)]
        people[f"E{number}"] = (statistics.median(days), days, spread)
    return people


def test_the_shrunk_spread_errs_less_than_each_persons_own() -> None:
    # Given 300 people of 55 shifts, spreads between 1.5 and 4.5 min, a few odd days among them
    people = _people(random.Random(5), 300)
    shrunk = shrunk_spreads({e: (median, days) for e, (median, days, _) in people.items()})

    def error(estimate: float, spread: float) -> float:
        return abs(math.log(estimate / spread))

    own = [error(Norm.of(days, 1.0, OFFSET_CLIP).sigma, spread) for _, days, spread in people.values()]  # type: ignore[union-attr]
    ours = [error(shrunk[e], spread) for e, (_, _, spread) in people.items()]
    # Then the plant's spreads pull each estimate nearer the truth than the person's own clipped spread
    assert statistics.mean(ours) < 0.95 * statistics.mean(own)  # 0.90 here; 0.82-0.94 over seeds 1-7


def test_an_extreme_spread_is_pulled_towards_the_plants() -> None:
    # Given 200 people whose spread is 3 min, and one whose 55 days happen to read 4 min wide
    rng = random.Random(9)
    own = {f"E{n}": (0.0, [rng.gauss(0, 3) for _ in range(55)]) for n in range(200)}
    wide = [rng.gauss(0, 1) for _ in range(55)]
    mean = statistics.fmean(wide)
    own["X"] = (0.0, [4 * (v - mean) / statistics.pstdev(wide) for v in wide])
    shrunk = shrunk_spreads(own)
    # Then their spread lies between their own and the plant's, nearer the plant's
    assert 3.0 < shrunk["X"] < 3.5


def test_odd_days_weigh_little_on_the_shrunk_spread() -> None:
    # Given a plant of people 2-4 min wide, one of them 2 min wide with three days an hour late
    rng = random.Random(3)
    own = {f"E{n}": (0.0, [rng.gauss(0, rng.uniform(2, 4)) for _ in range(55)]) for n in range(100)}
    ordinary = [rng.gauss(0, 2) for _ in range(55)]
    own["X"] = (statistics.median(ordinary), [*ordinary, 60.0, 61.0, 62.0])
    # Then their spread is the ordinary days'
    assert shrunk_spreads(own)["X"] == pytest.approx(statistics.pstdev(ordinary), rel=0.15)
