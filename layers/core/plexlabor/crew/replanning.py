"""crew_replan's and crew_call_offs' runs: re-plan a shift on a `replan` message; detect call-offs.

`run(deps, message)` (crew_replan, one message from the replan queue at a time):
1. read the shift's problem again (`build_problem`: the day's data as Plex has it now). A warm container
   keeps the last problem of each shift, with the events applied so far, for `KEPT_FOR`: a call-off,
   an absence, a workcenter down or an operation completed within it re-plan that problem without
   reading Plex again (the event itself says what changed), caught up first on the events another container
   applied since (two may run: `_caught_up`); an operation added or moved, a workcenter
   back up, or a stale problem read the data again, and the shift's earlier events are applied to it
   again (`KeptShift.events`: Plex may not show a call-off at all): the container's own and those the
   audit table records (`applied_event`, any container's), each once in the order detected, less those
   the message takes back (an up, its down; a call-off undone on the board, the call-off) and the
   call-offs of operators who clocked in since. A read of Plex that will happen whatever the audit table says
   starts in a thread before step 2 (`_read_ahead`), so Plex and the table are read at the same time;
2. read the current plan from the audit table (`current_plan`): the shift's crew assignments
   published by the nightly plan or an earlier re-plan, not rejected and not closed; those a supervisor
   approved are held, as is every one that has started. A warm container reads only what is new since
   its last read of the day (`suggestions.DayReader`);
3. re-plan (`plexlabor.crew.replan`: the event applied, a change cost on everything new), and record the
   event applied (`applied_event`);
4. publish like the nightly plan: an assignment that is already in the table (the day's read holds every
   crew suggestion of the day, whatever its shift or state) has the same event id and is not written
   again, not even tried; a new one waits in the review queue (`pending_approval`, within the
   pilot scope); an assignment of the current plan that the re-plan dropped and nobody decided yet is
   closed with an `expired` event that says it was superseded, so the queue no longer offers it;
5. an accepted seat whose person is off the shift now (a call-off, an absence, leave read from Plex) gets one removal
   from Plex for review, and a waiting removal of someone back on it (a call-off undone) is closed (`crew.removals`).
   A refresh opens such removals too (once per seat: the same stable ids).

A `refresh` message (`refresh(deps, message)`) re-plans nothing: it renews what the next real event
of the shift would otherwise read on its way (the shift's problem, compiled, and the day's whole read)
when it would be stale within `REFRESH_LEAD`, so that event finds the container ready.

Every read of a shift and every whole read of the day's suggestions is stored (`deps.kept_store`,
`crew.snapshots`); a new container starts from them when a warm one would still use what it holds
(`_stored_shift`, `_read_days`), so Lambda recycling the container costs no read of Plex or of the whole day.

`detect(deps, request)` (crew_call_offs, scheduled every few minutes): for each shift that started
between `grace` and `grace + period` ago, the operators scheduled on it, not on leave and not clocked
in become `call_off` messages on the replan queue (`plexlabor.crew.messages.call_offs`), each held first by the
claim a call-off recorded on the crew board holds (`_hold_detected`, `crew.claims`). Each shift is
looked at by one run only (the window moves with the schedule), so a call-off is sent once. Then a
`refresh` for each shift running or starting within `refresh_ahead` (after the call-offs, which find
the container as the previous run's refresh left it).

Summaries hold ids and counts only.
"""

from __future__ import annotations

import contextvars
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import AwareDatetime, BaseModel, ConfigDict

from plexlabor.audit.errors import AuditError
from plexlabor.audit.events import (
    SUPERSEDED_BY,
    AuditEvent,
    AuditEventType,
    AuditStatus,
    expiry_event,
    format_audit_time,
    stable_event_id,
)
from plexlabor.audit.publish import append_once
from plexlabor.audit.store import AuditStore
from plexlabor.crew.claims import Claim, ClaimBusyError, ClaimRefusedError, Release, SeatClaims, shift_record
from plexlabor.crew.messages import (
    CHANGED,
    DETECTOR,
    DROPPED,
    NEARBY_FIELDS,
    NO_SEAT,
    OFF_REASONS,
    PLEX_BLOCK,
    REPORT_FIELDS,
    SUBJECT_FIELDS,
    ReplanMessage,
    call_offs,
    nearby,
)
from plexlabor.crew.removals import NOT_IN_PLEX, nearby_of, open_removals, removed, renewed, to_supersede
from plexlabor.crew.suggestions import REPLAN_ACTOR, REPLAN_KIND, Commitment, DayRead, commitments, read_day
from plexlabor.platform.observability import logger, metrics

if TYPE_CHECKING:
    from plexlabor.crew.models import CrewPlan, CrewProblem, UnstaffedSeat
    from plexlabor.crew.pairs import Compiled
    from plexlabor.crew.replan import Assignment, CurrentPlan
    from plexlabor.crew.snapshots import KeptStore
    from plexlabor.crew.stretches import CalledOff, RuledOut
    from plexlabor.crew.wiring import CallOffDependencies, ReplanDependencies
    from plexlabor.plex.port import LaborDataPort

T = TypeVar("T")
CREW_ASSIGNMENT = "crew_assignment"
CREW_UNSTAFFED = "crew_unstaffed"
KEPT_FOR = timedelta(minutes=10)
"""How long a container re-plans a shift's problem without reading it again, and reads the day's suggestions
without reading them whole (`wiring.ReplanDependencies.days`)."""
REFRESH_LEAD = timedelta(minutes=7)
"""A refresh renews what would be stale within this: crew_call_offs' period (5 minutes,
`infra.function_specs.CALL_OFF_PERIOD_MINUTES`) and 2 minutes for the schedule's and the queue's delays,
so a real event between two refreshes finds the container ready."""
EARLY_CLOCK_IN = timedelta(hours=4)
"""How long before a shift's start a clock-in counts for it: no call-off is sent for it (`detect`), and a call-off
sent is dropped when the operator clocks in after all (`_read_shift`)."""
NEARBY = "call_off_nearby"
"""A call-off (or absence) of a shift next to the message's: its person's seats there that overlap or touch the shift
they called off are re-planned without them (`nearby_shifts`; ux_s16 #2)."""
APPLIED_BY_EVENT = frozenset({"call_off", "absence", "workcenter_down", "operation_completed", "swap", NEARBY})
"""Events whose change the message itself carries (`replan.apply_event`; a swap's is in the audit table only, a
call-off nearby's in the message: `stretches.with_call_offs`): no fresh read needed."""
REMEMBERED = APPLIED_BY_EVENT - {"swap", NEARBY}
"""Events a container applies again whenever it reads the shift again (`KeptShift.events`)."""
CANCELS = {
    "workcenter_up": "workcenter_down",
    "operation_added": "operation_completed",
    "operation_moved": "operation_completed",
    "call_off_undone": "call_off",
    "clocked_in": "call_off",
}
"""An event that takes back an earlier one about the same workcenter, operation or person (the data read holds it;
a call-off undone on the crew board, or its person found clocked in after it (`_read_shift`): the person is plannable
again, and no later read applies the call-off again)."""
BACK = frozenset({"call_off_undone", "clocked_in"})
"""Events that put a called-off person back on the shift."""
UNDONE_NEARBY = "call_off_undone_nearby"
"""A call-off of a shift next to the message's undone: its person may take back their seats here (`messages.nearby`
of the undo)."""
OFF = frozenset(OFF_REASONS)
"""Events that take a person off the shift (`_no_seat` when they hold no seat in it)."""


def read_current_plan(
    store: AuditStore, day: date, shift: str, since: datetime
) -> tuple[CurrentPlan, dict[Assignment, AuditEvent]]:
    """`current_plan` of the day read whole from `since`."""
    return current_plan(read_day(store, day, since), shift)


def current_plan(read: DayRead, shift: str) -> tuple[CurrentPlan, dict[Assignment, AuditEvent]]:
    """The shift's current plan in a day's read of the audit table (what a supervisor accepted is held, what
    one rejected is kept out), and the opening event of each of its assignments that nobody decided yet
    (what a re-plan may supersede)."""
    from plexlabor.crew.replan import CurrentPlan  # NumPy and SciPy load with it: not on crew_call_offs' path

    openings: dict[Assignment, AuditEvent] = {}
    accepted: set[Assignment] = set()
    rejected: set[Assignment] = set()
    gone = removed(read)  # accepted, then removed from Plex (`crew.removals`): no longer held
    for event in read.openings:
        if event.payload.get("kind") != CREW_ASSIGNMENT or event.payload.get("shift_code") != shift:
            continue
        if event.employee_id is None or event.event_id in gone:
            continue
        assignment = (str(event.payload["segment"]), event.employee_id)
        closing = read.closed.get(event.event_id)
        if closing is None:
            openings[assignment] = event
        elif closing.status is AuditStatus.APPROVED:
            accepted.add(assignment)
        elif closing.status is AuditStatus.REJECTED:
            rejected.add(assignment)
    plan = CurrentPlan(
        assignments=frozenset(openings) | frozenset(accepted),
        accepted=frozenset(accepted),
        rejected=frozenset(rejected),
    )
    return plan, openings


RECORDED_FIELDS = (*SUBJECT_FIELDS, *REPORT_FIELDS, *NEARBY_FIELDS)
"""The fields of the message a re-plan's events record as they are (`_about`), `replan_<field>`; its departments too."""


