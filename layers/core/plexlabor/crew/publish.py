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

A re-plan (`plexlabor.crew.replanning`) passes `trigger`, e.g. "a call-off of E01234": its notes
start "After a call-off of E01234: " and its payloads carry `trigger`, so the queue says why a
suggestion came during the shift; only on the segments whose cover the event changed, when it says
which (`triggered`).

Event ids are deterministic (`stable_event_id("crew", day, segment, employee)`): a retried run meets
`AuditConflictError` and records nothing twice; a changed recommendation is a new event. `finding_id`
is the event id, so the approval flow follows a recommendation the way it follows a finding. Payloads
hold ids, codes, numbers and the reasons; never names. Notes name the workcenter, job and operation by
the codes people know (job number, operation code), never by a Plex id.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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


def _job(segment: PlanSegment) -> str:
    """The job operation as people name it, e.g. "job 4711 operation 20" (never by its Plex id; "" when the
    jobs were not read)."""
    if segment.job_no and segment.operation_code:
        return f"job {segment.job_no} operation {segment.operation_code}"
    return f"job {segment.job_no}" if segment.job_no else ""


def _seats(count: int) -> str:
    return f"{count} seat" if count == 1 else f"{count} seats"


def _for(segment: PlanSegment) -> str:
    job = _job(segment)
    return f" for {job}" if job else ""


def _setup(assignment: CrewAssignment) -> str:
    """The note's ", does the setup of job 4711 operation 20 (0.8 h)" for the crew member who does it."""
    if not assignment.does_setup:
        return ""
    return f", does the setup{' of ' + _job(assignment) if _job(assignment) else ''} ({assignment.setup_hours:.1f} h)"


def assignment_event_id(day: str, job_key: str, employee_id: str) -> str:
    """The id of the recommendation of one operator on one job segment of a day (whoever makes it)."""
    return stable_event_id("crew", day, job_key, employee_id)


def unstaffed_event_id(day: str, job_key: str, cause: str) -> str:
    """The id of the short-seat recommendation of one job segment of a day, for one cause (whoever makes it)."""
    return stable_event_id("crew", day, job_key, "unstaffed", cause)


def renewed_id(event_id: str, renewed: Mapping[str, str]) -> str:
    """The id a suggestion gets when the assignment with `event_id` was closed for good (`renewed`: assignment id ->
    the id of what closed it: its approved removal from Plex, `crew.removals`, or the closing of a re-plan that
    superseded it): a new one per closing, so the person planned again in that seat is a new suggestion, waiting in
    the queue, not the old approval (which no longer holds in Plex) or the superseded one (which publishing would
    skip as already there: ux164 #2, an undone call-off's person was planned back and nothing was published)."""
    while event_id in renewed:
        event_id = stable_event_id(event_id, "after", renewed[event_id])
    return event_id


