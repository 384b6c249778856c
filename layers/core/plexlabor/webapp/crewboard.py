"""The crew board (`/crew`): a day's crew plan per shift as the audit table holds it, with each suggestion's
state, for planners and supervisors to accept or reject in place.

The plan is what crew_planner published for the day and what crew_replan changed since: every
`crew_assignment` and `crew_unstaffed` recommendation of the day (`payload.plan_day`), waiting,
logged (it confirms the supervisor's plan), held by the pilot scope, or closed (approved, rejected,
expired or superseded by a re-plan: the closing event's status). Nothing is recomputed on a request.
Segments are grouped by shift and ordered by start, each with its workcenter's department (the board's
filter: `Board.segments`, `Board.departments`, `Board.totals`); each seat names its person, hours, reasons and
what the suggestion is worth (value of the earned hours less labor, fatigue, changeover and walking,
as the optimizer priced it), and the operators a supervisor may swap in by hand (`swap_candidates`, as
the planner offered them). Each shift shows the objective breakdown of the newest plan that published
for it against the supervisor's plan and greedy (`plan_figures`, `crew.board`).

A swap by hand (`plan_swap`) is checked against the day's read caught up now (not the page's, kept `BOARD_TTL_S`:
a swap of the same person a moment before, in another tab or by another planner, is in it): the seat is still
waiting, the person was offered for it, is not off that shift (a call-off or absence the board lists), is not already
on that segment, has no accepted seat at the same time and is not elsewhere at the same time on work that has started
(`Board.refusal`); a seat offers only the candidates who pass that check now (`Board.offered`).
It becomes a recommendation the supervisor made (the same id the planner would give that pair) that the
web app records and approves at once, the replaced suggestion is rejected, and a `swap` message asks
crew_replan to re-plan the rest of the shift with the choice held. That read goes through the status index, which
is eventually consistent: the approval itself holds the seat and the person's time by a conditional write
(`crew.claims`, the review service's guard), so a swap of the same person or seat a moment before, not yet in the
index, is refused then (a 409 naming who was placed where, by whom and when), with nothing written.

A call-off a supervisor took by phone (`plan_call_off`) is checked the same way (a person of the shift as the viewer's
board knows them, `Board.people`, of a shift that is not over, not off it already, a reason of `CALL_OFF_REASONS`) and
becomes the `call_off` message crew_call_offs sends, with who took it and why, and is held at once by a claim
(`crew.claims`): the board lists it from that moment, its person's seats marked "called off at 05:40, re-plan pending",
and offers them nowhere on the shift; once a re-plan applied it (its `applied` event) it reads "re-planned". The
board lists the call-offs and absences the re-plans applied and those recorded since (`Board.call_offs`).

`BoardReader` keeps each day's read for `BOARD_TTL_S` per container (the `BOARD_DAYS` days asked for last), then
reads what is new (seven status-index queries from the last read on, the re-plans' `applied` events and the claims
included; the whole day again every few minutes: `crew.suggestions.DayReader`).
Which days have plans (`BoardReader.planned`: the shifts of the crew suggestions published since `PLAN_LOOKBACK`
before today, two status-index queries kept `BOARD_TTL_S`, then caught up, whole every `PLANNED_TTL_S`; a day read
adds its shifts at once) is read only when the board opens without a day (it opens on the current or next shift's
plan) or on a day without suggestions (it links the days that have some).
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
import weakref
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

from plexlabor.approval.recommendations import CREW_REMOVAL
from plexlabor.audit.events import AuditEvent, AuditEventType, AuditStatus, recommendation_event
from plexlabor.audit.store import AuditStore
from plexlabor.crew.claims import call_offs_of, nearby_taken, next_to_call_off, plex_block, replanned_with
from plexlabor.crew.messages import (
    ABOUT_SOMEONE,
    CALL_OFF_REASONS,
    CHANGED,
    DETECTOR,
    DROPPED,
    NO_SEAT,
    ReplanMessage,
    nearby,
    people_in,
)
from plexlabor.crew.publish import assignment_event_id, renewed_id
from plexlabor.crew.removals import (
    NOT_IN_PLEX,
    Removal,
    called_off_shift,
    over_by,
    removals,
    renewed,
    retry_event,
)
from plexlabor.crew.suggestions import (
    CLOSING,
    CREW_KINDS,
    OPENING,
    REPLAN_ACTOR,
    DayRead,
    DayReader,
    day_since,
    read_day,
    read_status,
    seat_end,
)
from plexlabor.platform.clock import outside_dates
from plexlabor.review.groups import group_of
from plexlabor.review.items import ReviewItem, item_from_event
from plexlabor.review.queue import Role, Viewer

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
REMOVING = frozenset({"approved", "removed", "dry_run"})
"""The states of a removal from Plex (`crew.removals.Removal.state`) that take its seat out of the crew: approved and on
its way, written, or dry run (not refused, not reverted)."""
BOARD_DAYS = 8
"""How many days a container keeps read (`BoardReader`: the last asked for; a day dropped is read whole when asked
again): today's and tomorrow's boards and a few more, never every day a viewer or a crawler pages through."""
BOARD_TTL_S = 10.0
"""How long a container shows a day's board without reading the audit table again (seconds); a page the
board's own forms come back to (`?done=`) is always read fresh."""
PLANNED_TTL_S = 300.0
"""How often a container reads which days have crew plans whole (`BoardReader.planned`; seconds; in between it catches
up, every `BOARD_TTL_S` at most): the whole read is as long as the opening half of a day's whole read (measured on the
local runtime's moto for a 2,400-person plant's 1,092 suggestions: 3.2 s CPU, most of it moto's)."""
PLANNED_OVERLAP = timedelta(minutes=2)
"""Each catch-up of the plans listed starts this long before the previous read (the status index's eventual
consistency), as a day's does (`crew.suggestions.DayReader.overlap`)."""
FIGURE_ROWS = (
    ("value", "Value of the earned hours"),
    ("labor_cost", "Labor"),
    ("fatigue", "Fatigue"),
    ("overtime", "Overtime"),
    ("changeover", "Changeover"),
    ("walking", "Walking"),
    ("unstaffed_penalty", "Empty seats that could be filled"),
    ("plan_change", "Changes to the suggestions before this re-plan"),
    ("objective", "Objective"),
)
"""The objective breakdown's rows as the board labels them (`crew.board.FIGURE_PARTS`), the total last."""
PLANS = (("recommended", "Recommended"), ("current", "Supervisor's plan"), ("greedy", "Greedy"))
"""The plans the breakdown compares (`crew.board.plan_figures`): columns of the board's table."""


@dataclass(frozen=True)
class Candidate:
    """An operator the planner offered for a seat, as a swap by hand: what the pair is worth, and where the
    plan had them at the same time (they move if swapped in) and what the plan loses there (`crew.board._Left`)."""

    employee_id: str
    net: float
    busy_at: str | None
    outside_hours: float
    sets_up: bool
    """They may do the setup the job starts with (the setter is swapped only for one who may)."""
    leaves_hours: float = 0.0
    """The hours of the seat they leave (0: none, or not known)."""
    leaves_loss: float = 0.0
    """What the plan loses at the seat they leave (their worth there; an empty seat's penalty if nobody can take it)."""
    leaves_empty: bool = False
    """Nobody free may take the seat they leave."""
    leaves_job: str | None = None
    """The job operation of the seat they leave, as the board names it ("job J100058 op 20"; `Board._now`)."""

    @property
    def worth(self) -> float:
        """The swap's worth to the plan: the pair's less what the seat they leave loses (ux164 #7)."""
        return self.net - self.leaves_loss

    @classmethod
    def of(cls, offered: dict[str, Any]) -> Candidate:
        net = float(offered.get("value") or 0.0) - sum(float(offered.get(k) or 0.0) for k in COST_PARTS)
        busy = offered.get("busy_at")
        leaves = offered.get("leaves") or {}
        return cls(
            str(offered["employee_id"]),
            net,
            None if busy is None else str(busy),
            float(offered.get("outside_hours") or 0.0),
            bool(offered.get("sets_up")),
            float(leaves.get("hours") or 0.0),
            float(leaves.get("loss") or 0.0),
            bool(leaves.get("empty")),
        )


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
    offered: tuple[dict[str, Any], ...] = field(default=(), compare=False)
    """The planner's `swap_candidates` as stored; read into `candidates` only when a page draws them (a board
    has thousands, and the swap's own check of the board needs none)."""

    setup_hours: float = 0.0
    """The setup this seat's person does (0: none); only someone who may do it is offered in their place."""
    people: tuple[str, ...] = field(default=(), compare=False)
    """The employee ids its note and reasons may hold (the audit keeps ids): its person, their supervisor, the one
    it was swapped for, the one an event that caused a re-plan was about; a page names them (`with_people`)."""

    @cached_property
    def candidates(self) -> tuple[Candidate, ...]:
        offered = (Candidate.of(candidate) for candidate in self.offered)
        return tuple(c for c in offered if c.sets_up or not self.setup_hours)

    @property
    def waiting(self) -> bool:
        return self.state == "waiting"

    @property
    def said(self) -> str:
        """The state as the board says it: a seat that stays empty and was approved is "acknowledged" (approving it
        says the seat is seen and handled; nothing is accepted or sent to Plex: ux_s13 #17e)."""
        return "acknowledged" if self.item.kind == "crew_unstaffed" and self.state == "accepted" else self.state

    @property
    def superseded(self) -> bool:
        return self.state == SUPERSEDED

    @property
    def decided_at(self) -> str:
        """The item page where it is decided: a short seat's group, the workcenter shift's short seats decided as
        one (`review.groups`, as the review queue lists them), else its own."""
        return group_of(self.item) or self.item.item_id


@dataclass
class Segment:
    """One job operation's part in one shift."""

    key: str
    shift: str
    start: datetime
    end: datetime | None
    workcenter: str
    job: str
    department: str | None = None
    """The workcenter's department (the suggestion's, else the map `read_board` was given; None: unknown)."""
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
    short_waiting: int = 0
    """Of the seats that stay empty, those whose suggestion waits for a decision (acknowledge or reject: ux_s13 #4)."""
    withdrawn: int = 0
    """Seats accepted (sent to Plex) whose person then called off, or whose removal from Plex was approved: not
    filled."""
    removals_waiting: int = 0
    """Of those, the removals from Plex waiting for a supervisor's decision (`crew.removals`)."""


