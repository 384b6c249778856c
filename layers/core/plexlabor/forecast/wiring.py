"""How forecast_nightly is wired: its settings, its dependencies, and building them from the environment.

Configuration (`NightlySettings`, read once per environment by `dependencies`):
- where labor data comes from: `PLEXLABOR_PLANT_DIR` (a plant folder) or Plex (`PLEXLABOR_PLEX_*`,
  the key from `PLEX_API_KEY_SECRET_ARN`, `PLEXLABOR_TIMEZONE` required), as every function that reads it;
- `AUDIT_TABLE_NAME`: where alerts and overtime suggestions go;
- `ARTIFACTS_BUCKET_NAME` (S3) or `PLEXLABOR_ARTIFACTS_DIR` (a folder): the shared artifact store
  (`plexlabor.platform.artifacts`), rooted at `models/forecast/` of either;
- `FORECAST_SETTINGS`: optional JSON overriding `ForecastSettings` fields, e.g. `{"alert_margin": 0.2}`;
- the pilot scope (`PilotSettings`: `PILOT_*`, `NOTIFY_KINDS`, `ADVISORY_MODE`, `docs/rollout.md`),
  which holds back what `alert_status` would send for review outside the pilot or in advisory mode;
- the plant's policy (`PolicySettings`: `VALIDATION_POLICY`, optional), of which its `pay_week_starts`: the week
  overtime is projected in, as validation and allocation count it (Monday unset), its `overtime_after_hours` (40):
  the weekly hours after which time is overtime, and its `weekly_hours_limit` (55): the people projected over it
  are counted, as validation flags them. Not `FORECAST_SETTINGS` fields: a plant fact has one place.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from plexlabor.audit.store import AuditStore
from plexlabor.forecast.artifacts import PREFIX
from plexlabor.forecast.settings import ForecastSettings
from plexlabor.platform import env
from plexlabor.platform.artifacts import ArtifactStore, RequiredArtifactSettings
from plexlabor.platform.clock import utc_now
from plexlabor.platform.pilot import PLANT_WIDE, PilotScope
from plexlabor.platform.settings import PerEnvironment, PilotSettings, PlexSourceSettings
from plexlabor.plex.sources import LaborSource, open_labor_source_from_aws
from plexlabor.validation.policy import PolicySettings, PunchPolicy

ENV_FORECAST_SETTINGS = "FORECAST_SETTINGS"


class NightlySettings(PlexSourceSettings, PilotSettings, RequiredArtifactSettings, PolicySettings):
    audit_table_name: str = Field(alias=env.AUDIT_TABLE_NAME)
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


@dataclass
class Dependencies:
    source: LaborSource
    artifacts: ArtifactStore
    audit: AuditStore
    settings: ForecastSettings = field(default_factory=ForecastSettings)
    scope: PilotScope = PLANT_WIDE
    clock: Callable[[], datetime] = utc_now
    """When the run's suggestions are raised (published): their events' time, not the forecast's as-of (ux_s14 #10)."""
    plant: PunchPolicy = field(default_factory=PunchPolicy)
    """The plant's policy (`ValidationPolicy`): its pay week (`pay_week_starts`), the week overtime is projected in,
    the weekly hours after which time is overtime (`overtime_after_hours`) and its weekly hours limit
    (`weekly_hours_limit`, the people over it counted)."""


def build(settings: NightlySettings) -> Dependencies:
    """The real adapters (clients are created on first use)."""
    from plexlabor.audit.dynamodb import DynamoDbAuditStore

    artifacts = settings.artifact_store(PREFIX)
    assert artifacts is not None  # NightlySettings requires a bucket or a folder
    return Dependencies(
        source=open_labor_source_from_aws(settings),
        artifacts=artifacts,
        audit=DynamoDbAuditStore(settings.audit_table_name),
        settings=settings.forecast,
        scope=settings.pilot_scope,
        plant=settings.validation_policy.punch,
    )


dependencies = PerEnvironment(NightlySettings, build)
"""The dependencies from the environment: built on first use, rebuilt only if a variable it reads changes."""
