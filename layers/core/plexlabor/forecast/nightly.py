"""The forecast jobs: `functions/forecast_nightly` (read, retrain, forecast, measure, store, publish)
and `functions/forecast_refresh` (the same day's forecast again, hourly, with the model in force).

`run(deps, request)` and `refresh(deps, request)` are the functions' entry points (their wiring and
configuration: `plexlabor.forecast.wiring`). The request is an EventBridge scheduled event; `detail`
may carry `{"as_of": "<ISO instant>"}` to forecast as of another moment (replays over a historical
plant); otherwise the event's `time` is the forecast moment, so a retried delivery of the same tick
makes the same run. Suggestions are published once per plant day (stable ids), so an hourly refresh
adds only what is new. `run_nightly` and `run_refresh` are the jobs themselves, without the event.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import AwareDatetime, BaseModel, ConfigDict

from plexlabor.forecast.artifacts import read_latest
from plexlabor.forecast.backtest import accuracy_in_force, nightly_windows
from plexlabor.forecast.data import read_forecast_data
from plexlabor.forecast.service import ForecastRun, load_model, publish_run, run_forecast, store_run
from plexlabor.forecast.wiring import Dependencies
from plexlabor.platform.clock import aware_utc
from plexlabor.platform.observability import logger, metrics


class ForecastDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: AwareDatetime | None = None


class ForecastNightlyEvent(EventBridgeModel):
    detail: ForecastDetail = ForecastDetail()


def run(deps: Dependencies, request: ForecastNightlyEvent) -> dict[str, Any]:
    """`run_nightly` as of the event's moment; the JSON-safe summary (version, method, counts, hours,
    accuracy, seconds per step, published counts)."""
    return _reported(run_nightly, deps, request)


def refresh(deps: Dependencies, request: ForecastNightlyEvent) -> dict[str, Any]:
    """`run_refresh` as of the event's moment; the same summary as `run`."""
    return _reported(run_refresh, deps, request)


def _reported(job: Job, deps: Dependencies, request: ForecastNightlyEvent) -> dict[str, Any]:
    as_of = (request.detail.as_of or request.time).astimezone(UTC)
    logger.append_keys(as_of=as_of.isoformat())
    summary = job(deps, as_of)
    logger.info("forecast done", **summary)
    metrics.add_metric(name="ForecastOperations", unit=MetricUnit.Count, value=summary["forecasts"])
    metrics.add_metric(name="ForecastAlertsPublished", unit=MetricUnit.Count, value=summary["published"])
    metrics.add_metric(name="ForecastSeconds", unit=MetricUnit.Seconds, value=sum(summary["seconds"].values()))
    return summary


def run_nightly(deps: Dependencies, now: datetime) -> dict[str, Any]:
    """Forecast as of `now` and measure the model in force (`accuracy_in_force`, from the same read);
    store the run and publish its suggestions under the pilot scope; return a JSON-safe summary (counts,
    version, accuracy, seconds per step, published counts)."""
    settings, source = deps.settings, deps.source
    now = aware_utc("now", now)
    started = time.perf_counter()
    read = read_forecast_data(
        source.port, source.timezone, now, settings, nightly_windows(now, settings), deps.plant.pay_week_starts
    )
    data = replace(read.seen_at(now.timestamp(), settings), issues=read.issues)
    read_seconds = time.perf_counter() - started
    forecast = run_forecast(data, settings, plant=deps.plant)
    forecast.seconds["read"] = read_seconds
    mark = time.perf_counter()
    forecast.accuracy = accuracy_in_force(read, settings)
    forecast.seconds["accuracy"] = time.perf_counter() - mark
    return _stored_and_published(forecast, deps, now)


def run_refresh(deps: Dependencies, now: datetime) -> dict[str, Any]:
    """Forecast as of `now` with the model in force (the newest stored run's) on the data read now, the
    day's punches and labor entries included: nothing trained, the model's measured accuracy carried
    over. With no model in force yet (no run, or one on standard hours only): `run_nightly`."""
    settings, source = deps.settings, deps.source
    now = aware_utc("now", now)
    pointer = read_latest(deps.artifacts)
    in_force = load_model(deps.artifacts, pointer) if pointer else None
    if pointer is None or in_force is None:
        return run_nightly(deps, now)
    started = time.perf_counter()
    data = read_forecast_data(source.port, source.timezone, now, settings, pay_week_starts=deps.plant.pay_week_starts)
    read_seconds = time.perf_counter() - started
    forecast = run_forecast(data, settings, in_force, deps.plant)
    forecast.seconds["read"] = read_seconds
    forecast.accuracy = pointer.get("accuracy")
    return _stored_and_published(forecast, deps, now)


def _stored_and_published(forecast: ForecastRun, deps: Dependencies, now: datetime) -> dict[str, Any]:
    mark = time.perf_counter()
    pointer = store_run(forecast, deps.artifacts)
    forecast.seconds["store"] = time.perf_counter() - mark
    mark = time.perf_counter()
    published = publish_run(forecast, deps.audit, deps.clock(), deps.settings, deps.scope)
    forecast.seconds["publish"] = time.perf_counter() - mark
    return {**forecast.summary(), "model_bytes": pointer["model_bytes"], **published.as_dict()}


Job = Callable[[Dependencies, datetime], dict[str, Any]]