def _about(message: ReplanMessage) -> dict[str, Any]:
    """What a re-plan's audit events record of the event it applied (`recorded`)."""
    subject = {
        f"replan_{n}": value.isoformat() if isinstance(value, date) else value
        for n in RECORDED_FIELDS
        if (value := getattr(message, n)) is not None
    }
    if message.departments is not None:  # a supervisor's re-plan (review163 D7): read back, no read of the shift
        subject["replan_departments"] = list(message.departments)
    return {"replan_reason": message.reason, "replan_detected_at": message.detected_at.isoformat()} | subject


def superseded_event(
    opening: AuditEvent, message: ReplanMessage, now: datetime, trigger: str, kept: Iterable[str] = ()
) -> AuditEvent:
    """Closes a suggestion a re-plan dropped, or a removal from Plex it made moot (`crew.removals`): the `expired`
    event the review sweep would write, once, saying which event dropped it (`trigger`: `ReplanMessage.describe`'s
    words, ids as the audit keeps them), so that no page takes it for an expiry to enter by hand
    (`audit.events.replaced`, ux136 #2). `kept`: the swap choices the re-plan kept in its seat in its place
    (`kept_choices`, their item ids), which stay open to approve (`ReviewService.swap_replaced`)."""
    choices = {"kept_choices": list(kept)} if kept else {}
    return expiry_event(
        opening.record_key,
        opening.event_id,
        occurred_at=now,
        actor=REPLAN_ACTOR,
        supervisor_id=opening.supervisor_id,
        employee_id=opening.employee_id,
        payload={"kind": opening.payload.get("kind"), SUPERSEDED_BY: REPLAN_ACTOR, "replaced_after": trigger}
        | choices
        | _about(message),
    )


def applied_event(
    message: ReplanMessage,
    now: datetime,
    unplaced: str | None = None,
    not_in_plex: Mapping[str, AuditEvent] | None = None,
    *,
    no_seat: bool = False,
    block: tuple[datetime, datetime] | None = None,
    changed: tuple[int, int] | None = None,
) -> AuditEvent:
    """Records that a re-plan applied `message` to its shift, whether or not it superseded anything, so that every
    container reading the shift again applies it again (`recorded`). Its id is stable per message: a redelivered
    message is recorded once. `unplaced`: why the re-plan after an undone call-off gave its person no seat
    (`replan_unplaced`, which the crew board says); `not_in_plex`: the accepted seats of people off that got no
    removal from Plex as plant IT had withdrawn their assignment already, with that `revert` (`NOT_IN_PLEX`: when
    and by whom, which the crew board says; review_s14 #7: it promised a removal that never opened); `no_seat`: a
    call-off or absence of a person with no seat in the plan, nothing re-planned (`NO_SEAT`, `_no_seat`); `block`: a
    call-off's or absence's person's Plex block of the shift (`PLEX_BLOCK`, `_block_of`); `changed`: the suggestions it
    published and those it closed (`CHANGED`)."""
    withdrawn = {
        seat: {"at": format_audit_time(undone.occurred_at), "by": undone.actor}
        for seat, undone in (not_in_plex or {}).items()
    }
    return _replan_event(
        message,
        now,
        ({"replan_unplaced": unplaced} if unplaced else {})
        | ({NOT_IN_PLEX: withdrawn} if withdrawn else {})
        | ({NO_SEAT: True} if no_seat else {})
        | ({PLEX_BLOCK: [block[0].isoformat(), block[1].isoformat()]} if block else {})
        | ({CHANGED: {"published": changed[0], "closed": changed[1]}} if changed is not None else {}),
    )


def _block_of(problem: CrewProblem, message: ReplanMessage) -> tuple[datetime, datetime] | None:
    """The Plex block of the shift of the person a call-off or absence takes off it (`Operator.block_of`), which its
    `applied` event records (`PLEX_BLOCK`); None for other events, or a person the shift's data does not hold."""
    if message.reason not in OFF:
        return None
    found = (
        op.block_of(message.day, message.shift) for op in problem.operators if op.employee_id == message.employee_id
    )
    return next(found, None)


DROPPED_TEXT_LIMIT = 500
"""The characters of a dropped message's error that its event keeps (a validation error quotes its input)."""


def dropped_event(message: ReplanMessage, error: Exception, now: datetime) -> AuditEvent:
    """Records that crew_replan dropped `message` (an error it meets on every delivery, `crew.delivery`), so that the
    crew board says the re-plan after that event failed and the shift is to be planned by hand: a `replan` event of the
    shift's record, as `applied_event`'s, naming the event (`replan_*`, `_about`) and the error (`DROPPED`); never
    applied again (`recorded` skips it). Its status is `applied` (the only status of a `replan` event: the message was
    dealt with), its payload says how. Its id is stable per message: a redelivery records it once. A ValueError says
    what in the data or the message is wrong; any other error is a fault in the code, said so ("a fault in
    crew_replan (KeyError: 'E1')": a bare KeyError reads "'E1'")."""
    words = str(error) if isinstance(error, ValueError) else f"a fault in crew_replan ({type(error).__name__}: {error})"
    error_words = {"error": type(error).__name__, "reason": words[:DROPPED_TEXT_LIMIT]}
    return _replan_event(message, now, {DROPPED: error_words}, "dropped")


def _replan_event(message: ReplanMessage, now: datetime, details: dict[str, Any], *id_parts: str) -> AuditEvent:
    """A `replan` event of the message's shift (`crew-shifts:<day>/<shift>`, status `applied`, by crew_replan), naming
    the event (`_about`) and adding `details`; its id is stable per message and `id_parts` (`applied_event`,
    `dropped_event`)."""
    return AuditEvent(
        record_key=shift_record(message.day, message.shift),
        event_id=stable_event_id(message.identity(), AuditEventType.REPLAN.value, *id_parts),
        event_type=AuditEventType.REPLAN,
        status=AuditStatus.APPLIED,
        occurred_at=now,
        actor=REPLAN_ACTOR,
        employee_id=message.employee_id,
        payload={"kind": REPLAN_KIND, "plan_day": message.day.isoformat(), "shift_code": message.shift}
        | _about(message)
        | details,
    )


def unplaced(compiled: Compiled, plan: CrewPlan, employee_id: str) -> str | None:
    """Why `plan` gives `employee_id` (back after an undone call-off) no seat, in the board's words (None: it gives
    them one): not in the shift's data, no seat the rules allow, only seats the re-plan keeps as they are, or
    seats worth more with whom it planned there."""
    if any(a.employee_id == employee_id for a in plan.assignments):
        return None
    found = [o for o, op in enumerate(compiled.operators) if op.employee_id == employee_id]
    if not found:
        return "they are not in the shift's data from Plex (not scheduled that day, or on leave)"
    allowed = set(compiled.allowed.tolist()) & set((compiled.pair_op == found[0]).nonzero()[0].tolist())
    if not allowed:
        return "no seat of the shift is open to them under the rules (skills, certifications, rest and hours)"
    if compiled.closed is not None and all(compiled.closed[p] for p in allowed):
        return "the seats they may take are kept as they are (started, accepted, or outside what the undo re-plans)"
    return "each seat they may take is worth more with the person planned there"


def taken_off_with(read: DayRead, message: ReplanMessage) -> frozenset[str]:
    """For a person back on the shift (`BACK`): the others whose suggestions of the shift the re-plans after that
    person's call-offs or absences closed (a partner a setup needed them for), whom the undo's re-plan may seat
    again (`replan.event_scope`); empty for any other event."""
    if message.reason not in BACK:
        return frozenset()
    return frozenset(person for _, person in taken_by_call_offs(read, message, OFF) if person != message.employee_id)


def taken_by_call_offs(
    read: DayRead, message: ReplanMessage, reasons: Collection[str] = (*OFF, NEARBY)
) -> frozenset[Assignment]:
    """For a person back on the shift (`BACK`, or back for a shift next to it: `call_off_undone_nearby`): the seats
    (segment, employee id) of the shift whose suggestions the re-plans after that person's call-offs or absences
    (`reasons`: of this shift, or of one next to it) closed, theirs and a partner's; empty for any other event. The
    undo's re-plan charges no change for them (`replan.without_change_cost`): they were the plan before the call-off
    (review ux_s16 F: a short seat, worth less than `CrewPolicy.change_cost`, stayed empty after the undo)."""
    if message.reason not in (*BACK, UNDONE_NEARBY) or not message.employee_id:
        return frozenset()
    segments = {
        event.event_id: str(event.payload.get("segment"))
        for event in read.openings
        if event.payload.get("kind") == CREW_ASSIGNMENT and event.payload.get("shift_code") == message.shift
    }
    return frozenset(
        (segments[suggestion], closing.employee_id)
        for suggestion, closing in read.closed.items()
        if suggestion in segments
        and closing.employee_id
        and closing.actor == REPLAN_ACTOR
        and closing.payload.get("replan_reason") in reasons
        and closing.payload.get("replan_employee_id") == message.employee_id
    )


def recorded(read: DayRead, day: date, shift: str) -> list[ReplanMessage]:
    """The events re-plans of the shift applied, as the day's read of the audit table records them: each re-plan's
    `applied_event`, and (before those were written) the closings of the suggestions it superseded; not the messages
    crew_replan dropped (`dropped_event`)."""
    found = [e for e in read.applied if e.payload.get("shift_code") == shift and DROPPED not in e.payload]
    for event in read.openings:
        closing = read.closed.get(event.event_id)
        if event.payload.get("shift_code") == shift and closing is not None and closing.actor == REPLAN_ACTOR:
            found.append(closing)
    messages = []
    for event in found:
        payload = event.payload
        subject = {n: payload[f"replan_{n}"] for n in (*RECORDED_FIELDS, "departments") if f"replan_{n}" in payload}
        detected = payload.get("replan_detected_at", event.occurred_at)  # older closings: the re-plan's time
        fields = {"reason": payload["replan_reason"], "date": day, "shift": shift, "detected_at": detected}
        messages.append(ReplanMessage.model_validate(fields | subject))
    return messages


