"""Time-based backtests: train on the past, test on later weeks; never a random split.

One path for the command, the bench and the tests: `read_backtest_data` reads a plant through its
labor-data port (wider windows than a nightly run: every cut-off's), `backtest_forecast` runs both
backtests. At each cut-off T the forecasts see `data.seen_at(T)` only: exactly what
`read_forecast_data` would have read for the nightly run at T, as it was at T.

Labor hours: `folds` cut-offs, `test_weeks` apart, ending `test_weeks` before the data's end. At each
cut-off T the model and the baselines forecast the operations whose work began in [T, T + test_weeks)
and finished before the data's end, and are scored against the hours those operations really took.
Results are pooled over the folds.

Overtime (`overtime.backtest_overtime`): for every whole ISO week with enough history behind it, the
projection the nightly run makes at the week's start (Monday 00:00 plant time, nothing punched yet)
and at mid-week (Wednesday 00:00) against the department's real overtime, next to "same as last week".

The nightly run's accuracy of the model in force (`nightly_windows`, `accuracy_in_force`): one fold of the
labor backtest, its cut-off `accuracy_weeks` before the run, read in the same pass as the forecast.

Metrics: MAPE of the P50; pinball loss (hours) averaged over P10/P50/P90 (a point forecast stands in
for all three); share of actuals inside [P10, P90] (point forecasts have no interval: "-").
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from plexlabor.forecast.baselines import operation_median_ratios, seasonal_naive_ratios, standard_ratios
from plexlabor.forecast.data import WEEK, ForecastData, forecast_windows, read_forecast_data
from plexlabor.forecast.features import completed_operations
from plexlabor.forecast.forecaster import feature_builder, forecast_operations, train_model
from plexlabor.forecast.overtime import OvertimeBacktest, backtest_overtime, format_overtime_scores
from plexlabor.forecast.settings import QUANTILES, ForecastSettings
from plexlabor.platform.clock import aware_utc
from plexlabor.plex.port import LaborDataPort
from plexlabor.plex.snapshot import Window, Windowed

BACKTEST_HISTORY_WEEKS = 104
"""How far back `read_backtest_data` reads every kind of record before the data's end."""

METHODS = ("model", "standard", "operation_median", "seasonal_naive")
INTERVAL_METHODS = ("model", "operation_median")


@dataclass
class Score:
    method: str
    operations: int
    mape: float
    pinball: float
    coverage: float | None
    mae_hours: float


def pinball(actual: np.ndarray, predicted: np.ndarray, quantile: float) -> float:
    diff = actual - predicted
    return float(np.mean(np.maximum(quantile * diff, (quantile - 1) * diff)))


def score(method: str, actual: np.ndarray, hours: np.ndarray, interval: bool) -> Score:
    """`hours`: (n, 3) P10/P50/P90 forecasts of `actual`."""
    if len(actual) == 0:
        return Score(method, 0, math.nan, math.nan, None, math.nan)
    p50 = hours[:, 1]
    return Score(
        method=method,
        operations=len(actual),
        mape=float(np.mean(np.abs(p50 - actual) / actual)),
        pinball=float(np.mean([pinball(actual, hours[:, i], q) for i, q in enumerate(QUANTILES)])),
        coverage=float(np.mean((actual >= hours[:, 0]) & (actual <= hours[:, -1]))) if interval else None,
        mae_hours=float(np.mean(np.abs(p50 - actual))),
    )


@dataclass
class Fold:
    cutoff: float
    operations: int
    trained_on: int
    seconds: float


@dataclass
class LaborBacktest:
    scores: dict[str, Score]
    folds: list[Fold]
    predictions: dict[str, np.ndarray] = field(repr=False)
    actual: np.ndarray = field(repr=False)
    standard: np.ndarray = field(repr=False)

    def improvement(self, over: str = "standard") -> float:
        """How much lower the model's MAPE is than `over`'s (0.3 = 30% lower)."""
        return 1 - self.scores["model"].mape / self.scores[over].mape


def backtest_labor(
    data: ForecastData, settings: ForecastSettings | None = None, folds: int = 3, test_weeks: int = 2
) -> LaborBacktest:
    settings = settings or ForecastSettings()
    if folds < 1 or test_weeks < 1:
        raise ValueError("folds and test_weeks: at least 1")
    finished = completed_operations(data)
    collected: dict[str, list[np.ndarray]] = {m: [] for m in METHODS}
    actual_parts, standard_parts, fold_log = [], [], []
    for k in range(folds, 0, -1):
        cutoff = data.data_end - k * test_weeks * WEEK
        started = time.perf_counter()
        test = (finished.first_start >= cutoff) & (finished.first_start < cutoff + test_weeks * WEEK)
        ops, actual = finished.op[test], finished.hours[test]
        past = data.seen_at(cutoff, settings)  # what the nightly run reads at the cut-off: all the forecasts get
        builder = feature_builder(past, settings)
        model = train_model(past, settings, builder)
        batch = forecast_operations(past, settings, model, builder, op_indexes=ops)
        standard = np.array([op.standard_hours for op in batch.operations], dtype=float)
        ratios = {
            "model": batch.ratios,
            "standard": standard_ratios(len(ops)),
            "operation_median": operation_median_ratios(past, ops),
            "seasonal_naive": seasonal_naive_ratios(past, ops),
        }
        for method in METHODS:
            collected[method].append(ratios[method] * standard[:, None])
        actual_parts.append(actual)
        standard_parts.append(standard)
        fold_log.append(Fold(cutoff, len(ops), model.trained_on if model else 0, time.perf_counter() - started))
    actual = np.concatenate(actual_parts) if actual_parts else np.zeros(0)
    predictions = {m: np.concatenate(parts) if parts else np.zeros((0, 3)) for m, parts in collected.items()}
    scores = {m: score(m, actual, predictions[m], m in INTERVAL_METHODS) for m in METHODS}
    return LaborBacktest(scores, fold_log, predictions, actual, np.concatenate(standard_parts))


