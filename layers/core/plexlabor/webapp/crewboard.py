"""The crew board (`/crew`): a day's crew plan per shift as the audit table holds it, with each suggestion's
state, for planners and supervisors to accept or reject in place.

The plan is what crew_planner published for the day and what crew_replan changed since: every
`crew_assignment` and `crew_unstaffed` recommendation of the day (`payload.plan_day`), waiting,
logged (it confirms the supervisor's plan), held by the pilot scope, or closed (approved, rejected,
expired or superseded by a re-plan: the closing event's status). Nothing is recomputed on a request.
Segments are grouped by shift and ordered by start; each seat names its person, hours, reasons and
what the suggestion is worth (value of the earned hours less labor, fatigue, changeover and walking,
as the optimizer priced it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from plexlabor.audit.events import AuditEvent, AuditStatus
from plexlabor.audit.store import AuditStore
from plexlabor.crew.suggestions import PLAN_LOOKBACK, REPLAN_ACTOR, closings, plan_suggestions
from plexlabor.review.items import ReviewItem, item_from_event
from plexlabor.review.queue import Viewer

CREW_KINDS = ("crew_assignment", "crew_unstaffed")
STATE_WORDS = {
    AuditStatus.PENDING_APPROVAL: "waiting",
    AuditStatus.LOGGED: "as planned",
    AuditStatus.APPROVED: "accepted",
    AuditStatus.REJECTED: "rejected",
    AuditStatus.EXPIRED: "closed",
}
"""A suggestion's state as the board says it (a logged crew assignment confirms the supervisor's plan)."""
COST_PARTS = ("labor_cost", "fatigue", "changeover", "walking")
SUPERSEDED = "superseded by a re-plan"
HELD = "held by the pilot scope"
LIVE = frozenset({"waiting", "as planned", "accepted", HELD})
"""The states of suggestions that stand in the plan (what the shift's figures count)."""


@dataclass(frozen=True)
class Seat:
    """One suggestion on the board: an assignment (`employee_id`) or seats that stay empty (`cause`)."""

    item: ReviewItem
    state: str
    closed_by: str | None
    """Who closed it (a supervisor, crew_replan when a re-plan superseded it, the sweep when it expired)."""
    hours: float
    net: float | None
    reasons: tuple[str, ...] = ()
    changes_plan: bool = False
    cause: str | None = None
    seats: int = 1

    @property
    def waiting(self) -> bool:
        return self.state == "waiting"

    @property
    def superseded(self) -> bool:
        return self.state == SUPERSEDED


@dataclass
class Segment:
    """One job operation's part in one shift."""

    key: str
    shift: str
    start: datetime
    end: datetime | None
    workcenter: str
    job: str
    assigned: list[Seat] = field(default_factory=list)
    short: list[Seat] = field(default_factory=list)


@dataclass(frozen=True)
class ShiftTotals:
    assigned_hours: float
    net: float
    waiting: int
    accepted: int
    rejected: int
    short_seats: int


@dataclass
class Board:
    day: date
    shifts: dict[str, list[Segment]]

    def totals(self, shift: str) -> ShiftTotals:
        """The live crew's figures: what is not rejected or closed."""
        seats = [s for segment in self.shifts[shift] for s in segment.assigned]
        live = [s for s in seats if s.state in LIVE]
        short = [s for segment in self.shifts[shift] for s in segment.short if s.state in LIVE]
        return ShiftTotals(
            assigned_hours=round(sum(s.hours for s in live), 1),
            net=round(sum(s.net or 0.0 for s in live), 0),
            waiting=sum(s.waiting for s in seats),
            accepted=sum(s.state == "accepted" for s in seats),
            rejected=sum(s.state == "rejected" for s in seats),
            short_seats=sum(s.seats for s in short),
        )


def read_board(store: AuditStore, day: date, viewer: Viewer, now: datetime) -> Board:
    """The day's crew suggestions the viewer may see, with their states (see the module docstring)."""
    since = datetime.combine(day, datetime.min.time(), tzinfo=now.tzinfo) - PLAN_LOOKBACK
    closed = closings(store, since)
    segments: dict[tuple[str, str], Segment] = {}
    for event in plan_suggestions(store, day, since, CREW_KINDS):
        item = item_from_event(event)
        if item is None or not viewer.may_see(item):
            continue
        segment = _segment(segments, event)
        closing = closed.get(item.item_id)
        seat = _seat(event, item, closing)
        (segment.assigned if item.kind == "crew_assignment" else segment.short).append(seat)
    shifts: dict[str, list[Segment]] = defaultdict(list)
    for segment in sorted(segments.values(), key=lambda s: (s.start, s.workcenter, s.job)):
        segment.assigned.sort(key=lambda s: s.item.employee_id or "")
        shifts[segment.shift].append(segment)
    return Board(day, dict(sorted(shifts.items())))


def _segment(segments: dict[tuple[str, str], Segment], event: AuditEvent) -> Segment:
    payload = event.payload
    key = (str(payload.get("segment")), str(payload.get("shift_code")))
    found = segments.get(key)
    if found is None:
        job_no, operation = payload.get("job_no"), payload.get("operation_code")
        end = payload.get("end")
        found = segments[key] = Segment(
            key=key[0],
            shift=key[1],
            start=datetime.fromisoformat(str(payload["start"])),
            end=datetime.fromisoformat(str(end)) if end else None,
            workcenter=str(payload.get("workcenter_code") or "—"),
            job=f"job {job_no} op {operation}" if job_no and operation else (f"job {job_no}" if job_no else ""),
        )
    elif found.end is None and event.payload.get("end"):
        found.end = datetime.fromisoformat(str(event.payload["end"]))
    return found


def _seat(opening: AuditEvent, item: ReviewItem, closing: AuditEvent | None) -> Seat:
    payload = opening.payload
    state = STATE_WORDS[closing.status if closing else opening.status]
    if closing is None and payload.get("held"):
        state = HELD
    value = payload.get("value")
    net = None if value is None else float(value) - sum(float(payload.get(k) or 0.0) for k in COST_PARTS)
    return Seat(
        item=item,
        state=SUPERSEDED if closing and closing.actor == REPLAN_ACTOR else state,
        closed_by=closing.actor if closing else None,
        hours=float(payload.get("hours") or 0.0),
        net=net,
        reasons=tuple(str(r) for r in payload.get("reasons") or ()),
        changes_plan=bool(payload.get("changes_current_plan")),
        cause=str(payload["cause"]) if payload.get("cause") else None,
        seats=int(payload.get("seats") or 1),
    )
