"""crew_planner: EventBridge schedule → crew plan for a day → suggestions in the audit table.

Thin: parse the event, build the adapters once per environment, call `plexlabor.crew`, publish.
Event: an EventBridge scheduled event; `detail` may carry `{"date": "YYYY-MM-DD", "shift": "1",
"days_ahead": 1, "time_limit_s": 60, "publish": true}`. Without `date` the day planned is the event's
`time` in the plant's zone plus `days_ahead` (default 1: tomorrow); without `shift`, every shift of it.
Returns the plan's size, solver status, proven gap, objective against the baselines and what was
published (`published`, `already_published` for a re-run, `invalid`). Ids and counts only.

Configuration (environment, read once per environment by `build_dependencies`):
- `AUDIT_TABLE_NAME` (required);
- where labor data comes from, as for every function that reads it (`PlexSourceSettings`):
  `PLEXLABOR_PLANT_DIR` (a plant folder) or Plex (`PLEXLABOR_PLEX_*`, the key from
  `PLEX_API_KEY_SECRET_ARN`, `PLEXLABOR_TIMEZONE` required);
- `CREW_TIME_LIMIT_SECONDS` (60), `CREW_APPROVAL` (`changes`: assignments that change the current
  plan and short job operations wait for approval; `all`; `none`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal
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


class CrewPlannerDetail(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    day: date | None = Field(default=None, alias="date")
    shift: str | None = Field(default=None, min_length=1, max_length=16)
    days_ahead: int = Field(default=1, ge=0, le=14)
    time_limit_s: float | None = Field(default=None, gt=0, le=800)
    publish: bool = True


class CrewPlannerEvent(EventBridgeModel):
    detail: CrewPlannerDetail = CrewPlannerDetail()


EVENT_MODEL = CrewPlannerEvent
"""The shape of this function's event (`events/crew_planner.json` parses with it)."""

ACTOR = "crew_planner"

logger = Logger()
tracer = Tracer()
metrics = Metrics()


class CrewPlannerSettings(PlexSourceSettings):
    audit_table_name: str = Field(alias=ENV_AUDIT_TABLE_NAME)
    time_limit_s: float = Field(default=60.0, gt=0, le=800, alias="CREW_TIME_LIMIT_SECONDS")
    approval: Literal["changes", "all", "none"] = Field(default="changes", alias="CREW_APPROVAL")


@dataclass
class Dependencies:
    source: LaborDataPort
    timezone: str
    store: AuditStore
    time_limit_s: float = 60.0
    approval: Literal["changes", "all", "none"] = "changes"
    clock: Callable[[], datetime] = utc_now


def _build(settings: CrewPlannerSettings) -> Dependencies:
    """The real adapters (clients are created on first use)."""

    from plexlabor.audit.dynamodb import DynamoDbAuditStore
    from plexlabor.intake.aws import aws_client
    from plexlabor.plex.sources import open_labor_source_from_aws

    source = open_labor_source_from_aws(settings)
    return Dependencies(
        source=source.port,
        timezone=source.timezone,
        store=DynamoDbAuditStore(settings.audit_table_name, client=aws_client("dynamodb")),
        time_limit_s=settings.time_limit_s,
        approval=settings.approval,
    )


build_dependencies = PerEnvironment(CrewPlannerSettings, _build)
"""The dependencies from the environment: built on first use, rebuilt only if a variable it reads changes."""


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext, dependencies: Dependencies | None = None) -> dict[str, Any]:
    from plexlabor.crew.build import build_problem
    from plexlabor.crew.optimizer import solve
    from plexlabor.crew.publish import publish_plan

    request = parse(event=event, model=CrewPlannerEvent)
    deps = dependencies or build_dependencies()
    detail = request.detail
    day = detail.day or request.time.astimezone(ZoneInfo(deps.timezone)).date() + timedelta(days=detail.days_ahead)
    time_limit = detail.time_limit_s or deps.time_limit_s
    logger.append_keys(plan_day=day.isoformat(), shift=detail.shift or "all")

    started = time.perf_counter()
    problem = build_problem(deps.source, day, detail.shift, timezone=deps.timezone)
    plan = solve(problem, time_limit, build_seconds=time.perf_counter() - started)
    greedy = plan.baseline("greedy")
    supervisor = plan.baseline("supervisor")
    summary: dict[str, Any] = {
        "day": day.isoformat(),
        "shifts": list(plan.shift_codes),
        "jobs": plan.size.jobs,
        "seats": plan.size.seats,
        "seats_filled": plan.breakdown.seats_filled,
        "operators": plan.size.operators,
        "solver": plan.solver.method,
        "status": plan.solver.status,
        "proven_gap": plan.solver.proven_gap,
        "seconds": round(plan.solver.build_seconds + plan.solver.solve_seconds, 2),
        "objective": plan.breakdown.objective,
        "vs_greedy": None if greedy is None else greedy.improvement,
        "vs_supervisor": None if supervisor is None else supervisor.improvement,
        "unstaffed_seats": sum(seat.seats for seat in plan.unstaffed),
    }
    if detail.publish:
        result = publish_plan(plan, deps.store, deps.clock(), actor=ACTOR, approval=deps.approval)
        summary |= {
            "published": result.published,
            "already_published": result.already_published,
            "invalid": result.invalid,
            "published_by_status": dict(sorted(result.by_status.items())),
        }
        metrics.add_metric(name="CrewSuggestionsPublished", unit=MetricUnit.Count, value=result.published)
        if result.invalid:
            logger.error("suggestions with ids the audit table refuses were skipped", invalid=result.invalid)
    logger.info("crew planned", **summary)
    metrics.add_metric(name="CrewSeatsUnstaffed", unit=MetricUnit.Count, value=summary["unstaffed_seats"])
    metrics.add_metric(name="CrewPlanSeconds", unit=MetricUnit.Seconds, value=summary["seconds"])
    return summary
