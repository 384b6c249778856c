"""One forecasting run: retrain, forecast, alert, project overtime; then store and publish it.

`run_forecast` is pure (data in, records out). `store_run` writes the artifacts (model, forecasts,
alerts, overtime; the `latest.json` pointer last, so a reader never sees a pointer to a half-written
run). `publish_run` appends the alerts and the overtime projections worth acting on to the audit
table as `recommendation` events; event ids are deterministic, so a retried run records nothing twice.
Their status is `ForecastSettings.alert_status`; the pilot scope (`plexlabor.platform.pilot`,
`docs/rollout.md`) records as `logged`, with `held` and `advisory` in the payload, what would be
`pending_approval` outside the pilot (a variance alert is placed by its workcenter and department, an
overtime projection by its department; neither has a shift), in advisory mode, or when its kind
(`labor_variance`, `overtime_projection`) does not notify.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from pydantic import BaseModel

from plexlabor.audit.events import AuditStatus
from plexlabor.audit.publish import EventBuilder, PublishResult, publish_once, review_status
from plexlabor.audit.store import AuditStore
from plexlabor.forecast.alerts import alert_event, overtime_event, variance_alerts
from plexlabor.forecast.artifacts import LATEST, run_key
from plexlabor.forecast.data import ForecastData
from plexlabor.forecast.errors import ArtifactError
from plexlabor.forecast.forecaster import feature_builder, forecast_operations, train_model
from plexlabor.forecast.model import LaborHoursModel
from plexlabor.forecast.overtime import project_overtime
from plexlabor.forecast.records import OperationForecast, OvertimeProjection, VarianceAlert
from plexlabor.forecast.settings import ForecastSettings
from plexlabor.platform.artifacts import ArtifactStore
from plexlabor.platform.pilot import PLANT_WIDE, PilotScope, Place
from plexlabor.validation.policy import PunchPolicy

OVERTIME_VERSION = "overtime-projection-1"
"""`model_version` of overtime projections (a rule set, not a trained model)."""


@dataclass(frozen=True)
class InForce:
    """The model a stored run forecast with, as `load_model` read it back (checked against `sha256`)."""

    model: LaborHoursModel
    sha256: str


@dataclass
class ForecastRun:
    as_of: datetime
    version: str
    model: LaborHoursModel | None
    model_blob: bytes | None
    model_sha256: str | None
    forecasts: list[OperationForecast]
    alerts: list[VarianceAlert]
    overtime: list[OvertimeProjection]
    issues: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)
    accuracy: dict[str, Any] | None = None
    """The model in force on work it did not see (`backtest.accuracy_in_force`), when measured."""
    min_training_operations: int | None = None
    """The finished job operations a model needs (`ForecastSettings.min_training_operations`): with fewer, the forecast
    is the standard with a band, and the forecasts page says how many it waits for."""

    def summary(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "version": self.version,
            "model_version": self.model.version if self.model else None,
            "method": "model" if self.model else "standard",
            "trained_on": self.model.trained_on if self.model else 0,
            "min_training_operations": self.min_training_operations,
            "forecasts": len(self.forecasts),
            "forecast_p50_hours": round(sum(f.p50_hours for f in self.forecasts), 1),
            "forecast_standard_hours": round(sum(f.standard_hours for f in self.forecasts), 1),
            "alerts": len(self.alerts),
            "overtime_projections": len(self.overtime),
            "projected_overtime_hours": round(sum(p.projected_overtime_hours for p in self.overtime), 1),
            "issues": self.issues,
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
            "accuracy": self.accuracy,
        }


def run_stamp(as_of: datetime) -> str:
    return as_of.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def run_forecast(
    data: ForecastData,
    settings: ForecastSettings | None = None,
    in_force: InForce | None = None,
    plant: PunchPolicy | None = None,
) -> ForecastRun:
    """Retrain on the data's history and forecast what is scheduled after its end; or, given the model
    `in_force` (an intraday refresh), forecast with it and train nothing. Overtime is projected by the `plant`'s
    weekly hours (`overtime_after_hours`, `weekly_hours_limit`; the defaults unless given)."""
    settings = settings or ForecastSettings()
    as_of = datetime.fromtimestamp(data.data_end, UTC)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    builder = feature_builder(data, settings)
    seconds["features"] = time.perf_counter() - started
    mark = time.perf_counter()
    blob = sha = None
    model: LaborHoursModel | None
    if in_force is not None:
        model, sha, version = in_force.model, in_force.sha256, f"forecast-{run_stamp(as_of)}-refresh"
    else:
        model = train_model(data, settings, builder)
        if model is not None:
            blob, sha = model.seal(f"forecast-{run_stamp(as_of)}")
            version = model.version
        else:
            version = f"forecast-{run_stamp(as_of)}-standard"
        seconds["train"] = time.perf_counter() - mark
    mark = time.perf_counter()
    batch = forecast_operations(data, settings, model, builder)
    alerts = variance_alerts(data, batch, model, settings)
    seconds["forecast"] = time.perf_counter() - mark
    mark = time.perf_counter()
    overtime = project_overtime(data, settings, batch.forecasts, plant=plant)
    seconds["overtime"] = time.perf_counter() - mark
    return ForecastRun(
        as_of=as_of,
        version=version,
        model=model,
        model_blob=blob,
        model_sha256=sha,
        forecasts=batch.forecasts,
        alerts=alerts,
        overtime=overtime,
        issues=dict(data.issues),
        seconds=seconds,
        min_training_operations=settings.min_training_operations,
    )


def jsonl(records: Iterable[BaseModel]) -> bytes:
    return "".join(record.model_dump_json() + "\n" for record in records).encode()


def store_run(run: ForecastRun, store: ArtifactStore) -> dict[str, Any]:
    """Write the run's files, then point `latest.json` at them; return the pointer."""
    files = {
        "forecasts.jsonl": jsonl(run.forecasts),
        "alerts.jsonl": jsonl(run.alerts),
        "overtime.jsonl": jsonl(run.overtime),
    }
    model_key = run_key(run.model.version, "model.pkl") if run.model else None  # a refresh's: the nightly's
    if model_key and run.model_blob is not None:
        store.put(model_key, run.model_blob)
    for name, data in files.items():
        store.put(run_key(run.version, name), data, "application/x-ndjson")
    pointer = {
        **run.summary(),
        "model_key": model_key,
        "model_sha256": run.model_sha256,
        "model_bytes": len(run.model_blob) if run.model_blob is not None else 0,
        "files": [run_key(run.version, name) for name in files],
        "file_sha256": {run_key(run.version, name): hashlib.sha256(data).hexdigest() for name, data in files.items()},
    }
    store.put(LATEST, json.dumps(pointer, indent=2).encode(), "application/json")
    return pointer