def folded(events: Iterable[ReplanMessage]) -> tuple[ReplanMessage, ...]:
    """`events` each once (a re-plan's closings and its applied event tell the same), in the order they were
    detected, as a container would remember them (`remembered`: an up takes back the down before it)."""
    kept: tuple[ReplanMessage, ...] = ()
    for event in sorted(dict.fromkeys(events), key=lambda e: e.detected_at):
        kept = remembered(kept, event)
    return kept


def run(deps: ReplanDependencies, message: ReplanMessage) -> dict[str, Any]:
    """Re-plan the message's shift and publish what changed (a `refresh`: `refresh`; a `plan_changed` with nothing
    to re-plan is skipped, `_nothing_to_replan`); the JSON-safe summary."""
    from plexlabor.crew.board import plan_figures, swap_candidates
    from plexlabor.crew.optimizer import solve  # SciPy loads here, not when the handler is imported
    from plexlabor.crew.publish import publish_plan
    from plexlabor.crew.replan import (
        Scope,
        assignments_of,
        event_scope,
        people_moved,
        with_current_plan,
        without_change_cost,
    )
    from plexlabor.crew.service import plan_summary
    from plexlabor.crew.stretches import ruled_out, with_call_offs, with_commitments

    started = time.perf_counter()
    logger.append_keys(plan_day=message.day.isoformat(), shift=message.shift, replan_reason=message.reason)
    if message.reason == "refresh":
        return refresh(deps, message)
    now = deps.clock()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="crew-shift-read") as pool:
        stored, ahead = _read_ahead(deps, message, now, pool)  # the shift from Plex while the audit table is read
        reads = _read_days(deps, _read_first(message), now)
        day, suggestions_read = reads[message.day]
        if why := _skipped_why(day, message, now):
            skipped: dict[str, Any] = {"reason": message.reason, "skipped": why}
            logger.info("crew re-plan skipped", **skipped)
            metrics.add_metric(name="CrewReplanSkipped", unit=MetricUnit.Count, value=1)
            return skipped
        if rest := tuple(d for d in _with_neighbours(message.day) if d not in reads):
            reads |= _read_days(deps, rest, now)
        if message.reason in BACK and message.employee_id:  # the board lets it go first; here if it could not
            _release_call_offs(deps.store, {message.employee_id}, message, now)
        current, openings = current_plan(day, message.shift)
        plan_read_s = time.perf_counter() - started
        if message.reason == NEARBY and (message.day, message.shift) not in deps.problems:
            stored = _load_stored(deps, message, now)  # not before: `_no_seat_nearby` may have skipped it
        kept_shift, read = _shift_problem(deps, message, now, reads, stored, ahead)
    read_s = time.perf_counter() - started - plan_read_s
    problem, compiled = _compiled(kept_shift, message)
    kept_now = KeptShift(kept_shift.read_at, problem, compiled, *_after(kept_shift, message))
    if message.reason in OFF and all(person != message.employee_id for _, person in current.assignments):
        return _no_seat(deps, message, now, day, kept_now, read)
    called_off = _not_undone_nearby(message, _called_off_elsewhere(message, reads)) + _called_off_nearby(message)
    committed = with_commitments(with_call_offs(compiled, called_off), _commitments(message, reads))
    returning, taken = taken_off_with(day, message), taken_by_call_offs(day, message)

    def solved(current: CurrentPlan) -> tuple[Compiled, CrewPlan]:
        # a call-off nearby: only the seats whose pair it took (`with_current_plan` opens a seat whose pair is gone)
        nearby_scope = Scope(frozenset(), frozenset())
        scope = (
            nearby_scope if message.reason == NEARBY else event_scope(kept_shift.problem, current, message, returning)
        )
        # a seat the call-off took costs no change to give back, but one rejected since stays refused
        replanned = without_change_cost(with_current_plan(committed, current, now, scope), taken - current.rejected)
        return replanned, solve(replanned, deps.time_limit_s)

    trigger = message.describe(kept_shift.problem)
    current, replanned, plan, dropped = _superseding(deps.store, message, now, trigger, current, openings, solved)
    departments = {job.place.workcenter_id: job.place.department_code for job in problem.jobs}
    candidates, figures = swap_candidates(replanned, plan), plan_figures(plan, replanned)
    kept = assignments_of(plan)
    still_empty, dropped_empty = _empty_seats(day, message.shift, plan)
    # a seat whose note closes now and stays empty gets a new one, under a new id (ux_s16 #1: under the same id it read
    # as already published, and the seat had no open note)
    empty_closings = [superseded_event(event, message, now, trigger) for event in dropped_empty]
    writing = time.perf_counter()
    result = publish_plan(
        plan,
        deps.store,
        now,
        actor=REPLAN_ACTOR,
        approval=deps.approval,
        scope=deps.scope,
        departments=departments,
        trigger=trigger,
        recorded={event.event_id for event in day.openings},  # in the table: not written again
        candidates=candidates,
        figures=figures,
        renewed=_decided_otherwise(
            day, plan, renewed(day) | {str(closing.finding_id): closing.event_id for closing in empty_closings}
        ),
        still_empty=still_empty,
        triggered=_covered(message, current, kept, replanned),
    )
    superseded_count = close_dropped(deps.store, dropped, openings, kept, message, now, trigger)
    empty_superseded = sum(append_once(deps.store, closing) for closing in empty_closings)
    empty = {seat.job_key for seat in plan.unstaffed}
    ruled = ruled_out(compiled, called_off)
    standing = {(off.employee_id, off.work_date.isoformat(), off.shift_code) for off in called_off}
    removals, not_in_plex = _removals(
        deps, reads, message, problem, kept_now.events, now, trigger, empty, (ruled, standing)
    )
    back = message.employee_id if message.reason == "call_off_undone" else None
    applied = applied_event(
        message,
        now,
        None if back is None else unplaced(replanned, plan, back),
        not_in_plex,
        block=_block_of(problem, message),
        changed=(result.published, superseded_count + empty_superseded),
    )
    if applied.event_id not in {event.event_id for event in day.applied}:  # a redelivery: not even tried again
        append_once(deps.store, applied)
    write_s = time.perf_counter() - writing
    _keep(deps, message, kept_now, read)
    absent = frozenset({message.employee_id}) if message.employee_id else frozenset()  # or back: an undone call-off
    summary = plan_summary(message.day, plan) | result.as_dict()
    summary |= {
        "reason": message.reason,
        "current_assignments": len(current.assignments),
        "accepted": len(current.accepted),
        "people_moved": people_moved(set(current.assignments), kept, absent),
        "superseded": superseded_count,
        "empty_superseded": empty_superseded,
        **removals,
        "data_read": read == "read",
        "shift_from": read,
        "shift_read_ahead": ahead is not None,
        "suggestions_read": suggestions_read,
        "read_seconds": round(read_s, 2),
        "plan_read_seconds": round(plan_read_s, 2),
        "write_seconds": round(write_s, 2),
        "seconds": round(time.perf_counter() - started, 2),
    }
    logger.info("crew re-planned", **summary)
    metrics.add_metric(name="CrewReplanSeconds", unit=MetricUnit.Seconds, value=summary["seconds"])
    metrics.add_metric(name="CrewReplanPeopleMoved", unit=MetricUnit.Count, value=summary["people_moved"])
    return summary


def _after(kept: KeptShift, message: ReplanMessage) -> tuple[tuple[ReplanMessage, ...], tuple[ReplanMessage, ...]]:
    """The events the shift keeps, and those it accounts for, once `message` is applied to `kept`."""
    return remembered(kept.events, message), (*kept.seen, message)


def _keep(deps: ReplanDependencies, message: ReplanMessage, kept: KeptShift, read: str) -> None:
    """The container keeps the shift with the message applied; a shift read now is stored for the next container
    (`crew.snapshots`)."""
    deps.problems[(message.day, message.shift)] = kept
    if read == "read":
        _store_shift(deps, message.day, message.shift, kept)
    _forget_days_gone(deps, message.day)


def _no_seat(
    deps: ReplanDependencies, message: ReplanMessage, now: datetime, day: DayRead, kept: KeptShift, read: str
) -> dict[str, Any]:
    """A call-off or absence of a person with no seat in the shift's current plan (scheduled on it, say off their
    usual shift, and given none; or not scheduled at all): nothing to re-plan, so nobody is moved and nothing is
    solved or published, but it is applied as any (`kept`), and recorded by its `applied` event with `NO_SEAT`, so
    later re-plans keep the person out and the crew board lists it "no seat in the plan: nothing to re-plan" (until
    2026-12-06 the whole shift was solved again for it and the board said "re-planned")."""
    applied = applied_event(message, now, no_seat=True, block=_block_of(kept.problem, message))
    if applied.event_id not in {event.event_id for event in day.applied}:  # a redelivery: not even tried again
        append_once(deps.store, applied)
    _keep(deps, message, kept, read)
    skipped: dict[str, Any] = {
        "reason": message.reason,
        "skipped": "no seat",
        "people_moved": 0,
        "superseded": 0,
        "data_read": read == "read",
        "shift_from": read,
    }
    logger.info("crew re-plan skipped", **skipped)
    metrics.add_metric(name="CrewReplanSkipped", unit=MetricUnit.Count, value=1)
    return skipped


