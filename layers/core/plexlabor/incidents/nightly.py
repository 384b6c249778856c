"""incident_trends' run: the incidents of the last weeks beside the hours worked, stored for the web app.

The request is an EventBridge scheduled event; `detail` may carry `{"as_of": "YYYY-MM-DD", "weeks": N}`.
Without `as_of` the window ends with the last full plant-local day before the event's `time`. The
incidents are read from the audit table (`recorded_incidents`), the labor data through the Plex snapshot
(time-clock entries, labor entries and shift assignments from `LOOKBACK_DAYS` before the window, for
fatigue); `trends.compute_trends` does the rest and `trends.store_trends` stores it. Nothing is published.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict, Field

from plexlabor.audit import AuditEvent, AuditStatus, AuditStore
from plexlabor.incidents.oiics import Field as Coded
from plexlabor.incidents.service import INCIDENT_CODING
from plexlabor.incidents.trends import (
    LOOKBACK_DAYS,
    UNCODED,
    IncidentFact,
    LaborWindow,
    compute_trends,
    store_trends,
    week_of,
)
from plexlabor.incidents.withdrawal import called_back
from plexlabor.platform.artifacts import ArtifactStore
from plexlabor.platform.clock import day_before, local_midnight, utc_now
from plexlabor.platform.observability import logger
from plexlabor.plex.snapshot import read_snapshot
from plexlabor.plex.sources import LaborSource

DEFAULT_WEEKS = 12
MAX_WEEKS = 53
READ_LIMIT = 100_000
"""At most this many audit events of one status are read per run (incidents are a few a day)."""


class IncidentTrendsDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: date | None = None
    weeks: int | None = Field(default=None, ge=1, le=MAX_WEEKS)


class IncidentTrendsEvent(EventBridgeModel):
    detail: IncidentTrendsDetail = IncidentTrendsDetail()


@dataclass
class TrendsDeps:
    audit: AuditStore
    source: LaborSource
    reports: ArtifactStore
    weeks: int = DEFAULT_WEEKS
    clock: Callable[[], datetime] = utc_now


def _category(opening: AuditEvent, decision: AuditEvent | None) -> str:
    """The EHS lead's event division when they decided, the model's when it was sure, else uncoded."""
    if decision is not None:
        return str((decision.payload.get("codes") or {}).get(Coded.EVENT_DIVISION.value) or UNCODED)
    if opening.payload.get("auto_coded"):
        return str((opening.payload.get("codes") or {}).get(Coded.EVENT_DIVISION.value) or UNCODED)
    return UNCODED


def _workcenter(payload: dict[str, Any]) -> str | None:
    """The workcenter the form named, else the first the text names."""
    named = (payload.get("incident") or {}).get("workcenter_code")
    if named:
        return str(named)
    where = (payload.get("extraction") or {}).get("where") or []
    return str(where[0]["value"]) if where else None


def recorded_incidents(audit: AuditStore, since: datetime, zone: ZoneInfo) -> list[IncidentFact]:
    """Every incident recorded at or after `since`, as the trends count it; not a report its reporter's corrected
    resend replaced (`service.superseding_event`): the correction is counted in its place, once; nor one withdrawn as
    sent by mistake (`withdrawal`)."""
    corrected = {
        event.finding_id
        for event in audit.by_status(AuditStatus.EXPIRED, since, limit=READ_LIMIT)
        if event.payload.get("kind") == INCIDENT_CODING and called_back(event)
    }
    openings = [
        event
        for status in (AuditStatus.LOGGED, AuditStatus.PENDING_APPROVAL)
        for event in audit.by_status(status, since, limit=READ_LIMIT)
        if event.payload.get("kind") == INCIDENT_CODING and event.finding_id and event.finding_id not in corrected
    ]
    decided = {
        event.finding_id: event
        for event in audit.by_status(AuditStatus.APPROVED, since, limit=READ_LIMIT)
        if event.payload.get("kind") == INCIDENT_CODING
    }
    facts = []
    for event in openings:
        payload = event.payload
        incident = payload.get("incident") or {}
        when = incident.get("occurred_at")
        day = (
            datetime.fromisoformat(when).astimezone(zone).date() if when else event.occurred_at.astimezone(zone).date()
        )
        facts.append(
            IncidentFact(
                day=day,
                kind="near_miss" if incident.get("kind") == "near_miss" else "injury",
                workcenter_code=_workcenter(payload),
                shift_code=incident.get("shift_code") or (payload.get("extraction") or {}).get("shift"),
                category=_category(event, decided.get(event.finding_id)),
            )
        )
    return facts


def run(deps: TrendsDeps, request: IncidentTrendsEvent) -> dict[str, Any]:
    """Read the window, compute the trends, store them; a JSON-safe summary (counts only)."""
    zone = ZoneInfo(deps.source.timezone)
    as_of = request.detail.as_of or day_before(request.time, zone)
    weeks = request.detail.weeks or deps.weeks
    first = week_of(as_of) - timedelta(weeks=weeks - 1)
    begin, end = (
        local_midnight(first - timedelta(days=LOOKBACK_DAYS), zone),
        local_midnight(as_of + timedelta(days=1), zone),
    )
    snapshot = read_snapshot(
        deps.source.port,
        reference=("employees", "workcenters", "shifts"),
        windows={"time-clock-entries": (begin, end), "labor-entries": (begin, end), "shift-assignments": (begin, end)},
    )
    labor = LaborWindow(
        time_clock=snapshot.time_clock_entries,
        labor=snapshot.labor_entries,
        assignments=snapshot.shift_assignments,
        shift_codes={s.shift_id: s.shift_code for s in snapshot.shifts},
        workcenter_codes={w.workcenter_id: w.workcenter_code for w in snapshot.workcenters},
        default_shifts={e.id: e.default_shift_code for e in snapshot.employees if e.default_shift_code},
    )
    # recorded when reported, never before it happened: reading from the window's start finds them all
    incidents = recorded_incidents(deps.audit, local_midnight(first, zone), zone)
    trends = compute_trends(incidents, labor, as_of=as_of, weeks=weeks, zone=zone, generated_at=deps.clock())
    pointer = store_trends(deps.reports, trends)
    summary: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "weeks": weeks,
        "report_key": pointer.key,
        "injuries": trends.total.injuries,
        "near_misses": trends.total.near_misses,
        "hours": trends.total.hours,
        "injury_rate": trends.total.injury_rate,
    }
    logger.info("incident trends stored", **summary)
    return summary
