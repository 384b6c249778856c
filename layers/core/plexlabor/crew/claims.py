"""Claims on crew seats: held at a decision by a conditional write, so that two decisions at once cannot both hold
what one person (or one seat) holds once. The crew board's swaps and call-offs take them, and so does every approval
of a crew suggestion (the review service's guard, `SeatClaims.hold`).

Why: the board checks a swap against a fresh read of the day, but that read goes through the audit table's status
index, which is eventually consistent (`crew.suggestions`): two swaps of the same person into overlapping seats, or
of the same seat, made within its lag (under a second) both passed, and one person was approved into two seats.

How: each person's claims of a plan day, and each swapped seat's, are a log in the audit table (record
`crew-claims:<day>:<employee>` or `crew-claims:<day>:seat:<item>`; `claim` events, status `claimed`, kind
`crew_claim`), read with strong consistency (`AuditStore.history`). The log's n-th entry has a stable event id, so of
two writers who read the same log only the first appends its n-th entry: the other gets `AuditConflictError` (on
DynamoDB the transaction's `attribute_not_exists` condition on the id's guard item, `audit.dynamodb`), reads the log
again and checks against what the first wrote. That is an optimistic lock written with the store's one conditional
write; a claim that does not hold (the write to Plex could not be queued, the decision was not recorded) is let go by
a `release` entry, the log staying append-only like the rest of the audit.

What is checked: a seat is refused while the person holds another seat of the day that overlaps it, or has called
off its shift; a swapped seat is refused while another swap of it holds; a call-off while one of the same shift
holds. The board lists the call-offs from these entries at once (`call_offs_of`), before crew_replan applies them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from plexlabor.approval.errors import ApprovalError
from plexlabor.approval.recommendations import CREW_ASSIGNMENT
from plexlabor.audit.errors import AuditConflictError
from plexlabor.audit.events import AuditEvent, AuditEventType, AuditStatus, stable_event_id
from plexlabor.audit.store import AuditStore
from plexlabor.crew.suggestions import CLAIM_KIND
from plexlabor.platform.clock import utc_now

ATTEMPTS = 5
"""How often a claim reads its log again after another writer took the entry it meant to write."""
JUST = timedelta(minutes=10)
"""A claim younger than this is said to be "just" made ("was just placed on WLD-03 by ...")."""

What = Literal["seat", "swap", "call_off", "release"]


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
    """The suggestion of the seat held (`seat`), the one swapped in (`swap`), the one let go (`release`; None: the
    call-off of `shift`)."""
    workcenter: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    reason: str | None = None
    """A call-off's `CALL_OFF_REASONS` code."""
    n: int = 0
    """Its place in its log (1, 2, ...)."""

    def overlaps(self, start: datetime, end: datetime) -> bool:
        mine = self.end or self.start
        return self.start is not None and mine is not None and self.start < end and start < mine

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
        )


def _key(claim: Claim) -> tuple[str, str]:
    """What an entry holds (a suggestion's seat, a shift's call-off), and so what a `release` lets go."""
    return ("item", claim.item_id) if claim.item_id else ("off", claim.shift)


def live(entries: Iterable[Claim]) -> list[Claim]:
    """The entries of a log that hold, in the log's order (each `release` lets go the one it names)."""
    held: dict[tuple[str, str], Claim] = {}
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

    def __init__(self, holder: Claim, asked: What, now: datetime) -> None:
        self.holder, self.asked, self.now = holder, asked, now
        super().__init__(self.words(str, lambda moment: f"{moment:%H:%M} UTC"))

    def words(self, who: Callable[[str], str], local: Callable[[datetime], str]) -> str:
        """The reason, people named by `who` and times by `local` (a page's), e.g. "Dana Smith (E00042) was just
        placed on WLD-03 by Pat Lee at 05:41: one person cannot hold both seats"."""
        holder = self.holder
        just = "just " if holder.at >= self.now - JUST else ""
        when = f"{who(holder.by)} at {local(holder.at)}"
        if holder.what == "call_off":
            return f"{who(holder.employee_id)} {just}called off shift {holder.shift} (recorded by {when})"
        if holder.what == "swap":
            return f"this seat was {just}swapped for {who(holder.employee_id)} by {when}"
        seat = f"{local(holder.start)}–{local(holder.end)}" if holder.start and holder.end else f"shift {holder.shift}"
        return (
            f"{who(holder.employee_id)} was {just}placed on {holder.workcenter or 'another seat'} ({seat}) by {when}: "
            "one person cannot hold two seats at the same time"
        )


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


Release = Callable[[], None]


def _nothing() -> None:
    """The release of a claim this decision found already held by itself (a repeated approval): nothing to let go."""


