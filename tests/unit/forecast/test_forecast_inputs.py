"""Inputs: malformed records name their field; empty history and new parts still get sensible forecasts."""

from __future__ import annotations

import copy
import math
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from pydantic import ValidationError

from plexlabor.forecast.data import ForecastData, read_forecast_data
from plexlabor.forecast.features import COLUMN
from plexlabor.forecast.forecaster import STANDARD_VERSION, forecast_operations, train_model, upcoming_operations
from plexlabor.forecast.service import run_forecast
from plexlabor.forecast.settings import ForecastSettings
from plexlabor.forecast.wiring import NightlySettings
from plexlabor.models import PlexDataError
from plexlabor.plex.folder import PlantFolderSource

from .conftest import FAST

EXTRACT = datetime(2026, 11, 21, 5, tzinfo=UTC)
DETROIT = ZoneInfo("America/Detroit")


def _with(rows: dict[str, list[dict[str, Any]]], resource: str, index: int, **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(rows)
    record = changed[resource][index]
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return changed


@pytest.mark.parametrize(
    ("resource", "field", "value"),
    [
        ("job-operations", "standardHours", "twelve"),
        ("job-operations", "standardHours", -3),
        ("labor-entries", "startTime", None),
        ("approved-workcenters", "standardProductionRate", 0),
        ("shift-assignments", "scheduledEnd", "not a date"),
    ],
)
def test_a_malformed_record_is_refused_naming_its_resource_and_field(
    labelled_rows: dict[str, list[dict[str, Any]]], resource: str, field: str, value: Any
) -> None:
    # Given one bad record among good ones
    rows = _with(labelled_rows, resource, 0, **{field: value})
    # When the forecast data is built, Then the error names the resource and the camelCase field
    with pytest.raises(PlexDataError) as caught:
        ForecastData.build(rows, "America/Detroit", EXTRACT)
    assert caught.value.resource == resource and field in caught.value.field
    assert field in str(caught.value)


def test_an_unknown_time_zone_and_a_naive_extract_time_are_named() -> None:
    with pytest.raises(ValueError, match="timezone"):
        ForecastData.build({}, "Mars/Olympus", EXTRACT)
    with pytest.raises(ValueError, match="data_end"):
        ForecastData.build({}, "America/Detroit", datetime(2026, 11, 21))


def test_bad_settings_name_the_setting() -> None:
    with pytest.raises(ValidationError, match="alert_margin"):
        ForecastSettings(alert_margin=-0.1)
    with pytest.raises(ValidationError, match="fallback_band"):
        ForecastSettings(fallback_band=(1.2, 1.5))
    # the weekly hours are the plant's (`plexlabor:validationPolicy`), not the forecast's
    with pytest.raises(ValidationError, match="overtime_threshold_hours"):
        ForecastSettings(overtime_threshold_hours=38)  # type: ignore[call-arg]


def test_the_nightly_environment_is_validated_by_variable_name() -> None:
    from plexlabor.platform.errors import ConfigurationError

    base = {"AUDIT_TABLE_NAME": "audit", "PLEXLABOR_PLANT_DIR": "/tmp/plant"}
    with pytest.raises(ConfigurationError, match="ARTIFACTS_BUCKET_NAME"):
        NightlySettings.from_env(base)
    with pytest.raises(ConfigurationError, match="FORECAST_SETTINGS"):
        NightlySettings.from_env({**base, "ARTIFACTS_BUCKET_NAME": "b", "FORECAST_SETTINGS": "{oops"})
    with pytest.raises(ConfigurationError, match="alert_margin"):
        NightlySettings.from_env({**base, "ARTIFACTS_BUCKET_NAME": "b", "FORECAST_SETTINGS": '{"alert_margin": -1}'})
    settings = NightlySettings.from_env({**base, "ARTIFACTS_BUCKET_NAME": "b", "FORECAST_SETTINGS": '{"max_iter": 20}'})
    assert settings.forecast.max_iter == 20 and settings.artifacts_bucket_name == "b"


def test_broken_transactions_are_counted_not_fatal(labelled_rows: dict[str, list[dict[str, Any]]]) -> None:
    # Given a labor entry that ends before it starts (a keying slip Plex can hold)
    entry = labelled_rows["labor-entries"][5]
    rows = _with(labelled_rows, "labor-entries", 5, endTime=entry["startTime"])
    data = ForecastData.build(rows, "America/Detroit", EXTRACT)
    assert data.issues["labor entry ends before it starts (ignored)"] == 1
    assert len(data.labor) == len(labelled_rows["labor-entries"]) - 1


def test_empty_history_forecasts_the_standard_with_the_fallback_band(
    labelled_rows: dict[str, list[dict[str, Any]]],
) -> None:
    # Given the master data and the schedule of a plant, but no labor, punches or downtime at all
    rows = {
        k: v for k, v in labelled_rows.items() if k not in ("labor-entries", "time-clock-entries", "downtime-entries")
    }
    data = ForecastData.build(rows, "America/Detroit", EXTRACT)
    # When the nightly run forecasts
    run = run_forecast(data, FAST)
    # Then there is no model, every upcoming operation is forecast at its standard, and nothing is alerted
    assert run.model is None and run.version.endswith("-standard") and run.model_blob is None
    assert run.forecasts and not run.alerts
    low, high = FAST.fallback_band
    for f in run.forecasts:
        assert f.method == "standard" and f.model_version == STANDARD_VERSION
        assert f.p50_hours == pytest.approx(f.standard_hours, abs=0.01)
        assert f.p10_hours == pytest.approx(low * f.standard_hours, abs=0.01)
        assert f.p90_hours == pytest.approx(high * f.standard_hours, abs=0.01)
    # and overtime is still projected from the schedule alone
    assert run.overtime and all(p.worked_hours == 0 for p in run.overtime)


def test_too_little_history_means_no_model(plant_data: ForecastData) -> None:
    assert train_model(plant_data, FAST.model_copy(update={"min_training_operations": 100_000})) is None


def test_a_new_part_with_no_history_falls_back_to_what_its_workcenter_and_routing_say(
    plant_data: ForecastData, labelled_rows: dict[str, list[dict[str, Any]]]
) -> None:
    # Given a trained model, and a job for a part the plant never made (no runs, no family, no routing)
    template = next(op for op in labelled_rows["job-operations"] if op["scheduledStart"] > "2026-11-22")
    new_job = {"id": "job-new", "jobNo": "JNEW", "partId": "part-never-made", "quantity": 100.0, "status": "Scheduled"}
    new_op = {**template, "id": "op-new", "jobId": "job-new", "partId": "part-never-made", "standardHours": 12.0}
    rows = {**labelled_rows, "jobs": [*labelled_rows["jobs"], new_job]}
    rows["job-operations"] = [*labelled_rows["job-operations"], new_op]
    data = ForecastData.build(rows, "America/Detroit", EXTRACT)
    model = train_model(data, FAST)
    assert model is not None
    # When it is forecast
    index = data.operation_ids.index("op-new")
    assert index in upcoming_operations(data, FAST)
    batch = forecast_operations(data, FAST, model, op_indexes=np.array([index]))
    forecast = batch.forecasts[0]
    # Then the model still answers, from the workcenter's pace and record, within a sensible band of standard
    assert forecast.method == "model" and forecast.part_family is None
    row = batch.X[0]
    assert math.isnan(row[COLUMN["operation_ratio"]]) and row[COLUMN["operation_runs"]] == 0
    assert math.isnan(row[COLUMN["part_family"]]) and math.isnan(row[COLUMN["crew_size"]])
    assert not math.isnan(row[COLUMN["workcenter_pace"]])
    assert 0.7 * 12.0 <= forecast.p50_hours <= 1.6 * 12.0
    assert forecast.p10_hours <= forecast.p50_hours <= forecast.p90_hours
    # and it is judged like the part operations the workcenter did run: close to their typical ratio
    typical = model.training_stats["median_ratio"] * 12.0
    assert abs(forecast.p50_hours - typical) <= 0.35 * 12.0


def test_reading_through_the_port_takes_only_the_windows_needed(labelled_plant: Any) -> None:
    # Given a forecast three weeks before the extract, through the labor-data port
    source = PlantFolderSource(labelled_plant.path)
    as_of = EXTRACT - timedelta(weeks=3)
    data = read_forecast_data(source, "America/Detroit", as_of, FAST)
    # Then nothing recorded at or after that moment is seen, and entries running then are open
    assert data.data_end == as_of.timestamp()
    assert len(data.labor["start"]) > 0 and len(data.punches["t_in"]) > 0
    assert (data.labor["start"] < as_of.timestamp()).all()
    assert np.nan_to_num(data.labor["end"], nan=0).max() <= as_of.timestamp()
    assert (data.punches["t_in"] < as_of.timestamp()).all()


def _records(data: ForecastData) -> dict[str, set[tuple[Any, ...]]]:
    """The windowed records of `data` by employee and workcenter id (indexes differ between reads; an
    open entry's end is None)."""
    emp, wc = data.employee_ids, data.workcenter_ids

    def value(name: str, v: Any) -> Any:
        if name == "emp":
            return emp[v]
        if name == "wc":
            return wc[v] if v >= 0 else None
        return None if np.isnan(v) else v.item()

    def ids(columns: Any, names: tuple[str, ...]) -> set[tuple[Any, ...]]:
        rows = zip(*(columns[n] for n in names), strict=True)
        return {tuple(value(n, v) for n, v in zip(names, row, strict=True)) for row in rows}

    return {
        "labor": ids(data.labor, ("op", "emp", "wc", "start", "end", "qty")),
        "downtime": ids(data.downtime, ("wc", "start", "end")),
        "punches": ids(data.punches, ("emp", "t_in", "t_out")),
        "schedules": ids(data.schedules, ("emp", "wc", "shift", "kind", "start", "end")),
    }


def test_a_backtest_cut_off_sees_exactly_what_the_nightly_run_reads_then(labelled_plant: Any) -> None:
    # Given the plant read once for a backtest ending at the extract
    from plexlabor.forecast.backtest import read_backtest_data
    from plexlabor.forecast.overtime import project_overtime

    source = PlantFolderSource(labelled_plant.path)
    settings = ForecastSettings()
    backtest = read_backtest_data(source, "America/Detroit", EXTRACT, settings)
    for cut_off in (datetime(2026, 10, 28, tzinfo=DETROIT), datetime(2026, 11, 9, tzinfo=DETROIT)):  # Wed, Mon
        # When a cut-off is seen through it, and the nightly run reads the port at that moment
        seen = backtest.seen_at(cut_off.timestamp(), settings)
        nightly = read_forecast_data(source, "America/Detroit", cut_off, settings)
        # Then both hold the same records, and project the same overtime
        assert seen.data_end == nightly.data_end and seen.punches_since == nightly.punches_since
        assert _records(seen) == _records(nightly)
        assert len(nightly.punches) < len(backtest.punches)
        assert project_overtime(seen, settings) == project_overtime(nightly, settings)