@dataclass(frozen=True)
class RejectedSeat:
    """A seat a supervisor rejected that the supervisor's plan keeps (`crew.board.rejected_in_supervisor_plan`): the
    person, the job segment's key, its workcenter; and, as the board knows them, the segment's job and who rejected
    it (None: not on the viewer's board)."""

    employee_id: str
    segment: str
    workcenter: str
    job: str = ""
    rejected_by: str | None = None


@dataclass(frozen=True)
class PlanFigures:
    """The objective breakdown of the newest plan that published for a shift, against the baselines, and the seats a
    supervisor rejected that the supervisor's plan keeps (ux_s13 #15: the board says so in words)."""

    made_at: datetime
    shifts: tuple[str, ...]
    plans: dict[str, dict[str, float]]
    rejected: tuple[RejectedSeat, ...] = ()

    def cell(self, plan: str, part: str) -> float | None:
        value = self.plans.get(plan, {}).get(part)
        return None if value is None else float(value)

    @property
    def seated_nobody(self) -> bool:
        """No plan compared seats anyone (a re-plan that found nobody free for its seats): a table of zeros compares
        nothing (ux_s15 #4), so the board says so instead."""
        filled = [self.cell(plan, "seats_filled") for plan in self.plans]
        return bool(filled) and all(not value for value in filled)


@dataclass(frozen=True)
class SeatCount:
    """A department's or a workcenter's part of a shift, as the board's filter offers it: seats filled, how many of
    them wait, and the empty seats whose suggestion waits (named apart: ux_s13 #4, "ASSY (0 seats filled, 0 waiting)"
    beside a waiting empty seat)."""

    code: str
    seats: int
    waiting: int
    short_waiting: int = 0


@dataclass(frozen=True)
class CallOff:
    """An absence a re-plan applied to a shift (`replanning.applied_event`): a call-off recorded on the board (who
    took it, why) or detected by crew_call_offs (scheduled, not clocked in after the shift's start), or an absence;
    or a call-off recorded on the board or detected that no re-plan applied yet (its claim, `crew.claims`)."""

    employee_id: str
    at: datetime
    """When it was taken or detected (the message's `detected_at`)."""
    reported_by: str | None = None
    reason: str | None = None
    """`CALL_OFF_REASONS` code, for one recorded on the board."""
    absence: bool = False
    replanned: bool = True
    """Whether a re-plan applied it (False: recorded on the board a moment ago, the re-plan pending)."""
    no_seat: bool = False
    """The re-plan found them with no seat in the shift's plan: nothing re-planned (`crew.messages.NO_SEAT`)."""
    undone_at: datetime | None = None
    """When a call-off was undone on the crew board (`call_off_undone`), and by whom (None: its person clocked in
    then, as crew_replan found: `clocked_in`); None: it holds."""
    undone_by: str | None = None
    unplaced: str | None = None
    """Why the re-plan after the undo gave its person no seat (`replanning.unplaced`; None: it gave them one)."""
    failed: str | None = None
    """Why its re-plan failed, crew_replan having dropped its message (`FailedReplan`; None: it did not)."""
    block: tuple[datetime, datetime] | None = None
    """The span it rules out the seats next to: its person's Plex block of the shift (as the re-plan that applied it
    recorded it, or a detected call-off's claim), else the span a board call-off's claim keeps (the board's); None:
    the board's span (`Board.next_to`)."""

    @property
    def why(self) -> str | None:
        return CALL_OFF_REASONS.get(self.reason or "")

    @property
    def clocked_in(self) -> bool:
        """Over because its person clocked in after it (crew_replan's `clocked_in`), not undone by someone."""
        return self.undone_at is not None and self.undone_by is None


@dataclass(frozen=True)
class NextTo:
    """A call-off of another shift that rules out a seat next to it (`Board.next_to`): the seat overlaps or touches
    the shift called off and is not over by the call-off, so the re-plan of the seat's shift the call-off asked for
    (`call_off_nearby`) takes its person off it (ux_s16 #2)."""

    call_off: CallOff
    shift: str
    """The shift called off."""
    lies: str
    """How the seat lies against it (`claims.next_to`): "starts as that shift ends", "ends as that shift starts",
    "overlaps that shift"."""
    replanned: bool = False
    """Whether a re-plan of the seat's shift decided on the call-off (`Board.replanned_with`): it took the person off
    the seat (an accepted one gets its removal from Plex, `Board.ruled_out`); False: "re-plan pending"."""


ABSENT = ("call_off", "absence")
"""The re-plans' events that take a person off a shift (what the board lists as call-offs)."""


@dataclass(frozen=True)
class FailedReplan:
    """A re-plan of a shift that crew_replan dropped (`replanning.dropped_event`: its message failed the same way on
    every delivery, so nothing of it was applied): the event it was after, when that was detected, and why it
    failed. Until 2026-12-06 only the CrewReplanDropped alarm knew; the board said nothing."""

    reason: str
    """The message's reason (`ReplanMessage.reason`)."""
    at: datetime
    error: str
    employee_id: str | None = None
    place: str | None = None
    """The workcenter's code or the job operation's job and operation, as the board's suggestions name them (None: the
    board holds no suggestion naming it)."""

    def what(self, who: Callable[[str], str]) -> str:
        """The event in words, people named by `who`: "a call-off of Dana Smith (E0099)", "workcenter WC-10 down"."""
        if self.employee_id and self.reason in ABOUT_SOMEONE:
            return ABOUT_SOMEONE[self.reason].format(who(self.employee_id))
        if self.reason in ("workcenter_down", "workcenter_up"):
            named = f"workcenter {self.place}" if self.place else "a workcenter"
            return f"{named} {'down' if self.reason == 'workcenter_down' else 'back up'}"
        if self.reason.startswith("operation_"):
            return f"{self.place or 'a job operation'} {self.reason.removeprefix('operation_')}"
        return "the supervisor's decisions on the crew board" if self.reason == "plan_changed" else self.reason


def _why_failed(dropped: Mapping[str, Any]) -> str:
    """A dropped re-plan's error (`crew.messages.DROPPED`) in its own words."""
    return str(dropped.get("reason") or dropped.get("error") or "no reason recorded")


def _failed_replans(read: DayRead) -> dict[str, list[FailedReplan]]:
    """Per shift, the re-plans crew_replan dropped (their `DROPPED` events), in the order detected; a workcenter or
    job operation named by the codes the day's suggestions give it (no Plex id on the page)."""
    places: dict[str, str] = {}
    for event in read.openings:
        payload = event.payload
        if payload.get("workcenter_id") and payload.get("workcenter_code"):
            places[str(payload["workcenter_id"])] = str(payload["workcenter_code"])
        _, _, operation = event.record_key.partition("job-operations:")
        if operation and payload.get("job_no"):
            places[operation] = f"job {payload['job_no']} operation {payload.get('operation_code') or '?'}"
    found: dict[str, list[FailedReplan]] = defaultdict(list)
    for event in read.applied:
        payload, dropped = event.payload, event.payload.get(DROPPED)
        if not isinstance(dropped, dict):
            continue
        subject = payload.get("replan_workcenter_id") or payload.get("replan_job_operation_id")
        failed = FailedReplan(
            str(payload.get("replan_reason")),
            datetime.fromisoformat(str(payload.get("replan_detected_at") or event.occurred_at.isoformat())),
            _why_failed(dropped),
            str(payload["replan_employee_id"]) if payload.get("replan_employee_id") else None,
            places.get(str(subject)) if subject else None,
        )
        found[str(payload.get("shift_code"))].append(failed)
    return {shift: sorted(failed, key=lambda f: f.at) for shift, failed in sorted(found.items())}


@dataclass(frozen=True)
class BoardReplan:
    """A re-plan asked on the board ("Re-plan the rest of shift 1", a `plan_changed` message) that crew_replan ran: when
    it was asked and ran, and the suggestions it published and closed (None: an event before 2026-12-06, which does
    not say)."""

    asked: datetime
    at: datetime
    published: int | None
    closed: int | None

    def words(self, time: Callable[[datetime], str]) -> str:
        """ "Re-planned at 05:30 (asked at 05:29): nothing to change" (ux_s17 M5: the board read as before, so a re-plan
        that changed nothing could not be told from one pending), or what it changed."""
        said = f"Re-planned at {time(self.at)} (asked at {time(self.asked)})"
        if self.published is None or self.closed is None:
            return said
        if not self.published and not self.closed:
            return f"{said}: nothing to change"
        new = f"{self.published} new suggestion{'' if self.published == 1 else 's'}"
        return f"{said}: {new}, {self.closed} withdrawn"


