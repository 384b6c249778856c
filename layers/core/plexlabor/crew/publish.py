"""Publish a crew plan as `recommendation` audit events: suggestions, never writes to Plex.

One event per assignment (keyed to `job-operations:<id>`, `employee_id` = the operator, addressed to
the operator's supervisor) and one per job operation segment that stays short (no employee). Status:

- `approval="changes"` (default): an assignment that differs from the supervisor's current plan, and
  every short segment, is `pending_approval`; an assignment that confirms the current plan is `logged`;
- `approval="all"`: everything `pending_approval`; `approval="none"`: everything `logged`.

The pilot scope (`plexlabor.platform.pilot`, `docs/rollout.md`) then holds back what would be
`pending_approval`: outside the pilot (the workcenter's department and code, the segment's shift),
in advisory mode, or when the kind (`crew_assignment`, `crew_unstaffed`) is not in `NOTIFY_KINDS`, the
recommendation is `logged` with `held` (the reason) and `advisory` in its payload.

Event ids are deterministic (`stable_event_id("crew", day, segment, employee)`): a retried run meets
`AuditConflictError` and records nothing twice; a changed recommendation is a new event. `finding_id`
is the event id, so the approval flow follows a recommendation the way it follows a finding. Payloads
hold ids, codes, numbers and the reasons; never names. Notes name the workcenter, job and operation by
the codes people know (job number, operation code), never by a Plex id.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any, Literal

from plexlabor.audit.events import AuditEvent, AuditStatus, recommendation_event, stable_event_id
from plexlabor.audit.publish import EventBuilder, PublishResult, publish_once, review_status
from plexlabor.audit.store import AuditStore
from plexlabor.crew.models import CrewAssignment, CrewPlan, PlanSegment, UnstaffedSeat
from plexlabor.models import record_key
from plexlabor.platform.pilot import PLANT_WIDE, PilotScope, Place

DEFAULT_ACTOR = "crew_planner"
Approval = Literal["changes", "all", "none"]


def _routed(
    approval: Approval, change: bool, kind: str, segment: PlanSegment, scope: PilotScope, department: str | None
) -> tuple[AuditStatus, dict[str, Any]]:
    """The recommendation's status, and what its payload adds when the pilot scope holds it back."""
    review = approval == "all" or (approval == "changes" and change)
    status, held = review_status(review, scope, kind, Place(department, segment.workcenter_code, segment.shift_code))
    return status, ({} if held is None else held.payload())


def _job(segment: PlanSegment) -> str:
    """The job operation as people name it, e.g. " for job 4711 operation 20" (never by its Plex id)."""
    if segment.job_no and segment.operation_code:
        return f" for job {segment.job_no} operation {segment.operation_code}"
    return f" for job {segment.job_no}" if segment.job_no else ""


def _segment_event(
    plan: CrewPlan,
    segment: PlanSegment,
    kind: str,
    event_id: str,
    status: AuditStatus,
    now: datetime,
    actor: str,
    details: dict[str, Any],
    employee_id: str | None = None,
    supervisor_id: str | None = None,
) -> AuditEvent:
    """A recommendation about one segment of the plan: its payload is the plan, the segment, `details`."""
    return recommendation_event(
        record_key("job-operations", segment.job_operation_id),
        event_id,
        status=status,
        occurred_at=now,
        actor=actor,
        supervisor_id=supervisor_id,
        employee_id=employee_id,
        model_version=plan.model_version,
        payload={
            "kind": kind,
            "plan_day": plan.day.isoformat(),
            "plan_shifts": list(plan.shift_codes),
            "solver_status": plan.solver.status,
            "proven_gap": plan.solver.proven_gap,
            "segment": segment.job_key,
            "workcenter_id": segment.workcenter_id,
            "workcenter_code": segment.workcenter_code,
            "job_no": segment.job_no,
            "operation_code": segment.operation_code,
            "shift_code": segment.shift_code,
            "start": segment.start.isoformat(),
            **details,
        },
    )


def assignment_event(
    plan: CrewPlan,
    assignment: CrewAssignment,
    now: datetime,
    actor: str,
    approval: Approval,
    *,
    scope: PilotScope = PLANT_WIDE,
    department: str | None = None,
) -> AuditEvent:
    """One assignment; `department` is its workcenter's (for the pilot scope)."""
    event_id = stable_event_id("crew", plan.day.isoformat(), assignment.job_key, assignment.employee_id)
    change = not assignment.planned_here
    note = (
        f"Suggest {assignment.employee_id} on {assignment.workcenter_code}{_job(assignment)} "
        f"({assignment.hours:.1f} h, shift {assignment.shift_code})"
        + ("" if change else ", as planned")
        + ": "
        + "; ".join(assignment.reasons)
    )
    details = {
        "end": assignment.end.isoformat(),
        "hours": assignment.hours,
        "changes_current_plan": change,
        "value": assignment.value,
        "labor_cost": assignment.labor_cost,
        "fatigue": assignment.fatigue,
        "changeover": assignment.changeover,
        "walking": assignment.walking,
        "outside_hours": assignment.outside_hours,
        "reasons": list(assignment.reasons),
        "note": note,
    }
    status, held = _routed(approval, change, "crew_assignment", assignment, scope, department)
    details |= held
    return _segment_event(
        plan,
        assignment,
        "crew_assignment",
        event_id,
        status,
        now,
        actor,
        details,
        employee_id=assignment.employee_id,
        supervisor_id=assignment.supervisor_id,
    )


def unstaffed_event(
    plan: CrewPlan,
    seat: UnstaffedSeat,
    now: datetime,
    actor: str,
    approval: Approval,
    *,
    scope: PilotScope = PLANT_WIDE,
    department: str | None = None,
) -> AuditEvent:
    """One short segment; `department` is its workcenter's (for the pilot scope)."""
    event_id = stable_event_id("crew", plan.day.isoformat(), seat.job_key, "unstaffed", seat.cause)
    details = {
        "hours": seat.hours,
        "seats": seat.seats,
        "cause": seat.cause,
        "note": f"{seat.seats} seat(s) at {seat.workcenter_code}{_job(seat)}, shift {seat.shift_code}, stay empty: "
        + seat.reason,
    }
    status, held = _routed(approval, True, "crew_unstaffed", seat, scope, department)
    return _segment_event(plan, seat, "crew_unstaffed", event_id, status, now, actor, details | held)


def publish_plan(
    plan: CrewPlan,
    store: AuditStore,
    now: datetime,
    *,
    actor: str = DEFAULT_ACTOR,
    approval: Approval = "changes",
    scope: PilotScope = PLANT_WIDE,
    departments: Mapping[str, str | None] | None = None,
) -> PublishResult:
    """Append one recommendation per assignment and per short segment, once (`audit.publish_once`).
    `departments` maps workcenter ids to their departments (the problem's places), for the pilot scope."""
    known = departments or {}

    def where(segment: PlanSegment) -> dict[str, Any]:
        return {"scope": scope, "department": known.get(segment.workcenter_id)}

    builders: list[EventBuilder] = [
        partial(assignment_event, plan, a, now, actor, approval, **where(a)) for a in plan.assignments
    ]
    builders += [partial(unstaffed_event, plan, s, now, actor, approval, **where(s)) for s in plan.unstaffed]
    return publish_once(store, builders)
