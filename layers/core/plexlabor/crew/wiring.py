"""How crew_planner is wired: its settings, its dependencies, and building them from the environment.

Configuration (environment, read once per environment by `dependencies`):
- `AUDIT_TABLE_NAME` (required);
- where labor data comes from, as for every function that reads it (`PlexSourceSettings`):
  `PLEXLABOR_PLANT_DIR` (a plant folder) or Plex (`PLEXLABOR_PLEX_*`, the key from
  `PLEX_API_KEY_SECRET_ARN`, `PLEXLABOR_TIMEZONE` required);
- `CREW_TIME_LIMIT_SECONDS` (60), `CREW_APPROVAL` (`changes`: assignments that change the current
  plan and short job operations wait for approval; `all`; `none`);
- `CREW_MAX_CONSECUTIVE_DAYS` (6, also crew_replan's): nobody is offered work on a day past this many in a row
  (`CrewPolicy.max_consecutive_days`; the other rules and prices are `CrewPolicy`'s defaults);
- the plant's policy (`PolicySettings`: `VALIDATION_POLICY`, optional, also crew_replan's): its `pay_week_starts`
  (the week an operator's week hours count in), `overtime_after_hours` (the week hours after which an operator's
  time is overtime) and `certification_expiry` (whether a certification is valid on its expiry date), as
  validation reads them (`CrewPolicy.pay_week_starts`, `.weekly_straight_time_hours`, `.certification_expiry`);
- the pilot scope (`PilotSettings`: `PILOT_*`, `NOTIFY_KINDS`, `ADVISORY_MODE`, `docs/rollout.md`),
  which holds back what `CREW_APPROVAL` would send for review outside the pilot or in advisory mode.

crew_replan (`replan_dependencies`) reads the same source, table and pilot scope,
`CREW_REPLAN_TIME_LIMIT_SECONDS` (10), and `ARTIFACTS_BUCKET_NAME` (or `PLEXLABOR_ARTIFACTS_DIR`): where it
stores each shift and day it reads for the next container (`crew.snapshots`; neither: nothing stored); what it
adds to the current plan always waits for review.
crew_call_offs (`call_off_dependencies`) reads the same source, `AUDIT_TABLE_NAME` (where it holds each call-off's
claim, `crew.claims`), `REPLAN_QUEUE_URL` (where it sends
`call_off` messages, each followed by a `call_off_nearby` of each shift next to it, and `refresh` messages),
`CREW_CALL_OFF_GRACE_MINUTES` (15: how late a scheduled operator may clock in), `CREW_CALL_OFF_PERIOD_MINUTES`
(5: its schedule's period, the window of shift starts it looks at) and `CREW_REFRESH_AHEAD_MINUTES` (60: each run
asks crew_replan to keep every shift running or starting within this ready, `replanning.refresh`; 0: no refresh).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import Field

from plexlabor.audit.store import AuditStore
from plexlabor.crew.models import CrewPolicy
from plexlabor.crew.publish import Approval
from plexlabor.crew.replanning import KEPT_FOR, KeptShift
from plexlabor.crew.suggestions import DayReader
from plexlabor.platform import env
from plexlabor.platform.artifacts import ArtifactSettings
from plexlabor.platform.clock import utc_now
from plexlabor.platform.pilot import PLANT_WIDE, PilotScope
from plexlabor.platform.settings import PerEnvironment, PilotSettings, PlexSourceSettings
from plexlabor.platform.sqs import SqsJsonSender
from plexlabor.plex.reference_cache import REFERENCE_MAX_AGE_S, ReferenceCache
from plexlabor.plex.snapshot import Windowed
from plexlabor.plex.sources import LaborSource, open_labor_source_from_aws
from plexlabor.validation.policy import PolicySettings

if TYPE_CHECKING:
    from plexlabor.crew.messages import ReplanSender
    from plexlabor.crew.snapshots import KeptStore


HISTORY: tuple[Windowed, ...] = ("labor-entries", "time-clock-entries")
"""What crew_replan keeps of a shift's read between reads, caught up on each (`ReferenceCache`)."""

ACTOR = "crew_planner"
"""Who the plan's suggestions are recorded by in the audit trail."""


class CrewSettings(PlexSourceSettings, PilotSettings, PolicySettings):
    """What crew_planner and crew_replan both read: the labor data, the audit table, the pilot scope, the plant's
    rules that differ from `CrewPolicy`'s defaults, and the plant facts of its policy (`VALIDATION_POLICY`: the pay
    week operators' week hours are counted in, the hours after which they are overtime, what a certification's
    expiry date is), as validation reads them."""

    audit_table_name: str = Field(alias=env.AUDIT_TABLE_NAME)
    max_consecutive_days: int = Field(default=6, ge=1, le=14, alias="CREW_MAX_CONSECUTIVE_DAYS")

    def policy(self) -> CrewPolicy:
        plant = self.validation_policy
        return CrewPolicy(
            max_consecutive_days=self.max_consecutive_days,
            pay_week_starts=plant.pay_week_starts,
            weekly_straight_time_hours=plant.overtime_after_hours,
            certification_expiry=plant.certification_expiry,
        )


class CrewPlannerSettings(CrewSettings):
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
    policy: CrewPolicy = field(default_factory=CrewPolicy)
    """The plant's rules and prices (`CrewSettings.policy`)."""


def _source_and_store(settings: CrewSettings) -> tuple[LaborSource, AuditStore]:
    """The real adapters (clients are created on first use)."""
    from plexlabor.audit.dynamodb import DynamoDbAuditStore

    return open_labor_source_from_aws(settings), DynamoDbAuditStore(settings.audit_table_name)


