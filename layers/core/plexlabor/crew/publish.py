"""Publish a crew plan as `recommendation` audit events: suggestions, never writes to Plex.

One event per assignment (keyed to `job-operations:<id>`, `employee_id` = the operator, addressed to
the operator's supervisor) and one per job operation segment that stays short (no employee). Status:

- `approval="changes"` (default): an assignment that differs from the supervisor's current plan, and
  every short segment, is `pending_approval`; an assignment that confirms the current plan is `logged`;
- `approval="all"`: everything `pending_approval`; `approval="none"`: everything `logged`.

Event ids are deterministic (`stable_event_id("crew", day, segment, employee)`): a retried run meets
`AuditConflictError` and records nothing twice; a changed recommendation is a new event. `finding_id`
is the event id, so the approval flow follows a recommendation the way it follows a finding. Payloads
hold ids, codes, numbers and the reasons; never names.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Literal

from plexlabor.audit.events import AuditEvent, AuditEventType, AuditStatus, stable_event_id
from plexlabor.audit.publish import EventBuilder, PublishResult, publish_once
from plexlabor.audit.store import AuditStore
from plexlabor.crew.models import CrewAssignment, CrewPlan, UnstaffedSeat
from plexlabor.models import record_key

DEFAULT_ACTOR = "crew_planner"
Approval = Literal["changes", "all", "none"]


def _status(approval: Approval, change: bool) -> AuditStatus:
    if approval == "all" or (approval == "changes" and change):
        return AuditStatus.PENDING_APPROVAL
    return AuditStatus.LOGGED


def _plan_context(plan: CrewPlan) -> dict[str, object]:
    return {
        "plan_day": plan.day.isoformat(),
        "plan_shifts": list(plan.shift_codes),
        "solver_status": plan.solver.status,
        "proven_gap": plan.solver.proven_gap,
    }


def assignment_event(
    plan: CrewPlan, assignment: CrewAssignment, now: datetime, actor: str, approval: Approval
) -> AuditEvent:
    event_id = stable_event_id("crew", plan.day.isoformat(), assignment.job_key, assignment.employee_id)
    change = not assignment.planned_here
    note = (
        f"Suggest {assignment.employee_id} on {assignment.workcenter_code} "
        f"({assignment.hours:.1f} h, shift {assignment.shift_code})"
        + ("" if change else ", as planned")
        + ": "
        + "; ".join(assignment.reasons)
    )
    return AuditEvent(
        record_key=record_key("job-operations", assignment.job_operation_id),
        event_id=event_id,
        event_type=AuditEventType.RECOMMENDATION,
        status=_status(approval, change),
        occurred_at=now,
        actor=actor,
        finding_id=event_id,
        supervisor_id=assignment.supervisor_id,
        employee_id=assignment.employee_id,
        model_version=plan.model_version,
        payload={
            "kind": "crew_assignment",
            **_plan_context(plan),
            "segment": assignment.job_key,
            "workcenter_id": assignment.workcenter_id,
            "workcenter_code": assignment.workcenter_code,
            "shift_code": assignment.shift_code,
            "start": assignment.start.isoformat(),
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
        },
    )


def unstaffed_event(plan: CrewPlan, seat: UnstaffedSeat, now: datetime, actor: str, approval: Approval) -> AuditEvent:
    event_id = stable_event_id("crew", plan.day.isoformat(), seat.job_key, "unstaffed", seat.cause)
    return AuditEvent(
        record_key=record_key("job-operations", seat.job_operation_id),
        event_id=event_id,
        event_type=AuditEventType.RECOMMENDATION,
        status=_status(approval, True),
        occurred_at=now,
        actor=actor,
        finding_id=event_id,
        model_version=plan.model_version,
        payload={
            "kind": "crew_unstaffed",
            **_plan_context(plan),
            "segment": seat.job_key,
            "workcenter_id": seat.workcenter_id,
            "workcenter_code": seat.workcenter_code,
            "shift_code": seat.shift_code,
            "start": seat.start.isoformat(),
            "hours": seat.hours,
            "seats": seat.seats,
            "cause": seat.cause,
            "note": f"{seat.seats} seat(s) at {seat.workcenter_code}, shift {seat.shift_code}, stay empty: "
            + seat.reason,
        },
    )


def publish_plan(
    plan: CrewPlan,
    store: AuditStore,
    now: datetime,
    *,
    actor: str = DEFAULT_ACTOR,
    approval: Approval = "changes",
) -> PublishResult:
    """Append one recommendation per assignment and per short segment, once (`audit.publish_once`)."""
    builders: list[EventBuilder] = [partial(assignment_event, plan, a, now, actor, approval) for a in plan.assignments]
    builders += [partial(unstaffed_event, plan, s, now, actor, approval) for s in plan.unstaffed]
    return publish_once(store, builders)