def _superseding(
    store: AuditStore,
    message: ReplanMessage,
    now: datetime,
    trigger: str,
    current: CurrentPlan,
    openings: Mapping[Assignment, AuditEvent],
    solved: Callable[[CurrentPlan], tuple[Compiled, CrewPlan]],
) -> tuple[CurrentPlan, Compiled, CrewPlan, list[AuditEvent]]:
    """The re-plan (`solved`) and the suggestions of the current plan it drops (`openings`), each held for its
    closing by a conditional write on its seat's claim log before anything is published (`SeatClaims.supersede`), so
    that of the closing and an approval at the same moment exactly one is recorded (review_s14 L3): an approval whose
    claim came first is held as accepted and the shift re-planned around it (until nothing more is found approved;
    one its person can no longer take, called off, stays approved and is not closed: its removal from Plex opens as
    for any accepted seat); one a swap on the board holds is closed too (the swap rejects it anyway, and a swap still
    under way is refused once it finds the closing: review_close_s15 #5, until 2026-12-06 it was left to the swap, and
    a swap that then failed left it open beside its replacement). Holds let go of
    suggestions the re-plan around an approval keeps. The current plan with those approvals, the problem solved, the
    plan, and the suggestions to close."""
    from plexlabor.crew.replan import assignments_of

    claims, token = SeatClaims(store, lambda: now), uuid.uuid4().hex
    held: dict[str, Release] = {}
    while True:
        replanned, plan = solved(current)
        kept = assignments_of(plan)
        for assignment, event in openings.items():
            if assignment in kept and event.event_id in held:
                held.pop(event.event_id)()
        approved: set[Assignment] = set()
        for assignment, event in openings.items():
            if assignment in kept or event.event_id in held:
                continue
            seat, person = assignment
            choices = kept_choices(event, openings, kept)
            new = {e for other, e in kept - current.assignments if other == seat}
            instead = sorted(new | {str(choice.employee_id) for choice in choices})
            try:
                held[event.event_id] = claims.supersede(
                    event.event_id,
                    person,
                    message.day,
                    message.shift,
                    trigger,
                    instead,
                    REPLAN_ACTOR,
                    now,
                    token,
                    kept=[choice.event_id for choice in choices],
                )
            except ClaimRefusedError:  # an approval came first (`SeatClaims.supersede`)
                approved.add(assignment)
        if not approved - current.accepted:
            return current, replanned, plan, [e for e in openings.values() if e.event_id in held]
        current = current.model_copy(
            update={"assignments": current.assignments | approved, "accepted": current.accepted | approved}
        )


def kept_choices(
    dropped: AuditEvent, openings: Mapping[Assignment, AuditEvent], kept: Collection[Assignment]
) -> list[AuditEvent]:
    """The swap choices a re-plan kept in the seat of the suggestion it drops (`dropped`): those chosen on the crew
    board to replace it and not finished (open beside it, `replaces` naming it) whose person the re-plan planned in
    that seat. They are its replacement: its closing names them (`instead`, `kept_choices`) and does not refuse their
    approval (`SeatClaims.hold`, `ReviewService.swap_replaced`; issue 16: until 2026-12-06 the choice was refused
    as if the re-plan had planned the seat for someone else)."""
    seat = str(dropped.payload.get("segment"))
    return [
        choice
        for assignment, choice in openings.items()
        if assignment in kept and assignment[0] == seat and choice.payload.get("replaces") == dropped.event_id
    ]


def close_dropped(
    store: AuditStore,
    dropped: Iterable[AuditEvent],
    openings: Mapping[Assignment, AuditEvent],
    kept: Collection[Assignment],
    message: ReplanMessage,
    now: datetime,
    trigger: str,
) -> int:
    """Closes the suggestions a re-plan dropped (`_superseding`), each naming the swap choices it kept in its seat
    (`kept_choices`); how many were closed now (a redelivery closes none again)."""
    return sum(
        append_once(
            store,
            superseded_event(e, message, now, trigger, [choice.event_id for choice in kept_choices(e, openings, kept)]),
        )
        for e in dropped
    )


def _covered(
    message: ReplanMessage, current: CurrentPlan, kept: Collection[Assignment], replanned: Compiled
) -> frozenset[str] | None:
    """The segments whose cover an event about a person (a call-off, its undo, a swap) changed: those whose crew the
    re-plan changed, those the person was or is planned in, and those they may work now (`replanned`'s pairs: back
    after an undo); the re-plan's notes name the event there only (`publish.PlanEvents.triggered`; ux_verify_s16 G:
    a call-off's re-plan said "After a call-off of ..." on another department's empty seats whose notes it renewed).
    None (every segment) for an event about no person."""
    person = message.employee_id
    if person is None:
        return None
    changed = {segment for segment, _ in current.assignments ^ set(kept)}
    theirs = {segment for segment, who in current.assignments | set(kept) if who == person}
    ops = [o for o, op in enumerate(replanned.operators) if op.employee_id == person]
    may = {replanned.jobs[j].key for o in ops for j in set(replanned.pair_job[replanned.pair_op == o].tolist())}
    return frozenset(changed | theirs | may)


def _empty_seats(day: DayRead, shift: str, plan: CrewPlan) -> tuple[frozenset[UnstaffedSeat], list[AuditEvent]]:
    """Of the re-plan's empty seats, those whose open short-seat suggestion stands (a new one would say the event
    emptied them), and the shift's open short-seat suggestions it supersedes. A seat already published as empty with
    as many seats keeps its suggestion (ux164 #3: each re-plan published a second one for it, "After a call-off of
    ...", when its cause read otherwise, and the board counted the seat twice); one that changed (filled now, or more
    or fewer of its seats empty) has its open ones closed, and a new one when still empty: each seat keeps one
    suggestion. A segment may have more than one (seats nobody may fill and seats left short: one per cause), each
    matched to one suggestion of its own, of its cause first (ux_s16 #1: the first of a segment's seats kept every
    suggestion of the segment, or closed them all)."""
    before: dict[str, list[AuditEvent]] = {}
    for event in day.openings:
        payload = event.payload
        if (
            payload.get("kind") == CREW_UNSTAFFED
            and payload.get("shift_code") == shift
            and event.event_id not in day.closed
        ):
            before.setdefault(str(payload.get("segment")), []).append(event)
    standing: set[UnstaffedSeat] = set()
    for same_cause in (True, False):
        for seat in plan.unstaffed:
            earlier = before.get(seat.job_key, [])
            found = next(
                (
                    e
                    for e in earlier
                    if int(e.payload.get("seats") or 1) == seat.seats
                    and (not same_cause or e.payload.get("cause") == seat.cause)
                ),
                None,
            )
            if seat not in standing and found is not None:
                earlier.remove(found)
                standing.add(seat)
    return frozenset(standing), [event for events in before.values() for event in events]


def _decided_otherwise(day: DayRead, plan: CrewPlan, renewals: Mapping[str, str]) -> dict[str, str]:
    """`renewals` (suggestion id -> the id of what closed it for good, `publish.renewed_id`), and the decided
    (approved or rejected) short-seat suggestions that one of the plan's empty seats would be published under but
    that counted another number of seats, each with its decision's id: the seat gets a new suggestion, as for a
    closed one (review_s16 #9: a call-off that emptied a second seat where a supervisor had acknowledged "1 seat
    stays empty" published nothing, the id counted as already published). One that counted as many stands for it."""
    from plexlabor.crew.publish import renewed_id, unstaffed_event_id

    notes = {e.event_id: e for e in day.openings if e.payload.get("kind") == CREW_UNSTAFFED}
    found = dict(renewals)
    for seat in plan.unstaffed:
        event_id = renewed_id(unstaffed_event_id(plan.day.isoformat(), seat.job_key, seat.cause), found)
        while (
            (note := notes.get(event_id)) is not None
            and (decision := day.closed.get(event_id)) is not None
            and decision.status in (AuditStatus.APPROVED, AuditStatus.REJECTED)
            and int(note.payload.get("seats") or 1) != seat.seats
        ):
            found[event_id] = decision.event_id
            event_id = renewed_id(event_id, found)
    return found


def _removals(
    deps: ReplanDependencies,
    reads: dict[date, tuple[DayRead, str]],
    message: ReplanMessage,
    problem: CrewProblem,
    events: tuple[ReplanMessage, ...],
    now: datetime,
    trigger: str,
    empty: set[str],
    nearby: tuple[Mapping[tuple[str, str], RuledOut], Collection[tuple[str, str, str]]],
) -> tuple[dict[str, int], dict[str, AuditEvent]]:
    """The shift's accepted seats whose person is off it now (`problem`'s leave: a call-off or absence `events` apply,
    or leave read from Plex), or whom a call-off of another shift rules out of them (`nearby`: the seats so ruled out,
    `stretches.ruled_out`, and the call-offs of other shifts standing, employee id, day and shift code), get a removal
    from Plex for review, and the waiting removals of people back on it (a call-off undone, a clock-in after all) are
    closed, but those of seats a call-off still standing rules out (`crew.removals`; `empty`: the
    segments the re-plan leaves with an empty seat, which a removal's note names). A call-off undone also closes the
    waiting removals of its person's seats in the shifts next to it that the call-off ruled out (`removals.nearby_of`,
    in the day's and the neighbouring days' reads; a clock-in after it: `_back_after_all`). The counts, and the seats
    that got none as plant IT had withdrawn their assignment from Plex already (`removals.Opened.not_in_plex`)."""
    day, (ruled, standing) = reads[message.day][0], nearby
    back = {op.employee_id for op in problem.operators if not op.leave}
    zone = ZoneInfo(deps.source.timezone)
    found = open_removals(deps.store, day, message.shift, _off(problem, events), now, zone, empty, ruled)
    closing = {e.event_id: e for e in to_supersede(day, message.shift, back, standing)}
    if message.reason in BACK and message.employee_id:
        closing |= _nearby_removals(reads, message.employee_id, message.day, message.shift)
    counts = {
        "removals_opened": found.count,
        "removals_superseded": sum(
            append_once(deps.store, superseded_event(e, message, now, trigger)) for e in closing.values()
        ),
        "removed_claims_released": _release_removed(deps.store, day, message, back, now),
    }
    return counts, found.not_in_plex


