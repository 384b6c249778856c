"""How crew_planner is wired: its settings, its dependencies, and building them from the environment.

Configuration (environment, read once per environment by `dependencies`):
- `AUDIT_TABLE_NAME` (required);
- where labor data comes from, as for every function that reads it (`PlexSourceSettings`):
  `PLEXLABOR_PLANT_DIR` (a plant folder) or Plex (`PLEXLABOR_PLEX_*`, the key from
  `PLEX_API_KEY_SECRET_ARN`, `PLEXLABOR_TIMEZONE` required);
- `CREW_TIME_LIMIT_SECONDS` (60), `CREW_APPROVAL` (`changes`: assignments that change the current
  plan and short job operations wait for approval; `all`; `none`);
- the pilot scope (`PilotSettings`: `PILOT_*`, `NOTIFY_KINDS`, `ADVISORY_MODE`, `docs/rollout.md`),
  which holds back what `CREW_APPROVAL` would send for review outside the pilot or in advisory mode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import Field

from plexlabor.audit.store import AuditStore
from plexlabor.crew.publish import Approval
from plexlabor.platform import env
from plexlabor.platform.clock import utc_now
from plexlabor.platform.pilot import PLANT_WIDE, PilotScope
from plexlabor.platform.settings import PerEnvironment, PilotSettings, PlexSourceSettings
from plexlabor.plex.sources import LaborSource, open_labor_source_from_aws

ACTOR = "crew_planner"
"""Who the plan's suggestions are recorded by in the audit trail."""


class CrewPlannerSettings(PlexSourceSettings, PilotSettings):
    audit_table_name: str = Field(alias=env.AUDIT_TABLE_NAME)
    time_limit_s: float = Field(default=60.0, gt=0, le=800, alias="CREW_TIME_LIMIT_SECONDS")
    approval: Approval = Field(default="changes", alias="CREW_APPROVAL")


@dataclass
class Dependencies:
    source: LaborSource
    store: AuditStore
    time_limit_s: float = 60.0
    approval: Approval = "changes"
    scope: PilotScope = PLANT_WIDE
    clock: Callable[[], datetime] = utc_now


def build(settings: CrewPlannerSettings) -> Dependencies:
    """The real adapters (clients are created on first use)."""
    from plexlabor.audit.dynamodb import DynamoDbAuditStore

    return Dependencies(
        source=open_labor_source_from_aws(settings),
        store=DynamoDbAuditStore(settings.audit_table_name),
        time_limit_s=settings.time_limit_s,
        approval=settings.approval,
        scope=settings.pilot_scope,
    )


dependencies = PerEnvironment(CrewPlannerSettings, build)
"""The dependencies from the environment: built on first use, rebuilt only if a variable it reads changes."""
