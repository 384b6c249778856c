"""The estimators behind the scores: Huber's robust location, the two-part (hurdle) rate, borrowing
strength between measures that go together, and the scores on small and degenerate windows."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from plexlabor.analytics.inputs import EntryFacts, ScoreInputs
from plexlabor.analytics.scores import score
from plexlabor.analytics.shrinkage import beta_binomial, borrow, huber_location, normal_normal, product

HOUR = 3600.0
WINDOW = (datetime(1970, 1, 1, tzinfo=UTC), datetime(1970, 1, 31, tzinfo=UTC))


def test_an_entry_far_out_moves_the_robust_location_little() -> None:
    rng = np.random.default_rng(1)
    values = np.append(1.0 + rng.normal(0, 0.05, 30), [0.2, 0.3])
    robust = huber_location(values, 0.05)
    assert abs(robust - 1.0) < 0.03 < abs(values.mean() - 1.0)
    assert huber_location(np.array([0.9]), 0.05) == 0.9


def test_a_part_that_does_not_differ_between_people_adds_no_noise() -> None:
    # Given 200 people whose entries record scrap equally often, but scrap different shares when they do
    rng = np.random.default_rng(2)
    entries = np.full(200, 40.0)
    hits = rng.binomial(40, 0.2, 200).astype(float)
    severity = rng.lognormal(np.log(0.03), 0.5, 200)
    observed = severity + rng.normal(0, 0.01, 200) / np.sqrt(np.maximum(hits, 1))
    plain = beta_binomial(hits * severity * 10, entries * 10)
    often = beta_binomial(hits, entries)
    much = normal_normal(observed, 1e-4 / np.maximum(hits, 1), hits)
    # When combined
    fit = product(plain, often, much)
    # Then how often is shrunk to the plant's, so the estimates follow the severity, not the counts
    true = 0.2 * severity
    estimates = np.array([e.estimate for e in fit.estimates])
    raw = hits / entries * severity
    assert np.sqrt(np.mean((estimates - true) ** 2)) < 0.6 * np.sqrt(np.mean((raw - true) ** 2))
    assert all(e.low <= e.estimate <= e.high for e in fit.estimates)


@pytest.mark.parametrize("correlated", [True, False])
def test_a_measure_borrows_from_one_that_goes_with_it_only_when_it_does(correlated: bool) -> None:
    # Given 300 people, a well-measured first measure and a noisy second one
    rng = np.random.default_rng(3)
    first = rng.normal(0, 1, 300)
    second = 0.9 * first + np.sqrt(1 - 0.81) * rng.normal(0, 1, 300) if correlated else rng.normal(0, 1, 300)
    values = np.column_stack([first + rng.normal(0, 0.2, 300), second + rng.normal(0, 2.0, 300)])
    variances = np.column_stack([np.full(300, 0.04), np.full(300, 4.0)])
    values[:10, 0] = np.nan  # some people lack the first measure
    # When shrunk together and alone
    means, sds, between = borrow(values, variances)
    alone = np.array([e.estimate for e in normal_normal(values[:, 1], variances[:, 1], np.ones(300)).estimates])

    def rmse(estimate: np.ndarray) -> float:
        return float(np.sqrt(np.mean((estimate - second) ** 2)))

    # Then borrowing helps a lot where the measures go together, and changes little where they do not
    if correlated:
        assert rmse(means[:, 1]) < 0.7 * rmse(alone) and between[0, 1] > 0.5
    else:
        assert rmse(means[:, 1]) < 1.05 * rmse(alone) and abs(between[0, 1]) < 0.3
    assert np.all(sds[:, 1] > 0) and not np.isnan(means).any()


def _entry(employee_id: str, day: int, **facts: float) -> EntryFacts:
    start = day * 24 * HOUR
    return EntryFacts(employee_id, start, start + 4 * HOUR, "JO-1", 100.0, 4.0, **facts)  # type: ignore[arg-type]


def test_windows_without_stops_scrap_or_findings_are_scored_without_ranks() -> None:
    # Given operators whose entries had no stop, no scrap and no finding (one of them with one entry)
    entries = {f"E{i}": [_entry(f"E{i}", day) for day in range(1 + 5 * i)] for i in range(4)}
    inputs = ScoreInputs(*WINDOW, employees={}, entries=entries)
    # When scored
    report = score(inputs)
    # Then every measure has an estimate inside its interval, and nothing is ranked where nothing happened
    for unit in report.operators:
        for name in ("scrap_share", "caused_stops_per_entry", "nonconformances_per_entry"):
            measure = unit.measures[name]
            assert measure.estimate == pytest.approx(0.0, abs=1e-5) and measure.rank is None
        assert unit.measures["efficiency"].low <= unit.measures["efficiency"].estimate


def test_stops_and_scrap_in_a_few_entries_are_scored() -> None:
    # Given two operators, one whose entries had stops they caused and scrap, one with neither
    busy = [_entry("E1", d, stops=1, caused_stops=1, down_hours=1.0, scrap=5.0) for d in range(10)]
    calm = [_entry("E2", d) for d in range(10)]
    inputs = ScoreInputs(*WINDOW, employees={}, entries={"E1": busy, "E2": calm})
    report = score(inputs)
    first, second = report.operators
    assert first.measures["caused_stops_per_entry"].estimate > second.measures["caused_stops_per_entry"].estimate
    assert first.measures["scrap_share"].estimate > second.measures["scrap_share"].estimate
    # And a stop's hours are not the operator's: earned over productive hours
    assert first.measures["efficiency"].raw == pytest.approx(4.0 / 3.0)