def format_scores(scores: dict[str, Score], title: str) -> str:
    lines = [title, f"{'method':18} {'ops':>6} {'MAPE P50':>9} {'pinball h':>10} {'P10-P90 cov':>12} {'MAE h':>7}"]
    for s in scores.values():
        cov = "-" if s.coverage is None else f"{s.coverage:.1%}"
        lines.append(f"{s.method:18} {s.operations:6d} {s.mape:9.2%} {s.pinball:10.3f} {cov:>12} {s.mae_hours:7.2f}")
    return "\n".join(lines)


def read_backtest_data(
    port: LaborDataPort,
    timezone: str | None,
    as_of: datetime,
    settings: ForecastSettings | None = None,
    history_weeks: int = BACKTEST_HISTORY_WEEKS,
) -> ForecastData:
    """What every cut-off of a backtest ending at `as_of` reads: the nightly run's windows at `as_of`
    (`forecast_windows`), each reaching back `history_weeks` (or further, when the nightly's does)."""
    as_of = aware_utc("as_of", as_of)
    earliest = as_of - timedelta(weeks=history_weeks)
    windows = {kind: (min(begin, earliest), end) for kind, (begin, end) in forecast_windows(as_of, settings).items()}
    return read_forecast_data(port, timezone, as_of, settings, windows)


@dataclass
class ForecastBacktest:
    """Both backtests of one plant, as `plexlabor forecast backtest` prints them."""

    labor: LaborBacktest
    overtime: OvertimeBacktest

    def as_dict(self) -> dict[str, Any]:
        return {
            "labor_hours": {m: asdict(s) for m, s in self.labor.scores.items()},
            "labor_mape_improvement_vs_standard": self.labor.improvement(),
            "folds": [asdict(f) for f in self.labor.folds],
            "overtime": {k: {**asdict(v), "improvement": v.improvement} for k, v in self.overtime.scores.items()},
        }

    def report(self) -> str:
        return "\n".join(
            [
                format_scores(
                    self.labor.scores, f"Labor hours per job operation ({len(self.labor.folds)} folds, time-ordered)"
                ),
                f"model MAPE vs standard: {self.labor.improvement():.1%} lower",
                "",
                format_overtime_scores(self.overtime),
            ]
        )


def backtest_forecast(data: ForecastData, settings: ForecastSettings | None = None) -> ForecastBacktest:
    """The labor-hours and the overtime backtests of data read by `read_backtest_data`."""
    settings = settings or ForecastSettings()
    return ForecastBacktest(backtest_labor(data, settings), backtest_overtime(data, settings))


def nightly_windows(as_of: datetime, settings: ForecastSettings) -> dict[Windowed, Window]:
    """The nightly forecast's windows at `as_of`, reaching back far enough for what the run would have
    read at its accuracy cut-off too (`accuracy_weeks` earlier)."""
    now = forecast_windows(as_of, settings)
    if not settings.accuracy_weeks:
        return now
    then = forecast_windows(as_of - timedelta(weeks=settings.accuracy_weeks), settings)
    return {kind: (min(begin, then[kind][0]), end) for kind, (begin, end) in now.items()}


def accuracy_in_force(data: ForecastData, settings: ForecastSettings) -> dict[str, Any] | None:
    """How the forecasting in force does on work it did not see: trained as the nightly run trained
    `accuracy_weeks` before the data's end (on what it read then), scored with the baselines on the
    operations begun since and finished by now. JSON-safe; None when `accuracy_weeks` is 0."""
    if not settings.accuracy_weeks:
        return None
    result = backtest_labor(data, settings, folds=1, test_weeks=settings.accuracy_weeks)
    fold = result.folds[0]

    def figures(s: Score) -> dict[str, float | None]:
        values = {"mape": s.mape, "coverage": s.coverage, "mae_hours": s.mae_hours, "pinball": s.pinball}
        return {k: None if v is None or math.isnan(v) else round(v, 4) for k, v in values.items()}

    return {
        "cutoff": datetime.fromtimestamp(fold.cutoff, UTC).isoformat(),
        "weeks": settings.accuracy_weeks,
        "operations": fold.operations,
        "trained_on": fold.trained_on,
        "methods": {method: figures(s) for method, s in result.scores.items()},
    }