@dataclass
class SeatClaims:
    """The claim logs on an audit store (see the module docstring)."""

    store: AuditStore
    clock: Callable[[], datetime] = utc_now
    """When a claim is let go (a release is written when the decision fails, not at the claim's time)."""
    attempts: int = ATTEMPTS

    def hold(
        self, kind: str, item_id: str, employee_id: str | None, details: Mapping[str, Any], by: str, now: datetime
    ) -> Release:
        """The review service's guard (`review.decisions.ApprovalGuard`): approving a crew assignment holds its
        person's seat (`seat`) and, for a swap made on the board (`details["replaces"]`), the seat it replaces
        (`swap`) first; a seat that has ended is refused (`SeatEndedError`), nothing held; other kinds hold
        nothing."""
        if kind != CREW_ASSIGNMENT or not employee_id or not details.get("plan_day") or not details.get("start"):
            return _nothing
        day, shift = date.fromisoformat(str(details["plan_day"])), str(details.get("shift_code"))
        start = datetime.fromisoformat(str(details["start"]))
        end = (
            datetime.fromisoformat(str(details["end"]))
            if details.get("end")
            else start + timedelta(hours=float(details.get("hours") or 0.0))
        )
        if end <= now:
            raise SeatEndedError(end, now)
        held: list[Release] = []
        try:
            if replaced := details.get("replaces"):
                held.append(self.swap(str(replaced), employee_id, day, shift, item_id, by, now))
            workcenter = details.get("workcenter_code")
            held.append(self.seat(employee_id, day, shift, item_id, workcenter, start, end, by, now))
        except BaseException:
            for release in reversed(held):
                release()
            raise

        def release_all() -> None:
            for release in reversed(held):
                release()

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
    ) -> Release:
        """Holds `employee_id` for the seat of suggestion `item_id` (`start`–`end`), unless they hold another seat
        overlapping it, of this plan day or of the days before and after (a night shift's seat and the next day's
        first), or called off `shift` (`ClaimRefusedError`); the release lets it go. The neighbouring days' logs are
        read, not written: two seats of two plan days claimed at the same moment are not held against each other."""
        wanted = Claim("seat", employee_id, day, shift, by, now, item_id, workcenter, start, end)
        for next_to in (day - timedelta(days=1), day + timedelta(days=1)):
            held = live(self._entries(person_log(next_to, employee_id)))
            if found := next((c for c in held if c.what == "seat" and c.overlaps(start, end)), None):
                raise ClaimRefusedError(found, "seat", now)

        def holder(held: list[Claim]) -> Claim | None:
            return next(
                (
                    c
                    for c in held
                    if (c.what == "call_off" and c.shift == shift) or (c.what == "seat" and c.overlaps(start, end))
                ),
                None,
            )

        return self._hold(person_log(day, employee_id), wanted, holder)

    def swap(
        self, seat_item: str, employee_id: str, day: date, shift: str, item_id: str, by: str, now: datetime
    ) -> Release:
        """Holds the seat of suggestion `seat_item` for the swap that puts `employee_id` there (suggestion `item_id`),
        unless another swap of it holds (`ClaimRefusedError`)."""
        wanted = Claim("swap", employee_id, day, shift, by, now, item_id)
        return self._hold(seat_log(day, seat_item), wanted, lambda held: next(iter(held), None))

    def call_off(self, employee_id: str, day: date, shift: str, reason: str | None, by: str, now: datetime) -> Release:
        """Holds `employee_id` off `shift` (a call-off recorded on the board), unless a call-off of it holds."""
        wanted = Claim("call_off", employee_id, day, shift, by, now, reason=reason)

        def holder(held: list[Claim]) -> Claim | None:
            return next((c for c in held if c.what == "call_off" and c.shift == shift), None)

        return self._hold(person_log(day, employee_id), wanted, holder)

    def _hold(self, record: str, wanted: Claim, holder: Callable[[list[Claim]], Claim | None]) -> Release:
        """Appends `wanted` to the log `record` unless it holds already (the same entry: a repeated decision) or
        `holder` finds what holds instead; read again and checked again when another writer took the entry."""
        for _ in range(self.attempts):
            entries = self._entries(record)
            held = live(entries)
            if wanted.what != "call_off" and any(_key(c) == _key(wanted) and c.what == wanted.what for c in held):
                return _nothing
            if (found := holder(held)) is not None:
                raise ClaimRefusedError(found, wanted.what, wanted.at)
            if self._append(record, wanted, len(entries) + 1):
                return lambda: self._release(record, wanted)
        raise ClaimBusyError("too many decisions at once about this person or seat: nothing was held, try again")

    def _release(self, record: str, claim: Claim) -> None:
        """Lets `claim` go: a `release` entry naming it, appended as any other."""
        let_go = Claim("release", claim.employee_id, claim.day, claim.shift, claim.by, self.clock(), claim.item_id)
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
