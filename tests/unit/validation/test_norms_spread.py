"""A person's clock-in / clock-out spread (`Norm.of`): robust to their odd days, and using every ordinary one."""

from __future__ import annotations

import random
import statistics

import pytest

from plexlabor.validation.norms import OFFSET_CLIP, Norm


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
