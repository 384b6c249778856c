"""The time-ordered split really excludes the future: changing it changes nothing seen before it."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from plexlabor.forecast.backtest import backtest_labor
from plexlabor.forecast.data import UNPLANNED_LEAVE, WEEK, WORK, ForecastData
from plexlabor.forecast.features import build_vocabulary, completed_operations
from plexlabor.forecast.forecaster import feature_builder, forecast_operations, train_model, training_set
from plexlabor.models.types import format_plex_datetime

from .conftest import FAST

EXTRACT = datetime(2026, 11, 21, 5, tzinfo=UTC)


def _shift_hours_after(rows: dict[str, list[dict[str, Any]]], cutoff: str, factor: float) -> dict[str, Any]:
    """Every labor entry that starts after `cutoff` takes `factor` times as long (a different future)."""
    changed = copy.deepcopy(rows)
    for entry in changed["labor-entries"]:
        if entry["startTime"] >= cutoff and entry["endTime"]:
            start = datetime.fromisoformat(entry["startTime"])
            end = datetime.fromisoformat(entry["endTime"])
            entry["endTime"] = format_plex_datetime(start + (end - start) * factor)
    return changed


def test_truncate_keeps_nothing_that_started_later_and_reopens_what_was_running(plant_data: ForecastData) -> None:
    t = plant_data.data_end - 2 * WEEK
    past = plant_data.truncate(t)
    assert past.data_end == t
    # (each check below needs something on both sides of the cut, or it would hold of an empty table)
    assert 0 < len(past.labor["start"]) < len(plant_data.labor["start"])
    assert 0 < len(past.punches["t_in"]) < len(plant_data.punches["t_in"])
    assert 0 < len(past.downtime["end"]) < len(plant_data.downtime["end"])
    assert (past.labor["start"] < t).all() and (past.punches["t_in"] < t).all()
    closed = ~np.isnan(past.labor["end"])
    assert (past.labor["end"][closed] <= t).all()
    running = (plant_data.labor["start"] < t) & ~(plant_data.labor["end"] <= t)
    assert running.any()
    assert np.isnan(past.labor["end"]).sum() == running.sum()
    assert (past.downtime["end"] <= t).all()
    # sick days after the cut are not known yet; planned leave is
    later = past.schedules["end"] > t
    assert (later & (plant_data.schedules["kind"] == UNPLANNED_LEAVE)).any()
    assert not (later & (past.schedules["kind"] == UNPLANNED_LEAVE)).any()
    assert (past.schedules["kind"][later] != WORK).any()
    assert (plant_data.schedules["kind"][later] != WORK).sum() >= (past.schedules["kind"][later] != WORK).sum()


def test_forecasts_as_of_a_moment_do_not_change_when_the_future_does(
    labelled_rows: dict[str, list[dict[str, Any]]],
) -> None:
    # Given the same plant twice, differing only in the labor recorded in its last two weeks
    cutoff = EXTRACT - timedelta(weeks=2)
    stamp = cutoff.strftime("%Y-%m-%dT%H:%M:%S")
    original = ForecastData.build(labelled_rows, "America/Detroit", EXTRACT)
    altered = ForecastData.build(_shift_hours_after(labelled_rows, stamp, 1.8), "America/Detroit", EXTRACT)
    assert not np.allclose(np.nan_to_num(original.labor["end"]), np.nan_to_num(altered.labor["end"]))
    # When each is trained and forecast as of the cut-off
    results = []
    for data in (original, altered):
        past = data.truncate(cutoff.timestamp())
        builder = feature_builder(past, FAST)
        model = train_model(past, FAST, builder)
        assert model is not None
        ops = completed_operations(data).op[:50]  # any operations, also ones that ran after the cut-off
        batch = forecast_operations(past, FAST, model, builder, op_indexes=ops)
        assert len(ops) == 50 and len(batch.X) == len(batch.ratios) == len(ops)
        results.append((model.trained_on, batch.X, batch.ratios))
    # Then the training set, the features and the forecasts are identical
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1], results[1][1])
    np.testing.assert_array_equal(results[0][2], results[1][2])


def test_a_training_row_never_sees_its_own_hours(labelled_rows: dict[str, list[dict[str, Any]]]) -> None:
    # Given a finished operation in the training set
    data = ForecastData.build(labelled_rows, "America/Detroit", EXTRACT)
    builder = feature_builder(data, FAST)
    vocabulary = build_vocabulary(data)
    rows = training_set(builder, FAST, vocabulary)
    target = int(rows.op[len(rows.op) // 2])
    op_id = data.operation_ids[target]
    # When that operation's own labor is made to take twice as long
    changed = copy.deepcopy(labelled_rows)
    for entry in changed["labor-entries"]:
        if entry["jobOperationId"] == op_id:
            start = datetime.fromisoformat(entry["startTime"])
            end = datetime.fromisoformat(entry["endTime"])
            entry["endTime"] = format_plex_datetime(start + (end - start) * 2)
    data2 = ForecastData.build(changed, "America/Detroit", EXTRACT)
    rows2 = training_set(feature_builder(data2, FAST), FAST, build_vocabulary(data2))
    # Then its target changes but its features do not
    i, i2 = list(rows.op).index(target), list(rows2.op).index(target)
    assert rows2.y[i2] == pytest.approx(rows.y[i] + np.log(2), abs=0.02)
    np.testing.assert_array_equal(rows.X[i], rows2.X[i2])


def test_training_targets_are_the_hours_recorded_before_the_cut_off(plant_data: ForecastData) -> None:
    # Given a cut-off three weeks before the extract
    cutoff = plant_data.data_end - 3 * WEEK
    rows = training_set(feature_builder(plant_data.truncate(cutoff), FAST), FAST, build_vocabulary(plant_data))
    assert len(rows.op) > 0
    # Then each training target is exactly the operation's hours of entries that ended by then
    # (later entries, e.g. a mis-keyed one booked on a finished job, are not known yet)
    labor = plant_data.labor
    for o, hours in zip(rows.op[:200], rows.hours[:200], strict=True):
        mine = (labor["op"] == o) & (labor["end"] <= cutoff)
        assert mine.any()  # a target of 0 hours from no entries would match trivially
        assert hours == pytest.approx(float(np.sum(labor["end"][mine] - labor["start"][mine])) / 3600)
        assert not ((labor["op"] == o) & (labor["start"] < cutoff) & ~(labor["end"] <= cutoff)).any()


def test_the_backtest_tests_each_fold_on_later_weeks_only(plant_data: ForecastData) -> None:
    result = backtest_labor(plant_data, FAST, folds=2, test_weeks=2)
    assert len(result.folds) == 2
    cutoffs = [fold.cutoff for fold in result.folds]
    assert cutoffs == sorted(cutoffs) and cutoffs[-1] == plant_data.data_end - 2 * WEEK
    assert all(fold.trained_on > 0 for fold in result.folds)
    assert result.scores["model"].operations == sum(fold.operations for fold in result.folds) > 0
    # the first fold trained on less history than the second
    assert result.folds[0].trained_on < result.folds[1].trained_on