@dataclass
class Board:
    day: date
    shifts: dict[str, list[Segment]]
    figures: dict[str, PlanFigures] = field(default_factory=dict)
    call_offs: dict[str, list[CallOff]] = field(default_factory=dict)
    """Per shift, the call-offs and absences its re-plans applied and those recorded on the board since, in the order
    taken (`read_board`)."""
    removals: dict[str, Removal] = field(default_factory=dict)
    """The newest removal from Plex of each accepted seat whose person called off, by the seat's item id."""
    not_in_plex: dict[str, tuple[datetime, str]] = field(default_factory=dict)
    """The accepted seats a re-plan opened no removal for as plant IT had withdrawn their assignment from Plex (a
    revert), with when and by whom (`crew.removals.NOT_IN_PLEX`), by the seat's item id."""
    failed: dict[str, list[FailedReplan]] = field(default_factory=dict)
    """Per shift, the re-plans crew_replan dropped (`_failed_replans`): the board says to plan by hand."""
    replans: dict[str, list[AuditEvent]] = field(default_factory=dict)
    """Per shift, the re-plans applied to it (their `applied` events, those dropped too: `claims.replanned_with`
    leaves them out)."""

    def board_replan(self, shift: str) -> BoardReplan | None:
        """The newest re-plan of the shift asked on the board that crew_replan ran (one it dropped is in `failed`)."""
        ran = [
            event
            for event in self.replans.get(shift, ())
            if event.payload.get("replan_reason") == "plan_changed" and DROPPED not in event.payload
        ]
        if not ran:
            return None
        newest = max(ran, key=lambda event: event.occurred_at)
        changed = newest.payload.get(CHANGED) or {}
        return BoardReplan(
            datetime.fromisoformat(str(newest.payload.get("replan_detected_at") or newest.occurred_at.isoformat())),
            newest.occurred_at,
            changed.get("published"),
            changed.get("closed"),
        )

    @cached_property
    def as_planned(self) -> bool:
        """Whether a seat of the day is logged "as planned" (crew_planner's `CREW_APPROVAL=changes`: a seat that keeps
        the supervisor's plan needs no decision); with `all` (the default) every seat waits for one (ux164 #17)."""
        logged = STATE_WORDS[AuditStatus.LOGGED]
        return any(seat.state == logged for segments in self.shifts.values() for g in segments for seat in g.assigned)

    def people(self, shift: str, named: Callable[[str], str] = str, usual: Iterable[str] = ()) -> list[str]:
        """Who a call-off of the shift may name, as the board knows its people: those of its live seats (`LIVE`), the
        operators the planner offered for its seats (`swap_candidates`: scheduled on the shift, free, qualified) and
        `usual` (the page's: the plant's people whose usual shift in Plex it is), so someone scheduled whom the plan
        gave no seat is called off too and no re-plan seats them (ux_s14 #2: 2 of the 9 scheduled could be); less
        those off the shift already (a call-off that holds: ux_s14 #7). By `named` (a page's "Dana Smith (E00042)": by
        name, then employee number; ids by default), then employee id."""
        seats = [seat for s in self.shifts.get(shift, ()) for seat in s.assigned]
        found = {seat.item.employee_id for seat in seats if seat.state in LIVE} | set(usual)
        found |= {
            str(offered["employee_id"]) for seat in seats for offered in seat.offered if offered.get("employee_id")
        }
        here = (p for p in found if p and self.called_off(shift, p) is None)
        return sorted(here, key=lambda p: (named(p).casefold(), p))

    def called_off(self, shift: str, employee_id: str) -> CallOff | None:
        """The person's call-off of the shift that holds (None: none, or undone on the board)."""
        found = (c for c in self.call_offs.get(shift, ()) if c.employee_id == employee_id and c.undone_at is None)
        return next(found, None)

    def off(self, shift: str, seat: Seat) -> CallOff | None:
        """The call-off of the seat's person from its shift (None: none, an empty seat, or a seat over by the call-off:
        worked, it stays filled and in Plex, `crew.removals.over_by`)."""
        found = self.called_off(shift, seat.item.employee_id) if seat.item.employee_id else None
        return None if found is None or over_by(seat.item.evidence, found.at) else found

    def replanned_with(self, shift: str, other: str, off: CallOff) -> bool:
        """Whether a re-plan of the shift decided on the call-off `off` of shift `other` of the day (`replans`,
        `claims.replanned_with`): its `call_off_nearby`, or one begun after `other`'s re-plan applied it."""
        called_off = (off.employee_id, self.day, other)
        return replanned_with(self.replans.get(shift, ()), self.replans.get(other, ()), called_off, off.at)

    def ruled_out(self, shift: str, seat: Seat) -> NextTo | None:
        """The call-off of another shift that takes the person off their accepted seat (issue 16): the one its
        removal from Plex names (`crew.removals.called_off_shift`: the re-plan of the seat's shift opened it) while
        that call-off holds and no re-plan found them back (`Removal.person_back`: the undo's re-plan closed it); else,
        until a re-plan of the seat's shift ran since the call-off (or when one opened no removal as plant IT had
        withdrawn the assignment, `withdrawn_by_it`), the one `next_to` finds. As `off` for the seat's own shift:
        the seat counts as withdrawn, its removal is shown and may be retried (until 2026-12-06 the row kept saying
        "re-plan pending ... accepted" after the re-plan, and showed no removal)."""
        employee_id = seat.item.employee_id
        if seat.state != "accepted" or not employee_id or self.off(shift, seat) is not None:
            return None
        removal = self.removal(seat)
        named = None if removal is None else called_off_shift(removal.event)
        if removal is not None and named is not None:
            day, other = named
            listed = [c for c in self.call_offs.get(other, ()) if c.employee_id == employee_id]
            if day == self.day.isoformat() and listed and self.called_off(other, employee_id) is None:
                return None  # undone on the board: its re-plan closes the removal
            if removal.person_back:
                return None
            # another day's shift, or a call-off the viewer's board does not list: as the removal says it
            off = self.called_off(other, employee_id) if day == self.day.isoformat() else None
            off = off or CallOff(employee_id, removal.called_off_at or removal.event.occurred_at)
            lies = str(removal.event.payload.get("off_how") or "lies next to that shift")
            return NextTo(off, other, lies, replanned=True)
        segment = self._segment_of.get(seat.item.item_id)
        outside = seat.item.evidence.get("outside_hours")
        near = None if segment is None else self.next_to(shift, segment, employee_id, outside)
        if near is None or (near.replanned and self.withdrawn_by_it(seat) is None):
            return None
        return near

    @cached_property
    def _segment_of(self) -> dict[str, Segment]:
        """Each seat's segment, by the seat's item id."""
        return {seat.item.item_id: s for segments in self.shifts.values() for s in segments for seat in s.assigned}

    def fills(self, shift: str, seat: Seat) -> bool:
        """Whether the seat counts as filled: it stands in the plan (`LIVE`), its person has not called off the
        shift (an accepted seat whose person called off is empty, whatever Plex was sent: ux141 #3) and it was not
        removed from Plex."""
        return seat.state in LIVE and not self.withdrawn(shift, seat) and self.off(shift, seat) is None

    def replanned_since(self, shift: str) -> list[tuple[str, datetime]]:
        """The other shifts planned together with `shift` in its newest figures (the day's plan) that a re-plan changed
        since, with when: those figures still count those shifts' seats as they were (ux_s15 #4: a withdrawn seat)."""
        figures = self.figures.get(shift)
        if figures is None:
            return []
        later = ((other, self.figures.get(other)) for other in figures.shifts if other != shift)
        return [(other, found.made_at) for other, found in later if found and found.made_at > figures.made_at]

    def kept_rejected(self, shift: str) -> list[RejectedSeat]:
        """The seats a supervisor rejected that the supervisor's plan of the shift's newest figures keeps, each with
        its job and who rejected it as the board holds the rejected suggestion."""
        figures = self.figures.get(shift)
        found = []
        for kept in figures.rejected if figures is not None else ():
            rejected = next(
                (
                    (segment, seat)
                    for segment in self.shifts.get(shift, ())
                    if segment.key == kept.segment
                    for seat in segment.assigned
                    if seat.item.employee_id == kept.employee_id and seat.state == "rejected"
                ),
                None,
            )
            if rejected is None:
                found.append(kept)
            else:
                segment, seat = rejected
                found.append(dataclasses.replace(kept, job=segment.job, rejected_by=seat.closed_by))
        return found

    def removal(self, seat: Seat) -> Removal | None:
        """The newest removal from Plex of the accepted seat (`crew.removals`), None: none opened (yet)."""
        return self.removals.get(seat.item.item_id) if seat.state == "accepted" else None

    def withdrawn_by_it(self, seat: Seat) -> tuple[datetime, str] | None:
        """When and by whom plant IT withdrew the accepted seat's assignment from Plex (a revert), when the re-plan of
        its person's call-off opened no removal for it (`not_in_plex`; review_s14 #7: the board kept saying "its
        removal from Plex opens with the re-plan"); None: a removal was opened, or none is known to be moot."""
        return self.not_in_plex.get(seat.item.item_id) if self.removal(seat) is None else None

    def on_leave(self, seat: Seat) -> bool:
        """Whether the accepted seat's newest removal from Plex was opened for its person's leave read from Plex (no
        call-off on the board: `Removal.called_off_at` None) and no re-plan found them back since
        (`Removal.person_back`): waiting, or decided whatever became of it (review_s14 #2: once decided the seat read
        plain "accepted", and a removal Plex refused offered no Retry)."""
        removal = self.removal(seat)
        return removal is not None and removal.called_off_at is None and not removal.person_back

    def withdrawn(self, shift: str, seat: Seat) -> bool:
        """Whether the seat was accepted (sent to Plex) and its person then called off (or went on leave in Plex: its
        removal was opened for that, `on_leave`), or its removal from Plex was approved and not refused or reverted, or
        refused as plant IT had withdrawn the assignment already (`Removal.out_of_plex`; the call-off undone since: the
        person back is a new suggestion, and the seat counts as free, as re-plans count it)."""
        removal = self.removal(seat)
        removed = removal is not None and (removal.state in REMOVING or removal.out_of_plex)
        return seat.state == "accepted" and (removed or self._away(shift, seat))

    def retryable(self, shift: str, seat: Seat) -> bool:
        """Whether the seat's removal from Plex was refused (`Removal.refusal`) while its person is still off the shift
        (a call-off on the board, or on leave in Plex: `on_leave`): it may be sent again (`plan_retry`; issue 16),
        unless it was refused as IT withdrew the assignment from Plex already (`Removal.withdrawn_before`: a retry is
        refused the same way). The page offers it only on a seat not over (`plan_retry` refuses one after its end)."""
        removal = self.removal(seat)
        refused = removal is not None and removal.state == "refused" and removal.withdrawn_before is None
        return refused and self._away(shift, seat)

    def _away(self, shift: str, seat: Seat) -> bool:
        """Whether the seat's person is off the shift: called off it or next to it, or on leave in Plex (read only
        when the cheaper tests above leave it to decide)."""
        return self.off(shift, seat) is not None or self.ruled_out(shift, seat) is not None or self.on_leave(seat)

    @staticmethod
    def refused(removal: Removal) -> str:
        """Why an approved removal was not written (`Removal.refusal`), in the board's words (review180 #1)."""
        failed = removal.refusal.payload if removal.refusal is not None else {}
        why = failed.get("message") or "no reason recorded"
        if failed.get("error") == "WritebackRefusedError":  # refused by plex_writeback itself: nothing sent
            return f"not removed: {why}"
        if failed.get("dead_lettered"):
            return f"not removed: the write to Plex failed ({why})"
        return f"not removed: Plex refused it ({why})"

    def refilled(self, segment: Segment, seat: Seat) -> str:
        """What the re-plan did with a withdrawn seat (`withdrawn`), in words to follow it (ux164 #6: the board said
        "the re-plan fills the seat" above the seat's "stays empty"): its segment has a seat that stays empty ("the
        re-plan found nobody for it: it stays empty"), or none does ("the re-plan filled the seat"); before the
        re-plan of the call-off, "the re-plan fills it if someone qualified is free"."""
        off = self.off(segment.shift, seat)
        near = None if off is not None else self.ruled_out(segment.shift, seat)
        if (off is not None and not off.replanned) or (near is not None and not near.replanned):
            return "the re-plan fills it if someone qualified is free"
        if any(short.state in LIVE for short in segment.short):
            return "the re-plan found nobody for it: it stays empty"
        return "the re-plan filled the seat"

    def recorded_with(self, shift: str, call_off: CallOff) -> list[tuple[str, CallOff]]:
        """The same call-off on the day's other shifts (recorded on the board for the rest of the day: the same
        person, taker and moment), each with how its re-plan went, so the shift it was taken on says what it did
        elsewhere (ux_s15 #8: shift 1 read "no seat in the plan: nothing to re-plan" while their shift-2 seat was
        re-planned)."""
        if not call_off.reported_by:
            return []
        return [
            (other, found)
            for other, listed in self.call_offs.items()
            if other != shift
            for found in listed
            if (found.employee_id, found.reported_by, found.at)
            == (call_off.employee_id, call_off.reported_by, call_off.at)
        ]

    def rest_of_day(self, shift: str, now: datetime) -> list[str]:
        """`shift` and the day's shifts that start after it and are not over at `now`, by start: what a call-off
        for the rest of the day takes the person off (ux141 #2)."""
        starts = {code: min(s.start for s in segments) for code, segments in self.shifts.items() if segments}
        first = starts.get(shift)
        later = [
            code
            for code, start in sorted(starts.items(), key=lambda item: item[1])
            if first is not None and start > first and (self.shift_end(code) or start) > now
        ]
        return [shift, *later]

    def segments(self, shift: str, department: str | None = None, workcenter: str | None = None) -> list[Segment]:
        """The shift's segments, of one department's workcenters and of one workcenter (None: all)."""
        return [
            s for s in self.shifts[shift] if department in (None, s.department) and workcenter in (None, s.workcenter)
        ]

    def departments(self, shift: str) -> list[SeatCount]:
        """The departments of the shift's segments (known ones), each with its seats filled and waiting."""
        return _counted(((s.department, s) for s in self.shifts[shift]), lambda seat: self.fills(shift, seat))

    def workcenters(self, shift: str, department: str | None = None) -> list[SeatCount]:
        """The workcenters of the shift's segments (of one department: None, all), with their seats."""
        segments = self.segments(shift, department)
        return _counted(((s.workcenter, s) for s in segments), lambda seat: self.fills(shift, seat))

    def filled(self, shift: str) -> int:
        """The shift's seats filled (`fills`)."""
        return sum(self.fills(shift, seat) for segment in self.shifts.get(shift, ()) for seat in segment.assigned)

    @cached_property
    def _seats_of(self) -> dict[str, list[tuple[Segment, Seat]]]:
        """Each person's seats on the board, with their segments (what `refusal` looks at)."""
        found: dict[str, list[tuple[Segment, Seat]]] = defaultdict(list)
        for segments in self.shifts.values():
            for segment in segments:
                for seat in segment.assigned:
                    if seat.item.employee_id:
                        found[seat.item.employee_id].append((segment, seat))
        return found

    def unfinished_swap(self, segment: Segment, seat: Seat) -> Seat | None:
        """The waiting suggestion of `segment` that `seat` was chosen on the board to replace, when that swap is
        recorded but not finished (its write to Plex could not be queued, so it was not approved:
        `ReviewService.approve_new`) and both still wait; None otherwise. Swapping the same person in again finishes it
        (`plan_swap`)."""
        evidence = seat.item.evidence
        if not seat.waiting or not evidence.get("swapped_for") or not evidence.get("replaces"):
            return None
        replaces = str(evidence["replaces"])
        return next((s for s in segment.assigned if s.item.item_id == replaces and s.waiting), None)

    def span(self, shift: str) -> tuple[datetime, datetime] | None:
        """When the shift starts and ends as the board has it: its first segment's start, its last one's end (None:
        the board has none of it)."""
        end = self.shift_end(shift)
        segments = self.shifts.get(shift, ())
        return None if end is None or not segments else (min(s.start for s in segments), end)

    def next_to(self, shift: str, segment: Segment, employee_id: str | None, outside_hours: Any) -> NextTo | None:
        """The call-off of another shift of the day by `employee_id` next to their seat at `segment` (of `shift`;
        `outside_hours`: its hours outside their scheduled shifts), by the claims' rule (`claims.next_to_call_off` on
        the person's Plex block of the shift called off once known, `CallOff.block`, else the shift's `span`: overtime
        overlapping or touching it, not over by the call-off); None: none. Whether a re-plan of the seat's shift ran
        since (`NextTo.replanned`): it decided on that block (`stretches.with_call_offs`), so only until then is the
        seat neither accepted nor offered to them (`pending`)."""
        if not employee_id:
            return None
        end, overtime = segment.end or segment.start, _overtime(outside_hours)
        for other in self.call_offs:
            off = self.called_off(other, employee_id) if other != shift else None
            span = (off.block or self.span(other)) if off is not None else None  # the Plex block, as its re-plan
            if off is None or span is None:
                continue
            if lies := next_to_call_off(
                (self.day, other, *span, off.at), self.day, shift, segment.start, end, overtime=overtime
            ):
                return NextTo(off, other, lies, self.replanned_with(shift, other, off))
        return None

    def pending(self, shift: str, segment: Segment, employee_id: str | None, outside_hours: Any) -> NextTo | None:
        """The call-off `next_to` finds while the re-plan of the seat's shift has not run since it: until then the
        seat reads "re-plan pending", is not accepted (the claim refuses it too, `SeatClaims.seat`) nor offered to
        its person; after it, the seat stands as that re-plan left it (closed if the call-off rules it out; review_s16
        lead 5: one kept, its person's block ending before the shift does, stayed refused until the call-off's
        undo)."""
        near = self.next_to(shift, segment, employee_id, outside_hours)
        return None if near is None or near.replanned else near

    def refusal(
        self,
        target: Segment,
        employee_id: str,
        now: datetime,
        finishing: str | None = None,
        outside_hours: Any = None,
    ) -> tuple[str, str, str | None] | None:
        """Why `employee_id` cannot be swapped into `target` (None: they can), with its code in `SWAP_REFUSALS` and
        the workcenter it names: off the target's shift (a call-off or absence a re-plan applied), already suggested
        on it (not where a re-plan superseded them or their assignment there left Plex: they may come back), accepted
        elsewhere at the same time (until that assignment is out of Plex, as the approval's claim holds: review_s13
        L4, a seat whose removal was approved, on its way, was offered and the swap then refused with a 409), or
        planned elsewhere at the same time on work that has started (a re-plan holds both, and one person cannot do
        both). `finishing`: the item id of the same swap recorded before and not finished (`unfinished_swap`), which
        does not refuse its own person."""
        if off := self.called_off(target.shift, employee_id):
            return f"{employee_id} is off shift {target.shift} (since {off.at.isoformat()}).", "called_off", None
        if near := self.pending(target.shift, target, employee_id, outside_hours):
            reason = f"{employee_id} called off shift {near.shift}; this seat {near.lies}."
            return reason, "called_off_nearby", None
        end = target.end or target.start
        for segment, seat in self._seats_of.get(employee_id, ()):
            if self._gone(seat) or seat.item.item_id == finishing:
                continue  # the seat was removed from Plex, or is the choice being finished: it holds them nowhere
            if segment.key == target.key and not seat.superseded:  # a re-plan dropped them there: they may come back
                return (
                    f"{employee_id} is already suggested for this job operation ({seat.state}).",
                    "suggested_here",
                    None,
                )
            overlaps = segment.start < end and target.start < (segment.end or segment.start)
            if overlaps and seat.state == "accepted":  # its approval's claim holds until it is out of Plex (`_gone`)
                leaving = (removal := self.removal(seat)) is not None and removal.state in REMOVING
                reason = f"{employee_id} is accepted at {segment.workcenter} at the same time" + (
                    " (its removal from Plex is on its way)." if leaving else "."
                )
                return reason, "accepted_elsewhere", segment.workcenter
            if overlaps and seat.state in LIVE and segment.start <= now:
                reason = f"{employee_id} is at {segment.workcenter}, on work that has started."
                return reason, "started_elsewhere", segment.workcenter
        return None

    def _gone(self, seat: Seat) -> bool:
        """Whether the accepted seat's assignment counts as out of Plex (its removal written, approved in dry run, or
        refused as plant IT had withdrawn it already), by the same rule (`crew.removals.Removal.out_of_plex`) that
        lets re-plans stop holding it (review180 #5)."""
        removal = self.removal(seat)
        return removal is not None and removal.out_of_plex

    def shift_end(self, shift: str | None) -> datetime | None:
        """When the shift's last segment ends (None: the board has none of it)."""
        return max((s.end or s.start for s in self.shifts.get(shift or "", ())), default=None)

    def offered(self, segment: Segment, seat: Seat, now: datetime) -> list[Candidate]:
        """The seat's swap candidates a swap would not refuse now (`refusal`), each where the board has them now
        (`_now`), best swap first."""
        live = (
            self._now(segment, c)
            for c in seat.candidates
            if self.refusal(segment, c.employee_id, now, outside_hours=c.outside_hours) is None
        )
        return sorted(live, key=lambda c: -c.worth)

    def _now(self, target: Segment, candidate: Candidate) -> Candidate:
        """`candidate` where the board has them now at the time of `target` (ux164 #17: a re-plan since the seat's
        plan may have taken the seat it names, "now at QC-07", from them): the plan's seat and its price if it still
        stands, another live seat without a price (the planner did not price leaving it), or free."""
        end = target.end or target.start
        current = next(
            (
                (segment, seat)
                for segment, seat in self._seats_of.get(candidate.employee_id, ())
                if seat.state in LIVE
                and segment.key != target.key
                and segment.start < end
                and target.start < (segment.end or segment.start)
            ),
            None,
        )
        if current is None:
            return dataclasses.replace(candidate, busy_at=None, leaves_hours=0.0, leaves_loss=0.0, leaves_empty=False)
        segment, seat = current
        if segment.workcenter == candidate.busy_at:
            return dataclasses.replace(candidate, leaves_job=segment.job or None)
        return dataclasses.replace(
            candidate,
            busy_at=segment.workcenter,
            leaves_hours=seat.hours,
            leaves_loss=0.0,
            leaves_empty=False,
            leaves_job=segment.job or None,
        )

    def totals(self, shift: str, department: str | None = None, workcenter: str | None = None) -> ShiftTotals:
        """The live crew's figures: what is not rejected or closed, nor its person called off (of one department's
        workcenters and one workcenter, or all); an accepted seat whose person called off counts as `withdrawn`."""
        segments = self.segments(shift, department, workcenter)
        seats = [s for segment in segments for s in segment.assigned]
        live = [s for s in seats if self.fills(shift, s)]
        short = [s for segment in segments for s in segment.short if s.state in LIVE]
        withdrawn = [s for s in seats if self.withdrawn(shift, s)]
        waiting = [s for s in withdrawn if (removal := self.removal(s)) is not None and removal.state == "waiting"]
        return ShiftTotals(
            assigned_hours=round(sum(s.hours for s in live), 1),
            net=round(sum(s.net or 0.0 for s in live), 0),
            waiting=sum(s.waiting for s in seats),
            accepted=sum(s.state == "accepted" for s in seats) - len(withdrawn),
            rejected=sum(s.state == "rejected" for s in seats),
            short_seats=sum(s.seats for s in short),
            short_waiting=sum(s.seats for s in short if s.waiting),
            withdrawn=len(withdrawn),
            removals_waiting=len(waiting),
        )


