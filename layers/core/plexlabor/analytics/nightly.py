"""analytics_nightly's run: operator, crew and shift scores of the last weeks, stored for the web app.

The request is an EventBridge scheduled event; `detail` may carry `{"as_of": "YYYY-MM-DD", "weeks": N}`.
Without `as_of` the window ends with the last full plant-local day before the event's `time`; it spans
`weeks` weeks (the dependencies' `ANALYTICS_WEEKS` when not given). Supervisors' decisions on validation
findings made in the window are read from the audit table (`analytics.decisions`) for the upheld-findings
measure; none there, it is left out with the reason. The report is stored
(`analytics.artifact`: `reports/analytics/<as_of>.json`, then `latest.json`) and nothing is published:
scores are for the people allowed to read them on `/analytics`, not suggestions to decide. The summary
holds counts only (operators, crews, shifts scored; ranked and outside the funnel per measure; the
measures left out and why; findings upheld and rejected).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

from plexlabor.analytics.artifact import AnalyticsArtifact, store_artifact
from plexlabor.analytics.decisions import read_decisions
from plexlabor.analytics.inputs import read_inputs
from plexlabor.analytics.scores import crews_of, score
from plexlabor.analytics.wiring import MAX_WEEKS, Dependencies
from plexlabor.platform.artifacts import WeeksDetail
from plexlabor.platform.clock import local_midnight
from plexlabor.platform.observability import logger, metrics


class AnalyticsNightlyDetail(WeeksDetail):
    max_weeks = MAX_WEEKS


class AnalyticsNightlyEvent(EventBridgeModel):
    detail: AnalyticsNightlyDetail = AnalyticsNightlyDetail()


def run(deps: Dependencies, request: AnalyticsNightlyEvent) -> dict[str, Any]:
    """Score the window, store the report; the JSON-safe summary."""
    zone = ZoneInfo(deps.source.timezone)
    as_of, weeks = request.detail.asked(request.time, zone, deps.weeks)
    logger.append_keys(as_of=as_of.isoformat(), weeks=weeks)
    begin, end = (local_midnight(as_of + timedelta(days=days), zone) for days in (1 - 7 * weeks, 1))
    decisions = read_decisions(deps.audit, begin, end)
    inputs = read_inputs(deps.source.port, begin, end, decisions=decisions)
    report = score(inputs)
    artifact = AnalyticsArtifact(
        generated_at=deps.clock(), as_of=as_of, weeks=weeks, report=report, crew_of=crews_of(inputs)
    )
    pointer = store_artifact(deps.reports, artifact)
    summary: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "weeks": weeks,
        "report_key": pointer.key,
        "operators": len(report.operators),
        "crews": len(report.crews),
        "shifts": len(report.shifts),
        "ranked": {name: kinds["operator"].ranked for name, kinds in report.measures.items() if "operator" in kinds},
        "outside_funnel": {
            name: kinds["operator"].outside_funnel for name, kinds in report.measures.items() if "operator" in kinds
        },
        "absent": {name: absent.reason for name, absent in report.absent.items()},
        "findings_upheld": sum(decisions.upheld.values()),
        "findings_rejected": sum(decisions.rejected.values()),
    }
    logger.info("scores stored", **summary)
    metrics.add_metric(name="AnalyticsOperatorsScored", unit=MetricUnit.Count, value=len(report.operators))
    return summary
