"""incident_trends' run: the incidents of the last weeks beside the hours worked, stored for the web app.

The request is an EventBridge scheduled event; `detail` may carry `{"as_of": "YYYY-MM-DD", "weeks": N}`.
Without `as_of` the window ends with the last full plant-local day before the event's `time`. The
incidents are read from the audit table (`recorded_incidents`), the labor data through the Plex snapshot
(time-clock entries, labor entries and shift assignments from `LOOKBACK_DAYS` before the window, for
fatigue); `trends.compute_trends` does the rest and `trends.store_trends` stores it. Nothing is published.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

from plexlabor.audit import AuditEvent, AuditStatus, AuditStore
from plexlabor.incidents.kindindex import counted, incident_outcomes
from plexlabor.incidents.oiics import Field as Coded
from plexlabor.incidents.trends import (
    LOOKBACK_DAYS,
    UNCODED,
    IncidentFact,
    LaborWindow,
    compute_trends,
    store_trends,
    week_of,
)
from plexlabor.platform.artifacts import ArtifactStore, WeeksDetail
from plexlabor.platform.clock import local_midnight, utc_now
from plexlabor.platform.observability import logger
from plexlabor.plex.snapshot import read_snapshot
from plexlabor.plex.sources import LaborSource
from plexlabor.validation.policy import PunchPolicy

DEFAULT_WEEKS = 12
MAX_WEEKS = 53


class IncidentTrendsDetail(WeeksDetail):
    max_weeks = MAX_WEEKS


class IncidentTrendsEvent(EventBridgeModel):
    detail: IncidentTrendsDetail = IncidentTrendsDetail()


@dataclass
class TrendsDeps:
    audit: AuditStore
    source: LaborSource
    reports: ArtifactStore
    weeks: int = DEFAULT_WEEKS
    clock: Callable[[], datetime] = utc_now
    plant: PunchPolicy = field(default_factory=PunchPolicy)
    """The plant's policy (`ValidationPolicy`): its `overtime_after_hours`, the weekly hours overtime counts after."""


def _category(opening: AuditEvent, decision: AuditEvent | None) -> str:
    """The EHS lead's event division when they confirmed codes, uncoded when the newest decision rejected the codes
    (they were wrong: the report still counts), the model's when it was sure, else uncoded."""
    if decision is not None and decision.status is AuditStatus.REJECTED:
        return UNCODED
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
    """Every incident recorded at or after `since`, as the trends count it, read from the incidents' own kind index
    (`kindindex`: never a capped plant-wide status read, review 163 D4); not a report its reporter's corrected resend
    replaced (`service.superseding_event`): the correction is counted in its place, once; nor one withdrawn as sent
    by mistake, nor one the EHS lead set aside as not an incident or a duplicate (`withdrawal`), nor a resend asking
    the EHS lead to correct a report she decided while that report stands (`kindindex.counted`: the same event, ux_s13
    #16; both counted until she set the resend aside)."""
    facts = []
    for outcome in counted(incident_outcomes(audit, since)).values():
        event = outcome.opening
        if event is None or event.occurred_at < since:
            continue
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
                category=_category(event, outcome.decision),
            )
        )
    return facts


def run(deps: TrendsDeps, request: IncidentTrendsEvent) -> dict[str, Any]:
    """Read the window, compute the trends, store them; a JSON-safe summary (counts only)."""
    zone = ZoneInfo(deps.source.timezone)
    as_of, weeks = request.detail.asked(request.time, zone, deps.weeks)
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
    trends = compute_trends(
        incidents, labor, as_of=as_of, weeks=weeks, zone=zone, generated_at=deps.clock(), plant=deps.plant
    )
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