def _counted(keyed: Iterable[tuple[str | None, Segment]], fills: Callable[[Seat], bool]) -> list[SeatCount]:
    """Seats filled (`fills`: as `Board.totals` counts them), waiting, and empty seats waiting per key (a segment
    without one is not counted), by key."""
    seats: Counter[str] = Counter()
    waiting: Counter[str] = Counter()
    short_waiting: Counter[str] = Counter()
    for key, segment in keyed:
        if key is not None:
            seats[key] += sum(fills(s) for s in segment.assigned)
            waiting[key] += sum(s.waiting for s in segment.assigned)
            short_waiting[key] += sum(s.seats for s in segment.short if s.waiting)
    return [SeatCount(code, seats[code], waiting[code], short_waiting[code]) for code in sorted(seats)]


@dataclass
class PlannedShift:
    """A shift of a day with crew suggestions: from its first segment's start to its last one's end, and one
    suggestion per way of being routed (kind, supervisor, department), to tell whether a viewer may see any."""

    day: date
    shift: str
    start: datetime
    end: datetime
    routes: dict[tuple[str, str | None, str | None], ReviewItem] = field(default_factory=dict)

    def seen_by(self, viewer: Viewer | None) -> bool:
        return viewer is None or any(viewer.may_see(item) for item in self.routes.values())

    def add(self, start: datetime, end: datetime, item: ReviewItem) -> None:
        self.start, self.end = min(self.start, start), max(self.end, end)
        self.routes.setdefault((item.kind, item.supervisor_id, item.department), item)