def _nearby_removals(
    reads: dict[date, tuple[DayRead, str]], employee_id: str, day: date, shift: str
) -> dict[str, AuditEvent]:
    """The waiting removals, by id, of `employee_id`'s seats in the shifts next to `shift` of `day` that their call-off
    of it ruled out (`removals.nearby_of`), in `reads` (the day's and the neighbouring days'): what the call-off's undo
    or a clock-in after it closes."""
    return {e.event_id: e for read, _ in reads.values() for e in nearby_of(read, employee_id, day.isoformat(), shift)}


def _off(problem: CrewProblem, events: tuple[ReplanMessage, ...]) -> dict[str, datetime | None]:
    """Who is off the shift in `problem` (its leave: a call-off or absence `events` apply, or leave read from Plex),
    with when they called off (None: leave read from Plex): the earliest call-off of those `events` keep (an undo
    takes back those before it, `remembered`), so a second call-off of a person already off (crew_call_offs' no-show
    after the board's) is the same call-off to `removals.open_removals`."""
    when: dict[str, datetime] = {}
    for event in events:
        if event.reason in ("call_off", "absence") and event.employee_id:
            when[event.employee_id] = min(event.detected_at, when.get(event.employee_id, event.detected_at))
    return {op.employee_id: when.get(op.employee_id) for op in problem.operators if op.leave}


def _release_removed(store: AuditStore, day: DayRead, message: ReplanMessage, back: set[str], now: datetime) -> int:
    """Lets go the claims of the shift's seats removed from Plex whose person is back on it (`SeatClaims.release_seat`),
    so that the person may be accepted in an overlapping seat again; one that cannot be written is logged, the re-plan
    goes on (the next re-plan of the shift tries again). How many entries were let go."""
    claims, count = SeatClaims(store, lambda: now), 0
    gone = removed(day)
    for seat in day.openings:
        if seat.event_id in gone and seat.payload.get("shift_code") == message.shift and seat.employee_id in back:
            try:
                count += claims.release_seat(str(seat.employee_id), message.day, seat.event_id, REPLAN_ACTOR)
            except (AuditError, ClaimBusyError):
                logger.exception("removed seat's claims not let go", employee_id=seat.employee_id)
    return count


def _with_neighbours(day: date) -> tuple[date, date, date]:
    """The day and the days before and after: what a re-plan of one of its shifts reads (`_commitments`)."""
    return day, day - timedelta(days=1), day + timedelta(days=1)


def _commitments(message: ReplanMessage, reads: dict[date, tuple[DayRead, str]]) -> list[Commitment]:
    """The seats suggested (still open) or accepted in the shifts next to the message's: the day's others and those
    of the days before and after (`reads`, `_read_days`: caught up, from the last container's store in a new
    container; a refresh read them whole), which the re-plan counts for the day-hours and rest limits
    (`stretches.with_commitments`)."""
    found = commitments(reads[message.day][0], message.day, {message.shift})
    for next_to in _with_neighbours(message.day)[1:]:
        found += commitments(reads[next_to][0], next_to)
    return found


def _called_off_elsewhere(message: ReplanMessage, reads: dict[date, tuple[DayRead, str]]) -> list[CalledOff]:
    """The call-offs and absences standing (not undone, no clock-in since: `folded`) for the other shifts of the
    message's day and of the days before and after (`reads`), whose work the re-plan keeps the person out of where it
    overlaps or extends the shift they called off (`stretches.with_call_offs`): a call-off "for this shift only" is
    one shift's, and its person's seats in the next are planned without it (ux_s16 #2)."""
    from plexlabor.crew.stretches import CalledOff

    found = []
    for day, (read, _) in reads.items():
        shifts = {str(e.payload.get("shift_code")) for e in read.applied} - (
            {message.shift} if day == message.day else set()
        )
        for shift in sorted(shifts):
            found += [
                CalledOff(event.employee_id, day, shift, event.detected_at, event.call_off_reason)
                for event in folded(recorded(read, day, shift))
                if event.reason in OFF and event.employee_id
            ]
    return found


def _called_off_nearby(message: ReplanMessage) -> list[CalledOff]:
    """The call-off a `call_off_nearby` is about (its shift's re-plan, ahead of it on the queue, recorded it too, but
    the day's read may not show that yet)."""
    from plexlabor.crew.stretches import CalledOff

    if message.reason != NEARBY or not message.employee_id or message.off_day is None or message.off_shift is None:
        return []
    return [CalledOff(message.employee_id, message.off_day, message.off_shift, message.detected_at)]


def _not_undone_nearby(message: ReplanMessage, called_off: list[CalledOff]) -> list[CalledOff]:
    """`called_off` less the call-off a `call_off_undone_nearby` undoes (its person's, of `off_shift`, made before the
    undo): the message is its undo, as `_called_off_nearby` is the call-off for the mirror case. The undone shift's
    re-plan, ahead of it on the queue, recorded the undo too, but the day's read may not show that yet, or that re-plan
    was dropped (review2_s16 #2: until 2026-12-06 the re-plan seated nobody and was recorded done)."""
    if message.reason != UNDONE_NEARBY:
        return called_off
    undone = (message.employee_id, message.off_day, message.off_shift)
    return [
        off
        for off in called_off
        if (off.employee_id, off.work_date, off.shift_code) != undone or off.at > message.detected_at
    ]


def _read_first(message: ReplanMessage) -> tuple[date, ...]:
    """The days read before the message may be skipped (`_skipped_why`): a call-off nearby's own day alone, the one
    its "no seat" is read from (crew_call_offs sends one for every shift next to every no-show, most skipped: review_s16
    lead 1, until 2026-12-06 each read the days either side first, two more queries of the audit table while the FIFO
    group's call-offs waited); else the day and its neighbours, read together (`_with_neighbours`)."""
    return (message.day,) if message.reason == NEARBY else _with_neighbours(message.day)


def _skipped_why(day: DayRead, message: ReplanMessage, now: datetime) -> str | None:
    """Why the message re-plans nothing, read from the day's suggestions alone (None: it re-plans): a plan change with
    nothing to re-plan (`_nothing_to_replan`), a call-off nearby of a person with no seat there (`_no_seat_nearby`)."""
    if message.reason == "plan_changed":
        return _nothing_to_replan(day, message.shift, now)
    return _no_seat_nearby(day, message) if message.reason == NEARBY else None


def _no_seat_nearby(day: DayRead, message: ReplanMessage) -> str | None:
    """Why a `call_off_nearby` re-plans nothing (None: it re-plans): its person holds no seat of the shift, suggested
    and open or accepted (crew_call_offs sends one for every shift next to a no-show's; the crew board only where they
    hold one)."""
    current, _ = current_plan(day, message.shift)
    return None if any(person == message.employee_id for _, person in current.assignments) else "no seat"


def _compiled(kept: KeptShift, message: ReplanMessage) -> tuple[CrewProblem, Compiled]:
    """The shift's problem with the message applied, compiled (`replan.compile_event`); a call-off nearby changes no
    problem (`with_call_offs` takes the pairs it rules out), so the kept pairs serve as they are."""
    from plexlabor.crew.pairs import compile_problem
    from plexlabor.crew.replan import compile_event

    if message.reason == NEARBY:
        return kept.problem, kept.compiled if kept.compiled is not None else compile_problem(kept.problem)
    return compile_event(kept.problem, message, kept.compiled)


TOUCHING = timedelta(seconds=1)
"""Two times this close count as one: a shift that starts as another ends is next to it (`stretches.TOUCHING_S`)."""


def nearby_shifts(
    instances: Iterable[tuple[date, str, datetime, datetime]], day: date, shift: str, after: datetime
) -> list[tuple[date, str]]:
    """Of shift `instances` (work date, code, start, end), those other than `shift` of `day` that overlap it or touch
    it (one starts as the other ends) and end after `after` (the call-off's time): where a person called off `shift`
    may hold a seat the call-off rules out (overtime extending it, `stretches.with_call_offs`), so crew_call_offs and
    the crew board send a `call_off_nearby` for each (ux_s16 #2: until 2026-12-06 such a seat stayed offered and
    approvable until another event re-planned its shift)."""
    listed = list(instances)
    off = next(((start, end) for d, code, start, end in listed if (d, code) == (day, shift)), None)
    if off is None:
        return []
    return [
        (d, code)
        for d, code, start, end in sorted(listed, key=lambda i: i[2])
        if (d, code) != (day, shift) and start <= off[1] + TOUCHING and off[0] - TOUCHING <= end and end > after
    ]


