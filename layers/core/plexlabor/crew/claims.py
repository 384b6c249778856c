"""Claims on crew seats: held at a decision by a conditional write, so that two decisions at once cannot both hold
what one person (or one seat) holds once. The crew board's swaps and call-offs take them, and so does every approval
of a crew suggestion (the review service's guard, `SeatClaims.hold`).

Why: the board checks a swap against a fresh read of the day, but that read goes through the audit table's status
index, which is eventually consistent (`crew.suggestions`): two swaps of the same person into overlapping seats, or
of the same seat, made within its lag (under a second) both passed, and one person was approved into two seats.

How: each person's claims of a plan day, and each accepted or swapped seat's, are a log in the audit table (record
`crew-claims:<day>:<employee>` or `crew-claims:<day>:seat:<item>`; `claim` events, status `claimed`, kind
`crew_claim`), read with strong consistency (`AuditStore.history`). The log's n-th entry has a stable event id, so of
two writers who read the same log only the first appends its n-th entry: the other gets `AuditConflictError` (on
DynamoDB the transaction's `attribute_not_exists` condition on the id's guard item, `audit.dynamodb`), reads the log
again and checks against what the first wrote. That is an optimistic lock written with the store's one conditional
write; a claim that does not hold (the write to Plex could not be queued, the decision was not recorded) is let go by
a `release` entry, the log staying append-only like the rest of the audit.

Each entry is owned by the decision that wrote it (`Claim.token`, one per `SeatClaims.hold`): a release lets go
only its own decision's entry, and entries of the same suggestion never refuse each other (two approvals of one seat
at once both hold theirs; if one fails, the other's still holds: review 155 R2).

What is checked: a seat is refused while the person holds another seat of the day that overlaps it, or has called off
its shift; every approval also holds its seat's own log (`accept`), so a seat is not accepted while a swap of it holds,
nor swapped while an acceptance or another swap of it holds (review 155 R1); a re-plan holds the same log before it
closes a suggestion it dropped (`supersede`), so of that closing and an approval at the same moment one is refused
(review_s14 L3; a swap does not refuse that closing, and a swap under way is refused once it finds it: review_close_s15
#5); a call-off while one of the same shift holds. The board lists the call-offs from these entries at once
(`call_offs_of`), before crew_replan applies them; a call-off is let go when the supervisor undoes it on the board or
the person clocks in after all (`release_call_off`), an approved seat's entries once its assignment was removed from
Plex (`release_seat`, by crew_replan). A seat let go so whose removal was reverted since (the assignment back in Plex)
holds its person again: `seat` refuses an overlapping seat for it (`removals.back_in_plex`; review_s13 L5: until
2026-12-06 the person could be accepted in an overlapping seat while Plex held the reverted assignment).

A release that cannot be written (the store unreachable) is logged, not raised (the decision's own error is what the
page shows), and an approval's entry older than `GRACE` whose suggestion has no approval recorded is ignored
(`SeatClaims.stands`), so a lost release does not hold a person for good (review 155 R4).
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from plexlabor.approval.errors import ApprovalError
from plexlabor.approval.recommendations import CREW_ASSIGNMENT
from plexlabor.audit.errors import AuditConflictError, AuditError
from plexlabor.audit.events import AuditEvent, AuditEventType, AuditStatus, stable_event_id
from plexlabor.audit.store import AuditStore
from plexlabor.crew.messages import CALL_OFF_REASONS, DETECTOR, DROPPED, NEARBY_REASONS, OFF_REASONS, PLEX_BLOCK
from plexlabor.crew.removals import back_in_plex
from plexlabor.crew.suggestions import CLAIM_KIND, seat_end
from plexlabor.platform.clock import utc_now

ATTEMPTS = 5
"""How often a claim reads its log again after another writer took the entry it meant to write."""
JUST = timedelta(minutes=10)
"""A claim younger than this is said to be "just" made ("was just placed on WLD-03 by ...")."""
TOUCHING = timedelta(seconds=1)
"""Two times this close count as one: a seat that starts as a called-off shift ends extends it (`next_to`)."""
GRACE = timedelta(minutes=2)
"""How long an approval's entry holds without its approval recorded: longer than an approval takes from its claim to
its `decision` event (a write queued, one append), so only an entry whose release was lost is ignored after it."""

logger = logging.getLogger(__name__)

What = Literal["seat", "accept", "swap", "call_off", "supersede", "release"]


@dataclass(frozen=True)
class Claim:
    """One entry of a claim log."""

    what: What
    employee_id: str
    """The person held (a seat, a call-off) or swapped in (a swap)."""
    day: date
    shift: str
    by: str
    at: datetime
    item_id: str | None = None
    """The suggestion of the seat held (`seat`, `accept`), the one swapped in (`swap`), the one let go (`release`;
    None: the call-off of `shift`)."""
    workcenter: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    reason: str | None = None
    """A call-off's `CALL_OFF_REASONS` code."""
    n: int = 0
    """Its place in its log (1, 2, ...)."""
    token: str | None = None
    """The decision that holds it (one per `SeatClaims.hold`; a `release` names the one it lets go)."""
    replaced_after: str | None = None
    """A `supersede`'s event, in the re-plan's words ("a call-off of E01234")."""
    instead: tuple[str, ...] = ()
    """A `supersede`'s people the re-plan suggested for the seat in its place."""
    kept: tuple[str, ...] = ()
    """A `supersede`'s swap choices the re-plan kept in the seat in its place (their item ids: chosen on the board to
    replace the suggestion, not finished): their approval is not refused by it (`SeatClaims.hold`)."""

    def overlaps(self, start: datetime, end: datetime) -> bool:
        mine = self.end or self.start
        return self.start is not None and mine is not None and self.start < end and start < mine

    def rules_out(self, day: date, shift: str, start: datetime, end: datetime, *, overtime: bool = True) -> bool:
        """Whether this call-off may rule out a seat of another shift (`shift` of `day`, `start`–`end`; `overtime`:
        it has hours outside its person's scheduled shifts) until the re-plan of that shift decides
        (`next_to_call_off`, on the span the call-off keeps, its `start`–`end`)."""
        if self.what != "call_off" or self.start is None or self.end is None:
            return False
        off = (self.day, self.shift, self.start, self.end, self.at)
        return next_to_call_off(off, day, shift, start, end, overtime=overtime) is not None

    def payload(self) -> dict[str, Any]:
        return {
            "kind": CLAIM_KIND,
            "claim": self.what,
            "plan_day": self.day.isoformat(),
            "shift_code": self.shift,
            "n": self.n,
            **{
                key: value
                for key, value in (
                    ("item_id", self.item_id),
                    ("workcenter_code", self.workcenter),
                    ("start", self.start and self.start.isoformat()),
                    ("end", self.end and self.end.isoformat()),
                    ("call_off_reason", self.reason),
                    ("token", self.token),
                    ("replaced_after", self.replaced_after),
                    ("instead", list(self.instead) or None),
                    ("kept_choices", list(self.kept) or None),
                )
                if value is not None
            },
        }

    @classmethod
    def of(cls, event: AuditEvent) -> Claim:
        payload = event.payload

        def moment(key: str) -> datetime | None:
            return datetime.fromisoformat(str(payload[key])) if payload.get(key) else None

        return cls(
            what=payload["claim"],
            employee_id=str(event.employee_id),
            day=date.fromisoformat(str(payload["plan_day"])),
            shift=str(payload["shift_code"]),
            by=event.actor,
            at=event.occurred_at,
            item_id=payload.get("item_id"),
            workcenter=payload.get("workcenter_code"),
            start=moment("start"),
            end=moment("end"),
            reason=payload.get("call_off_reason"),
            n=int(payload.get("n") or 0),
            token=payload.get("token"),
            replaced_after=payload.get("replaced_after"),
            instead=tuple(payload.get("instead") or ()),
            kept=tuple(payload.get("kept_choices") or ()),
        )


