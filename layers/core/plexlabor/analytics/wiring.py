"""How analytics_nightly is wired: its settings, its dependencies, and building them from the environment.

Configuration (environment, read once per environment by `dependencies`):
- `AUDIT_TABLE_NAME` (required): where supervisors' decisions on validation findings are read from
  (read only: the scores are not recorded there);
- where labor data comes from, as for every function that reads it (`PlexSourceSettings`):
  `PLEXLABOR_PLANT_DIR` (a plant folder) or Plex (`PLEXLABOR_PLEX_*`, the key from
  `PLEX_API_KEY_SECRET_ARN`, `PLEXLABOR_TIMEZONE` required);
- where the report goes (`ArtifactSettings`, required): `ARTIFACTS_BUCKET_NAME` (S3, under
  `reports/analytics/`) or `PLEXLABOR_ARTIFACTS_DIR` (a folder);
- `ANALYTICS_WEEKS` (4): how many weeks, ending with the last full plant-local day, are scored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import Field

from plexlabor.analytics.artifact import REPORT_PREFIX
from plexlabor.audit.store import AuditStore
from plexlabor.platform import env
from plexlabor.platform.artifacts import ArtifactStore, RequiredArtifactSettings
from plexlabor.platform.clock import utc_now
from plexlabor.platform.settings import PerEnvironment, PlexSourceSettings
from plexlabor.plex.sources import LaborSource, open_labor_source_from_aws

DEFAULT_WEEKS = 4
MAX_WEEKS = 26


class AnalyticsNightlySettings(PlexSourceSettings, RequiredArtifactSettings):
    audit_table_name: str = Field(alias=env.AUDIT_TABLE_NAME)
    weeks: int = Field(default=DEFAULT_WEEKS, ge=1, le=MAX_WEEKS, alias="ANALYTICS_WEEKS")


@dataclass
class Dependencies:
    source: LaborSource
    audit: AuditStore
    reports: ArtifactStore
    weeks: int = DEFAULT_WEEKS
    clock: Callable[[], datetime] = utc_now


def build(settings: AnalyticsNightlySettings) -> Dependencies:
    """The real adapters (clients are created on first use)."""
    from plexlabor.audit.dynamodb import DynamoDbAuditStore

    return Dependencies(
        source=open_labor_source_from_aws(settings),
        audit=DynamoDbAuditStore(settings.audit_table_name),
        reports=settings.required_store(REPORT_PREFIX),
        weeks=settings.weeks,
    )


dependencies = PerEnvironment(AnalyticsNightlySettings, build)
"""The dependencies from the environment: built on first use, rebuilt only if a variable it reads changes."""