@dataclass(frozen=True)
class PlanEvents:
    """How one plan's recommendations are made: when and by whom, which go for review (`approval`), the
    pilot scope, and each workcenter's department (for the scope)."""

    plan: CrewPlan
    now: datetime
    actor: str = DEFAULT_ACTOR
    approval: Approval = "changes"
    scope: PilotScope = PLANT_WIDE
    departments: Mapping[str, str | None] = field(default_factory=dict)
    trigger: str | None = None
    """What a re-plan answers (None: the nightly plan)."""
    triggered: Collection[str] | None = None
    """The segments whose cover that event changed, the only ones whose notes and payloads name it (None: every one;
    ux_verify_s16 G: a call-off's re-plan blamed it for empty seats of another department)."""
    candidates: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Who else may staff each segment, best first (`crew.board.swap_candidates`): the board's swap choices."""
    figures: Mapping[str, Any] | None = None
    """The plan's objective breakdown against the baselines (`crew.board.plan_figures`), on every new event
    (one per shift would be lost when that one is already in the table: a re-plan's unchanged pairs)."""
    renewed: Mapping[str, str] = field(default_factory=dict)
    """The suggestions closed for good, removed from Plex or superseded, and the short-seat suggestions decided for
    another number of empty seats (`renewed_id`)."""

    def assignment_id(self, assignment: CrewAssignment) -> str:
        base = assignment_event_id(self.plan.day.isoformat(), assignment.job_key, assignment.employee_id)
        return renewed_id(base, self.renewed)

    def unstaffed_id(self, seat: UnstaffedSeat) -> str:
        base = unstaffed_event_id(self.plan.day.isoformat(), seat.job_key, seat.cause)
        return renewed_id(base, self.renewed)

    def assignment(self, assignment: CrewAssignment) -> AuditEvent:
        """One assignment."""
        event_id = self.assignment_id(assignment)
        change = not assignment.planned_here
        note = (
            self._after(assignment)
            + f"Suggest {assignment.employee_id} on {assignment.workcenter_code}{_for(assignment)} "
            f"({assignment.hours:.1f} h, shift {assignment.shift_code})"
            + _setup(assignment)
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
            **({"setup_hours": assignment.setup_hours} if assignment.does_setup else {}),
            "reasons": list(assignment.reasons),
            "note": note,
        }
        if assignment.job_key in self.candidates:
            details["swap_candidates"] = self.candidates[assignment.job_key]
        status, held = self._routed(change, "crew_assignment", assignment)
        return self._event(
            assignment,
            "crew_assignment",
            event_id,
            status,
            details | held,
            employee_id=assignment.employee_id,
            supervisor_id=assignment.supervisor_id,
        )

    def unstaffed(self, seat: UnstaffedSeat) -> AuditEvent:
        """One short segment."""
        event_id = self.unstaffed_id(seat)
        details = {
            "end": (seat.start + timedelta(hours=seat.hours)).isoformat(),  # the sweep expires it then (review 155 R5)
            "hours": seat.hours,
            "seats": seat.seats,
            "cause": seat.cause,
            "note": self._after(seat)
            + f"{_seats(seat.seats)} at {seat.workcenter_code}{_for(seat)}, shift {seat.shift_code}, "
            + f"{'stays' if seat.seats == 1 else 'stay'} empty: "
            + seat.reason,
        }
        status, held = self._routed(True, "crew_unstaffed", seat)
        return self._event(seat, "crew_unstaffed", event_id, status, details | held)

    def _trigger(self, segment: PlanSegment) -> str | None:
        """The event a re-plan answers, where it changed the segment's cover (`triggered`)."""
        return None if self.triggered is not None and segment.job_key not in self.triggered else self.trigger

    def _after(self, segment: PlanSegment) -> str:
        trigger = self._trigger(segment)
        return "" if trigger is None else f"After {trigger}: "

    def _routed(self, change: bool, kind: str, segment: PlanSegment) -> tuple[AuditStatus, dict[str, Any]]:
        """The recommendation's status, and what its payload adds when the pilot scope holds it back."""
        review = self.approval == "all" or (self.approval == "changes" and change)
        place = Place(self.departments.get(segment.workcenter_id), segment.workcenter_code, segment.shift_code)
        status, held = review_status(review, self.scope, kind, place)
        return status, ({} if held is None else held.payload())

    def _event(
        self,
        segment: PlanSegment,
        kind: str,
        event_id: str,
        status: AuditStatus,
        details: dict[str, Any],
        employee_id: str | None = None,
        supervisor_id: str | None = None,
    ) -> AuditEvent:
        """A recommendation about one segment of the plan: its payload is the plan, the segment, `details`."""
        plan = self.plan
        return recommendation_event(
            record_key("job-operations", segment.job_operation_id),
            event_id,
            status=status,
            occurred_at=self.now,
            actor=self.actor,
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
                **({"department": department} if (department := self.departments.get(segment.workcenter_id)) else {}),
                "job_no": segment.job_no,
                "operation_code": segment.operation_code,
                "shift_code": segment.shift_code,
                "start": segment.start.isoformat(),
                **({} if (trigger := self._trigger(segment)) is None else {"trigger": trigger}),
                **({} if self.figures is None else {"plan_figures": dict(self.figures)}),
                **details,
            },
        )


def publish_plan(
    plan: CrewPlan,
    store: AuditStore,
    now: datetime,
    *,
    actor: str = DEFAULT_ACTOR,
    approval: Approval = "changes",
    scope: PilotScope = PLANT_WIDE,
    departments: Mapping[str, str | None] | None = None,
    trigger: str | None = None,
    recorded: Collection[str] = frozenset(),
    candidates: Mapping[str, list[dict[str, Any]]] | None = None,
    figures: Mapping[str, Any] | None = None,
    renewed: Mapping[str, str] | None = None,
    still_empty: Collection[UnstaffedSeat] = frozenset(),
    triggered: Collection[str] | None = None,
) -> PublishResult:
    """Append one recommendation per assignment and per short segment, once (`audit.publish_once`).
    `departments` maps workcenter ids to their departments (the problem's places), for the pilot scope;
    `trigger` says what a re-plan answers; `recorded` are event ids known to be in the table already (a
    re-plan's earlier plan): they are counted as already published without a write (on DynamoDB each
    refused write costs a round trip); `candidates` and `figures` are what the crew board shows beside the
    plan (`crew.board`); `renewed`: the assignments closed for good, each planned again under a new id
    (`renewed_id`); `still_empty`: the plan's empty seats whose open short-seat suggestion stands for them (a
    re-plan's, `replanning._empty_seats`): counted as already published, none written; `triggered`: the segments
    whose cover the re-plan's event changed, whose notes name `trigger` (None: all)."""
    events = PlanEvents(
        plan,
        now,
        actor,
        approval,
        scope,
        departments or {},
        trigger,
        triggered,
        candidates or {},
        figures,
        renewed or {},
    )
    builders: list[EventBuilder] = [
        partial(events.assignment, a) for a in plan.assignments if events.assignment_id(a) not in recorded
    ]
    builders += [
        partial(events.unstaffed, s)
        for s in plan.unstaffed
        if events.unstaffed_id(s) not in recorded and s not in still_empty
    ]
    result = publish_once(store, builders)
    result.already_published += len(plan.assignments) + len(plan.unstaffed) - len(builders)
    return result