def build(settings: CrewPlannerSettings) -> Dependencies:
    source, store = _source_and_store(settings)
    return Dependencies(
        source, store, settings.time_limit_s, settings.approval, settings.pilot_scope, policy=settings.policy()
    )


dependencies = PerEnvironment(CrewPlannerSettings, build)
"""The dependencies from the environment: built on first use, rebuilt only if a variable it reads changes."""


class CrewReplanSettings(CrewSettings, ArtifactSettings):
    time_limit_s: float = Field(default=10.0, gt=0, le=800, alias="CREW_REPLAN_TIME_LIMIT_SECONDS")


@dataclass
class ReplanDependencies(Dependencies):
    time_limit_s: float = 10.0
    approval: Approval = "all"
    """A re-plan records only what is new (the rest has the current plan's event ids): all of it for review."""
    problems: dict[tuple[date, str], KeptShift] = field(default_factory=dict)
    """Per (day, shift): the problem last re-planned, events applied (`replanning.run`)."""
    days: DayReader = field(init=False)
    """Each day's crew suggestions in the audit table, and the events re-plans applied, read whole once per
    container and then caught up (whole again after `KEPT_FOR`, as the shift's data: a refresh renews both,
    `replanning.refresh`)."""

    kept_store: KeptStore | None = None
    """Where each read of a shift and of the day's suggestions is stored for the next container, and where a new
    container starts from (`crew.snapshots`; the artifacts bucket's `crew/kept/`). None: nothing stored."""
    reference_max_age_s: float | None = None
    """Reference data (jobs and their operations: one Plex call per job) kept this long for a refresh's read
    (`plex.reference_cache.ReferenceCache`, on the dependencies' clock); a real event's read renews it
    (`renew_reference`). The history the shift's read looks at (`HISTORY`: 90 days of labor entries, 15 days
    of punches) and complete jobs' operations are kept too, and caught up: each read asks only from where they
    can still change (the earliest still open, else a day before the last read), whole again after an hour.
    None: every read asks the source."""

    def __post_init__(self) -> None:
        self.days = DayReader(self.store, refresh=KEPT_FOR, applied=True)
        if self.reference_max_age_s is not None:
            cache = ReferenceCache(
                self.source.port,
                self.reference_max_age_s,
                clock=lambda: self.clock().timestamp(),
                history=HISTORY,
                now=self.clock,
            )
            self.source = LaborSource(cache, self.source.timezone, self.source.job_lead_days)

    def renew_reference(self) -> None:
        """The next read asks the source for the reference data (a real event's read: Plex as it is now); the
        history is caught up as on every read."""
        if isinstance(self.source.port, ReferenceCache):
            self.source.port.expire()


def build_replan(settings: CrewReplanSettings) -> ReplanDependencies:
    from plexlabor.crew.snapshots import PREFIX, KeptStore

    source, store = _source_and_store(settings)
    artifacts = settings.artifact_store(PREFIX)
    return ReplanDependencies(
        source,
        store,
        settings.time_limit_s,
        scope=settings.pilot_scope,
        kept_store=None if artifacts is None else KeptStore(artifacts),
        reference_max_age_s=REFERENCE_MAX_AGE_S,
        policy=settings.policy(),
    )


replan_dependencies = PerEnvironment(CrewReplanSettings, build_replan)


REPLAN_GROUP = "plant"
"""The replan queue's one message group: FIFO hands a group's messages over one batch at a time, in order, so
crew_replan re-plans once at a time, each from the plan the previous one left (a message that keeps failing holds
those behind it until it moves to the DLQ)."""


def replan_sender(queue_url: str) -> SqsJsonSender:
    """Puts a `replan` message (its aliases) on the replan queue (crew_replan consumes it): FIFO, every message in
    one group, so crew_replan re-plans one at a time, in the order they were sent (a call-off before the
    `call_off_nearby` messages of the shifts next to it, whose re-plans then find it recorded)."""
    return SqsJsonSender(queue_url, by_alias=True, group=REPLAN_GROUP)


class CrewCallOffSettings(PlexSourceSettings):
    audit_table_name: str = Field(alias=env.AUDIT_TABLE_NAME)
    replan_queue_url: str = Field(alias=env.REPLAN_QUEUE_URL)
    grace_minutes: float = Field(default=15.0, ge=0, le=240, alias="CREW_CALL_OFF_GRACE_MINUTES")
    period_minutes: float = Field(default=5.0, gt=0, le=60, alias="CREW_CALL_OFF_PERIOD_MINUTES")
    refresh_ahead_minutes: float = Field(default=60.0, ge=0, le=720, alias="CREW_REFRESH_AHEAD_MINUTES")


@dataclass
class CallOffDependencies:
    source: LaborSource
    sender: ReplanSender
    store: AuditStore
    """Where each call-off detected is held by its claim before it is sent (`crew.claims`, `replanning.detect`)."""
    grace: timedelta = timedelta(minutes=15)
    period: timedelta = timedelta(minutes=5)
    refresh_ahead: timedelta | None = timedelta(minutes=60)
    """Shifts running or starting within this are refreshed on every run (`replanning.detect`); None: none."""


def build_call_offs(settings: CrewCallOffSettings) -> CallOffDependencies:
    from plexlabor.audit.dynamodb import DynamoDbAuditStore

    ahead = settings.refresh_ahead_minutes
    return CallOffDependencies(
        source=open_labor_source_from_aws(settings),
        sender=replan_sender(settings.replan_queue_url),
        store=DynamoDbAuditStore(settings.audit_table_name),
        grace=timedelta(minutes=settings.grace_minutes),
        period=timedelta(minutes=settings.period_minutes),
        refresh_ahead=timedelta(minutes=ahead) if ahead else None,
    )


call_off_dependencies = PerEnvironment(CrewCallOffSettings, build_call_offs)