def next_to(start: datetime, end: datetime, off_start: datetime, off_end: datetime) -> str | None:
    """How a seat (`start`–`end`) lies against a shift called off (`off_start`–`off_end`), in the words of the board and
    of a removal's note (`stretches.ruled_out`): it "starts as that shift ends", "ends as that shift starts" or
    "overlaps that shift"; None: apart."""
    if start > off_end + TOUCHING or off_start - TOUCHING > end:
        return None
    if start >= off_end - TOUCHING:
        return "starts as that shift ends"
    if end <= off_start + TOUCHING:
        return "ends as that shift starts"
    return "overlaps that shift"


CalledOffSpan = tuple[date, str, datetime, datetime, datetime]
"""A call-off as the board has it: the work date and code of the shift called off, its person's Plex block of that
shift where known (`plex_block`, `Board.next_to`), else the shift's start and end on the board (`Board.span`), and
when it was called off."""


def next_to_call_off(
    off: CalledOffSpan, day: date, shift: str, start: datetime, end: datetime, *, overtime: bool
) -> str | None:
    """How a seat of `shift` of `day` (`start`–`end`) lies against a call-off (`off`) of another shift that may rule
    its person out of it (`next_to`'s words), or None: it does not. The one rule of the claims and the crew board
    (`Board.next_to`): the seat has hours outside its person's scheduled shifts (`overtime`: within one of them it
    stands), overlaps or touches the shift called off and is not over by the call-off. On the person's Plex block of
    that shift, which crew_replan's `stretches.with_call_offs` decides on, once known (a detected call-off's claim, or
    the re-plan of the shift called off: `plex_block`); until then on the board's span of it. It holds only until a
    re-plan of the seat's shift decided on the call-off (`replanned_with`); that re-plan closed the seat
    if the call-off rules it out, and kept it if not (lead 5 of review_s16: a person whose block ends before the shift
    does kept a seat starting as the shift ends, yet its Accept was refused until the call-off was undone)."""
    off_day, off_shift, off_start, off_end, at = off
    if (off_day, off_shift) == (day, shift) or not overtime or end <= at:
        return None
    return next_to(start, end, off_start, off_end)


