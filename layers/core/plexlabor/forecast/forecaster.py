"""Train on finished job operations, forecast the upcoming ones.

Training rows: operations finished before the data's end whose work began in the last
`training_weeks`, each with the features of the week its work began (`features.py`). Target:
log(actual hours / standard hours). With fewer than `min_training_operations` rows there is no
model and the standard is the forecast (P10/P90 from `fallback_band`): a new tenant, or an empty
history, still gets forecasts, marked `method="standard"`.

Upcoming operations: scheduled to start within `horizon_days` after the data's end, with no labor
recorded yet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from plexlabor.forecast.data import DAY, WEEK, ForecastData, Operation
from plexlabor.forecast.features import FeatureBuilder, RowContext, build_vocabulary
from plexlabor.forecast.model import LaborHoursModel
from plexlabor.forecast.records import OperationForecast
from plexlabor.forecast.settings import ForecastSettings

STANDARD_VERSION = "standard-hours"
"""`model_version` of forecasts made without a model (the standard is the forecast)."""


@dataclass
class TrainingSet:
    X: np.ndarray
    y: np.ndarray  # log(actual / standard)
    began: np.ndarray  # when each operation's work began (epoch s)
    op: np.ndarray  # operation indexes
    hours: np.ndarray


def feature_builder(data: ForecastData, settings: ForecastSettings) -> FeatureBuilder:
    return FeatureBuilder(data, lookback_weeks=settings.lookback_weeks, history_weeks=settings.training_weeks)


def training_set(
    builder: FeatureBuilder, settings: ForecastSettings, vocabulary: dict[str, dict[str, int]]
) -> TrainingSet:
    data = builder.data
    done = builder.stats.completed
    since = data.data_end - settings.training_weeks * WEEK
    keep = done.first_start >= since
    op, began, hours = done.op[keep], done.first_start[keep], done.hours[keep]
    X, _ = builder.rows(op, builder.snapshot_of(began), vocabulary)
    standard = np.array([data.operations[data.operation_ids[o]].standard_hours for o in op], dtype=float)
    return TrainingSet(X, np.log(hours / standard), began, op, hours)


def train_model(
    data: ForecastData, settings: ForecastSettings, builder: FeatureBuilder | None = None
) -> LaborHoursModel | None:
    """A fitted model, or None when history holds fewer than `min_training_operations` finished operations."""
    builder = builder or feature_builder(data, settings)
    vocabulary = build_vocabulary(data)
    rows = training_set(builder, settings, vocabulary)
    if len(rows.y) < settings.min_training_operations:
        return None
    return LaborHoursModel.fit(rows.X, rows.y, rows.began, vocabulary, settings, as_of=data.data_end)


def upcoming_operations(data: ForecastData, settings: ForecastSettings) -> np.ndarray:
    """Indexes of operations scheduled in [data_end, data_end + horizon) with no labor yet."""
    started = np.zeros(len(data.operation_ids), dtype=bool)
    known = data.labor["op"] >= 0
    started[data.labor["op"][known]] = True
    end = data.data_end + settings.horizon_days * DAY
    chosen = []
    for i, op_id in enumerate(data.operation_ids):
        op = data.operations[op_id]
        if started[i] or op.scheduled_start is None or not data.data_end <= op.scheduled_start < end:
            continue
        if op.standard_hours <= 0:
            data.issues["upcoming job operation without standard hours (not forecast)"] += 1
            continue
        chosen.append(i)
    chosen.sort(key=lambda i: (data.operations[data.operation_ids[i]].scheduled_start, data.operation_ids[i]))
    return np.asarray(chosen, dtype=np.int64)


@dataclass
class ForecastBatch:
    """Forecasts plus the rows they came from (the alerts explain them with these)."""

    forecasts: list[OperationForecast]
    operations: list[Operation]
    X: np.ndarray
    contexts: list[RowContext]
    ratios: np.ndarray  # (n, 3) P10/P50/P90 of actual/standard
    extra: dict[str, object] = field(default_factory=dict)


def forecast_operations(
    data: ForecastData,
    settings: ForecastSettings,
    model: LaborHoursModel | None,
    builder: FeatureBuilder | None = None,
    op_indexes: np.ndarray | None = None,
) -> ForecastBatch:
    """Forecast `op_indexes` (default: the upcoming operations) as of the data's end."""
    builder = builder or feature_builder(data, settings)
    ops_idx = upcoming_operations(data, settings) if op_indexes is None else np.asarray(op_indexes, dtype=np.int64)
    vocabulary = model.vocabulary if model else build_vocabulary(data)
    X, contexts = builder.rows(ops_idx, np.full(len(ops_idx), builder.now_bin), vocabulary)
    if model is not None:
        ratios = model.predict_ratio(X)
        version, method = model.version, "model"
    else:
        low, high = settings.fallback_band
        ratios = np.tile([low, 1.0, high], (len(ops_idx), 1))
        version, method = STANDARD_VERSION, "standard"
    as_of = datetime.fromtimestamp(data.data_end, UTC)
    operations = [data.operations[data.operation_ids[i]] for i in ops_idx]
    forecasts = []
    for op, ratio, context in zip(operations, ratios, contexts, strict=True):
        hours = [round(float(r) * op.standard_hours, 2) for r in ratio]
        rate = builder.pay_rate(context, op)
        rate = None if rate is None else round(rate, 2)
        workcenter = data.workcenters.get(op.workcenter_id)
        forecasts.append(
            OperationForecast(
                as_of=as_of,
                job_operation_id=op.id,
                job_id=op.job_id,
                job_no=op.job_no,
                part_id=op.part_id,
                part_family=op.part_family,
                operation_no=op.operation_no,
                operation_code=op.operation_code,
                workcenter_id=op.workcenter_id,
                workcenter_code=workcenter.code if workcenter else None,
                department=workcenter.department if workcenter else None,
                scheduled_start=None if op.scheduled_start is None else datetime.fromtimestamp(op.scheduled_start, UTC),
                quantity=op.quantity,
                standard_hours=op.standard_hours,
                p10_hours=hours[0],
                p50_hours=hours[1],
                p90_hours=hours[2],
                labor_rate=rate,
                cost_p10=None if rate is None else round(hours[0] * rate, 2),
                cost_p50=None if rate is None else round(hours[1] * rate, 2),
                cost_p90=None if rate is None else round(hours[2] * rate, 2),
                variance_pct=round(hours[1] / op.standard_hours - 1, 4) if op.standard_hours > 0 else math.nan,
                crew_source=context.crew_source,
                method=method,  # type: ignore[arg-type]
                model_version=version,
            )
        )
    return ForecastBatch(forecasts, operations, X, contexts, ratios)
