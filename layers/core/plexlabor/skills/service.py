"""skills_daily's run: skills and certification compliance for a day, its suggestions published.

The request is an EventBridge scheduled event; `detail` may carry `{"as_of": "YYYY-MM-DD",
"horizon_days": N, "publish": false}`. Without `as_of` the day is the event's `time` in the plant's
zone. The report is stored for the dashboards when the dependencies have a store
(`skills.artifact`: `reports/skills/<as_of>.json`, then `latest.json`), whether or not it is published.
The summary holds the report's totals plus `report_key`, `published`, `already_published` (a re-run
the same day or week records nothing twice), `invalid` and `published_by_kind`. Ids and counts only.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict, Field

from plexlabor.platform.observability import logger, metrics
from plexlabor.skills.artifact import build_artifact, store_artifact
from plexlabor.skills.data import MAX_HORIZON_DAYS, SkillsInput, load
from plexlabor.skills.engine import assess_skills
from plexlabor.skills.publish import publish_report
from plexlabor.skills.report import SkillsReport
from plexlabor.skills.wiring import Dependencies


class SkillsDailyDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: date | None = None
    horizon_days: int | None = Field(default=None, ge=1, le=MAX_HORIZON_DAYS)
    publish: bool = True


class SkillsDailyEvent(EventBridgeModel):
    detail: SkillsDailyDetail = SkillsDailyDetail()


def run(deps: Dependencies, request: SkillsDailyEvent) -> dict[str, Any]:
    """Assess the day, publish the report if asked; the JSON-safe summary."""
    source = deps.source
    as_of = request.detail.as_of or request.time.astimezone(ZoneInfo(source.timezone)).date()
    horizon = request.detail.horizon_days or deps.horizon_days
    logger.append_keys(as_of=as_of.isoformat(), horizon_days=horizon)

    data = load(
        source.port,
        as_of,
        timezone=source.timezone,
        horizon_days=horizon,
        lookback_days=deps.lookback_days,
        certification_expiry=deps.certification_expiry,
    )
    report = assess_skills(data)
    totals = report.totals
    summary: dict[str, Any] = {"as_of": as_of.isoformat(), "horizon_days": horizon, **totals.model_dump()}
    summary["report_key"] = _store(report, data, deps)
    if request.detail.publish:
        summary |= _publish(report, deps)
    logger.info("skills assessed", **summary)
    metrics.add_metric(name="SkillsGapShifts", unit=MetricUnit.Count, value=totals.gaps)
    metrics.add_metric(
        name="SkillsHoursAtRiskAfterCover", unit=MetricUnit.Count, value=totals.hours_at_risk_after_cover
    )
    metrics.add_metric(name="CertificationsLapsedNeeded", unit=MetricUnit.Count, value=totals.lapsed)
    metrics.add_metric(name="CertificationsExpiring30d", unit=MetricUnit.Count, value=totals.expiring.get("30", 0))
    return summary


def _store(report: SkillsReport, data: SkillsInput, deps: Dependencies) -> str | None:
    """The report stored for the dashboards, before anything is published (a page shows what the
    suggestions came from); its key, or None without a store."""
    if deps.reports is None:
        logger.warning("the skills report is not stored: no artifacts bucket or folder is configured")
        return None
    pointer = store_artifact(deps.reports, build_artifact(report, data, deps.clock()))
    logger.info("skills report stored", report_key=pointer.key, report_bytes=pointer.bytes)
    return pointer.key


def _publish(report: SkillsReport, deps: Dependencies) -> dict[str, Any]:
    result = publish_report(report, deps.store, deps.clock(), deps.publish)
    metrics.add_metric(name="SkillsSuggestionsPublished", unit=MetricUnit.Count, value=result.published)
    if result.invalid:
        logger.error("suggestions with ids the audit table refuses were skipped", invalid=result.invalid)
    return {**result.as_dict(), "published_by_kind": dict(sorted(result.by_kind.items()))}