def opening_shift(planned: list[PlannedShift], now: datetime) -> PlannedShift | None:
    """The shift the board opens on: the one running at `now` or the next to start, else the latest (None: none)."""
    return next((s for s in planned if s.end > now), planned[-1] if planned else None)


def planned_shifts(store: AuditStore, today: date) -> list[PlannedShift]:
    """The shifts of the crew suggestions published since `PLAN_LOOKBACK` before `today` (whatever day they plan),
    by start: the two opening status indexes read to the end (`read_status`), as a day's read starts."""
    found: dict[tuple[date, str], PlannedShift] = {}
    _add_planned(found, (e for status in OPENING for e in read_status(store, status, day_since(today))))
    return _by_start(found)


def _add_planned(found: dict[tuple[date, str], PlannedShift], events: Iterable[AuditEvent]) -> None:
    """Adds the shifts of the crew suggestions among `events` to `found` (a shift found before is replaced by a copy
    with them: a list handed out keeps its shifts as they were)."""
    for event in events:
        payload = event.payload
        if event.event_type is not AuditEventType.RECOMMENDATION or payload.get("kind") not in CREW_KINDS:
            continue
        item = item_from_event(event)
        if item is None or not payload.get("plan_day") or not payload.get("start"):
            continue
        day, start = date.fromisoformat(str(payload["plan_day"])), datetime.fromisoformat(str(payload["start"]))
        end = datetime.fromisoformat(str(payload.get("end") or payload["start"]))
        key = (day, str(payload.get("shift_code")))
        known = found.get(key)
        shift = PlannedShift(day, key[1], start, end) if known is None else dataclasses.replace(known)
        shift.routes = dict(shift.routes)
        shift.add(start, end, item)
        found[key] = shift


def _by_start(found: Mapping[tuple[date, str], PlannedShift]) -> list[PlannedShift]:
    return sorted(found.values(), key=lambda s: (s.start, s.shift))


@dataclass
class _Planned:
    """Which shifts have crew suggestions, as a container read them (`BoardReader.planned`): for which `today`, when
    (monotonic seconds) it last read them whole and last caught up, and where the next catch-up starts."""

    today: date
    full_at: float
    read_at: float
    since: datetime
    found: dict[tuple[date, str], PlannedShift]

    def list_day(self, day: date, read: DayRead) -> None:
        """Adds the shifts of `read` (of `day`, published since `PLAN_LOOKBACK` before `today`) not listed yet."""
        listed = {shift for d, shift in self.found if d == day}
        since = day_since(self.today)
        new = [e for e in read.openings if str(e.payload.get("shift_code")) not in listed and e.occurred_at >= since]
        _add_planned(self.found, new)


@dataclass
class BoardReader:
    """Each day's read, kept per container for `ttl_s`, then caught up (`DayReader`: only what is new is
    read, the whole day every few minutes), of the `days` days asked for last (a day's read holds thousands of
    suggestions: kept for every day asked, a container's memory grew without bound); which days have plans, kept
    `PLANNED_TTL_S`."""

    store: AuditStore
    ttl_s: float = BOARD_TTL_S
    days: int = BOARD_DAYS
    _reader: DayReader = field(init=False)
    _shown: OrderedDict[date, tuple[float, DayRead]] = field(default_factory=OrderedDict)
    """The days kept, the one asked for longest ago first."""
    _planned: _Planned | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def planned(self, today: date, now: datetime) -> list[PlannedShift]:
        """`planned_shifts`, kept `ttl_s` as a day's read is, then caught up: the two status indexes from the previous
        read less `PLANNED_OVERLAP` (a few events), whole again after `PLANNED_TTL_S` or on a new day. Until
        2026-12-06 the list was kept `PLANNED_TTL_S` whole (ux_s13 #17d: days published meanwhile stayed out of it
        for five minutes); the days read since (`day`) are in it at once."""
        with self._lock:
            kept = self._planned
            ticks = time.monotonic()
            if kept is not None and kept.today == today and ticks - kept.read_at < self.ttl_s:
                return _by_start(kept.found)
            whole = kept is None or kept.today != today or ticks - kept.full_at >= PLANNED_TTL_S
        since = day_since(today) if whole or kept is None else kept.since
        events = [e for status in OPENING for e in read_status(self.store, status, since)]
        with self._lock:
            found = {} if whole or self._planned is None else dict(self._planned.found)
            _add_planned(found, events)
            full_at = ticks if whole or self._planned is None else self._planned.full_at
            self._planned = _Planned(today, full_at, time.monotonic(), now - PLANNED_OVERLAP, found)
            return _by_start(found)

    def __post_init__(self) -> None:
        # the re-plans' events and the call-offs recorded on the board (their claims): the call-offs the board lists
        self._reader = DayReader(self.store, applied=True, claims=True)

    def day(self, day: date, now: datetime, fresh: bool = False) -> DayRead:
        """The day's read: the one kept when younger than `ttl_s` (unless `fresh`), else caught up. Only the `days`
        days asked for last are kept (with what `DayReader` holds of them)."""
        with self._lock:
            kept = self._shown.get(day)
            if kept is not None:
                self._shown.move_to_end(day)
            if kept is not None and not fresh and time.monotonic() - kept[0] < self.ttl_s:
                return kept[1]
        read = self._reader.read(day, now)
        with self._lock:
            if self._planned is not None:  # a day asked for shows in the plans listed at once (ux_s13 #17d)
                self._planned.list_day(day, read)
            self._shown[day] = (time.monotonic(), read)
            self._shown.move_to_end(day)
            while len(self._shown) > self.days:
                self._shown.popitem(last=False)
            kept_days = set(self._shown)
        self._reader.keep_only(kept_days)
        return read

    @property
    def kept_days(self) -> list[date]:
        """The days kept read, the one asked for longest ago first."""
        with self._lock:
            return list(self._shown)


_READERS: weakref.WeakKeyDictionary[AuditStore, BoardReader] = weakref.WeakKeyDictionary()
_READERS_LOCK = threading.Lock()


def board_reader(store: AuditStore) -> BoardReader:
    """The container's `BoardReader` of `store` (one per audit store the web app was built with)."""
    with _READERS_LOCK:
        reader = _READERS.get(store)
        if reader is None:
            reader = _READERS[store] = BoardReader(store)
        return reader


