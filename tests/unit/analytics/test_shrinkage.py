"""Empirical-Bayes shrinkage and funnel limits on numbers whose answer is known."""

from __future__ import annotations

import numpy as np

from plexlabor.analytics.shrinkage import beta_binomial, effective_counts, normal_normal, rank_intervals


def test_a_low_volume_rate_is_pulled_to_the_plant_more_than_a_high_volume_one() -> None:
    # Given 40 people around a 5 % rate, one of them with 1 of 4 and one with 100 of 400 (both 25 %)
    rng = np.random.default_rng(1)
    trials = [200.0] * 40 + [4.0, 400.0]
    successes = [float(rng.binomial(200, rng.beta(20, 380))) for _ in range(40)] + [1.0, 100.0]
    # When shrunk
    fit = beta_binomial(successes, trials)
    small, large = fit.estimates[-2], fit.estimates[-1]
    # Then the low-volume one is near the plant's rate, the high-volume one stays high, both inside their intervals
    assert abs(small.estimate - fit.target) < abs(large.estimate - fit.target)
    assert small.estimate < 0.1 < large.estimate
    assert all(e.low <= e.estimate <= e.high for e in fit.estimates)
    # And the funnel is wider at low volume; the high-volume 25 % is outside it, the 1 of 4 is not
    assert small.funnel_high - small.funnel_low > large.funnel_high - large.funnel_low
    assert large.outside_funnel == "high" and small.outside_funnel is None


def test_rates_where_nothing_happened_and_no_people_do_not_fail() -> None:
    assert beta_binomial([0.0, 0.0], [10.0, 20.0]).target == 0.0
    assert beta_binomial([], []).estimates == ()
    assert normal_normal([], [], []).estimates == ()


def test_effective_counts_count_a_long_entry_for_less_than_its_pieces() -> None:
    # Given scrap that comes in lumps: one person with one entry of 1,000 pieces, another with ten of 100
    scrap: list[list[float]] = [[30.0], [0, 0, 12, 0, 0, 3, 0, 0, 9, 6]]
    pieces = [[1000.0], [100.0] * 10]
    # When turned into binomial counts
    x, n = effective_counts(scrap, pieces)
    # Then each keeps their own rate, and never has more trials than pieces
    assert n[0] <= 1000 and n[1] <= 1000
    assert abs(x[0] / n[0] - 0.03) < 1e-9 and abs(x[1] / n[1] - 0.03) < 1e-9
    # And the single lump counts for less than the ten entries
    assert n[0] < n[1]


def test_efficiencies_with_no_spread_between_people_shrink_to_the_plant() -> None:
    # Given ten people whose efficiencies differ by noise only
    rng = np.random.default_rng(2)
    values = list(1.0 + rng.normal(0, 0.05, size=10))
    fit = normal_normal(values, [0.05**2] * 10, [20] * 10, within=0.05)
    # Then the estimates sit near the plant's value, much closer than the raw values
    assert np.std([e.estimate for e in fit.estimates]) < 0.5 * np.std(values)


def test_ranks_are_narrow_only_where_people_are_far_apart() -> None:
    # Given posterior draws: three people far apart, two overlapping
    rng = np.random.default_rng(3)
    draws = np.column_stack([rng.normal(m, s, 400) for m, s in ((10, 0.1), (20, 0.1), (30, 0.1), (15, 10), (16, 10))])
    ranks = rank_intervals(draws, higher_is_better=True)
    # Then the far-apart ones have a certain rank, the overlapping ones a wide interval
    assert ranks[2][0] == 1 and ranks[2][2] - ranks[2][1] <= 1
    assert ranks[1][2] <= 4 and ranks[0][2] == 5
    assert ranks[3][2] - ranks[3][1] >= 3
