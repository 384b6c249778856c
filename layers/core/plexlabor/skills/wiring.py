"""How skills_daily is wired: its settings, its dependencies, and building them from the environment.

Configuration (environment, read once per environment by `dependencies`):
- `AUDIT_TABLE_NAME` (required);
- where labor data comes from, as for every function that reads it (`PlexSourceSettings`):
  `PLEXLABOR_PLANT_DIR` (a plant folder) or Plex (`PLEXLABOR_PLEX_*`, the key from
  `PLEX_API_KEY_SECRET_ARN`, `PLEXLABOR_TIMEZONE` required);
- `SKILLS_HORIZON_DAYS` (14), `SKILLS_LOOKBACK_DAYS` (90), `SKILLS_HR_RECIPIENT` (`hr`, the id HR
  notifications are addressed to), `SKILLS_TRAINING_WORKCENTERS` (25, workcenters that get a
  cross-training suggestion per week);
- the pilot scope (`PilotSettings`: `PILOT_*`, `NOTIFY_KINDS`, `ADVISORY_MODE`, `docs/rollout.md`),
  which keeps suggestions outside the pilot, or in advisory mode, `logged` instead of in the review queue;
- where the report goes for the dashboards (`ArtifactSettings`): `ARTIFACTS_BUCKET_NAME` (S3, under
  `reports/skills/`) or `PLEXLABOR_ARTIFACTS_DIR` (a folder); neither: the report is not stored;
- the plant's policy (`PolicySettings`: `VALIDATION_POLICY`, optional), of which its `certification_expiry`:
  whether a certification is still valid on its expiry date, as the validation engine reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import Field

from plexlabor.audit.store import AuditStore
from plexlabor.models.skills import CertificationExpiry
from plexlabor.platform import env
from plexlabor.platform.artifacts import ArtifactSettings, ArtifactStore
from plexlabor.platform.clock import utc_now
from plexlabor.platform.settings import PerEnvironment, PilotSettings, PlexSourceSettings
from plexlabor.plex.sources import LaborSource, open_labor_source_from_aws
from plexlabor.skills.artifact import REPORT_PREFIX
from plexlabor.skills.data import DEFAULT_HORIZON_DAYS, DEFAULT_LOOKBACK_DAYS, MAX_HORIZON_DAYS
from plexlabor.skills.publish import DEFAULT_HR_RECIPIENT, PublishOptions
from plexlabor.validation.policy import PolicySettings

ACTOR = "skills_daily"
"""Who the report's suggestions are recorded by in the audit trail."""


class SkillsDailySettings(PlexSourceSettings, PilotSettings, ArtifactSettings, PolicySettings):
    audit_table_name: str = Field(alias=env.AUDIT_TABLE_NAME)
    horizon_days: int = Field(default=DEFAULT_HORIZON_DAYS, ge=1, le=MAX_HORIZON_DAYS, alias="SKILLS_HORIZON_DAYS")
    lookback_days: int = Field(default=DEFAULT_LOOKBACK_DAYS, ge=0, le=730, alias="SKILLS_LOOKBACK_DAYS")
    hr_recipient: str = Field(
        default=DEFAULT_HR_RECIPIENT, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/+=-]*$", alias="SKILLS_HR_RECIPIENT"
    )
    training_workcenters: int = Field(default=25, ge=0, le=1000, alias="SKILLS_TRAINING_WORKCENTERS")


@dataclass
class Dependencies:
    source: LaborSource
    store: AuditStore
    horizon_days: int = DEFAULT_HORIZON_DAYS
    lookback_days: int = DEFAULT_LOOKBACK_DAYS
    publish: PublishOptions = field(default_factory=lambda: PublishOptions(actor=ACTOR))
    clock: Callable[[], datetime] = utc_now
    reports: ArtifactStore | None = None
    """Where the report is stored for the dashboards (`skills.artifact`); None: not stored."""
    certification_expiry: CertificationExpiry = "last_valid_day"
    """What a certification's expiry date is at the plant (`ValidationPolicy.certification_expiry`)."""


def build(settings: SkillsDailySettings) -> Dependencies:
    """The real adapters (clients are created on first use)."""
    from plexlabor.audit.dynamodb import DynamoDbAuditStore

    return Dependencies(
        source=open_labor_source_from_aws(settings),
        store=DynamoDbAuditStore(settings.audit_table_name),
        horizon_days=settings.horizon_days,
        lookback_days=settings.lookback_days,
        publish=PublishOptions(
            actor=ACTOR,
            hr_recipient=settings.hr_recipient,
            training_workcenters=settings.training_workcenters,
            scope=settings.pilot_scope,
        ),
        reports=settings.artifact_store(REPORT_PREFIX),
        certification_expiry=settings.validation_policy.certification_expiry,
    )


dependencies = PerEnvironment(SkillsDailySettings, build)
"""The dependencies from the environment: built on first use, rebuilt only if a variable it reads changes."""
