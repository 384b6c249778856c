"""Removing from Plex an accepted crew seat whose person called off: a review item, decided like every crew write.

A seat a supervisor accepted went to Plex (`approval.writeback`: an `assigned` record). When a re-plan of its shift
(crew_replan, `replanning.run`) finds its person off the shift (a call-off taken on the crew board or detected by
crew_call_offs, an absence, or leave read from Plex), the re-plan drops the seat and fills it like any other, and
`opened` records one `crew_removal` recommendation for it, waiting in the review queue for the supervisor the
assignment went to (and its department's): "Remove E0042 from WC-10 shift 1 in Plex (called off at 05:40)". Approved
there, it goes on the write-back queue like an accepted assignment, and plex_writeback posts that assignment's record
marked `withdrawn` (the record `plexlabor writeback revert` posts) in the write mode (`dry_run` by default), its
`writeback` event on the same Plex record naming the assignment; rejected, the assignment stays in Plex.

What became of an approved removal follows its write-back (`Removal.state`, review180 #1), not the approval alone:
"approved" while the write is on its way, "removed" once Plex took the withdrawn record (`sent`), "refused" when the
write failed for good (Plex answered 400, or plex_writeback refused it: the assignment was written in another write
mode, or plant IT had withdrawn the assignment from Plex already, a revert of its write: `Removal.withdrawn_before`,
nothing to remove, and a retry would be refused again), "dry_run" when the write mode sent nothing, and "reverted"
once `plexlabor writeback revert` posted the assignment again (review180 #2). A re-plan lets the seat go (`removed`)
when the assignment is out of Plex (`Removal.out_of_plex`): removed, in dry run (dry run counts as written, the rule of
the accepted assignment itself: held once approved, whatever its write sent), or refused because plant IT had withdrawn
it already (until 2026-12-06 such a seat stayed held: re-plans kept its person in a seat Plex no longer gave them, and
the board counted it filled once the call-off was undone).

One item per seat and call-off: a second call-off of the same person that day (detected after the board's, another
shift's message) finds the seat's removal waiting, decided or written and opens none; a call-off after an undo is a
new one, which a removal of the earlier call-off decided to keep, refused or reverted does not stand for
(`Removal.asks_for`). A call-off undone (or a person
who clocked in after all) before the removal is decided closes it (`to_supersede`: `expired`, superseded by
crew_replan), and the seat stands accepted again; once the removal was written (or dry run) the assignment is gone
from Plex (`removed`: a re-plan no longer holds it, and the person back in that seat is a new suggestion with a new
id, `crew.publish.renewed_id`) until a revert of the removal puts it back.

A call-off of one shift also rules its person out of their overtime next to it in another shift (`stretches.
with_call_offs`: a seat that overlaps that shift or extends it), which the re-plan of that other shift takes from them
(a `call_off_nearby`, or any later re-plan). An accepted seat so taken gets its removal too (`open_removals`' `ruled`),
naming the shift called off (`NEARBY_FIELDS`): "Remove E0042 from CNC-01 shift 3 in Plex (called off shift 2 at 14:45,
family or personal; this seat starts as that shift ends)". Its person is not off the seat's own shift, so a re-plan
would close it as one of a person back on the shift; it stays open while that call-off stands (`to_supersede`'s
`standing`), and the re-plan of the undo (or clock-in) of that call-off closes it, whatever shift the seat is in
(`nearby_of`). Until 2026-12-06 the re-plan planned another person in the seat and opened no removal: the accepted
assignment stayed in Plex beside them (issue 16).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from plexlabor.approval.errors import CLOSED_ALREADY, REMOVED_ALREADY, WITHDRAWN_ALREADY
from plexlabor.approval.recommendations import CREW_ASSIGNMENT, CREW_REMOVAL
from plexlabor.audit.events import AuditEvent, AuditEventType, AuditStatus, recommendation_event, stable_event_id
from plexlabor.audit.publish import append_once
from plexlabor.audit.store import AuditStore
from plexlabor.crew.messages import CALL_OFF_REASONS
from plexlabor.crew.models import ended_by
from plexlabor.crew.suggestions import CREW_KINDS, REPLAN_ACTOR, DayRead, seat_end

if TYPE_CHECKING:
    from plexlabor.crew.stretches import RuledOut

State = Literal["waiting", "approved", "removed", "dry_run", "refused", "reverted", "kept", "superseded", "expired"]
STATES: dict[AuditStatus, State] = {
    AuditStatus.REJECTED: "kept",
    AuditStatus.EXPIRED: "expired",
}
GONE: tuple[State, ...] = ("removed", "dry_run")
"""The states in which the assignment counts as out of Plex: a re-plan no longer holds it (see the module docstring)."""
SEAT_FIELDS = ("plan_day", "shift_code", "segment", "workcenter_id", "workcenter_code", "department", "start", "end")
"""What a removal carries of the seat it removes (the queue's and the board's columns)."""
MODEL_VERSION = "crew-removal"
NEARBY_FIELDS = ("off_day", "off_shift")
"""What a removal of a seat a call-off of another shift rules out carries of that call-off (`RuledOut`): its day and
shift, by which re-plans keep it open while the call-off stands and an undo of it closes it (`to_supersede`,
`nearby_of`). Beside them `off_how`: how the seat meets that shift (`RuledOut.how`), which the crew board says."""
WITHDRAWN_ALREADY_WORDS = re.compile(r"was withdrawn from Plex already \(reverted at (?P<at>\S+) by (?P<by>[^)]+)\)")
"""The words of plex_writeback's refusal of a removal whose assignment's write was reverted (6246bef1), read only
from refusals recorded before it recorded the reason as a field (`refused_because`, 2026-12-06): such events stay
in a deployed audit table, and they carry nothing else that tells the reason, when or by whom."""


@dataclass(frozen=True)
class Removal:
    """A removal item, how it was closed (None: it waits) and, once approved, what plex_writeback (and a revert) did
    with it (`DayRead.removal_writes` of its item)."""

    event: AuditEvent
    closing: AuditEvent | None
    writes: tuple[AuditEvent, ...] = ()

    @property
    def item_id(self) -> str:
        return self.event.finding_id or self.event.event_id

    @property
    def removes(self) -> str:
        """The item id of the accepted assignment it removes."""
        return str(self.event.payload.get("removes"))

    @property
    def state(self) -> State:
        if self.closing is None:
            return "waiting"
        if self.closing.status is AuditStatus.EXPIRED and self.closing.actor == REPLAN_ACTOR:
            return "superseded"
        if self.closing.status is not AuditStatus.APPROVED:
            return STATES[self.closing.status]
        written = [e for e in self.writes if e.event_type is AuditEventType.WRITEBACK]
        if written:  # each decision is written once: a failure never follows its write
            if reverted(self.writes, written[-1]):
                return "reverted"
            return "removed" if written[-1].payload.get("sent") else "dry_run"
        return "refused" if self.refusal is not None else "approved"

    @property
    def refusal(self) -> AuditEvent | None:
        """The `writeback_failed` event of an approved removal that was never written (None: none)."""
        return next((e for e in self.writes if e.event_type is AuditEventType.WRITEBACK_FAILED), None)

    @property
    def withdrawn_before(self) -> tuple[datetime, str] | None:
        """When and by whom plant IT withdrew the assignment from Plex (a revert of its write), when plex_writeback
        refused this removal for it (`refused_because`: `approval.errors.WITHDRAWN_ALREADY`); None: refused for
        another reason, or not refused."""
        failed = self.refusal.payload if self.refusal is not None else {}
        if failed.get("refused_because") == WITHDRAWN_ALREADY:
            return datetime.fromisoformat(str(failed["withdrawn_at"])), str(failed["withdrawn_by"])
        found = WITHDRAWN_ALREADY_WORDS.search(str(failed.get("message") or ""))  # a refusal recorded before the field
        if "refused_because" in failed or failed.get("error") != "WritebackRefusedError" or found is None:
            return None
        return datetime.fromisoformat(found["at"]), found["by"]

    @property
    def removed_by(self) -> str | None:
        """The item of the other removal of the seat that withdrew the assignment from Plex, when plex_writeback
        refused this one for it (`refused_because`: `approval.errors.REMOVED_ALREADY`; review_s14 #1: one `withdrawn`
        per assignment); None: not refused so."""
        failed = self.refusal.payload if self.refusal is not None else {}
        return str(failed["removed_by"]) if failed.get("refused_because") == REMOVED_ALREADY else None

    @property
    def person_back(self) -> bool:
        """Whether a re-plan (or crew_replan's refresh) found its person back on the shift: it closed the removal while
        it waited (`superseded`), or plex_writeback refused its write for that closing (`refused_because`:
        `approval.errors.CLOSED_ALREADY` by crew_replan, review_s14 #5). The crew board reads a removal opened for
        leave in Plex (`called_off_at` None) as its person still on leave unless so (review_s14 #2)."""
        failed = self.refusal.payload if self.refusal is not None else {}
        closed = failed.get("refused_because") == CLOSED_ALREADY and failed.get("closed_by") == REPLAN_ACTOR
        return self.state == "superseded" or closed

    @property
    def out_of_plex(self) -> bool:
        """Whether the assignment it removes counts as out of Plex: the removal written, approved in dry run (`GONE`),
        or refused because plant IT had withdrawn the assignment already (`withdrawn_before`: nothing was there to
        remove)."""
        return self.state in GONE or (self.state == "refused" and self.withdrawn_before is not None)

    @property
    def called_off_at(self) -> datetime | None:
        found = self.event.payload.get("called_off_at")
        return datetime.fromisoformat(str(found)) if found else None

    def asks_for(self, called_off_at: datetime | None) -> bool:
        """Whether this removal stands for the seat's person being off since `called_off_at` (None: leave read from
        Plex), so that no other opens: one waiting, approved or out of Plex (`out_of_plex`) whatever call-off it was
        for; one kept, expired, refused for another reason or reverted only for that call-off (review_s13 #8: once a
        removal was rejected or reverted, a call-off after an undo opened none); one superseded never (its call-off
        was undone before a decision)."""
        if self.state == "superseded":
            return False
        return self.state in ("waiting", "approved") or self.out_of_plex or self.called_off_at == called_off_at


def reverted(events: Iterable[AuditEvent], written: AuditEvent) -> bool:
    """Whether a `revert` among an item's `events` undid its write-back `written` (`plexlabor writeback revert`)."""
    return any(e.payload.get("reverted_event_id") == written.event_id for e in events)


def withdrawn_in_plex(store: AuditStore, seat: AuditEvent) -> AuditEvent | None:
    """The `revert` that withdrew the accepted seat's assignment from Plex (plant IT undid its write-back): not an
    accepted seat in Plex, so nothing to remove (review_s13 #1: its removal posted `withdrawn` again); None: written
    and not reverted, or not written. Read from the seat's record (`AuditStore.history`, the day's read holds no
    assignment's write), only for a seat about to get a removal."""
    seat_id = seat.finding_id or seat.event_id
    history = [e for e in store.history(seat.record_key) if e.finding_id == seat_id]
    written = [e for e in history if e.event_type is AuditEventType.WRITEBACK]
    return next((e for e in history if written and e.payload.get("reverted_event_id") == written[-1].event_id), None)


def back_in_plex(store: AuditStore, seat_id: str) -> bool:
    """Whether the accepted seat `seat_id`'s assignment was removed from Plex and that removal's write reverted since
    (`plexlabor writeback revert` posted the assignment again): it holds its person again (`claims.SeatClaims.seat`,
    review_s13 L5). Read from the seat's record (`AuditStore.history`: the removal's write names it, `removes`)."""
    opening = next((e for e in store.for_finding(seat_id) if e.event_type is AuditEventType.RECOMMENDATION), None)
    if opening is None:
        return False
    history = store.history(opening.record_key)
    written = [e for e in history if e.event_type is AuditEventType.WRITEBACK and e.payload.get("removes") == seat_id]
    return bool(written) and reverted(history, written[-1])


def _every(read: DayRead) -> list[Removal]:
    """Every removal of the day's read, oldest first, with its closing and write-back events."""
    writes: dict[str, list[AuditEvent]] = {}
    for event in read.removal_writes:
        writes.setdefault(str(event.finding_id), []).append(event)
    return [Removal(e, read.closed.get(e.event_id), tuple(writes.get(e.event_id, ()))) for e in read.removals]


def removals(read: DayRead) -> dict[str, Removal]:
    """The newest removal of each assignment of the day's read (by the assignment's item id), leaving out one
    plex_writeback refused because another removal of the seat had withdrawn the assignment already (`removed_by`:
    a retry from the board after the dead-lettered removal was redriven; that one is what became of the seat)."""
    return {r.removes: r for r in _every(read) if r.removed_by is None}


def removed(read: DayRead) -> dict[str, str]:
    """The assignments out of Plex (`Removal.out_of_plex`: a removal written, approved in dry run, or refused as plant
    IT withdrew the assignment already), with that removal's item id."""
    return {r.removes: r.item_id for r in _every(read) if r.out_of_plex}


def renewed(read: DayRead) -> dict[str, str]:
    """The day's suggestions closed for good (their id -> the id of what closed it), which a plan that has the same
    pair (or the same empty seat) again publishes under a new id (`crew.publish.renewed_id`): the assignments removed
    from Plex (`removed`) and the suggestions a re-plan superseded."""
    superseded = {
        event.event_id: closing.event_id
        for event in read.openings
        if event.payload.get("kind") in CREW_KINDS
        and (closing := read.closed.get(event.event_id)) is not None
        and closing.status is AuditStatus.EXPIRED
        and closing.actor == REPLAN_ACTOR
    }
    return superseded | removed(read)


def accepted_seats(read: DayRead, shift: str) -> list[AuditEvent]:
    """The opening events of the shift's accepted assignments still in Plex (approved, not `removed`) as the day's
    read knows them: it holds no assignment's own write-back, so one reverted in Plex is left out where a removal
    would open (`opened`, `withdrawn_in_plex`)."""
    gone = removed(read)
    return [
        event
        for event in read.openings
        if event.payload.get("kind") == CREW_ASSIGNMENT
        and event.payload.get("shift_code") == shift
        and event.employee_id
        and (closing := read.closed.get(event.event_id)) is not None
        and closing.status is AuditStatus.APPROVED
        and event.event_id not in gone
    ]


def over_by(seat: Mapping[str, Any], moment: datetime) -> bool:
    """Whether the seat (a crew suggestion's payload) ended by `moment` (`seat_end`, `models.ended_by`): a seat its
    person worked before they went off stays as it was sent to Plex (no removal; on the board, filled and accepted;
    a re-plan keeps them in it, `models.Operator.off_for`)."""
    return ended_by(seat_end(seat), moment)


REFILLED = {
    True: "the re-plan found nobody for it: it stays empty",
    False: "the re-plan filled it",
    None: "the shift's next re-plan fills it if someone qualified is free",
}
"""What the note says of the seat: the re-plan that opened the removal left it empty or filled it; None: opened by
crew_replan's scheduled refresh, which plans nothing."""


def _note(
    seat: AuditEvent,
    called_off_at: datetime | None,
    zone: ZoneInfo,
    stays_empty: bool | None,
    ruled: RuledOut | None = None,
) -> str:
    payload = seat.payload
    why = "on leave in Plex for the day"
    if called_off_at is not None:  # the weekday when not the seat's day (ux_s15 #8: it read as the seat's day)
        local = called_off_at.astimezone(zone)
        at = f"{local:%H:%M}" if payload.get("plan_day") == local.date().isoformat() else f"{local:%a %H:%M}"
        why = f"called off at {at}"
        if ruled is not None:
            off = ruled.call_off
            of = "" if payload.get("plan_day") == off.work_date.isoformat() else f" of {off.work_date:%a}"
            because = f", {CALL_OFF_REASONS[off.reason]}" if off.reason in CALL_OFF_REASONS else ""
            why = f"called off shift {off.shift_code}{of} at {at}{because}; this seat {ruled.how}"
    return (
        f"Remove {seat.employee_id} from {payload.get('workcenter_code')} shift {payload.get('shift_code')} in Plex "
        f"({why}): the seat was accepted and sent to Plex; {REFILLED[stays_empty]}. Reject to keep the assignment."
    )


def removal_event(
    seat: AuditEvent,
    called_off_at: datetime | None,
    n: int,
    now: datetime,
    zone: ZoneInfo,
    stays_empty: bool | None = False,
    ruled: RuledOut | None = None,
) -> AuditEvent:
    """The `n`-th removal (0: the first; one more after each undone call-off) of the accepted seat `seat`: waiting for
    the supervisor the assignment went to, on the assignment's Plex record; its note says whether the re-plan that
    opened it left the seat's job operation with an empty seat (ux164 #6: it said "the re-plan fills it" of a seat
    that stays empty; None: no re-plan opened it, `REFILLED`). `ruled`: the call-off of another shift that rules
    its person out of the seat (`NEARBY_FIELDS`), when they are not off the seat's own shift."""
    seat_id = seat.finding_id or seat.event_id
    nearby = {} if ruled is None else dict(zip(NEARBY_FIELDS, ruled.off_shift, strict=True)) | {"off_how": ruled.how}
    payload = {
        "kind": CREW_REMOVAL,
        "removes": seat_id,
        **{name: seat.payload[name] for name in SEAT_FIELDS if seat.payload.get(name) is not None},
        "hours": seat.payload.get("hours"),
        "called_off_at": called_off_at.isoformat() if called_off_at else None,
        "note": _note(seat, called_off_at, zone, stays_empty, ruled),
        **nearby,
    }
    return recommendation_event(
        seat.record_key,
        stable_event_id(seat_id, CREW_REMOVAL, str(n)),
        status=AuditStatus.PENDING_APPROVAL,
        occurred_at=now,
        actor=REPLAN_ACTOR,
        model_version=seat.model_version or MODEL_VERSION,
        payload=payload,
        supervisor_id=seat.supervisor_id,
        employee_id=seat.employee_id,
    )


NOT_IN_PLEX = "replan_not_in_plex"
"""The key of a re-plan's `applied` event (`replanning.applied_event`) that lists the accepted seats of people off the
shift that got no removal as plant IT had withdrawn their assignment from Plex already: the seat's item id ->
{"at": when, "by": who reverted it} (`Opened.not_in_plex`), which the crew board says (review_s14 #7)."""


@dataclass(frozen=True)
class Opened:
    """What `open_removals` did: how many removals it opened, and the seats it opened none for because plant IT had
    withdrawn their assignment from Plex already (the seat's item id -> that `revert`: `withdrawn_in_plex`), which
    the re-plan records for the crew board to say (`not_in_plex`; review_s14 #7)."""

    count: int
    not_in_plex: dict[str, AuditEvent]


def open_removals(
    store: AuditStore,
    read: DayRead,
    shift: str,
    off: Mapping[str, datetime | None],
    now: datetime,
    zone: ZoneInfo,
    empty: Collection[str] | None = frozenset(),
    ruled: Mapping[tuple[str, str], RuledOut] | None = None,
) -> Opened:
    """Opens a removal for each accepted seat of the shift whose person is `off` (employee id -> when they called off;
    None: leave read from Plex; the earliest call-off since they were last back on the shift) and that is not over by
    then (by `now` for leave: `over_by`; issue 16, a person sent home mid-shift got removals of the seats they had
    worked) and whose assignment was not withdrawn from Plex by a revert (`withdrawn_in_plex`), unless one asks for it
    already (`Removal.asks_for`: one item per seat and call-off). `empty`: the segments the re-plan leaves with an
    empty seat (the note says so; None: no re-plan, crew_replan's scheduled refresh). `ruled`: the (segment,
    employee id) pairs a call-off of another shift rules out (`stretches.ruled_out`), whose accepted seats get a removal
    naming that call-off when their person is not off this shift (issue 16: none opened, and the assignment stayed in
    Plex while the re-plan planned someone else there)."""
    known: dict[str, list[Removal]] = {}
    for removal in _every(read):
        known.setdefault(removal.removes, []).append(removal)
    count, not_in_plex = 0, {}
    for seat in accepted_seats(read, shift):
        earlier = known.get(seat.event_id, [])
        nearby = None if seat.employee_id in off else (ruled or {}).get((seat_segment(seat), str(seat.employee_id)))
        if seat.employee_id not in off and nearby is None:
            continue
        at = nearby.call_off.at if nearby is not None else off[str(seat.employee_id)]
        if any(r.asks_for(at) for r in earlier) or over_by(seat.payload, at or now):
            continue
        if (undone := withdrawn_in_plex(store, seat)) is not None:
            not_in_plex[seat.event_id] = undone
            continue
        stays_empty = None if empty is None else seat.payload.get("segment") in empty
        count += append_once(store, removal_event(seat, at, len(earlier), now, zone, stays_empty, nearby))
    return Opened(count, not_in_plex)


def retry_event(read: DayRead, refused: Removal, now: datetime, by: str) -> AuditEvent:
    """The removal `refused` (Plex or plex_writeback refused its write: `Removal.refusal`) made again by `by`, who may
    decide it, while its person is still off (issue 16: a refused removal was final): a new removal of the same seat
    (the next stable id of its seat, so two presses make one), its payload the refused one's, naming it (`retry_of`:
    a retry of a retry names the retry, so the chain is followed back) and why it was refused (its note: the first
    removal's note, `first_note`, after that reason, not nested once per retry: review_s14 L11), chosen by hand
    (`review.kpis`: the refused one's approval is counted already); the web app approves it at once, so its write
    goes on the write-back queue."""
    why = refused.refusal.payload.get("message") if refused.refusal is not None else None
    seat_removals = [r for r in _every(read) if r.removes == refused.removes]
    first = refused.event.payload.get("first_note") or refused.event.payload.get("note")
    return recommendation_event(
        refused.event.record_key,
        stable_event_id(refused.removes, CREW_REMOVAL, str(len(seat_removals))),
        status=AuditStatus.PENDING_APPROVAL,
        occurred_at=now,
        actor=by,
        model_version=refused.event.model_version or MODEL_VERSION,
        payload={
            **refused.event.payload,
            "retry_of": refused.item_id,
            "chosen_by_hand": True,  # a person's act, not the model's suggestion again: the KPIs count it apart
            "first_note": first,
            "note": f"Sent again after the write to Plex was refused ({why or 'no reason recorded'}): {first}",
        },
        supervisor_id=refused.event.supervisor_id,
        employee_id=refused.event.employee_id,
    )


def seat_segment(seat: AuditEvent) -> str:
    """The segment (job key) of a crew seat's opening event."""
    return str(seat.payload.get("segment"))


def called_off_shift(removal: AuditEvent) -> tuple[str, str] | None:
    """The shift (day, code) whose call-off a removal of a seat of another shift stands for (`NEARBY_FIELDS`); None:
    its person is off the seat's own shift."""
    found = tuple(str(removal.payload.get(name) or "") for name in NEARBY_FIELDS)
    return (found[0], found[1]) if all(found) else None


def to_supersede(
    read: DayRead, shift: str, back: Collection[str], standing: Collection[tuple[str, str, str]] = ()
) -> list[AuditEvent]:
    """The waiting removals of the shift's seats of the people `back` on it (a call-off undone, a clock-in after all):
    what the re-plan closes as superseded (`replanning.superseded_event`); but one of a seat a call-off of another
    shift rules out (`called_off_shift`) while that call-off stands (`standing`: employee id, day, shift code), as
    its person is not off this shift at all (issue 16: the next re-plan closed it)."""
    return [
        removal.event
        for removal in removals(read).values()
        if removal.state == "waiting"
        and removal.event.payload.get("shift_code") == shift
        and removal.event.employee_id in back
        and (str(removal.event.employee_id), *(called_off_shift(removal.event) or ("", ""))) not in standing
    ]


def nearby_of(read: DayRead, employee_id: str, day: str, shift: str) -> list[AuditEvent]:
    """The waiting removals of `employee_id`'s seats in other shifts that a call-off of `shift` of `day` ruled out
    (`called_off_shift`): what the re-plan of that call-off's undo (or of a clock-in after it) closes."""
    return [
        removal.event
        for removal in removals(read).values()
        if removal.state == "waiting"
        and removal.event.employee_id == employee_id
        and called_off_shift(removal.event) == (day, shift)
    ]