def read_board(
    store: AuditStore | DayRead,
    day: date,
    viewer: Viewer | None,
    now: datetime,
    departments: Mapping[str, str | None] | None = None,
) -> Board:
    """The day's crew suggestions the viewer may see (None: all), with their states (see the module docstring);
    `departments` maps workcenter ids to their departments, for suggestions that do not name theirs."""
    read = store if isinstance(store, DayRead) else read_day(store, day)
    segments: dict[tuple[str, str], Segment] = {}
    figures: dict[str, PlanFigures] = {}
    for event in read.openings:
        item = item_from_event(event)
        if item is None or (viewer is not None and not viewer.may_see(item)):
            continue
        segment = _segment(segments, event, departments or {})
        closing = read.closed.get(item.item_id)
        seat = _seat(event, item, closing)
        (segment.assigned if item.kind == "crew_assignment" else segment.short).append(seat)
        _newer_figures(figures, segment.shift, event)
    shifts: dict[str, list[Segment]] = defaultdict(list)
    for segment in sorted(segments.values(), key=lambda s: (s.start, s.workcenter, s.job)):
        segment.assigned.sort(key=lambda s: s.item.employee_id or "")
        shifts[segment.shift].append(segment)
    board = Board(day, dict(sorted(shifts.items())), figures)
    board.call_offs = _call_offs(read, board, viewer)
    board.removals = removals(read)
    board.not_in_plex = {
        seat: (datetime.fromisoformat(str(said["at"])), str(said["by"]))
        for event in read.applied
        for seat, said in (event.payload.get(NOT_IN_PLEX) or {}).items()
    }
    board.failed = _failed_replans(read)
    for event in read.applied:
        board.replans.setdefault(str(event.payload.get("shift_code")), []).append(event)
    return board


def _call_offs(read: DayRead, board: Board, viewer: Viewer | None) -> dict[str, list[CallOff]]:
    """The shifts' call-offs and absences as re-plans applied them (each person once per shift, the first, unless it
    was undone and another came after), and the call-offs recorded on the board that no re-plan applied yet (their
    claims: `replanned` False), those the viewer may see: planners and admins all, others those of people with a seat
    on their board of the shift or that they recorded. A call-off undone on the board says when and by whom
    (`_undos`)."""
    whole = viewer is None or bool(viewer.roles & {Role.ADMIN, Role.PLANNER})
    seen = {
        shift: {seat.item.employee_id for s in segments for seat in s.assigned}
        for shift, segments in board.shifts.items()
    }
    found: dict[str, dict[str, CallOff]] = defaultdict(dict)
    undos = _undos(read, board.day)

    def keep(shift: str, call_off: CallOff) -> None:
        undo = undos.get((shift, call_off.employee_id))
        if undo is not None and not call_off.absence and call_off.at <= undo[0]:
            call_off = dataclasses.replace(call_off, undone_at=undo[0], undone_by=undo[1], unplaced=undo[2])
        known = found[shift].get(call_off.employee_id)
        if known is None or (known.undone_at is not None and call_off.undone_at is None):
            found[shift][call_off.employee_id] = call_off

    for event in read.applied:
        payload = event.payload
        shift, employee = str(payload.get("shift_code")), payload.get("replan_employee_id")
        if payload.get("replan_reason") not in ABSENT or not employee:
            continue
        reported_by = payload.get("replan_reported_by")
        if not whole and employee not in seen.get(shift, ()) and (viewer is None or reported_by != viewer.user_id):
            continue
        dropped = payload.get(DROPPED)
        keep(
            shift,
            CallOff(
                str(employee),
                datetime.fromisoformat(str(payload.get("replan_detected_at") or event.occurred_at.isoformat())),
                str(reported_by) if reported_by else None,
                str(payload["replan_call_off_reason"]) if payload.get("replan_call_off_reason") else None,
                payload.get("replan_reason") == "absence",
                replanned=dropped is None,
                no_seat=bool(payload.get(NO_SEAT)),
                failed=_why_failed(dropped) if isinstance(dropped, dict) else None,
                block=plex_block([event], str(employee), event.occurred_at),
            ),
        )
    for claim in call_offs_of(read.claims, board.day):
        seen_here = claim.employee_id in seen.get(claim.shift, ()) or (
            viewer is not None and claim.by == viewer.user_id
        )
        if whole or seen_here:
            by = None if claim.by == DETECTOR else claim.by  # detected by crew_call_offs, recorded by nobody
            span = (claim.start, claim.end) if claim.start and claim.end else None  # a detected one's: the Plex block
            pending = CallOff(claim.employee_id, claim.at, by, claim.reason, replanned=False, block=span)
            keep(claim.shift, pending)
    return {shift: sorted(by.values(), key=lambda c: c.at) for shift, by in sorted(found.items())}


SAME_UNDO = timedelta(minutes=1)
"""A claim let go this soon after an undo's message was sent is that undo's (`_undos`)."""


def _undos(read: DayRead, day: date) -> dict[tuple[str, str], tuple[datetime, str | None, str | None]]:
    """(shift, employee id) -> when and by whom their call-off was last undone on the board (None: they clocked in
    then), and why its re-plan gave them no seat (None: it gave them one, or is still to come):
    the `call_off_undone` re-plans applied, the clock-ins after a call-off crew_replan found (`clocked_in`,
    review 163 D2), and the call-off claims let go by someone other than crew_replan (which lets go those of people
    who clocked in, recorded as `clocked_in`) or crew_call_offs (a detected call-off it could not send) before the
    re-plan comes."""
    found: dict[tuple[str, str], tuple[datetime, str | None, str | None]] = {}

    def undone(shift: str, employee: str, at: datetime, by: str | None, unplaced: str | None = None) -> None:
        old = found.get((shift, employee))
        if old is None or old[0] < at:
            # the board sends the undo's message, then lets its claim go: that release is the same undo, whose
            # re-plan's word on the person stays
            same = old is not None and old[2] is not None and at - old[0] <= SAME_UNDO
            found[(shift, employee)] = (at, by, unplaced or (old[2] if same and old else None))

    for event in read.applied:
        payload = event.payload
        reason = payload.get("replan_reason")
        if reason in ("call_off_undone", "clocked_in") and payload.get("replan_employee_id") and DROPPED not in payload:
            at = datetime.fromisoformat(str(payload.get("replan_detected_at") or event.occurred_at.isoformat()))
            by = None if reason == "clocked_in" else str(payload.get("replan_reported_by") or event.actor)
            unplaced = payload.get("replan_unplaced")
            undone(str(payload.get("shift_code")), str(payload["replan_employee_id"]), at, by, unplaced)
    for event in read.claims:
        payload = event.payload
        released = payload.get("claim") == "release" and not payload.get("item_id") and event.employee_id
        if released and payload.get("plan_day") == day.isoformat() and event.actor not in (REPLAN_ACTOR, DETECTOR):
            undone(str(payload.get("shift_code")), str(event.employee_id), event.occurred_at, event.actor)
    return found


def _newer_figures(figures: dict[str, PlanFigures], shift: str, event: AuditEvent) -> None:
    """Keeps the shift's figures of the newest plan (`payload.plan_figures`, on each of its events)."""
    found = event.payload.get("plan_figures")
    known = figures.get(shift)
    if not isinstance(found, dict) or (known is not None and known.made_at >= event.occurred_at):
        return
    plans = {key: dict(found[key]) for key, _ in PLANS if isinstance(found.get(key), dict)}
    rejected = tuple(
        RejectedSeat(str(seat["employee_id"]), str(seat["segment"]), str(seat.get("workcenter_code") or "—"))
        for seat in found.get("current_rejected") or ()
        if isinstance(seat, dict) and seat.get("employee_id") and seat.get("segment")
    )
    shifts = tuple(str(s) for s in found.get("shifts") or (shift,))
    figures[shift] = PlanFigures(event.occurred_at, shifts, plans, rejected)


def _segment(
    segments: dict[tuple[str, str], Segment], event: AuditEvent, departments: Mapping[str, str | None]
) -> Segment:
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
            department=str(payload.get("department") or "") or departments.get(str(payload.get("workcenter_id"))),
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
        offered=tuple(c for c in payload.get("swap_candidates") or () if isinstance(c, dict)),
        setup_hours=float(payload.get("setup_hours") or 0.0),
        people=tuple(
            dict.fromkeys(
                str(p)
                for p in (item.employee_id, item.supervisor_id, payload.get("swapped_for"), *people_in(item.note))
                if p
            )
        ),
    )


SWAP_REFUSALS = {
    "unknown": "This crew suggestion is unknown, or not yours to change.",
    "not_waiting": "This suggestion is no longer waiting: only a waiting one is swapped here.",
    "no_item": "Choose the suggestion to swap.",  # a form without it: a 400 (`dashboards.crew_swap`)
    "no_employee": "Choose who comes in.",
    "not_offered": "{who} is not one of the operators offered for this seat.",
    "no_setup": "{who} may not do the setup this job starts with: choose one who may.",
    "called_off": "{who} called off this shift (see its call-offs): choose someone else.",
    "called_off_nearby": "{who} called off a shift next to this seat, which starts as it ends or overlaps it (see "
    "that shift's call-offs): the re-plan takes them off it. Choose someone else.",
    "suggested_here": "{who} is already suggested for this job operation.",
    "accepted_elsewhere": "{who} is accepted at {at} at the same time.",
    "started_elsewhere": "{who} is at {at}, on work that has started.",
    "decided": "This suggestion was decided or closed meanwhile.",
    "not_recorded": "The choice could not be recorded: try again.",
    # the choice is recorded, its approval not (`ReviewService.approve_new`): until 2026-12-06 the board said "could
    # not be recorded: try again", and pressing again was refused as the person already suggested here
    "not_queued": "{who} is recorded as your choice for this seat, but its write to Plex could not be queued, so it is "
    'not accepted yet: it waits below, beside the suggestion it was to replace, marked "swap not finished". Press '
    '"Finish the swap" there in a moment: it accepts your choice (its write queued), rejects the one it replaces '
    "and re-plans the rest of the shift, once. Nothing was sent to Plex.",
}
"""Why a swap was refused, by the short code the board's address carries after it (`?done=refused&why=`): the
page says it in these words, so a reload re-posts nothing and no link puts its own words on the page."""
WORKCENTER_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.:/+=-]{0,63}")


def swap_refusal_text(code: str, who: str | None, at: str | None) -> str | None:
    """A refused swap's reason in words, to follow "Not swapped: " (None for a code it does not know): `who` the
    person as the viewer may see them ("the operator chosen" when not known), `at` the workcenter they are at."""
    words = SWAP_REFUSALS.get(code)
    if words is None or ("{at}" in words and not (at and WORKCENTER_CODE.fullmatch(at))):
        return None
    return words.format(who=who or "the operator chosen", at=at)