def load_model(store: ArtifactStore, pointer: dict[str, Any]) -> InForce | None:
    """The model a pointer names, checked against its SHA-256; None for a standard-only run."""
    key = pointer.get("model_key")
    if not key:
        return None
    blob = store.get(key)
    if blob is None:
        raise ArtifactError(f"{key}: named by {LATEST} but not stored")
    version = pointer.get("model_version") or pointer["version"]  # runs stored before refreshes: the same
    return InForce(LaborHoursModel.from_bytes(blob, pointer["model_sha256"], version), pointer["model_sha256"])


def publish_run(
    run: ForecastRun,
    audit: AuditStore,
    now: datetime,
    settings: ForecastSettings | None = None,
    scope: PilotScope = PLANT_WIDE,
) -> PublishResult:
    """Append the alerts and the overtime projections worth acting on, once (`audit.publish_once`), raised `now` (the
    moment they are published; the run's as-of stays in each payload and id)."""
    settings = settings or ForecastSettings()
    review = settings.alert_status == AuditStatus.PENDING_APPROVAL.value
    events: list[EventBuilder] = []
    for alert in run.alerts:
        where = Place(alert.forecast.department, alert.forecast.workcenter_code)
        status, held = review_status(review, scope, "labor_variance", where)
        events.append(partial(alert_event, alert, now, status, held=held))
    for p in run.overtime:
        if p.projected_overtime_hours >= settings.overtime_alert_min_hours and p.suggestion:
            status, held = review_status(review, scope, "overtime_projection", Place(p.department))
            events.append(partial(overtime_event, p, OVERTIME_VERSION, now, status, held=held))
    return publish_once(audit, events)