def refresh(deps: ReplanDependencies, message: ReplanMessage) -> dict[str, Any]:
    """Keep the message's shift ready for its next real event (`_refresh`), never failing the record: a refresh
    that fails is logged and counted (`CrewRefreshFailed`), not retried (the next comes within the schedule's
    period); one older than `REFRESH_LEAD` (a queue's backlog) is skipped, the next is on its way. The summary."""
    now = deps.clock()
    if message.detected_at < now - REFRESH_LEAD:
        summary: dict[str, Any] = {"reason": message.reason, "skipped": "late"}
        logger.info("crew refresh skipped", **summary, detected_at=message.detected_at.isoformat())
        return summary
    try:
        return _refresh(deps, message, now)
    except Exception as error:  # whatever failed (Plex, the table), the next scheduled refresh tries again
        logger.exception("crew refresh failed", error=type(error).__name__)
        metrics.add_metric(name="CrewRefreshFailed", unit=MetricUnit.Count, value=1)
        return {"reason": message.reason, "failed": type(error).__name__}


def _refresh(deps: ReplanDependencies, message: ReplanMessage, now: datetime) -> dict[str, Any]:
    """The shift's problem read again (its events applied again) and compiled, and the day's suggestions read
    whole, each when it would be stale within `REFRESH_LEAD`; else the day's suggestions caught up. The accepted seats
    of people off the shift get their removal from Plex (`removals.open_removals`: once per seat, as a re-plan opens
    it), so leave entered in Plex opens it at the first refresh that reads the shift again (within `KEPT_FOR` and
    the schedule's period), not with the shift's next event; a refresh that reads the shift again closes those opened
    for leave whose person is no longer on leave in Plex (`_leave_gone`)."""
    from plexlabor.crew.pairs import compile_problem  # SciPy loads here, not when the handler is imported

    started = time.perf_counter()
    # the neighbouring days too: what a re-plan counts of them (`_commitments`)
    reads = _read_days(deps, _with_neighbours(message.day), now, whole_if_due_by=now + REFRESH_LEAD)
    suggestions, whole = reads[message.day]
    plan_read_s = time.perf_counter() - started
    key = (message.day, message.shift)
    kept = deps.problems.get(key)
    shift_from = "container"
    if kept is None:
        kept = _stored_shift(deps, message, now + REFRESH_LEAD, suggestions)
        shift_from = "store"
    read = kept is None or now + REFRESH_LEAD - kept.read_at >= KEPT_FOR
    if kept is None or read:  # `kept is None` again: mypy narrows on it
        known, seen = _known(kept, suggestions, message), _seen(kept, suggestions, message)
        kept = _read_shift(deps, message, now, known, seen, reads)
        shift_from = "read"
    read_s = time.perf_counter() - started - plan_read_s
    compiled = kept.compiled or compile_problem(kept.problem)
    deps.problems[key] = kept = replace(kept, compiled=compiled)
    compile_s = time.perf_counter() - started - plan_read_s - read_s
    if read:
        _store_shift(deps, message.day, message.shift, kept)
    _forget_days_gone(deps, message.day)
    # an accepted seat of someone off the shift (leave read from Plex now, a no-show) waits for no event's re-plan
    zone = ZoneInfo(deps.source.timezone)
    off = _off(kept.problem, kept.events)
    removals_opened = open_removals(deps.store, suggestions, message.shift, off, now, zone, None).count
    summary: dict[str, Any] = {
        "reason": message.reason,
        "removals_opened": removals_opened,
        "removals_superseded": _leave_gone(deps.store, suggestions, message, kept.problem, now) if read else 0,
        "data_read": read,
        "shift_from": shift_from,
        "suggestions_read": whole,
        "suggestions": len(suggestions.openings),
        "events_applied": len(kept.events),
        "operators": len(kept.problem.operators),
        "segments": len(kept.problem.jobs),
        "pairs": len(compiled.allowed),  # the pairs the setup rule does not bar: the model's columns
        "read_seconds": round(read_s, 2),
        "compile_seconds": round(compile_s, 2),
        "plan_read_seconds": round(plan_read_s, 2),
        "seconds": round(time.perf_counter() - started, 2),
    }
    logger.info("crew kept ready", **summary)
    metrics.add_metric(name="CrewRefreshSeconds", unit=MetricUnit.Seconds, value=summary["seconds"])
    return summary


def _leave_gone(store: AuditStore, day: DayRead, message: ReplanMessage, problem: CrewProblem, now: datetime) -> int:
    """Closes (superseded, as a re-plan closes those of people back) the shift's waiting removals opened for leave read
    from Plex (`called_off_at` None) whose person the refresh's new read of the shift finds no longer on leave (taken
    out of Plex: entered by mistake, cancelled); how many (review_s14 #4: only a re-plan closed a waiting removal, so
    one the refresh opened waited, "on leave in Plex for the day", and its approval withdrew a worked seat). A removal
    of a call-off is left to the re-plans, which apply the call-offs and their undos."""
    back = {op.employee_id for op in problem.operators if not op.leave}
    gone = [e for e in to_supersede(day, message.shift, back) if not e.payload.get("called_off_at")]
    return sum(
        append_once(store, superseded_event(e, message, now, f"{e.employee_id} no longer on leave in Plex"))
        for e in gone
    )


def _nothing_to_replan(day: DayRead, shift: str, now: datetime) -> str:
    """Why a plan change of the shift has nothing to re-plan ("" when it has): the day's read holds no crew
    suggestion of the shift ("no plan": it would be planned from scratch), or its last segment ended by `now`
    ("over": its suggestions would wait in the queue for a shift gone)."""
    ends = [
        datetime.fromisoformat(str(e.payload.get("end") or e.payload["start"]))
        for e in day.openings
        if e.payload.get("shift_code") == shift and e.payload.get("start")
    ]
    if not ends:
        return "no plan"
    return "over" if max(ends) <= now else ""


def _forget_days_gone(deps: ReplanDependencies, day: date) -> None:
    """Drops what the container kept of the days before `day`'s eve (a container lives for days; the shifts
    that may still run are kept)."""
    for old in [k for k in deps.problems if k[0] < day - timedelta(days=1)]:
        del deps.problems[old]
    deps.days.forget_before(day - timedelta(days=1))


@dataclass(frozen=True)
class KeptShift:
    """A shift's problem as a container last re-planned it, compiled, when it was read, and the events applied
    to it since (applied again whenever the shift is read again)."""

    read_at: datetime  # the dependencies' clock
    problem: CrewProblem
    compiled: Compiled | None = None
    events: tuple[ReplanMessage, ...] = ()
    seen: tuple[ReplanMessage, ...] = ()
    """Every event the problem accounts for: `events`, those applied since that need not be applied again (a
    swap), and the call-offs found void at its read (the operator clocked in). A new container applies the
    events the audit table records beyond these (`_stored_shift`)."""


def remembered(events: tuple[ReplanMessage, ...], message: ReplanMessage) -> tuple[ReplanMessage, ...]:
    """The events to apply again on the shift's next read, after `message`: those whose change Plex may not
    show (`REMEMBERED`), less those it takes back (`CANCELS`)."""
    subject = (message.employee_id, message.workcenter_id, message.job_operation_id)
    undone = CANCELS.get(message.reason)
    kept = tuple(
        e
        for e in events
        if (e.reason != undone or (e.employee_id, e.workcenter_id, e.job_operation_id) != subject) and e != message
    )
    return (*kept, message) if message.reason in REMEMBERED else kept


def _read_ahead(
    deps: ReplanDependencies, message: ReplanMessage, now: datetime, pool: ThreadPoolExecutor
) -> tuple[KeptShift | None, Future[CrewProblem] | None]:
    """What the message's shift starts from, looked at before the audit table is read: in a new container the shift
    the last container stored (`_load_stored`); and when the shift will be read from Plex whatever the table says (an
    event that needs the data, or no problem kept or stored less than `KEPT_FOR` ago), that read started on `pool`,
    so that Plex is read while the day's suggestions are (issue 16: a cold container read one after the other;
    `_read_shift` waits for it). Not for a plan change or a call-off nearby, which the table may show has nothing to
    re-plan."""
    kept = deps.problems.get((message.day, message.shift))
    if message.reason in ("plan_changed", NEARBY):
        return None, None
    if message.reason in APPLIED_BY_EVENT:
        if kept is None and (stored := _load_stored(deps, message, now)) is not None:
            return stored, None
        if kept is not None and now - kept.read_at < KEPT_FOR:
            return None, None
    deps.renew_reference()  # an event's read sees Plex as it is now (an operation added, a workcenter back up)
    # in this thread's context: the read's Plex calls see the invocation's deadline (`platform.deadline`)
    return None, pool.submit(contextvars.copy_context().run, _built, deps, message)


def _built(deps: ReplanDependencies, message: ReplanMessage) -> CrewProblem:
    """The message's shift read from the labor data now (`build.build_problem`), nothing applied yet."""
    from plexlabor.crew.build import build_problem

    source = deps.source
    return build_problem(
        source.port,
        message.day,
        message.shift,
        timezone=source.timezone,
        job_lead_days=source.job_lead_days,
        policy=deps.policy,
    )


