"""allocation_nightly's run: yesterday's labor cost allocation and next week's job-code guidance, stored
for the web app; unallocated time to the review queue.

The request is an EventBridge scheduled event; `detail` may carry `{"day": "YYYY-MM-DD"}`. Without it
the day is the last full plant-local day before the event's `time`. The run:
1. allocates the day (`allocation.report.read_report`, the dependencies' policy);
2. learns job-code misapplication by shift from the `misapplication_weeks` ending with the day: labor
   entries, and supervisors' decisions on JOB_CODE_MISMATCH findings read from the audit table
   (`allocation.misapplication`); the trend log (JOB_CODE_MISMATCH findings logged with too little
   confidence to review) is ranked the same way, its findings per entry of each combination;
3. stores both (`allocation.artifact`: `reports/allocation/<day>.json`, then `latest.json`);
4. publishes each unallocated stretch as an `unallocated_time` suggestion (the job it likely belongs
   to and why, with the labor entry approving it writes to Plex; or none found): `pending_approval`
   inside the pilot scope, else `logged`; deterministic ids, so a re-run records nothing twice.
The summary holds counts and totals only.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict

from plexlabor.allocation.artifact import AllocationArtifact, WorkcenterRef, store_artifact
from plexlabor.allocation.misapplication import job_numbers, predict, read_trials
from plexlabor.allocation.report import Suggestion, read_report
from plexlabor.allocation.wiring import ACTOR, Dependencies
from plexlabor.audit.events import AuditEvent, AuditStatus, recommendation_event, stable_event_id
from plexlabor.audit.publish import EventBuilder, publish_once, review_status
from plexlabor.audit.store import AuditStore
from plexlabor.models import record_key
from plexlabor.models.anomalies import AnomalyType
from plexlabor.models.types import format_plex_datetime
from plexlabor.platform.clock import day_before, local_midnight
from plexlabor.platform.observability import logger, metrics
from plexlabor.platform.pilot import Hold, Place
from plexlabor.validation.exploration import recorded_only_as_eligible

KIND = "unallocated_time"
MODEL_VERSION = "allocation-1"
GUIDANCE_TOP = 50
"""Combinations kept in the stored guidance (the page and the queue show the first ones)."""
DECISIONS_READ_LIMIT = 50_000
"""At most this many decisions of each kind (approved, rejected) are read for the guidance."""


class AllocationNightlyDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: date | None = None


class AllocationNightlyEvent(EventBridgeModel):
    detail: AllocationNightlyDetail = AllocationNightlyDetail()


def run(deps: Dependencies, request: AllocationNightlyEvent) -> dict[str, Any]:
    """Allocate the day, learn the guidance, store both, publish the suggestions; the JSON-safe summary."""
    port = deps.source.port
    zone = ZoneInfo(deps.source.timezone)
    day = request.detail.day or day_before(request.time, zone)
    logger.append_keys(day=day.isoformat())
    report = read_report(port, day, deps.policy)
    end = local_midnight(day + timedelta(days=1), zone)
    begin = end - timedelta(weeks=deps.misapplication_weeks)
    decisions = job_code_decisions(deps.store, begin)
    all_jobs = port.jobs()
    families = {job.part_id: job.part_family for job in all_jobs if job.part_family}
    trials = read_trials(port, begin, end, decisions)
    jobs = job_numbers(trials, {job.id: job.job_no for job in all_jobs})
    guidance = predict([(t.combination, t.misapplied) for t in trials], GUIDANCE_TOP, families, jobs)
    logged = set(_job_code_entries(deps.store, AuditStatus.LOGGED, begin))
    trend = (
        predict([(t.combination, t.entry_id in logged) for t in trials], GUIDANCE_TOP, families, jobs) if logged else []
    )
    now = deps.clock()
    artifact = AllocationArtifact(
        generated_at=now,
        day=day,
        report=report,
        guidance=guidance,
        trend=trend,
        guidance_weeks=deps.misapplication_weeks,
        workcenters={
            wc.workcenter_id: WorkcenterRef(code=wc.workcenter_code, department=wc.department_code)
            for wc in port.workcenters()
        },
        indirect_codes=deps.policy.codes(code for row in report.employees for code in row.indirect),
    )
    codes = {wc_id: ref.code for wc_id, ref in artifact.workcenters.items()}
    pointer = store_artifact(deps.reports, artifact)
    events: list[EventBuilder] = []
    for suggestion in report.suggestions:
        status, held = review_status(True, deps.scope, KIND, Place(suggestion.department, None, suggestion.shift))
        code = codes.get(suggestion.workcenter_id or "")
        events.append(partial(suggestion_event, day, suggestion, now, status, held=held, workcenter_code=code))
    published = publish_once(deps.store, events)
    t = report.totals
    summary: dict[str, Any] = {
        "day": day.isoformat(),
        "report_key": pointer.key,
        "employees": t.employees,
        "paid_minutes": t.paid,
        "unallocated_minutes": t.unallocated,
        "inferred_minutes": t.inferred,
        "suggestions": len(report.suggestions),
        "guidance": len(guidance),
        "decisions_read": len(decisions),
        "trend_findings_read": len(logged),
        **published.as_dict(),
    }
    logger.info("allocation stored", **summary)
    metrics.add_metric(name="AllocationUnallocatedMinutes", unit=MetricUnit.Count, value=t.unallocated)
    return summary


def job_code_decisions(store: AuditStore, since: datetime) -> dict[str, bool]:
    """Labor entry id -> whether a supervisor upheld (True) or rejected (False) its JOB_CODE_MISMATCH finding."""
    return {
        entry_id: status is AuditStatus.APPROVED
        for status in (AuditStatus.APPROVED, AuditStatus.REJECTED)
        for entry_id in _job_code_entries(store, status, since)
    }


def _job_code_entries(store: AuditStore, status: AuditStatus, since: datetime) -> Iterator[str]:
    """The labor entries of the JOB_CODE_MISMATCH events with `status` since `since` (at most
    `DECISIONS_READ_LIMIT` events read), but those recorded only as eligible for the scorer's exploration (the
    model in force scored them under the trend threshold)."""
    for event in store.by_status(status, since=since, limit=DECISIONS_READ_LIMIT):
        resource, _, entry_id = event.record_key.partition(":")
        if (
            resource == "labor-entries"
            and event.payload.get("anomaly_type") == AnomalyType.JOB_CODE_MISMATCH
            and not recorded_only_as_eligible(event.payload)
        ):
            yield entry_id


def suggestion_event(
    day: date,
    suggestion: Suggestion,
    now: datetime,
    status: AuditStatus,
    *,
    held: Hold | None = None,
    workcenter_code: str | None = None,
) -> AuditEvent:
    """One unallocated stretch as a suggestion: charge it to the likely job operation (approving writes
    the labor entry to Plex, `approval.recommendations.labor_entry_record`), or code it."""
    entry = labor_entry(suggestion)
    where = (
        f"job {suggestion.job_no} op {suggestion.operation_no}"
        if entry
        else "no job scanned nearby: code it (training, meeting, waiting) or name the job"
    )
    why = f", because {_why(suggestion, workcenter_code)}" if entry else ""
    then = " Approving writes a labor entry for these minutes to Plex." if entry else ""
    note = (  # the person by their id, which the pages name as their viewer may see them (ux164 #17)
        f"{suggestion.employee_id}: {suggestion.minutes} paid minutes on {day} (${suggestion.cost:,.2f}) "
        f"are on no job or indirect code. Likely: {where}{why}.{then}"
    )
    payload = {
        "kind": KIND,
        "as_of": day.isoformat(),
        **suggestion.model_dump(mode="json", exclude={"employee_id", "supervisor_id", "shift"}),
        "shift_code": suggestion.shift,
        "workcenter_code": workcenter_code if entry else None,
        "suggestion": f"charge {suggestion.minutes} min to {where}" if entry else where,
        "labor_entry": entry,
        "confidence": 0.8 if entry else 0.5,
        "severity": "low",
        "note": note,
        **(held.payload() if held else {}),
    }
    return recommendation_event(
        suggestion_record_key(suggestion.employee_id),
        suggestion_id(suggestion),
        status=status,
        occurred_at=now,
        actor=ACTOR,
        model_version=MODEL_VERSION,
        payload=payload,
        supervisor_id=suggestion.supervisor_id,
        employee_id=suggestion.employee_id,
    )


def suggestion_record_key(employee_id: str) -> str:
    """The audit record of a person's unallocated-time suggestions (and of the codings by hand of them)."""
    return record_key("employees", employee_id)