def replanned_with(
    replans: Iterable[AuditEvent], off_replans: Iterable[AuditEvent], off: tuple[str, date, str], moment: datetime
) -> bool:
    """Whether a re-plan of a seat's shift (`replans`: its record's events) decided on the call-off `off` (employee
    id, day and code of the shift called off) made at `moment`: that call-off's own `call_off_nearby` applied there,
    or a re-plan there that began after the called-off shift's re-plan applied it (`off_replans`: that shift's
    record), as crew_replan reads the other shifts' call-offs from their applied events
    (`replanning._called_off_elsewhere`). A re-plan of the seat's shift queued ahead of the call-off and run since
    did not see it (review2_s16 #1: until 2026-12-06 it ended "re-plan pending" and the seat could be accepted)."""
    employee_id, off_day, off_shift = off
    later = [e for e in _applied(replans) if e.occurred_at > moment]
    nearby = {"replan_reason": NEARBY_REASONS[0], "replan_off_day": off_day.isoformat(), "replan_off_shift": off_shift}
    if any(e.employee_id == employee_id and nearby.items() <= e.payload.items() for e in later):
        return True
    own = [
        e.occurred_at
        for e in _applied(off_replans)
        if e.occurred_at >= moment and e.employee_id == employee_id and e.payload.get("replan_reason") in OFF_REASONS
    ]
    return bool(own) and any(e.occurred_at > min(own) for e in later)


def nearby_taken(
    applied: Callable[[date], Iterable[AuditEvent]], employee_id: str, day: date, off_shifts: Collection[str]
) -> dict[tuple[date, str], str]:
    """The shifts, of `day` and the days either side, where a `call_off_nearby` re-plan of `employee_id`'s call-off
    of one of `off_shifts` of `day` was applied (`applied(d)`: the re-plans' applied events of day d, as the board
    reads them; one crew_replan dropped is not), each with the shift called off, the first found: where the call-off
    took a seat of theirs, which the undo of that call-off gives back (`call_off_undone_nearby`). The shifts called
    off are not among them."""
    found: dict[tuple[date, str], str] = {}
    called_off = {(day, shift) for shift in off_shifts}
    for other in (day - timedelta(days=1), day, day + timedelta(days=1)):
        for event in applied(other):
            payload = event.payload
            off_shift = str(payload.get("replan_off_shift"))
            taken = (
                payload.get("replan_reason") == NEARBY_REASONS[0]
                and DROPPED not in payload
                and payload.get("replan_off_day") == day.isoformat()
                and off_shift in off_shifts
                and payload.get("replan_employee_id") == employee_id
            )
            if taken and (other, code := str(payload.get("shift_code"))) not in called_off:
                found.setdefault((other, code), off_shift)
    return found


def plex_block(
    off_replans: Iterable[AuditEvent], employee_id: str, moment: datetime
) -> tuple[datetime, datetime] | None:
    """`employee_id`'s Plex block of the shift they called off at `moment`, as the re-plan of that shift that applied
    the call-off recorded it (`off_replans`: that shift's record; `messages.PLEX_BLOCK`); None: no such re-plan yet,
    or they hold no block there. Until the seat's own re-plan decides, the claims and the board rule its seat out on
    this block, which that re-plan decides on (`stretches.with_call_offs`), not on the board's span of the shift
    (until 2026-12-06 a block ending before the span kept a seat "re-plan pending" that the re-plan then kept, and
    one running past it read "starts as that shift ends" on the board and "overlaps that shift" in its removal)."""
    for event in _applied(off_replans):
        payload = event.payload
        off = event.employee_id == employee_id and payload.get("replan_reason") in OFF_REASONS
        if off and event.occurred_at >= moment and isinstance(found := payload.get(PLEX_BLOCK), list):
            return datetime.fromisoformat(str(found[0])), datetime.fromisoformat(str(found[1]))
    return None