def _shift_problem(
    deps: ReplanDependencies,
    message: ReplanMessage,
    now: datetime,
    reads: dict[date, tuple[DayRead, str]],
    stored: KeptShift | None = None,
    ahead: Future[CrewProblem] | None = None,
) -> tuple[KeptShift, str]:
    """The shift's problem: the container's, or in a new container the one the last container stored (`stored`,
    `_read_ahead`), when read less than `KEPT_FOR` ago and the event carries its own change, caught up with
    the events other containers applied since (`_caught_up`); else read now (the read `ahead` when one was started),
    with the container's events of the shift, or a new container's as the day's read (`reads`: the message's day
    and its neighbours) records them, applied again. Says where it came from: "container", "store" or "read"."""
    day = reads[message.day][0]
    kept = deps.problems.get((message.day, message.shift))
    if message.reason in APPLIED_BY_EVENT and ahead is None:
        ready, came_from = None, "container"
        if kept is None:
            ready, came_from = (None if stored is None else _caught_up(stored, day, message)), "store"
        elif now - kept.read_at < KEPT_FOR:
            # another container (reserved concurrency off, or a second environment kept warm) may have applied
            # events of the shift since: caught up on them as a new container is, or read if one needed a read
            ready = _caught_up(kept, day, message)
        if ready is not None:
            return ready, came_from
    events = tuple(e for e in remembered(_known(kept, day, message), message) if e != message)
    if ahead is None:
        deps.renew_reference()  # an event's read sees Plex as it is now (an operation added, a workcenter back up)
    seen = tuple(e for e in _seen(kept, day, message) if e != message)  # the caller adds the message
    return _read_shift(deps, message, now, events, seen, reads, ahead), "read"


def _read_days(
    deps: ReplanDependencies, days: tuple[date, ...], now: datetime, *, whole_if_due_by: datetime | None = None
) -> dict[date, tuple[DayRead, str]]:
    """Each day's suggestions (`DayReader.read_days`: those read whole share one read of each status index): a new
    container first takes the last container's stored read of each when a warm container would still catch up from
    it (`DayReader.seed`); a whole read is stored for the next. Says how each was read: "whole", "caught up" or
    "caught up from the store"."""
    at = whole_if_due_by or now
    how: dict[date, str] = {}
    for day in days:
        whole = deps.days.whole_due(day, at)
        how[day] = "whole" if whole else "caught up"
        if whole and deps.kept_store is not None and deps.days.state(day) is None:
            stored = _kept_io(deps, "day", lambda store: store.load_day(day))  # noqa: B023 (called at once)
            if stored is not None and deps.days.seed(day, stored, at):
                how[day] = "caught up from the store"
    reads = deps.days.read_days(days, now, whole_if_due_by=whole_if_due_by)
    for day in days:
        if how[day] == "whole" and deps.kept_store is not None and (state := deps.days.state(day)) is not None:
            _kept_io(deps, "day", lambda store: store.save_day(day, state))  # noqa: B023 (called at once)
    return {day: (reads[day], how[day]) for day in days}


def _stored_shift(deps: ReplanDependencies, message: ReplanMessage, at: datetime, day: DayRead) -> KeptShift | None:
    """The shift as the last container stored it (`_load_stored`), caught up with the events re-plans applied since
    (`day`'s records beyond those it accounts for, in the order detected, as that container applied them); None when
    nothing may be taken, or an event since needed a read (a workcenter back up, an operation added or moved: that
    container read the shift again after storing it)."""
    stored = _load_stored(deps, message, at)
    return None if stored is None else _caught_up(stored, day, message)


def _load_stored(deps: ReplanDependencies, message: ReplanMessage, at: datetime) -> KeptShift | None:
    """The shift as the last container stored it at its last read (`crew.snapshots`), when a warm container would
    still re-plan it at `at` (read less than `KEPT_FOR` before); None when nothing is stored, or it is older, or
    another code version's."""
    stored = _kept_io(deps, "shift", lambda store: store.load_shift(message.day, message.shift))
    if stored is None:
        return None
    if at - stored.read_at >= KEPT_FOR:
        logger.info("crew stored shift refused", why=f"read {at - stored.read_at} before")
        return None
    return KeptShift(stored.read_at, stored.problem, stored.compiled, stored.events, stored.seen)


def _caught_up(kept: KeptShift, day: DayRead, message: ReplanMessage) -> KeptShift | None:
    """`kept` with the events re-plans applied since that it does not account for (`day`'s records beyond
    `kept.seen`, any container's, in the order detected, as that container applied them); None when one of them
    needed a read (a workcenter back up, an operation added or moved: its container read the shift again)."""
    from plexlabor.crew.replan import compile_event

    recorded_since = sorted(dict.fromkeys(recorded(day, message.day, message.shift)), key=lambda e: e.detected_at)
    since = [e for e in recorded_since if e not in kept.seen and e != message]
    if not since:
        return kept
    if any(e.reason not in APPLIED_BY_EVENT for e in since):
        logger.info("crew kept shift refused", why="an event since needed a read", read_at=kept.read_at.isoformat())
        return None
    problem, compiled, events = kept.problem, kept.compiled, kept.events
    try:
        for event in since:
            if event.reason != NEARBY:  # it changes no problem: each re-plan reads the call-off (`with_call_offs`)
                problem, compiled = compile_event(problem, event, compiled)
            events = remembered(events, event)
    except Exception as error:  # a kept shift the events no longer fit: read it again, never fail
        logger.warning("crew kept shift not caught up", error=type(error).__name__)
        metrics.add_metric(name="CrewKeptStoreFailed", unit=MetricUnit.Count, value=1)
        return None
    logger.info("crew kept shift caught up", events=len(since))
    return KeptShift(kept.read_at, problem, compiled, events, (*kept.seen, *since))


def _store_shift(deps: ReplanDependencies, day: date, shift: str, kept: KeptShift) -> None:
    """Stores the shift as the container keeps it, for the next container (`crew.snapshots`)."""
    from plexlabor.crew.snapshots import StoredShift

    compiled = kept.compiled
    if compiled is None:
        return
    stored = StoredShift(kept.read_at, kept.problem, compiled, kept.events, kept.seen)
    _kept_io(deps, "shift", lambda store: store.save_shift(day, shift, stored))


def _kept_io(deps: ReplanDependencies, what: str, io: Callable[[KeptStore], T]) -> T | None:
    """`io` on the kept store (`crew.snapshots`); None when there is none, when it takes nothing stored (logged
    with the reason) or fails: a store that cannot be read or written costs a read, never a re-plan (logged and
    counted, `CrewKeptStoreFailed`)."""
    from plexlabor.crew.snapshots import Refused

    if deps.kept_store is None:
        return None
    started = time.perf_counter()
    try:
        result = io(deps.kept_store)
    except Refused as refused:
        logger.info("crew kept store: nothing taken", what=what, why=str(refused))
        return None
    except Exception as error:  # S3 unreachable or throttled: the re-plan reads as it would without a store
        logger.warning("crew kept store failed", what=what, error=type(error).__name__)
        metrics.add_metric(name="CrewKeptStoreFailed", unit=MetricUnit.Count, value=1)
        return None
    written: dict[str, Any] = {"bytes": result} if isinstance(result, int) else {}  # a save: how much it wrote
    logger.info("crew kept store", what=what, seconds=round(time.perf_counter() - started, 3), **written)
    return result


def _known(kept: KeptShift | None, day: DayRead, message: ReplanMessage) -> tuple[ReplanMessage, ...]:
    """The events to apply again when the message's shift is read again: those the container applied (`kept`)
    and those the day's read of the audit table records (other containers' too), `folded`."""
    return folded((*(kept.events if kept else ()), *recorded(day, message.day, message.shift)))


def _seen(kept: KeptShift | None, day: DayRead, message: ReplanMessage) -> tuple[ReplanMessage, ...]:
    """Every event known when the message's shift is read again, before `folded` drops those taken back: a read
    accounts for them all (a workcenter down and the up that cancels it), so a new container starting from
    the store must not apply either again (`_stored_shift`)."""
    return tuple(dict.fromkeys((*(kept.seen if kept else ()), *recorded(day, message.day, message.shift))))


def _read_shift(
    deps: ReplanDependencies,
    message: ReplanMessage,
    now: datetime,
    events: tuple[ReplanMessage, ...],
    seen: tuple[ReplanMessage, ...],
    reads: dict[date, tuple[DayRead, str]],
    ahead: Future[CrewProblem] | None = None,
) -> KeptShift:
    """The shift read from the labor data now (`ahead`: the read started while the audit table was read), with
    `events` applied again (not compiled), less the call-offs of those who clocked in after them (`_back_after_all`,
    over `reads`: the message's day and its neighbours); it accounts for `seen`, `events` and those clock-ins."""
    from plexlabor.crew.replan import apply_event

    problem = ahead.result() if ahead is not None else _built(deps, message)
    back = _clocked_in(deps.source.port, problem, message, now, events)
    _back_after_all(deps.store, reads, back, problem, now)
    _release_call_offs(deps.store, {b.employee_id for b in back if b.employee_id}, message, now)
    seen = tuple(dict.fromkeys((*seen, *events, *back)))
    events = folded((*events, *back))
    for event in events:
        problem = apply_event(problem, event)
    return KeptShift(now, problem, None, events, seen)