def suggestion_id(suggestion: Suggestion) -> str:
    """The stretch's item id in the review queue (stable: a re-run records nothing twice)."""
    return stable_event_id("allocation", KIND, suggestion.employee_id, suggestion.start.isoformat())


def labor_entry(suggestion: Suggestion) -> dict[str, Any] | None:
    """The Plex labor entry (camelCase, as `LaborEntry` reads it) that charges the stretch to its likely
    job operation, with no pieces; None when no job was scanned nearby."""
    s = suggestion
    if not (s.job_operation_id and s.job_id and s.workcenter_id):
        return None
    return job_labor_entry(s.employee_id, s.workcenter_id, s.job_id, s.job_operation_id, s.start, s.end)


def job_labor_entry(
    employee_id: str, workcenter_id: str, job_id: str, job_operation_id: str, start: datetime, end: datetime
) -> dict[str, Any]:
    """The Plex labor entry (camelCase) that charges a stretch to a job operation at a workcenter, with no pieces."""
    return {
        "employeeId": employee_id,
        "workcenterId": workcenter_id,
        "jobId": job_id,
        "jobOperationId": job_operation_id,
        "startTime": format_plex_datetime(start),
        "endTime": format_plex_datetime(end),
        "quantity": 0.0,
    }


def _why(suggestion: Suggestion, workcenter_code: str | None) -> str:
    """Why that job: the person's own scan of it, where and how near the stretch."""
    at = f" at {workcenter_code}" if workcenter_code else ""
    gap = suggestion.gap_minutes or 0
    if suggestion.scan_side == "before":
        return f"their scan of it{at} ended {gap} min before this stretch"
    if suggestion.scan_side == "after":
        return f"their scan of it{at} started {gap} min after this stretch"
    return f"their scan of it{at} runs alongside this stretch"
