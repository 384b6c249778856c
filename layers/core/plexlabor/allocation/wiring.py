"""How allocation_nightly is wired: its settings, its dependencies, and building them from the environment.

Configuration (environment, read once per environment by `dependencies`):
- `AUDIT_TABLE_NAME` (required): where unallocated-time suggestions go, and where supervisors'
  decisions on JOB_CODE_MISMATCH findings are read from;
- where labor data comes from, as for every function that reads it (`PlexSourceSettings`);
- where the report goes (`ArtifactSettings`, required): `ARTIFACTS_BUCKET_NAME` (S3, under
  `reports/allocation/`) or `PLEXLABOR_ARTIFACTS_DIR` (a folder);
- the pilot scope (`PilotSettings`, `docs/rollout.md`): suggestions outside it are `logged`;
- `ALLOCATION_SPLIT` (`equal`, `standard_hours` or `cycles`): how a moment is shared between job
  operations run at once; `ALLOCATION_OVERTIME_PREMIUM` (1.5); `MISAPPLICATION_WEEKS` (6): the past weeks
  job-code misapplication is learned from;
  `ALLOCATION_INDIRECT_CODES` (`TRAINING,MEETING,WAITING`): the plant's indirect codes a reviewer may code
  unallocated time to (with the departments' codes and those Plex recorded; stored with the report);
- the plant's policy (`PolicySettings`: `VALIDATION_POLICY`, optional), of which its `pay_week_starts`: the
  week weekly overtime is counted in, as validation counts it (Monday unset), and its `overtime_after_hours` (40):
  the weekly hours after which time is paid as overtime.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from plexlabor.allocation.artifact import REPORT_PREFIX
from plexlabor.allocation.policy import AllocationPolicy, Split
from plexlabor.audit.store import AuditStore
from plexlabor.platform import env
from plexlabor.platform.artifacts import ArtifactStore, RequiredArtifactSettings
from plexlabor.platform.clock import utc_now
from plexlabor.platform.pilot import PilotScope, parse_codes
from plexlabor.platform.settings import PerEnvironment, PilotSettings, PlexSourceSettings
from plexlabor.plex.sources import LaborSource, open_labor_source_from_aws
from plexlabor.validation.policy import PolicySettings

ACTOR = "allocation_nightly"
"""Who the suggestions are recorded by in the audit trail."""
DEFAULT_MISAPPLICATION_WEEKS = 6
MAX_WEEKS = 26


class AllocationNightlySettings(PlexSourceSettings, PilotSettings, RequiredArtifactSettings, PolicySettings):
    audit_table_name: str = Field(alias=env.AUDIT_TABLE_NAME)
    split: Split = Field(default=Split.EQUAL, alias="ALLOCATION_SPLIT")
    overtime_premium: float = Field(default=1.5, ge=1, le=5, alias="ALLOCATION_OVERTIME_PREMIUM")
    misapplication_weeks: int = Field(
        default=DEFAULT_MISAPPLICATION_WEEKS, ge=1, le=MAX_WEEKS, alias="MISAPPLICATION_WEEKS"
    )
    indirect_codes: tuple[str, ...] = Field(
        default=AllocationPolicy().indirect_codes, min_length=1, alias="ALLOCATION_INDIRECT_CODES"
    )

    @field_validator("indirect_codes", mode="before")
    @classmethod
    def _codes(cls, value: Any) -> tuple[str, ...]:
        return parse_codes(value)


@dataclass
class Dependencies:
    source: LaborSource
    store: AuditStore
    reports: ArtifactStore
    policy: AllocationPolicy = field(default_factory=AllocationPolicy)
    misapplication_weeks: int = DEFAULT_MISAPPLICATION_WEEKS
    scope: PilotScope = field(default_factory=PilotScope)
    clock: Callable[[], datetime] = utc_now


def build(settings: AllocationNightlySettings) -> Dependencies:
    """The real adapters (clients are created on first use)."""
    from plexlabor.audit.dynamodb import DynamoDbAuditStore

    return Dependencies(
        source=open_labor_source_from_aws(settings),
        store=DynamoDbAuditStore(settings.audit_table_name),
        reports=settings.required_store(REPORT_PREFIX),
        policy=AllocationPolicy(
            split=settings.split,
            weekly_overtime_hours=settings.validation_policy.overtime_after_hours,
            overtime_premium=settings.overtime_premium,
            indirect_codes=settings.indirect_codes,
            pay_week_starts=settings.validation_policy.pay_week_starts,
        ),
        misapplication_weeks=settings.misapplication_weeks,
        scope=settings.pilot_scope,
    )


dependencies = PerEnvironment(AllocationNightlySettings, build)
"""The dependencies from the environment: built on first use, rebuilt only if a variable it reads changes."""
