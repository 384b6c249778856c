"""The nightly job behind `functions/forecast_nightly`: read, retrain, forecast, store, publish.

Configuration (`NightlySettings`, read once per cold start from the environment):
- where labor data comes from: `PLEXLABOR_PLANT_DIR` (a plant folder) or Plex (`PLEXLABOR_PLEX_*`,
  the key from `PLEX_API_KEY_SECRET_ARN`, `PLEXLABOR_TIMEZONE` required), as every intake function;
- `AUDIT_TABLE_NAME`: where alerts and overtime suggestions go;
- `ARTIFACTS_BUCKET_NAME` (S3, under `models/forecast/`) or `PLEXLABOR_ARTIFACTS_DIR` (a folder);
- `FORECAST_SETTINGS`: optional JSON overriding `ForecastSettings` fields, e.g. `{"alert_margin": 0.2}`.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any, Self

from pydantic import Field, field_validator, model_validator

from plexlabor.audit.store import AuditStore
from plexlabor.forecast.artifacts import ArtifactStore
from plexlabor.forecast.data import check_aware, read_forecast_data
from plexlabor.forecast.service import publish_run, run_forecast, store_run
from plexlabor.forecast.settings import ForecastSettings
from plexlabor.platform.env import ARTIFACTS_BUCKET_NAME as ENV_ARTIFACTS_BUCKET_NAME
from plexlabor.platform.env import AUDIT_TABLE_NAME as ENV_AUDIT_TABLE_NAME
from plexlabor.platform.settings import PlexSourceSettings
from plexlabor.plex.sources import LaborSource

ENV_ARTIFACTS_DIR = "PLEXLABOR_ARTIFACTS_DIR"
ENV_FORECAST_SETTINGS = "FORECAST_SETTINGS"


class NightlySettings(PlexSourceSettings):
    audit_table_name: str = Field(alias=ENV_AUDIT_TABLE_NAME)
    artifacts_bucket_name: str | None = Field(default=None, alias=ENV_ARTIFACTS_BUCKET_NAME)
    artifacts_dir: str | None = Field(default=None, alias=ENV_ARTIFACTS_DIR)
    forecast: ForecastSettings = Field(default_factory=ForecastSettings, alias=ENV_FORECAST_SETTINGS)

    @field_validator("forecast", mode="before")
    @classmethod
    def _json(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError as error:
                raise ValueError(f"not valid JSON: {error.msg}") from None
        return value

    @model_validator(mode="after")
    def _somewhere_to_store(self) -> Self:
        if not self.artifacts_bucket_name and not self.artifacts_dir:
            raise ValueError(f"set {ENV_ARTIFACTS_BUCKET_NAME} (S3) or {ENV_ARTIFACTS_DIR} (a folder)")
        return self


def run_nightly(
    source: LaborSource,
    artifacts: ArtifactStore,
    audit: AuditStore,
    now: datetime,
    settings: ForecastSettings | None = None,
) -> dict[str, Any]:
    """Forecast as of `now`; return a JSON-safe summary (counts, version, seconds per step)."""
    settings = settings or ForecastSettings()
    now = check_aware("now", now)
    started = time.perf_counter()
    data = read_forecast_data(source.port, source.timezone, now, settings)
    read_seconds = time.perf_counter() - started
    run = run_forecast(data, settings)
    run.seconds["read"] = read_seconds
    mark = time.perf_counter()
    pointer = store_run(run, artifacts)
    run.seconds["store"] = time.perf_counter() - mark
    mark = time.perf_counter()
    published = publish_run(run, audit, now, settings)
    run.seconds["publish"] = time.perf_counter() - mark
    return {**run.summary(), "model_bytes": pointer["model_bytes"], **published.as_dict()}
