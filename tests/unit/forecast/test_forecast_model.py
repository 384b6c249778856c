"""The model's outputs: ordered quantiles, cost from the crew's pay, alerts whose drivers name the cause."""

from __future__ import annotations

import copy
import math
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from plexlabor.audit.events import AuditEventType, AuditStatus
from plexlabor.forecast.alerts import DRIVER_GROUPS, Explain, alert_event, variance_alerts
from plexlabor.forecast.data import ForecastData, Operation
from plexlabor.forecast.features import COLUMN, FEATURES, RowContext
from plexlabor.forecast.forecaster import feature_builder, forecast_operations, train_model
from plexlabor.forecast.model import LaborHoursModel
from plexlabor.forecast.settings import ForecastSettings
from plexlabor.models.types import format_plex_datetime

from .conftest import FAST

EXTRACT = datetime(2026, 11, 21, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def trained(plant_data: ForecastData) -> tuple[LaborHoursModel, Any]:
    builder = feature_builder(plant_data, FAST)
    model = train_model(plant_data, FAST, builder)
    assert model is not None
    model.seal("test")
    return model, forecast_operations(plant_data, FAST, model, builder)


def test_quantiles_are_ordered_for_every_forecast(trained: tuple[LaborHoursModel, Any]) -> None:
    _, batch = trained
    assert len(batch.forecasts) > 100
    for f in batch.forecasts:
        assert 0 < f.p10_hours <= f.p50_hours <= f.p90_hours
        assert f.method == "model" and f.model_version.startswith("test-")


def test_quantiles_stay_ordered_on_arbitrary_rows(trained: tuple[LaborHoursModel, Any]) -> None:
    # Given rows the model never saw: random values, missing values, unknown categories
    model, batch = trained
    rng = np.random.default_rng(7)
    rows = batch.X[rng.integers(0, len(batch.X), 400)].copy()
    noise = rng.normal(0, 2, rows.shape)
    rows = np.where(rng.random(rows.shape) < 0.3, np.nan, rows + noise)
    for name in ("start_shift", "department", "part_family"):
        rows[:, COLUMN[name]] = rng.choice([np.nan, 0, 1, 2], len(rows))
    ratios = model.predict_ratio(rows)
    assert ratios.shape == (400, 3)  # one row of P10, P50, P90 per input row
    assert (np.diff(ratios, axis=1) >= 0).all() and np.isfinite(ratios).all()


def test_the_interval_is_calibrated_on_the_newest_operations(trained: tuple[LaborHoursModel, Any]) -> None:
    model, _ = trained
    assert model.calibrated_on == round(model.trained_on * FAST.calibration_share)
    assert math.isfinite(model.interval_shift) and abs(model.interval_shift) < 1.0


def test_cost_is_hours_times_the_crews_pay_rate(trained: tuple[LaborHoursModel, Any]) -> None:
    _, batch = trained
    assert len(batch.forecasts) >= 50
    for f in batch.forecasts[:50]:
        assert f.labor_rate is not None and 10 < f.labor_rate < 60
        assert f.cost_p50 == pytest.approx(f.p50_hours * f.labor_rate, abs=0.02)
        assert f.cost_p10 <= f.cost_p50 <= f.cost_p90


def test_the_model_artifact_round_trips_and_refuses_a_tampered_copy(trained: tuple[LaborHoursModel, Any]) -> None:
    from plexlabor.forecast.errors import ArtifactError

    model, batch = trained
    blob, sha = model.seal("test")
    again = LaborHoursModel.from_bytes(blob, sha, model.version)
    np.testing.assert_array_equal(again.predict_ratio(batch.X[:20]), model.predict_ratio(batch.X[:20]))
    with pytest.raises(ArtifactError, match="SHA-256"):
        LaborHoursModel.from_bytes(blob[:-1] + b"x", sha, model.version)


# ---- drivers --------------------------------------------------------------------------------
def _explain(model: LaborHoursModel, **features: float) -> Explain:
    row = np.full(len(FEATURES), np.nan)
    for name, value in features.items():
        row[COLUMN[name]] = value
    op = Operation("op", "job", "J1", "part", None, 30, "30", "wc", 100, 6.0, None, None)
    return Explain(row, op, RowContext([], "scheduled", "2"), "CNC-03", ForecastSettings(), model)


def _text(name: str, explain: Explain) -> str | None:
    return next(g for g in DRIVER_GROUPS if g.name == name).text(explain)


def test_driver_sentences_read_plainly(trained: tuple[LaborHoursModel, Any]) -> None:
    model, _ = trained
    e = _explain(model, crew_short=1, crew_size=2, operation_ratio=1.18, operation_runs=6, shift_pace=0.82)
    assert _text("crew_short", e) == "crew 1 person short of the routing's 2 when it starts"
    assert _text("operation_history", e) == "operation 30 of this part ran 18% over standard on its last 6 runs"
    assert _text("shift", e) == "CNC-03 runs at 82% of standard pace on shift 2, when this operation starts"
    e = _explain(model, crew_pace=0.87, downtime_share=0.06, workcenter_ratio=0.95, workcenter_runs=12)
    assert _text("crew_pace", e) == "the crew scheduled at CNC-03 works at 87% of standard pace (last 8 weeks)"
    assert _text("downtime", e) == "CNC-03 lost 6% of its worked time to downtime (last 8 weeks)"
    assert _text("workcenter_history", e) == "operations at CNC-03 finished 5% under standard (median of 12 in 8 weeks)"
    run_length = _text("run_length", e)
    assert run_length is not None and run_length.startswith("short run (6.0 standard hours, a typical run is ")
    # nothing to say without the numbers behind it
    empty = _explain(model)
    assert _text("crew_short", empty) is None and _text("operation_history", empty) is None
    assert _text("crew_pace", empty) is None


def test_a_slow_workcenter_raises_alerts_that_name_it(labelled_rows: dict[str, list[dict[str, Any]]]) -> None:
    # Given a plant where one workcenter's operators take 50% longer than elsewhere for the same output
    rows = copy.deepcopy(labelled_rows)
    counts: dict[str, int] = {}
    for op in rows["job-operations"]:
        if op["scheduledStart"] > "2026-11-21":
            counts[op["workcenterId"]] = counts.get(op["workcenterId"], 0) + 1
    slow = max(counts, key=lambda wc: counts[wc])
    code = next(w["workcenterCode"] for w in rows["workcenters"] if w["workcenterId"] == slow)
    for entry in rows["labor-entries"]:
        if entry["workcenterId"] == slow and entry["endTime"]:
            start = datetime.fromisoformat(entry["startTime"])
            end = datetime.fromisoformat(entry["endTime"])
            stretched = min(start + (end - start) * 1.5, EXTRACT - timedelta(hours=1))
            entry["endTime"] = format_plex_datetime(stretched)
    data = ForecastData.build(rows, "America/Detroit", EXTRACT)
    # (small leaves: this 60-person plant completes only ~20 operations at that workcenter)
    settings = FAST.model_copy(update={"alert_horizon_days": 14, "max_alerts": 1000, "min_samples_leaf": 10})
    builder = feature_builder(data, settings)
    model = train_model(data, settings, builder)
    assert model is not None  # the history holds enough finished operations
    batch = forecast_operations(data, settings, model, builder)
    # When alerts are raised
    alerts = variance_alerts(data, batch, model, settings)
    at_slow = [a for a in alerts if a.forecast.workcenter_id == slow]
    assert at_slow
    # Then the slow workcenter's upcoming operations are alerted, with its pace or record as the main driver
    per_workcenter = Counter(a.forecast.workcenter_id for a in alerts)
    assert per_workcenter.most_common(1)[0][0] == slow  # short operations stay under the 1-hour minimum
    assert len(at_slow) >= 0.25 * sum(1 for f in batch.forecasts if f.workcenter_id == slow)
    top = at_slow[0].drivers[0]
    assert top.factor in ("crew_pace", "workcenter_history", "operation_history") and top.hours > 0
    assert code in at_slow[0].note or "this part" in top.text
    assert all(a.over_pct > settings.alert_margin for a in alerts)
    # and every alert becomes a valid recommendation event keyed to its job operation
    event = alert_event(at_slow[0], EXTRACT, AuditStatus.LOGGED)
    assert event.event_type is AuditEventType.RECOMMENDATION and event.record_key.startswith("job-operations:")
    assert event.model_version == model.version and event.payload["drivers"][0]["text"] == top.text


def test_alerts_respect_the_margin_the_horizon_and_the_cap(
    plant_data: ForecastData, trained: tuple[LaborHoursModel, Any]
) -> None:
    model, batch = trained
    wide = FAST.model_copy(update={"alert_margin": 0.0, "alert_min_hours": 0.0, "alert_horizon_days": 14})
    many = variance_alerts(plant_data, batch, model, wide.model_copy(update={"max_alerts": 10_000}))
    assert len(many) > 5  # more than the cap below, or the cap would not be tested
    assert len(many) == sum(1 for f in batch.forecasts if f.p50_hours > f.standard_hours)
    capped = variance_alerts(plant_data, batch, model, wide.model_copy(update={"max_alerts": 5}))
    assert len(capped) == 5
    assert [a.over_hours for a in capped] == sorted((a.over_hours for a in many), reverse=True)[:5]
    assert variance_alerts(plant_data, batch, model, wide.model_copy(update={"alert_margin": 5.0})) == []
    soon = variance_alerts(plant_data, batch, model, wide.model_copy(update={"alert_horizon_days": 1}))
    assert len(soon) < len(many)