def _clocked_in(
    port: LaborDataPort, problem: CrewProblem, message: ReplanMessage, now: datetime, events: tuple[ReplanMessage, ...]
) -> list[ReplanMessage]:
    """Who of those `events` called off has clocked in for the shift after all by `now` (late, or back after a
    call-off by mistake: it no longer holds), as `clocked_in` events (at their first clock-in, or at the call-off when
    that is later, so that it takes the call-off back: `CANCELS`). For a call-off recorded on the crew board only a
    clock-in after it counts (a person sent home mid-shift stays off: review 163 D1); a detected one (crew_call_offs:
    not clocked in after the start) is taken back by any clock-in from 4 hours before the start (`EARLY_CLOCK_IN`),
    as before, since a punch may reach Plex after the detection. One time-clock read per called-off operator
    scheduled on the shift and due by now (a call-off the evening before has nothing to read yet)."""
    latest: dict[str, ReplanMessage] = {}
    for event in events:
        if event.reason == "call_off" and event.employee_id:
            known = latest.get(event.employee_id)
            latest[event.employee_id] = event if known is None or known.detected_at <= event.detected_at else known
    back = []
    for op in problem.operators:
        starts = [b.start for b in op.blocks if b.shift_code == message.shift and b.work_date == problem.day]
        call_off = latest.get(op.employee_id)
        if call_off is None or not starts:
            continue
        since = min(starts) - EARLY_CLOCK_IN
        if call_off.reported_by is not None:  # recorded on the board: from the call-off on
            since = max(since, call_off.detected_at)
        if since < now:
            entries = port.time_clock_entries(since, now, employee_id=op.employee_id)
            ins = sorted(e.clockin_time for e in entries if e.employee_id == op.employee_id)
            if ins:
                at = max(ins[0], call_off.detected_at)
                back.append(
                    ReplanMessage(
                        reason="clocked_in",
                        day=message.day,
                        shift=message.shift,
                        detected_at=at,
                        employee_id=op.employee_id,
                    )
                )
    return back


def _back_after_all(
    store: AuditStore,
    reads: dict[date, tuple[DayRead, str]],
    back: list[ReplanMessage],
    problem: CrewProblem,
    now: datetime,
) -> None:
    """Records each clock-in after a call-off (`applied_event`, once: the crew board lists the call-off as over,
    "clocked in at 06:25", and its person's seats count as filled again; review 163 D2) and closes the waiting removals
    from Plex of their accepted seats, as an undo's re-plan does (`_removals`): those of the shift's seats
    (`crew.removals.to_supersede`) and those of their seats in the shifts next to it that the call-off ruled out
    (`crew.removals.nearby_of`, in `reads`: the day's and the neighbouring days'; review_s16 #11: a clock-in is never
    sent as a message, so these stayed waiting, and approving one withdrew a valid assignment from Plex). One that
    cannot be written is logged: the next read of the shift finds the clock-in again."""
    for clock_in in back:
        day, employee_id = reads[clock_in.day][0], str(clock_in.employee_id)
        try:
            applied = applied_event(clock_in, now)
            if applied.event_id not in {event.event_id for event in day.applied}:
                append_once(store, applied)
            trigger = clock_in.describe(problem)
            closing = {e.event_id: e for e in to_supersede(day, clock_in.shift, {employee_id})}
            closing |= _nearby_removals(reads, employee_id, clock_in.day, clock_in.shift)
            for removal in closing.values():
                append_once(store, superseded_event(removal, clock_in, now, trigger))
        except AuditError:
            logger.exception("clock-in after a call-off not recorded", employee_id=clock_in.employee_id)


def _release_call_offs(store: AuditStore, back: set[str], message: ReplanMessage, now: datetime) -> None:
    """Lets go the board's call-off claims (`crew.claims`) of those who clocked in after all (or whose call-off a
    `call_off_undone` undid, when the board could not let it go), so that their seats
    of the shift are accepted again (review 155 R3); one that cannot be written is logged, the re-plan goes on (the
    next read of the shift lets it go, or a supervisor undoes it on the board)."""
    claims = SeatClaims(store, lambda: now)
    for employee_id in sorted(back):
        try:
            if claims.release_call_off(employee_id, message.day, message.shift, REPLAN_ACTOR) is not None:
                logger.info("call-off let go", after=message.reason, employee_id=employee_id, shift=message.shift)
        except (AuditError, ClaimBusyError):
            logger.exception("call-off claim not let go", employee_id=employee_id, shift=message.shift)


def shifts_between(
    shifts: list[Any], zone: ZoneInfo, begin: datetime, end: datetime, *, running: bool = False
) -> list[tuple[date, str, datetime]]:
    """(work date, shift code, start) of each shift instance that starts in [begin, end), or with `running`
    also each that started before `begin` and has not ended by then."""
    from plexlabor.crew.build import shift_instances

    first, last = begin.astimezone(zone).date() - timedelta(days=1), end.astimezone(zone).date()
    instances = shift_instances(shifts, first, last, zone)
    return [
        (i.work_date, i.shift.shift_code, i.start)
        for i in instances
        if i.start < end and (begin <= i.start or (running and i.end > begin))
    ]


def _hold_detected(
    claims: SeatClaims, message: ReplanMessage, block: tuple[datetime, datetime] | None
) -> Release | Claim:
    """The claim of a call-off crew_call_offs detected: the one the crew board takes for a call-off it records
    (`SeatClaims.call_off`), by `DETECTOR`, on the person's Plex block of the shift (`block`). So from its detection
    the board lists it "re-plan pending" and offers the person for no seat of the shift, an approval of their seat
    there or of one next to it is refused until its re-plan (`SeatClaims.seat`), and their clock-in after it lets it
    go (`_release_call_offs`); until 2026-12-06 only its re-plan's `applied` event said anything. A `Claim`: the
    call-off of the shift that holds already (recorded on the board, or sent by an earlier try of this run:
    `_sent_before`), so it is not sent again. A claim the table does not take (unreachable, busy) is logged and the
    call-off sent unclaimed: its re-plan still takes the person off, and a call-off not sent is never detected
    again."""
    try:
        return claims.call_off(
            str(message.employee_id), message.day, message.shift, None, DETECTOR, message.detected_at, block
        )
    except ClaimRefusedError as refused:
        return refused.holder
    except (AuditError, ClaimBusyError):
        logger.exception("call-off sent without its claim", employee_id=message.employee_id, shift=message.shift)
        return lambda: True


def _sent_before(holder: Claim, message: ReplanMessage) -> bool:
    """Whether the call-off claim that holds is an earlier try's of this run (the same detection, `detected_at`): it
    sent the call-off (a send that fails lets its claim go), but maybe not all its `call_off_nearby` messages. Those
    are sent again: the replan queue drops one already sent within SQS's 5-minute deduplication window (the id is
    the message body's hash, `platform.sqs`), and the re-plan of one it no longer drops finds no seat of the person
    and skips it (`_no_seat_nearby`)."""
    return holder.by == DETECTOR and holder.at == message.detected_at


class CallOffDetail(BaseModel):
    """crew_call_offs' event detail: `as_of`, the moment it looks from instead of the event's time (the local
    runtime's replay of a generated plant, whose data ends in the past: `docs/local-runtime.md`)."""

    model_config = ConfigDict(extra="forbid")

    as_of: AwareDatetime | None = None


class CallOffEvent(EventBridgeModel):
    detail: CallOffDetail = CallOffDetail()


def detect(deps: CallOffDependencies, request: CallOffEvent) -> dict[str, Any]:
    """Send a `call_off` for every operator scheduled on a shift that started `grace` to `grace + period`
    before the event's time (or its detail's `as_of`) and not clocked in, each held first by its claim
    (`_hold_detected`: none sent for one a call-off of the shift holds already), each followed by a
    `call_off_nearby` for every shift next to it not over (`nearby_shifts`; crew_replan skips one where the person
    holds no seat; sent again for a call-off an earlier try of this run sent, `_sent_before`), then a `refresh` for
    every shift running or starting within `refresh_ahead` (none when it is None); the counts."""
    from plexlabor.crew.build import build_problem, shift_instances

    now = request.detail.as_of or request.time
    port, zone = deps.source.port, ZoneInfo(deps.source.timezone)
    shifts = port.shifts()
    starting = shifts_between(shifts, zone, now - deps.grace - deps.period, now - deps.grace)
    claims = SeatClaims(deps.store, lambda: now)
    sent = sent_nearby = held_already = 0
    for day, code, start in starting:
        problem = build_problem(port, day, code, timezone=deps.source.timezone, operators_only=True)
        clocked_in = {e.employee_id for e in port.time_clock_entries(start - EARLY_CLOCK_IN, now)}
        instances = [
            (i.work_date, i.shift.shift_code, i.start, i.end)
            for i in shift_instances(shifts, day - timedelta(days=1), day + timedelta(days=1), zone)
        ]
        next_to = nearby_shifts(instances, day, code, now)
        blocks = {op.employee_id: op.block_of(day, code) for op in problem.operators}
        for message in call_offs(problem, code, clocked_in, now, deps.grace):
            held = _hold_detected(claims, message, blocks.get(str(message.employee_id)))
            if isinstance(held, Claim):
                held_already += 1
                if not _sent_before(held, message):
                    continue
            else:
                try:
                    deps.sender.send(message)  # first: FIFO, so its re-plan records it before those next to it run
                except Exception:  # not sent, not held: a retry of this run detects it again
                    held()
                    raise
                sent += 1
            for other_day, other in next_to:
                deps.sender.send(nearby(message, other_day, other))
                sent_nearby += 1
    ready = (
        [] if deps.refresh_ahead is None else shifts_between(shifts, zone, now, now + deps.refresh_ahead, running=True)
    )
    for day, code, _ in ready:
        deps.sender.send(ReplanMessage(reason="refresh", day=day, shift=code, detected_at=now))
    summary: dict[str, Any] = {
        "shifts": [f"{day.isoformat()}/{code}" for day, code, _ in starting],
        "call_offs": sent,
        "call_offs_held_already": held_already,
        "call_offs_nearby": sent_nearby,
        "refreshed": [f"{day.isoformat()}/{code}" for day, code, _ in ready],
    }
    logger.info("call-offs detected", **summary)
    metrics.add_metric(name="CrewCallOffsDetected", unit=MetricUnit.Count, value=sent)
    return summary
