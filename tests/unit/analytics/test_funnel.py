"""Funnel limits that allow for the ordinary spread between people (Spiegelhalter 2005's additive random
effects), so outside them is rare and means a real difference; thin data is neither ranked nor flagged."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from plexlabor.analytics.inputs import EntryFacts, ScoreInputs
from plexlabor.analytics.scores import score
from plexlabor.analytics.shrinkage import Fit, beta_binomial, normal_normal

PEOPLE = 2000
NOMINAL = 0.002
"""What 99.8 % limits leave outside when nobody differs more than people usually do."""


def _flagged(fit: Fit) -> list[int]:
    return [i for i, e in enumerate(fit.estimates) if e.outside_funnel]


def _efficiencies(rng: np.random.Generator, true: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each person's mean of 20-200 entries scattered by 0.15 about their true pace, and its variance."""
    entries = rng.integers(20, 200, len(true)).astype(float)
    variances = 0.15**2 / entries
    return true + rng.normal(0, np.sqrt(variances)), variances, entries


def _rates(rng: np.random.Generator, true: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    trials = rng.integers(50, 400, len(true)).astype(float)
    return rng.binomial(trials.astype(int), true).astype(float), trials


def test_people_who_differ_only_as_people_do_are_flagged_about_as_often_as_the_limits_say() -> None:
    # Given 2,000 people whose true pace spreads by 0.1 around 1 and whose true rate spreads about 3 %
    # (far more than chance at their volumes), none of them far out of that spread
    rng = np.random.default_rng(11)
    values, variances, entries = _efficiencies(rng, rng.normal(1.0, 0.1, PEOPLE))
    successes, trials = _rates(rng, rng.beta(6, 194, PEOPLE))
    # When scored
    paces, rates = normal_normal(values, variances, entries), beta_binomial(successes, trials)
    # Then about 0.2 % fall outside the 99.8 % limits, not the half that chance alone puts there
    assert len(_flagged(paces)) <= 3 * NOMINAL * PEOPLE
    assert len(_flagged(rates)) <= 3 * NOMINAL * PEOPLE
    # And the limits say what spread between people they allow for, near the true one
    assert 0.08 < paces.funnel_spread < 0.12
    assert 0.005 < rates.funnel_spread < 0.02


def test_a_person_far_beyond_the_plants_spread_is_still_flagged() -> None:
    # Given the same spread between people, and three whose pace or rate is far outside it
    rng = np.random.default_rng(12)
    true_pace = np.append(rng.normal(1.0, 0.1, 300), [0.5, 0.55, 1.55])
    values, variances, entries = _efficiencies(rng, true_pace)
    successes, trials = _rates(rng, np.append(rng.beta(6, 194, 300), [0.15, 0.2, 0.25]))
    successes[300:], trials[300:] = [45, 60, 75], 300  # the outliers' expected counts in 300 trials
    # When scored
    paces, rates = normal_normal(values, variances, entries), beta_binomial(successes, trials)
    # Then those three are outside the funnel, on the right side, and at most two others are
    assert {300, 301, 302} <= set(_flagged(paces)) and len(_flagged(paces)) <= 5
    assert [paces.estimates[i].outside_funnel for i in (300, 301, 302)] == ["low", "low", "high"]
    assert {300, 301, 302} <= set(_flagged(rates)) and len(_flagged(rates)) <= 5
    assert all(rates.estimates[i].outside_funnel == "high" for i in (300, 301, 302))


def test_with_no_difference_between_people_the_limits_are_chances_alone() -> None:
    # Given 2,000 people with the same rate and the same pace
    rng = np.random.default_rng(13)
    values, variances, entries = _efficiencies(rng, np.ones(PEOPLE))
    successes, trials = _rates(rng, np.full(PEOPLE, 0.03))
    paces, rates = normal_normal(values, variances, entries), beta_binomial(successes, trials)
    # Then the limits allow for next to no spread, and about 0.2 % fall outside them
    assert paces.funnel_spread < 0.005 and rates.funnel_spread < 0.002
    assert len(_flagged(paces)) <= 3 * NOMINAL * PEOPLE
    assert len(_flagged(rates)) <= 3 * NOMINAL * PEOPLE


def test_thin_data_is_neither_ranked_nor_flagged() -> None:
    # Given 200 operators with 40-80 entries each, paces spread by 0.1 and 2 % of entries with a
    # nonconformance, and one operator with 2 entries, both fast and one with a nonconformance
    rng = np.random.default_rng(14)
    hour = 3600.0

    def entry(employee_id: str, day: int, pace: float, found: int) -> EntryFacts:
        start = day * 24 * hour
        return EntryFacts(employee_id, start, start + 4 * hour, "JO-1", 100.0, 4 * pace, nonconformances=found)

    entries = {
        f"E{i:03}": [
            entry(f"E{i:03}", day, pace * (1 + rng.normal(0, 0.05)), int(rng.random() < 0.02))
            for day in range(int(rng.integers(40, 80)))
        ]
        for i, pace in enumerate(rng.normal(1.0, 0.1, 200))
    }
    entries["E999"] = [entry("E999", 0, 1.35, 1), entry("E999", 1, 1.35, 0)]
    window = (datetime(1970, 1, 1, tzinfo=UTC), datetime(1970, 4, 1, tzinfo=UTC))
    # When scored
    report = score(ScoreInputs(*window, employees={}, entries=entries))
    thin = next(unit for unit in report.operators if unit.key == "E999")
    # Then the thin operator has no rank on any measure, and one nonconformance in two entries is not
    # outside the funnel (the plant's 2 % makes it a 1 in 25 chance, not 1 in 500)
    assert all(measure.rank is None for measure in thin.measures.values())
    assert thin.measures["nonconformances_per_entry"].outside_funnel is None
    # While the operators with enough entries are ranked on efficiency where they are separable
    assert report.measures["efficiency"]["operator"].ranked > 50
