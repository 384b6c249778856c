"""skills_daily: EventBridge daily schedule → skills & certification compliance → suggestions in the audit table.

Thin: parse the event, build the adapters once per environment, call `plexlabor.skills`, publish.
Event: an EventBridge scheduled event; `detail` may carry `{"as_of": "YYYY-MM-DD", "horizon_days": N,
"publish": false}`. Without `as_of` the day is the event's `time` in the plant's zone. Returns the
report's totals plus `published`, `already_published` (a re-run the same day or week records
nothing twice), `invalid` and `published_by_kind`. Ids and counts only: no personal data.

Configuration (environment, read once per environment by `build_dependencies`):
- `AUDIT_TABLE_NAME` (required);
- where labor data comes from, as for every intake function (`plexlabor.intake.settings.PlexSourceSettings`):
  `PLEXLABOR_PLANT_DIR` (a plant folder) or Plex (`PLEXLABOR_PLEX_*`, the key from
  `PLEX_API_KEY_SECRET_ARN`, `PLEXLABOR_TIMEZONE` required);
- `SKILLS_HORIZON_DAYS` (14), `SKILLS_LOOKBACK_DAYS` (90), `SKILLS_HR_RECIPIENT` (`hr`, the id HR
  notifications are addressed to), `SKILLS_TRAINING_WORKCENTERS` (25, workcenters that get a
  cross-training suggestion per week).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from plexlabor.audit.store import AuditStore
from plexlabor.intake.messages import utc_now
from plexlabor.platform.env import AUDIT_TABLE_NAME as ENV_AUDIT_TABLE_NAME
from plexlabor.platform.settings import PerEnvironment, PlexSourceSettings
from plexlabor.plex.port import LaborDataPort
from plexlabor.skills.data import DEFAULT_HORIZON_DAYS, DEFAULT_LOOKBACK_DAYS, load
from plexlabor.skills.engine import assess_skills
from plexlabor.skills.publish import DEFAULT_HR_RECIPIENT, PublishOptions, publish_report


class SkillsDailyDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: date | None = None
    horizon_days: int | None = Field(default=None, ge=1, le=60)
    publish: bool = True


class SkillsDailyEvent(EventBridgeModel):
    detail: SkillsDailyDetail = SkillsDailyDetail()


EVENT_MODEL = SkillsDailyEvent
"""The shape of this function's event (`events/skills_daily.json` parses with it)."""

ACTOR = "skills_daily"

logger = Logger()
tracer = Tracer()
metrics = Metrics()


class SkillsDailySettings(PlexSourceSettings):
    audit_table_name: str = Field(alias=ENV_AUDIT_TABLE_NAME)
    horizon_days: int = Field(default=DEFAULT_HORIZON_DAYS, ge=1, le=60, alias="SKILLS_HORIZON_DAYS")
    lookback_days: int = Field(default=DEFAULT_LOOKBACK_DAYS, ge=0, le=730, alias="SKILLS_LOOKBACK_DAYS")
    hr_recipient: str = Field(
        default=DEFAULT_HR_RECIPIENT, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/+=-]*$", alias="SKILLS_HR_RECIPIENT"
    )
    training_workcenters: int = Field(default=25, ge=0, le=1000, alias="SKILLS_TRAINING_WORKCENTERS")


@dataclass
class Dependencies:
    source: LaborDataPort
    timezone: str
    store: AuditStore
    horizon_days: int = DEFAULT_HORIZON_DAYS
    lookback_days: int = DEFAULT_LOOKBACK_DAYS
    publish: PublishOptions = field(default_factory=lambda: PublishOptions(actor=ACTOR))
    clock: Callable[[], datetime] = utc_now


def _build(settings: SkillsDailySettings) -> Dependencies:
    """The real adapters (clients are created on first use)."""

    from plexlabor.audit.dynamodb import DynamoDbAuditStore
    from plexlabor.intake.aws import aws_client
    from plexlabor.plex.sources import open_labor_source_from_aws

    source = open_labor_source_from_aws(settings)
    return Dependencies(
        source=source.port,
        timezone=source.timezone,
        store=DynamoDbAuditStore(settings.audit_table_name, client=aws_client("dynamodb")),
        horizon_days=settings.horizon_days,
        lookback_days=settings.lookback_days,
        publish=PublishOptions(
            actor=ACTOR, hr_recipient=settings.hr_recipient, training_workcenters=settings.training_workcenters
        ),
    )


build_dependencies = PerEnvironment(SkillsDailySettings, _build)
"""The dependencies from the environment: built on first use, rebuilt only if a variable it reads changes."""


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext, dependencies: Dependencies | None = None) -> dict[str, Any]:
    request = parse(event=event, model=SkillsDailyEvent)
    deps = dependencies or build_dependencies()
    as_of = request.detail.as_of or request.time.astimezone(ZoneInfo(deps.timezone)).date()
    horizon = request.detail.horizon_days or deps.horizon_days
    logger.append_keys(as_of=as_of.isoformat(), horizon_days=horizon)

    data = load(deps.source, as_of, timezone=deps.timezone, horizon_days=horizon, lookback_days=deps.lookback_days)
    report = assess_skills(data)
    totals = report.totals
    summary: dict[str, Any] = {"as_of": as_of.isoformat(), "horizon_days": horizon, **totals.model_dump()}
    if request.detail.publish:
        result = publish_report(report, deps.store, deps.clock(), deps.publish)
        summary |= {
            "published": result.published,
            "already_published": result.already_published,
            "invalid": result.invalid,
            "published_by_kind": dict(sorted(result.by_kind.items())),
        }
        metrics.add_metric(name="SkillsSuggestionsPublished", unit=MetricUnit.Count, value=result.published)
        if result.invalid:
            logger.error("suggestions with ids the audit table refuses were skipped", invalid=result.invalid)
    logger.info("skills assessed", **summary)
    metrics.add_metric(name="SkillsGapShifts", unit=MetricUnit.Count, value=totals.gaps)
    metrics.add_metric(
        name="SkillsHoursAtRiskAfterCover", unit=MetricUnit.Count, value=totals.hours_at_risk_after_cover
    )
    metrics.add_metric(name="CertificationsLapsedNeeded", unit=MetricUnit.Count, value=totals.lapsed)
    metrics.add_metric(name="CertificationsExpiring30d", unit=MetricUnit.Count, value=totals.expiring.get("30", 0))
    return summary