def replaced_text(after: str, at: str) -> str:
    """Why a swap of a suggestion a re-plan replaced after the board was read is refused (ux_verify_s16 H: it said
    "This suggestion is no longer waiting"), to follow "Not swapped: ": `after` the call-off or change the re-plan
    followed, its people named ("" when not known), `at` when it replaced it, in the plant's time: "a re-plan after a
    call-off of Jamal Usman (E00009) replaced this suggestion at 04:04; reload to see the seat now."."""
    by = f"a re-plan after {after}" if after else "a re-plan"
    return f"{by} replaced this suggestion at {at}; reload to see the seat now."


def _target(board: Board, opening: AuditEvent) -> Segment:
    """The segment of the seat `opening` swaps, as the board holds it; else (a seat the status index does not show
    yet: its eventual consistency) as the opening itself says: its segment, start, end and workcenter."""
    payload = opening.payload
    shift = board.shifts.get(str(payload.get("shift_code")), [])
    found = next((s for s in shift if s.key == str(payload["segment"])), None)
    if found is None:
        found = _segment({}, opening, {})
    if found.end is None and payload.get("end"):
        found = dataclasses.replace(found, end=datetime.fromisoformat(str(payload["end"])))
    return found


class SwapRefusedError(ValueError):
    """A swap the board cannot make: the reason for the log (people by employee id), its code in `SWAP_REFUSALS`
    (what the page says after the 303 back to the board) and the workcenter it names (`at`)."""

    def __init__(self, reason: str, *, code: str, at: str | None = None) -> None:
        super().__init__(reason)
        self.code = code
        self.at = at


@dataclass(frozen=True)
class Swap:
    """A checked swap: the new recommendation to record and approve, the suggestion it replaces, the re-plan."""

    opening: AuditEvent
    replaced: str
    rejection: str
    replan: ReplanMessage


def plan_swap(store: AuditStore, item_id: str, employee_id: str, viewer: Viewer, now: datetime) -> Swap:
    """The swap of the waiting suggestion `item_id` for `employee_id`, checked (see the module docstring);
    raises `SwapRefusedError` saying why not."""
    events = store.for_finding(item_id)
    opening = next((e for e in events if e.event_type is AuditEventType.RECOMMENDATION), None)
    item = None if opening is None else item_from_event(opening)
    if opening is None or item is None or item.kind != "crew_assignment" or not viewer.may_see(item):
        raise SwapRefusedError("This crew suggestion is unknown, or not yours to change.", code="unknown")
    if opening.status is not AuditStatus.PENDING_APPROVAL or any(e.status in CLOSING for e in events):
        raise SwapRefusedError(
            "This suggestion is no longer waiting: only a waiting one is swapped here.", code="not_waiting"
        )
    payload = opening.payload
    offered = {str(c.get("employee_id")): c for c in payload.get("swap_candidates") or () if isinstance(c, dict)}
    if employee_id not in offered:
        raise SwapRefusedError(
            f"{employee_id!r} is not one of the operators offered for this seat.", code="not_offered"
        )
    if payload.get("setup_hours") and not offered[employee_id].get("sets_up"):
        raise SwapRefusedError(
            f"{employee_id} may not do the setup {opening.employee_id} does on this job: choose one who may.",
            code="no_setup",
        )
    day = date.fromisoformat(str(payload["plan_day"]))
    # read fresh (a catch-up: five small queries), not the page's read kept `BOARD_TTL_S`: a swap of the same
    # person a moment ago (another tab, planner or container) is in it, so it is refused, not approved twice
    read = board_reader(store).day(day, now, fresh=True)
    board = read_board(read, day, None, now)
    target = _target(board, opening)
    # the id the planner would give that pair: a new one when a re-plan superseded it (or it left Plex)
    swapped_id = renewed_id(assignment_event_id(day.isoformat(), str(payload["segment"]), employee_id), renewed(read))
    unfinished = _unfinished_choice(store, swapped_id, item_id)
    finishing, outside = unfinished.event_id if unfinished else None, offered[employee_id].get("outside_hours")
    if refused := board.refusal(target, employee_id, now, finishing, outside):
        reason, code, at = refused
        raise SwapRefusedError(reason, code=code, at=at)
    replan = ReplanMessage(
        reason="swap", day=day, shift=str(payload["shift_code"]), detected_at=now, employee_id=employee_id
    )
    rejection = f"swapped for {employee_id} on the crew board"
    if unfinished is not None:  # the same choice, recorded before: approved now as it was recorded, not again
        return Swap(unfinished, item_id, rejection, replan)
    chosen = offered[employee_id]
    busy = f"; moved from {chosen['busy_at']}" if chosen.get("busy_at") else ""
    note = (
        f"Swap: {employee_id} in place of {opening.employee_id} on {payload.get('workcenter_code')} "
        f"({float(payload.get('hours') or 0.0):.1f} h, shift {payload.get('shift_code')}), chosen on the crew board"
    )
    kept = {k: v for k, v in payload.items() if k not in ("swap_candidates", "plan_figures", "trigger", "note")}
    swapped = recommendation_event(
        opening.record_key,
        swapped_id,
        status=AuditStatus.PENDING_APPROVAL,
        occurred_at=now,
        actor=viewer.user_id,
        model_version=opening.model_version or "",
        supervisor_id=chosen.get("supervisor_id"),
        employee_id=employee_id,
        payload=kept
        | {k: chosen.get(k, 0.0) for k in (*COST_PARTS, "value", "outside_hours")}
        | {
            "changes_current_plan": True,
            "swapped_for": opening.employee_id,
            "replaces": item_id,  # its approval holds this seat (`crew.claims`): one swap of a seat at a time
            "reasons": [f"swapped in by hand on the crew board for {opening.employee_id}{busy}"],
            "note": note,
        },
    )
    return Swap(swapped, item_id, rejection, replan)


def _unfinished_choice(store: AuditStore, swapped_id: str, item_id: str) -> AuditEvent | None:
    """The swap of `item_id` recorded before as `swapped_id` and never decided (its write to Plex could not be queued,
    `ReviewService.approve_new`), else None. Read by its id (the finding index); one recorded a moment ago and not in
    the index yet is found by `approve_new` itself, whose append of the same id conflicts and approves the recorded
    one."""
    events = store.for_finding(swapped_id)
    opening = next((e for e in events if e.event_type is AuditEventType.RECOMMENDATION), None)
    waiting = opening is not None and opening.status is AuditStatus.PENDING_APPROVAL
    if opening is None or not waiting or opening.payload.get("replaces") != item_id:
        return None
    return None if any(e.status in CLOSING for e in events) else opening


class RetryRefusedError(ValueError):
    """A removal from Plex the board does not send again: the reason (as the page says it) and the HTTP status."""

    def __init__(self, reason: str, status: int = 409) -> None:
        super().__init__(reason)
        self.status = status


def plan_retry(
    store: AuditStore,
    item_id: str,
    viewer: Viewer,
    now: datetime,
    who: Callable[[str], str] = str,
    when: Callable[[datetime], str] = datetime.isoformat,
) -> AuditEvent:
    """The removal from Plex `item_id`, refused, made again (`crew.removals.retry_event`) for the web app to approve at
    once, checked on the day's read caught up now: the viewer decides it (the queue's rule), its seat is not over (a
    waiting removal expires at its seat's end: `review.sweep.SEAT_KINDS`), it is its seat's newest removal and refused,
    and the seat's person is still off the shift (`Board.retryable`); raises `RetryRefusedError` saying why not
    (people by `who`, times by `when`: a page's words)."""
    opening = next((e for e in store.for_finding(item_id) if e.event_type is AuditEventType.RECOMMENDATION), None)
    item = None if opening is None else item_from_event(opening)
    if opening is None or item is None or item.kind != CREW_REMOVAL or not viewer.may_see(item):
        raise RetryRefusedError("This removal from Plex is unknown, or not yours to decide.", 404)
    if over_by(opening.payload, now):  # until 2026-12-06 sent after the seat's end, withdrawing a past seat
        raise RetryRefusedError(
            f"the seat ended at {when(seat_end(opening.payload))}: a removal is not sent after its seat's end (one "
            "still waiting expires then), so the assignment stays in Plex as it was sent. Nothing was sent."
        )
    day, shift = date.fromisoformat(str(opening.payload["plan_day"])), str(opening.payload.get("shift_code"))
    read = board_reader(store).day(day, now, fresh=True)
    board = read_board(read, day, None, now)
    removal = board.removals.get(str(opening.payload.get("removes")))
    if removal is not None and removal.item_id == item_id and removal.withdrawn_before and removal.refusal:
        raise RetryRefusedError(  # plex_writeback would refuse it again: IT withdrew the assignment already
            f"Not sent again: {removal.refusal.payload.get('message')}. Nothing was sent."
        )
    if removal is None or removal.item_id != item_id or removal.state != "refused":
        raise RetryRefusedError("This removal is no longer the refused one: it was sent again or closed meanwhile.")
    seat = next(
        (seat for s in board.shifts.get(shift, ()) for seat in s.assigned if seat.item.item_id == removal.removes), None
    )
    if seat is None or not board.retryable(shift, seat):
        why = "no longer on leave in Plex" if removal.called_off_at is None else "the call-off was undone"
        raise RetryRefusedError(  # review_s14 #2: a removal for leave in Plex read "the call-off was undone"
            f"{who(str(opening.employee_id))} is back on shift {shift} ({why}, or they clocked in): the assignment "
            "stays in Plex. Nothing was sent."
        )
    return retry_event(read, removal, now, viewer.user_id)