def _applied(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """The re-plans among `events` (a shift's record, `crew-shifts:<day>/<shift>`) that were applied: `replan`
    events, not those crew_replan dropped (`messages.DROPPED`)."""
    return [e for e in events if e.event_type is AuditEventType.REPLAN and DROPPED not in e.payload]


def shift_record(day: date, shift: str) -> str:
    """The audit record of a shift's re-plans (`replanning.applied_event`)."""
    return f"crew-shifts:{day.isoformat()}/{shift}"


def _key(claim: Claim) -> tuple[str, str, str]:
    """What an entry holds (a suggestion's seat for one decision, a shift's call-off), and so what a `release` lets
    go."""
    return ("item", claim.item_id, claim.token or "") if claim.item_id else ("off", claim.shift, "")


def live(entries: Iterable[Claim]) -> list[Claim]:
    """The entries of a log that hold, in the log's order (each `release` lets go the one it names)."""
    held: dict[tuple[str, str, str], Claim] = {}
    for entry in sorted(entries, key=lambda e: e.n):
        if entry.what == "release":
            held.pop(_key(entry), None)
        else:
            held.setdefault(_key(entry), entry)
    return sorted(held.values(), key=lambda e: e.n)


def call_offs_of(events: Iterable[AuditEvent], day: date) -> list[Claim]:
    """The call-offs of `day` that hold, from claim events read in any order (the board's read of the `claimed`
    status), oldest first."""
    logs: dict[str, list[Claim]] = {}
    for event in events:
        payload = event.payload
        of_day = event.event_type is AuditEventType.CLAIM and payload.get("plan_day") == day.isoformat()
        if of_day and payload.get("claim") in ("call_off", "release") and not payload.get("item_id"):
            logs.setdefault(event.record_key, []).append(Claim.of(event))
    return sorted((c for entries in logs.values() for c in live(entries)), key=lambda c: c.at)


class ClaimRefusedError(ApprovalError):
    """What the decision meant to hold is held (`holder`): a 409 saying by whom and since when."""

    http_status = 409

    def __init__(self, holder: Claim, asked: What, now: datetime, wanted: Claim | None = None) -> None:
        self.holder, self.asked, self.now, self.wanted = holder, asked, now, wanted
        super().__init__(self.words(str, lambda moment: f"{moment:%H:%M} UTC"))

    def words(self, who: Callable[[str], str], local: Callable[[datetime], str]) -> str:
        """The reason, people named by `who` and times by `local` (a page's), e.g. "Dana Smith (E00042) was just
        placed on WLD-03 by Pat Lee at 05:41: one person cannot hold both seats"."""
        holder = self.holder
        just = "just " if holder.at >= self.now - JUST else ""
        when = f"{who(holder.by)} at {local(holder.at)}"
        if holder.what == "call_off" and (nearby := self._next_to()):
            return f"{who(holder.employee_id)} called off {nearby}: re-plan pending"
        if holder.what == "call_off" and holder.by == DETECTOR:
            return (
                f"{who(holder.employee_id)} {just}called off shift {holder.shift} (not clocked in after the shift's "
                f"start: detected at {local(holder.at)})"
            )
        if holder.what == "call_off":
            return f"{who(holder.employee_id)} {just}called off shift {holder.shift} (recorded by {when})"
        if holder.what == "swap":
            return f"this seat was {just}swapped for {who(holder.employee_id)} by {when}"
        if holder.what == "accept":
            return f"this seat was {just}accepted for {who(holder.employee_id)} by {when}"
        if holder.what == "supersede":
            instead = ", ".join(who(person) for person in holder.instead) or "nobody new"
            return (
                f"this suggestion was {just}replaced by the re-plan after {holder.replaced_after or 'an event'} at "
                f"{local(holder.at)} ({instead} suggested for the seat instead): it is no longer open to "
                f"{'swap' if self.asked == 'swap' else 'accept'}"
            )
        seat = f"{local(holder.start)}–{local(holder.end)}" if holder.start and holder.end else f"shift {holder.shift}"
        return (
            f"{who(holder.employee_id)} was {just}placed on {holder.workcenter or 'another seat'} ({seat}) by {when}: "
            "one person cannot hold two seats at the same time"
        )

    def _next_to(self) -> str | None:
        """A call-off refusing a seat of another shift next to it (`Claim.rules_out`), in words: "shift 2 (family or
        personal); this seat starts as that shift ends"; None: the seat's own shift, or not a seat."""
        holder, wanted = self.holder, self.wanted
        if wanted is None or not (wanted.start and wanted.end and holder.start and holder.end):
            return None
        if (wanted.day, wanted.shift) == (holder.day, holder.shift):
            return None
        of = "" if holder.day == wanted.day else f" of {holder.day.isoformat()}"
        why = f" ({CALL_OFF_REASONS[holder.reason]})" if holder.reason in CALL_OFF_REASONS else ""
        lies = next_to(wanted.start, wanted.end, holder.start, holder.end) or "is next to it"
        return f"shift {holder.shift}{of}{why}; this seat {lies}"


class SeatEndedError(ClaimRefusedError):
    """The seat's time is over (ux141 #5): an ended seat is not accepted or swapped, so nothing goes to Plex about
    work that is done; a 409 saying when it ended (a `ClaimRefusedError`, so every page that names a holder says this
    instead)."""

    def __init__(self, end: datetime, now: datetime) -> None:
        self.end, self.now = end, now
        ApprovalError.__init__(self, self.words(str, lambda moment: f"{moment:%H:%M} UTC"))

    def words(self, who: Callable[[str], str], local: Callable[[datetime], str]) -> str:
        return (
            f"this seat ended at {local(self.end)}: a seat whose time is over is not accepted or swapped, "
            "and nothing is sent to Plex for it"
        )


class ClaimBusyError(ApprovalError):
    """Other decisions kept writing the same log: nothing was held; try again."""

    http_status = 503


Release = Callable[[], bool]
"""Lets a decision's claim go; whether it was let go (False: the table could not be written, the claim holds)."""


def _nothing() -> None:
    """The release of a decision that held nothing (not a crew seat)."""


@dataclass
class SeatClaims:
    """The claim logs on an audit store (see the module docstring)."""

    store: AuditStore
    clock: Callable[[], datetime] = utc_now
    """When a claim is let go (a release is written when the decision fails, not at the claim's time)."""
    attempts: int = ATTEMPTS
    approved: set[str] = dataclasses.field(default_factory=set)
    """Suggestions found approved (an approval is final: read once). Kept for the container's life (the web app's
    guard): at most the crew seats approved whose claims it read after `GRACE`, a few thousand a day."""
    closed: set[str] = dataclasses.field(default_factory=set)
    """Suggestions found closed by a re-plan (its `expired` event: final too, read once), as `approved`."""

    def hold(
        self, kind: str, item_id: str, employee_id: str | None, details: Mapping[str, Any], by: str, now: datetime
    ) -> Callable[[], None]:
        """The review service's guard (`review.decisions.ApprovalGuard`): approving a crew assignment holds, for this
        decision, the seat it replaces (`swap`, for a swap made on the board: `details["replaces"]`), its own seat
        (`accept`) and its person (`seat`); a seat that has ended is refused (`SeatEndedError`), nothing held; other
        kinds hold nothing. A swap whose replaced suggestion a re-plan superseded once the swap held its seat is
        refused too, all let go (`ClaimRefusedError` naming the re-plan's replacement): its write does not go to Plex
        beside the one the re-plan suggested for that seat (review_close_s15 #5). One the re-plan kept in that seat
        (`Claim.kept`: it read the choice and planned its person there) is approved as any (issue 16: until 2026-12-06
        it was refused all the same, a dead end in the queue)."""
        if kind != CREW_ASSIGNMENT or not employee_id or not details.get("plan_day") or not details.get("start"):
            return _nothing
        day, shift = date.fromisoformat(str(details["plan_day"])), str(details.get("shift_code"))
        start, end = datetime.fromisoformat(str(details["start"])), seat_end(details)
        if end <= now:
            raise SeatEndedError(end, now)
        token = uuid.uuid4().hex
        held: list[Release] = []

        def release_all() -> None:
            for release in reversed(held):
                release()

        try:
            if replaced := details.get("replaces"):
                held.append(self.swap(str(replaced), employee_id, day, shift, item_id, by, now, token))
            held.append(self.accept(employee_id, day, shift, item_id, by, now, token))
            workcenter = details.get("workcenter_code")
            overtime = float(details.get("outside_hours") or 0.0) > 0  # within their scheduled shifts: it stands
            held.append(
                self.seat(employee_id, day, shift, item_id, workcenter, start, end, by, now, token, overtime=overtime)
            )
            closing = self.superseded(day, str(replaced), now) if replaced else None
            if closing is not None and item_id not in closing.kept:
                raise ClaimRefusedError(closing, "swap", now)
        except BaseException:
            release_all()
            raise
        return release_all

    def seat(
        self,
        employee_id: str,
        day: date,
        shift: str,
        item_id: str,
        workcenter: str | None,
        start: datetime,
        end: datetime,
        by: str,
        now: datetime,
        token: str | None = None,
        *,
        overtime: bool = True,
    ) -> Release:
        """Holds `employee_id` for the seat of suggestion `item_id` (`start`–`end`), unless they hold another seat
        overlapping it, of this plan day or of the days before and after (a night shift's seat and the next day's
        first), or called off `shift`, or another shift the seat overlaps or touches (`Claim.rules_out`: the re-plan
        of the seat's shift that the call-off asked for, `call_off_nearby`, has not run yet; ux_s16 #2; only a seat
        with hours outside their scheduled shifts, `overtime`: within one of them it stands, as in the re-plan)
        (`ClaimRefusedError`); the release lets it go. The neighbouring days' logs are
        read, not written: two seats of two plan days claimed at the same moment are not held against each other. A
        seat let go once its assignment left Plex holds again once that removal was reverted (`_back_in_plex`)."""
        wanted = Claim("seat", employee_id, day, shift, by, now, item_id, workcenter, start, end, token=token)

        def other_seat(c: Claim) -> bool:
            return c.what == "seat" and c.item_id != item_id and c.overlaps(start, end)

        records: dict[tuple[date, str], list[AuditEvent]] = {}  # shifts' re-plans, read once, when a call-off is near

        def replans(of: tuple[date, str]) -> list[AuditEvent]:
            if of not in records:
                records[of] = list(self.store.history(shift_record(*of)))
            return records[of]

        def on_block(c: Claim) -> Claim:
            """A call-off of another shift, for a seat with overtime, on its person's Plex block of that shift once
            that shift's re-plan recorded it (`plex_block`), which the refusal's words use too; any other as it is."""
            if c.what != "call_off" or not overtime or (c.day, c.shift) == (day, shift):
                return c
            block = plex_block(replans((c.day, c.shift)), c.employee_id, c.at)
            return c if block is None else dataclasses.replace(c, start=block[0], end=block[1])

        def ruled_out(c: Claim) -> bool:
            if not c.rules_out(day, shift, start, end, overtime=overtime):
                return False
            off = (c.employee_id, c.day, c.shift)
            return not replanned_with(replans((day, shift)), replans((c.day, c.shift)), off, c.at)

        for other_day in (day - timedelta(days=1), day + timedelta(days=1)):  # the day's own log: under its lock
            entries = self._entries(person_log(other_day, employee_id))
            held = [c for c in map(on_block, live(entries)) if self.stands(c, now) and (other_seat(c) or ruled_out(c))]
            if found := next(iter(held), None) or self._back_in_plex(entries, other_seat):
                raise ClaimRefusedError(found, "seat", now, wanted)

        def holder(held: list[Claim]) -> Claim | None:
            own = (c for c in held if (c.what == "call_off" and c.shift == shift) or other_seat(c))
            return next(own, None) or next((c for c in map(on_block, held) if ruled_out(c)), None)

        return self._hold(
            person_log(day, employee_id), wanted, holder, back=lambda entries: self._back_in_plex(entries, other_seat)
        )

    def accept(
        self, employee_id: str, day: date, shift: str, item_id: str, by: str, now: datetime, token: str | None = None
    ) -> Release:
        """Holds the seat of suggestion `item_id` for its approval, unless a swap of that seat holds, or a re-plan's
        closing of it (`supersede`; `ClaimRefusedError`): an approval and a swap of one seat at once do not both go to
        Plex, nor is a suggestion a re-plan replaced approved beside its closing (review_s14 L3)."""
        wanted = Claim("accept", employee_id, day, shift, by, now, item_id, token=token)
        return self._hold(
            seat_log(day, item_id),
            wanted,
            lambda held: next((c for c in held if c.what in ("swap", "supersede")), None),
        )

    def supersede(
        self,
        item_id: str,
        employee_id: str,
        day: date,
        shift: str,
        replaced_after: str,
        instead: Iterable[str],
        by: str,
        now: datetime,
        token: str | None = None,
        kept: Iterable[str] = (),
    ) -> Release:
        """Holds the seat of suggestion `item_id` for a re-plan that closes it (superseded), unless its acceptance
        holds (`ClaimRefusedError`: the approval came first, and the re-plan keeps it); an approval after it is
        refused naming the event and whom the re-plan suggested `instead` (review_s14 L3: until 2026-12-06 both were
        recorded, and the approved assignment went to Plex beside its replacement). `kept`: the swap choices of that
        seat the re-plan kept in its place (their item ids), whose swap it does not refuse. A swap of the seat does not
        refuse it: the swap rejects the suggestion anyway, and a swap still under way is refused once it finds the
        supersede (`hold`); until 2026-12-06 a standing swap refused it and the re-plan left the suggestion to the
        swap, so a swap that then failed left it open beside its replacement, both approvable (review_close_s15 #5)."""
        wanted = Claim(
            "supersede",
            employee_id,
            day,
            shift,
            by,
            now,
            item_id,
            token=token,
            replaced_after=replaced_after,
            instead=tuple(instead),
            kept=tuple(kept),
        )
        return self._hold(
            seat_log(day, item_id), wanted, lambda held: next((c for c in held if c.what == "accept"), None)
        )

    def superseded(self, day: date, item_id: str, now: datetime) -> Claim | None:
        """The re-plan's `supersede` of suggestion `item_id` that holds its seat log (read with strong consistency),
        if any."""
        entries = live(self._entries(seat_log(day, item_id)))
        return next((c for c in entries if c.what == "supersede" and self.stands(c, now)), None)

    def swap(
        self,
        seat_item: str,
        employee_id: str,
        day: date,
        shift: str,
        item_id: str,
        by: str,
        now: datetime,
        token: str | None = None,
    ) -> Release:
        """Holds the seat of suggestion `seat_item` for the swap that puts `employee_id` there (suggestion `item_id`),
        unless its acceptance, another swap of it or a re-plan's closing of it holds (`ClaimRefusedError`): not a
        closing that kept this swap's choice in the seat (`Claim.kept`)."""
        wanted = Claim("swap", employee_id, day, shift, by, now, item_id, token=token)

        def holder(held: list[Claim]) -> Claim | None:
            return next((c for c in held if c.item_id != item_id and item_id not in c.kept), None)

        return self._hold(seat_log(day, seat_item), wanted, holder)

    def call_off(
        self,
        employee_id: str,
        day: date,
        shift: str,
        reason: str | None,
        by: str,
        now: datetime,
        span: tuple[datetime, datetime] | None = None,
    ) -> Release:
        """Holds `employee_id` off `shift` (a call-off recorded on the board), unless a call-off of it holds. `span`:
        the shift's start and end as the board has it, which `seat` refuses the seats of other shifts next to
        (`Claim.rules_out`; None: only the shift's own)."""
        start, end = span or (None, None)
        wanted = Claim("call_off", employee_id, day, shift, by, now, reason=reason, start=start, end=end)

        def holder(held: list[Claim]) -> Claim | None:
            return next((c for c in held if c.what == "call_off" and c.shift == shift), None)

        return self._hold(person_log(day, employee_id), wanted, holder)

    def call_offs_held(self, employee_id: str, day: date) -> list[Claim]:
        """`employee_id`'s call-offs of `day`'s shifts that hold (read with strong consistency)."""
        return [c for c in live(self._entries(person_log(day, employee_id))) if c.what == "call_off"]

    def release_call_off(self, employee_id: str, day: date, shift: str, by: str) -> Claim | None:
        """Lets go `employee_id`'s call-off of `shift` (undone on the board, or they clocked in after all): the
        call-off that held (None: none held, nothing written)."""
        held = next((c for c in self.call_offs_held(employee_id, day) if c.shift == shift), None)
        if held is not None:
            self._release(person_log(day, employee_id), dataclasses.replace(held, by=by))
        return held

    def release_seat(self, employee_id: str, day: date, item_id: str, by: str) -> int:
        """Lets go what the approval of suggestion `item_id` holds (its person's `seat` entry and its seat's `accept`),
        once its assignment was removed from Plex (`crew.removals`); how many entries it let go (0: none held)."""
        count = 0
        for record in (person_log(day, employee_id), seat_log(day, item_id)):
            for held in [c for c in live(self._entries(record)) if c.item_id == item_id and c.what != "release"]:
                self._release(record, dataclasses.replace(held, by=by))
                count += 1
        return count

    def stands(self, claim: Claim, now: datetime) -> bool:
        """Whether a live entry holds at `now`: a call-off does (until it is let go); an approval's entry while it is
        younger than `GRACE` or its suggestion's approval is recorded (read through the finding index: an approval
        is recorded within seconds of its claim, long before `GRACE` is over); a re-plan's `supersede` likewise while
        younger than `GRACE` or once the suggestion's closing is recorded (a re-plan that failed between the two
        does not keep the suggestion from being approved)."""
        if claim.what == "call_off" or claim.item_id is None or claim.at > now - GRACE:
            return True
        if claim.what == "supersede":
            if claim.item_id not in self.closed and any(
                event.event_type is AuditEventType.EXPIRED for event in self.store.for_finding(claim.item_id)
            ):
                self.closed.add(claim.item_id)
            return claim.item_id in self.closed
        if claim.item_id not in self.approved and any(
            event.event_type is AuditEventType.DECISION and event.status is AuditStatus.APPROVED
            for event in self.store.for_finding(claim.item_id)
        ):
            self.approved.add(claim.item_id)
        return claim.item_id in self.approved

    def _back_in_plex(self, entries: list[Claim], wanted: Callable[[Claim], bool]) -> Claim | None:
        """A `wanted` seat entry of a log's `entries` let go whose assignment is back in Plex (its removal reverted:
        `removals.back_in_plex`), which holds its person again (review_s13 L5); looked for in the entries the claim
        read anyway, not under the log's lock: a revert is plant IT's act, hours after the removal, not a decision
        racing this one."""
        holding = live(entries)
        let_go = [c for c in entries if c.what == "seat" and c.item_id and wanted(c) and c not in holding]
        return next((c for c in let_go if back_in_plex(self.store, str(c.item_id))), None)

    def _hold(
        self,
        record: str,
        wanted: Claim,
        holder: Callable[[list[Claim]], Claim | None],
        back: Callable[[list[Claim]], Claim | None] = lambda entries: None,
    ) -> Release:
        """Appends `wanted` to the log `record` unless `holder` finds what holds instead (of what stands:
        `stands`), or `back` does among all the log's entries (a seat let go whose assignment is back in Plex:
        `_back_in_plex`, on the entries read here, not on a read of its own); read again and checked again when
        another writer took the entry."""
        for _ in range(self.attempts):
            entries = self._entries(record)
            live_now = [c for c in live(entries) if self.stands(c, wanted.at)]
            if (found := holder(live_now) or back(entries)) is not None:
                raise ClaimRefusedError(found, wanted.what, wanted.at, wanted)
            if self._append(record, wanted, len(entries) + 1):
                return lambda: self._let_go(record, wanted)
        raise ClaimBusyError("too many decisions at once about this person or seat: nothing was held, try again")

    def _let_go(self, record: str, claim: Claim) -> bool:
        """A decision's release: one that cannot be written is logged, not raised, so the decision's own error is
        what is said (an approval's entry no longer stands after `GRACE`; a call-off is undone on the board).
        Whether it was let go."""
        try:
            self._release(record, claim)
        except (AuditError, ClaimBusyError):
            logger.exception("claim not let go: %s of %s in %s", claim.what, claim.item_id or claim.shift, record)
            return False
        return True

    def _release(self, record: str, claim: Claim) -> None:
        """Lets `claim` go: a `release` entry naming it, appended as any other."""
        let_go = Claim(
            "release",
            claim.employee_id,
            claim.day,
            claim.shift,
            claim.by,
            self.clock(),
            claim.item_id,
            token=claim.token,
        )
        for _ in range(self.attempts):
            if self._append(record, let_go, len(self._entries(record)) + 1):
                return
        raise ClaimBusyError("the claim could not be let go: too many decisions at once about this person or seat")

    def _entries(self, record: str) -> list[Claim]:
        return [Claim.of(e) for e in self.store.history(record) if e.event_type is AuditEventType.CLAIM]

    def _append(self, record: str, claim: Claim, n: int) -> bool:
        """Whether the log's `n`-th entry was written (False: another writer's is there)."""
        numbered = dataclasses.replace(claim, n=n)
        event = AuditEvent(
            record_key=record,
            event_id=stable_event_id(CLAIM_KIND, record, str(n)),
            event_type=AuditEventType.CLAIM,
            status=AuditStatus.CLAIMED,
            occurred_at=claim.at,
            actor=claim.by,
            employee_id=claim.employee_id,
            payload=numbered.payload(),
        )
        try:
            self.store.append(event)
        except AuditConflictError:
            return False
        return True


def person_log(day: date, employee_id: str) -> str:
    return f"crew-claims:{day.isoformat()}:{employee_id}"


def seat_log(day: date, item_id: str) -> str:
    return f"crew-claims:{day.isoformat()}:seat:{item_id}"