class CallOffRefusedError(ValueError):
    """A call-off the board does not record: the reason (as the page says it) and the HTTP status (400 a form that
    is not right, 409 one already recorded)."""

    def __init__(self, reason: str, status: int = 400, field: str | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.field = field
        """The form's field the refusal is about (`number`: the box is marked invalid on the board drawn again)."""


NUMBER_SHAPE = re.compile(r"([A-Z]*)(\d+)")


def plant_number(typed: str, numbers: Iterable[str]) -> str | None:
    """`typed` written in the plant's employee-number format, when all of the plant's `numbers` share one (letters,
    then a fixed count of digits, as E00018): "18", "e18" and "00018" read as E00018 (ux_s15 #3: "18", a supervisor's
    short form, was "nobody ... in Plex"). None when the plant has no one format or `typed` does not fit it."""
    shape = _plant_shape(numbers)
    found = NUMBER_SHAPE.fullmatch("".join(typed.split()).upper())
    if shape is None or found is None:
        return None
    prefix, width = shape
    digits = found[2].lstrip("0") or "0"
    if found[1] not in ("", prefix) or len(digits) > width:
        return None
    return prefix + digits.zfill(width)


def _plant_shape(numbers: Iterable[str]) -> tuple[str, int] | None:
    """The letters and the digit count all of the plant's employee numbers share (("E", 5) for E00018); None: no one."""
    shapes = {(m[1], len(m[2])) for n in numbers if (m := NUMBER_SHAPE.fullmatch("".join(n.split()).upper()))}
    return next(iter(shapes)) if len(shapes) == 1 else None


def number_pattern(numbers: Iterable[str]) -> str | None:
    """The plant's employee-number format in words ("E followed by 5 digits"), derived from its `numbers`, for a
    refused number: no real number in an error message. None when the plant's numbers share no one format."""
    shape = _plant_shape(numbers)
    if shape is None:
        return None
    prefix, width = shape
    return f"{prefix} followed by {width} digits" if prefix else f"{width} digits"


CALL_OFF_SPANS = {"day": "the rest of the day", "shift": "this shift only"}
"""What a call-off recorded on the board covers (the form's `for`; `day` when not given: ux141 #2, a person called
off sick for shift 1 stayed planned, offered and was swapped into shifts 2 and 3 of the day)."""


@dataclass(frozen=True)
class CallOffPlan:
    """What recording a call-off on the board holds and sends (`plan_call_off`)."""

    call_offs: list[ReplanMessage]
    """One `call_off` per shift it covers, each held by a claim (`SeatClaims.call_off`), then sent."""
    nearby: list[ReplanMessage] = field(default_factory=list)
    """A `call_off_nearby` per other shift (of the day or the days either side) where the person holds a seat the
    call-off rules out (`claims.next_to`, `_overtime`: overtime extending a shift called off), sent after the
    call-offs, whose re-plans record them first (FIFO); ux_s16 #2: until 2026-12-06 such a seat stayed offered and
    approvable until another event re-planned its shift."""
    spans: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)
    """Each shift covered, its start and end on the board (`Board.span`): its claim refuses the seats next to it."""


HANDOVER = timedelta(hours=1)
"""How far past the board's span of a shift called off (its segments, which end as the next shift starts) a seat
next to it may still touch the person's scheduled block of that shift (blocks overlap at handover: 2nd 14:30-23:00,
3rd from 22:30): a `call_off_nearby` is sent for such a seat too, and crew_replan re-plans it only if the call-off
rules it out."""


def _overtime(outside_hours: Any) -> bool:
    """Whether a seat (or a swap choice for it) has hours outside its person's scheduled shifts (`outside_hours`, as
    published): only such a seat next to a shift they called off is ruled out by the call-off (within a scheduled
    shift of theirs it stands, `stretches.with_call_offs`); as the approval's claim reads it (`SeatClaims.hold`)."""
    return float(outside_hours or 0.0) > 0


def _nearby(
    store: AuditStore, whole: Board, call_offs: list[ReplanMessage], now: datetime
) -> tuple[list[ReplanMessage], dict[str, tuple[datetime, datetime]]]:
    """The `call_off_nearby` messages of `call_offs` (one person's, of `whole`'s day) and the spans of the shifts they
    cover (`CallOffPlan`): the person's live overtime seats of other shifts, of the day and the days either side (their
    boards read as the board reads them), that are not over and lie within `HANDOVER` of a shift called off (crew_replan
    decides on the person's Plex block of that shift, which may run past the board's span: `with_call_offs`)."""
    day = whole.day
    covered = {(day, m.shift) for m in call_offs}
    spans = {m.shift: span for m in call_offs if (span := whole.span(m.shift)) is not None}
    boards = [whole] + [
        read_board(board_reader(store).day(other, now), other, None, now)
        for other in (day - timedelta(days=1), day + timedelta(days=1))
    ]
    found: dict[tuple[date, str], ReplanMessage] = {}
    for call_off in call_offs:
        if (span := spans.get(call_off.shift)) is None:
            continue
        for board in boards:
            for code, segments in board.shifts.items():
                ruled_out = any(
                    seat.item.employee_id == call_off.employee_id
                    and seat.state in LIVE
                    and _overtime(seat.item.evidence.get("outside_hours"))
                    and (segment.end or segment.start) > now
                    and segment.start <= span[1] + HANDOVER
                    and span[0] - HANDOVER <= (segment.end or segment.start)
                    for segment in segments
                    for seat in segment.assigned
                )
                if ruled_out and (board.day, code) not in covered:
                    found.setdefault((board.day, code), nearby(call_off, board.day, code))
    return list(found.values()), spans


def undo_nearby(store: AuditStore, whole: Board, undos: list[ReplanMessage], now: datetime) -> list[ReplanMessage]:
    """The `call_off_undone_nearby` messages after `undos` (one person's `call_off_undone` messages of `whole`'s day),
    one per other shift (of the day or the days either side) where the call-off took a seat of theirs: its
    `call_off_nearby` was applied there (`claims.nearby_taken`, on the days' reads as the board reads them), or is
    still to come (`_nearby`: a live seat it rules out). Sent behind the undos, they re-plan those shifts with the
    person back at once (issue 16: their seat came back only at that shift's next re-plan, the replacement planned
    there staying until then)."""
    if not undos or (employee_id := undos[0].employee_id) is None:  # a call_off_undone names its person
        return []
    undone = {m.shift: m for m in undos}
    taken = nearby_taken(lambda d: board_reader(store).day(d, now).applied, employee_id, whole.day, undone)
    found = {key: nearby(undone[off_shift], *key) for key, off_shift in taken.items()}
    call_offs = [m.model_copy(update={"reason": "call_off"}) for m in undos]
    for pending in _nearby(store, whole, call_offs, now)[0]:
        key = (pending.day, pending.shift)
        found.setdefault(key, nearby(undone[str(pending.off_shift)], *key))
    return list(found.values())


def plan_call_off(
    store: AuditStore,
    form: Mapping[str, str],
    viewer: Viewer,
    now: datetime,
    who: Callable[[str], str],
    local: Callable[[datetime], str],
    usual: Callable[[str], Iterable[str]] = lambda shift: (),
    numbered: Callable[[str], str | None] = lambda number: None,
) -> CallOffPlan:
    """The `call_off` messages of a call-off a supervisor took (by phone) and records on the board: the message
    crew_call_offs sends, with who took it and why, for its shift and (`for` = `day`, the default) each later shift of
    the day that is not over and that the person is not off already (`Board.rest_of_day`, on the whole day's board: a
    later seat may be in a department the viewer does not see), so each is re-planned without them and its seats are
    marked and refused; and a `call_off_nearby` for each other shift where the person holds a seat it rules out
    (`_nearby`), with the spans the claims keep (`CallOffPlan`). Checked against the viewer's board read fresh: the day
    and shift have a plan that is not over, the person is one of its people (`Board.people`, with `usual(shift)`: the
    plant's people whose usual shift in Plex it is) and is not off it already, the reason is one of `CALL_OFF_REASONS`.
    A person the board does not list (scheduled off their usual shift with no seat and no offer: the planner publishes
    no roster) is named by employee number (`number`, `numbered`: their employee id among the people the viewer may
    name, None for nobody); their call-off changes no seat (crew_replan records it, nothing to re-plan). Raises
    `CallOffRefusedError` saying why not (`who` names a person for the page, `local` a time)."""
    day_text, shift = form.get("day", "").strip(), form.get("shift", "").strip()
    employee_id, reason = form.get("employee", "").strip(), form.get("reason", "").strip()
    number = form.get("number", "").strip()
    by_number = not employee_id and bool(number)
    if by_number:
        employee_id = numbered(number) or ""
        if not employee_id:
            raise CallOffRefusedError(f"nobody has employee number {number[:16]!r} in Plex.", field="number")
    span = form.get("for", "").strip() or "day"
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise CallOffRefusedError(
            f"Day: give a date like {now.date().isoformat()} ({day_text[:40]!r} is not one)."
        ) from None
    if problem := outside_dates(day):  # year 1 overflowed the plan's look-back: a 500 (review 140 R9)
        raise CallOffRefusedError(f"Day: {problem} (not {day.isoformat()}).")
    if not employee_id:
        # the board again with the form as typed (ux_s17 L14: a page of its own lost the reason chosen)
        raise CallOffRefusedError("choose who called off, or give their employee number.", field="employee")
    if reason not in CALL_OFF_REASONS:
        reasons = ", ".join(CALL_OFF_REASONS.values())
        raise CallOffRefusedError(f"choose why they called off: {reasons}.", field="reason")
    if span not in CALL_OFF_SPANS:
        raise CallOffRefusedError("choose what the call-off covers: " + " or ".join(CALL_OFF_SPANS.values()) + ".")
    read = board_reader(store).day(day, now, fresh=True)
    board = read_board(read, day, viewer, now)
    where = f"shift {shift[:16]} of {day.isoformat()}"
    end = board.shift_end(shift)
    if end is None:
        raise CallOffRefusedError(f"{where} has no crew plan on the board.")
    if end <= now:
        raise CallOffRefusedError(f"{where} is over: nothing is left to re-plan.")
    if known := board.called_off(shift, employee_id):
        raise CallOffRefusedError(f"{who(employee_id)} is already off {where} (since {local(known.at)}).", 409)
    if not by_number and employee_id not in board.people(shift, usual=usual(shift)):
        raise CallOffRefusedError(
            f"{who(employee_id)} is not on {where} as far as the board knows: no seat in its plan that you may see, "
            f"not offered for one, and not on shift {shift[:16]} in Plex. If Plex has them scheduled on it, give their "
            "employee number instead."
        )
    whole = read_board(read, day, None, now)
    shifts = whole.rest_of_day(shift, now) if span == "day" else [shift]
    call_offs = [
        ReplanMessage(
            reason="call_off",
            day=day,
            shift=code,
            employee_id=employee_id,
            detected_at=now,
            reported_by=viewer.user_id,
            call_off_reason=reason,  # type: ignore[arg-type]  # checked against CALL_OFF_REASONS above
        )
        for code in shifts
        if code == shift or whole.called_off(code, employee_id) is None
    ]
    return CallOffPlan(call_offs, *_nearby(store, whole, call_offs, now))
