"""The crew suggestions of a day as the audit table holds them, and how each was closed: one reader for
crew_replan's current plan (`replanning.current_plan`) and the crew board (`webapp.crewboard`).
Imports the audit model (and a kind's name from `approval.recommendations`) only, so the web app loads neither NumPy
nor SciPy through it.

`read_day` reads a day whole: five status-index queries (the two opening statuses, the three closing
ones) from `PLAN_LOOKBACK` before the day, and keeps of the closings those of the day's crew suggestions only
(the indexes hold every kind's: the punch findings and certifications decided in those days); crew_replan's reads
a sixth, `applied` (the events re-plans applied to the day's shifts, `replanning.applied_event`), as the crew
board's does (it lists the call-offs among them), and the board's a seventh, `claimed` (`crew.claims`: the
call-offs recorded on the board, listed before a re-plan applies them); once a removal from Plex of the day is
approved, three more (`written`, `write_failed`, `reverted`: what became of its write, `crew.removals`). `DayReader`
keeps each day's read per container and then reads only what is new, as the review queue does
(`plexlabor.review.queue`): each status index from the previous read's start less `overlap` (the index's
eventual consistency, a writer whose event became visible a little after its `occurred_at`); events read twice
are the same event id and count once.
Every `refresh` the day is read whole again, so whatever the overlap missed is right again within that
time. On DynamoDB a catch-up is five (six) queries of a few events each instead of the day's thousand
suggestions (a 2,400-person plant's shift); on the local runtime's moto, which sorts the whole table for
every query, five (six) queries of about 0.1 s CPU each. What was written within `overlap` before the
previous read is read again: a catch-up within two minutes of a plan's publishing reads that plan again,
on moto about as long as a whole read (`docs/crew.md`, "Re-planning on events").
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from plexlabor.approval.recommendations import CREW_REMOVAL
from plexlabor.audit.events import AuditEvent, AuditEventType, AuditStatus
from plexlabor.audit.paging import read_to_end
from plexlabor.audit.store import AuditStore

logger = logging.getLogger(__name__)

REPLAN_ACTOR = "crew_replan"
"""Who records a re-plan's suggestions, and closes those it superseded, in the audit trail."""
CREW_KINDS = ("crew_assignment", "crew_unstaffed")
"""The kinds of a crew plan's suggestions: an assignment, a seat that stays empty."""
PLAN_HORIZON_DAYS = 7
"""How many days after the day it runs crew_planner plans at most (`service.CrewPlannerDetail`): its suggestions
are published then, and a day's read looks for them no earlier than `PLAN_LOOKBACK` before the day."""
PLAN_LOOKBACK = timedelta(days=PLAN_HORIZON_DAYS + 1)
"""How far before the planned day its suggestions are looked for: the farthest plan is published `PLAN_HORIZON_DAYS`
before its day, and a plant's local date may be a day ahead of UTC's. Before, 3 days: a plan made 4 days ahead was
invisible to the crew board and to re-plans, which then planned the shift from nothing."""
READ_LIMIT = 50_000
"""Events per status-index page (a shift of a 2,400-person plant has about 1,000 assignments; a status index holds
every kind's events, of every day, from `PLAN_LOOKBACK` before the day on)."""
READ_PAGES = 20
"""At most this many pages per status read (a million events); a read cut there logs an error (`read_status`)."""
CLOSING = (AuditStatus.APPROVED, AuditStatus.REJECTED, AuditStatus.EXPIRED)
"""The statuses that close a suggestion, in the order one wins over another (approved first)."""
OPENING = (AuditStatus.PENDING_APPROVAL, AuditStatus.LOGGED)
REPLAN_KIND = "crew_replan"
"""The kind of a re-plan's `applied` event (`replanning.applied_event`)."""
REMOVAL_WRITES = (AuditStatus.WRITTEN, AuditStatus.WRITE_FAILED, AuditStatus.REVERTED)
"""The statuses of what plex_writeback (and a revert) did with an approved removal (`crew.removals.Removal.state`)."""
CLAIM_KIND = "crew_claim"
"""The kind of a claim event (`crew.claims`; defined here, as this module imports the audit model only)."""


@dataclass(frozen=True)
class DayRead:
    """A day's crew suggestions (oldest first), the event that closed each, by the suggestion's id, and (when
    read) the events re-plans applied to the day's shifts (`applied` events, oldest first)."""

    openings: list[AuditEvent]
    closed: dict[str, AuditEvent]
    applied: list[AuditEvent] = field(default_factory=list)
    claims: list[AuditEvent] = field(default_factory=list)
    """The crew board's read: the day's claims (`crew.claims`): the call-offs among them are recorded at once, before
    any re-plan applies them."""
    removals: list[AuditEvent] = field(default_factory=list)
    """The removals from Plex of accepted seats whose person called off (`crew.removals`; read by the opening queries,
    their closings in `closed`), oldest first."""
    removal_writes: list[AuditEvent] = field(default_factory=list)
    """What plex_writeback did with the approved removals (their `writeback`, `writeback_failed` and `revert` events),
    oldest first: read (three more status-index queries) only once a removal of the day is approved."""


@dataclass(frozen=True)
class Commitment:
    """A seat plexlabor suggested to a person (still open) or a supervisor accepted: work a plan of another shift
    counts for the day-hours and rest limits (`stretches.with_commitments`)."""

    employee_id: str
    work_date: date
    shift_code: str
    start: float  # epoch seconds
    end: float
    outside_hours: float


def seat_end(payload: Mapping[str, Any]) -> datetime:
    """When a crew suggestion's seat ends: its `end`, else its `start` plus its `hours`."""
    if payload.get("end"):
        return datetime.fromisoformat(str(payload["end"]))
    return datetime.fromisoformat(str(payload["start"])) + timedelta(hours=float(payload.get("hours") or 0.0))


def commitments(read: DayRead, day: date, skip_shifts: Collection[str] = ()) -> list[Commitment]:
    """The day's crew assignments still open or accepted (not rejected, not superseded or expired), of the shifts
    other than `skip_shifts`."""
    found = []
    for event in read.openings:
        payload = event.payload
        closing = read.closed.get(event.event_id)
        if (
            payload.get("kind") != CREW_KINDS[0]
            or not event.employee_id
            or payload.get("shift_code") in skip_shifts
            or not payload.get("start")
            or not payload.get("end")
            or (closing is not None and closing.status is not AuditStatus.APPROVED)
        ):
            continue
        found.append(
            Commitment(
                event.employee_id,
                day,
                str(payload.get("shift_code")),
                datetime.fromisoformat(str(payload["start"])).timestamp(),
                datetime.fromisoformat(str(payload["end"])).timestamp(),
                float(payload.get("outside_hours") or 0.0),
            )
        )
    return found


@dataclass(frozen=True)
class DayState:
    """What a `DayReader` knows of a day: where its next read starts, when it last read the day whole, and the
    read (another container starts from it: `seed`, `crew.snapshots`)."""

    since: datetime
    full_at: datetime
    read: DayRead


def day_since(day: date) -> datetime:
    """From when a day's suggestions are looked for."""
    return datetime.combine(day, datetime.min.time(), UTC) - PLAN_LOOKBACK


def read_status(store: AuditStore, status: AuditStatus, since: datetime) -> list[AuditEvent]:
    """Every event of `status` from `since` on, oldest first, read to the end (`audit.paging.read_to_end`, pages of
    `READ_LIMIT`); at most `READ_PAGES` pages, an error logged when cut. One page was the whole read until 2026-12-06:
    past `READ_LIMIT` it dropped the newest events, today's and tomorrow's plans."""
    pages = read_to_end(lambda start, size: store.by_status(status, start, size), since, READ_LIMIT, READ_PAGES)
    if not pages.complete:
        logger.error(
            "crew suggestions: %s events read from %s up to %s only, not to the end (%d pages)",
            AuditStatus(status).value,
            since.isoformat(),
            (pages.stopped_at or since).isoformat(),
            READ_PAGES,
        )
    return pages.events


def read_day(store: AuditStore, day: date, since: datetime | None = None) -> DayRead:
    """The day's crew suggestions and their closings, read whole (five status indexes, each to the end) from `since`
    (default: `PLAN_LOOKBACK` before the day)."""
    kept = _Kept(datetime.min.replace(tzinfo=UTC))
    kept.add(_Statuses(store, since or day_since(day)), day)
    return kept.read()


@dataclass
class _Statuses:
    """Each status index read once from `since` (`read_status`), whatever number of days takes its events: the days
    a `DayReader.read_days` reads together share one read of each index (a day's events are among those of every
    status read from before it), instead of one per day."""

    store: AuditStore
    since: datetime
    found: dict[AuditStatus, list[AuditEvent]] = field(default_factory=dict)

    def __call__(self, status: AuditStatus) -> list[AuditEvent]:
        if status not in self.found:
            self.found[status] = read_status(self.store, status, self.since)
        return self.found[status]


def _of_day(
    events: Iterable[AuditEvent], day: date, kinds: Collection[str], event_type: AuditEventType
) -> Iterator[AuditEvent]:
    for event in events:
        payload = event.payload
        if (
            event.event_type is event_type
            and payload.get("kind") in kinds
            and payload.get("plan_day") == day.isoformat()
        ):
            yield event


def _close(closed: dict[str, AuditEvent], events: Iterable[AuditEvent]) -> None:
    """Adds the closing events (decisions, expiries) to `closed`, the stronger status winning."""
    for event in events:
        if not event.finding_id or event.event_type is AuditEventType.RECOMMENDATION:
            continue
        known = closed.get(event.finding_id)
        if known is None or CLOSING.index(event.status) < CLOSING.index(known.status):
            closed[event.finding_id] = event


@dataclass
class _Kept:
    """One day's suggestions and closings read so far, and where each status index's next read starts."""

    full_at: datetime
    with_applied: bool = False
    """Whether the re-plans' `applied` events are read too (a sixth query)."""
    openings: dict[str, AuditEvent] = field(default_factory=dict)
    closed: dict[str, AuditEvent] = field(default_factory=dict)
    applied: dict[str, AuditEvent] = field(default_factory=dict)
    with_claims: bool = False
    """Whether the call-offs' claims are read too (the crew board's seventh query)."""
    claims: dict[str, AuditEvent] = field(default_factory=dict)
    removals: dict[str, AuditEvent] = field(default_factory=dict)
    removal_writes: dict[str, AuditEvent] = field(default_factory=dict)

    def add(self, statuses: _Statuses, day: date) -> None:
        """Reads each status index (`statuses`: from where they start; closings first: a suggestion read is never
        newer than its closing's read) and adds what it finds: the day's crew suggestions, and of the closings (the
        indexes hold every kind's, of every day) only theirs."""
        closings = [event for status in CLOSING for event in statuses(status)]
        for status in OPENING:
            for event in _of_day(
                statuses(status),
                day,
                (*CREW_KINDS, CREW_REMOVAL),
                AuditEventType.RECOMMENDATION,
            ):
                kept = self.removals if event.payload.get("kind") == CREW_REMOVAL else self.openings
                kept[event.event_id] = event
        _close(self.closed, (e for e in closings if e.finding_id in self.openings or e.finding_id in self.removals))
        if any((c := self.closed.get(r)) is not None and c.status is AuditStatus.APPROVED for r in self.removals):
            for status in REMOVAL_WRITES:
                for event in statuses(status):
                    if event.finding_id in self.removals:
                        self.removal_writes[event.event_id] = event
        if self.with_applied:
            for event in _of_day(statuses(AuditStatus.APPLIED), day, (REPLAN_KIND,), AuditEventType.REPLAN):
                self.applied[event.event_id] = event
        if self.with_claims:
            for event in _of_day(statuses(AuditStatus.CLAIMED), day, (CLAIM_KIND,), AuditEventType.CLAIM):
                self.claims[event.event_id] = event

    def read(self) -> DayRead:
        def oldest_first(events: dict[str, AuditEvent]) -> list[AuditEvent]:
            return sorted(events.values(), key=lambda e: e.index_sk)

        return DayRead(
            oldest_first(self.openings),
            dict(self.closed),
            oldest_first(self.applied),
            oldest_first(self.claims),
            oldest_first(self.removals),
            oldest_first(self.removal_writes),
        )


@dataclass
class DayReader:
    """Each day's crew suggestions, read whole once and then caught up (see the module docstring). Safe to
    share between threads: one read at a time."""

    store: AuditStore
    refresh: timedelta = timedelta(minutes=5)
    """The day is read whole again this long after its last whole read."""
    overlap: timedelta = timedelta(minutes=2)
    """Each catch-up starts this long before the previous read did."""
    applied: bool = False
    """Whether the re-plans' `applied` events are read too (crew_replan's reader and the crew board's)."""
    claims: bool = False
    """Whether the call-offs recorded on the crew board are read too (the board's reader: `crew.claims`)."""
    _kept: dict[date, tuple[datetime, _Kept]] = field(default_factory=dict, init=False, repr=False)
    """Per day: where its next read starts, and what was read."""
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def read(self, day: date, now: datetime, *, whole_if_due_by: datetime | None = None) -> DayRead:
        """The day as the audit table holds it at `now`: a catch-up, or a whole read when one is due by
        `whole_if_due_by` (default `now`; crew_replan's refresh reads whole ahead of need)."""
        return self.read_days((day,), now, whole_if_due_by=whole_if_due_by)[day]

    def read_days(
        self, days: Iterable[date], now: datetime, *, whole_if_due_by: datetime | None = None
    ) -> dict[date, DayRead]:
        """Each of `days` as `read` reads it, the days read whole sharing one read of each status index (from the
        earliest day's start) and the days caught up another (from the earliest catch-up's start): a re-plan reads
        its day and the days before and after, which read alone read every status index three times, each time
        with the same events (issue 16: on the local runtime 2/3 of a cold container's first re-plan)."""
        with self._lock:
            planned: dict[date, tuple[bool, datetime, _Kept]] = {}
            for day in days:
                kept = self._kept.get(day)
                if kept is None or self._whole_due(kept[1], whole_if_due_by or now):
                    fresh = _Kept(full_at=now, with_applied=self.applied, with_claims=self.claims)
                    planned[day] = (True, day_since(day), fresh)
                else:
                    planned[day] = (False, *kept)
            for whole in (True, False):
                together = {day: (since, found) for day, (w, since, found) in planned.items() if w is whole}
                if together:
                    statuses = _Statuses(self.store, min(since for since, _ in together.values()))
                    for day, (_, found) in together.items():
                        found.add(statuses, day)
            for day, (_, _, found) in planned.items():
                self._kept[day] = (now - self.overlap, found)
            return {day: found.read() for day, (_, _, found) in planned.items()}

    def whole_due(self, day: date, at: datetime) -> bool:
        """Whether a read at `at` would read the day whole."""
        with self._lock:
            kept = self._kept.get(day)
            return kept is None or self._whole_due(kept[1], at)

    def state(self, day: date) -> DayState | None:
        """What is kept of the day, None when it was never read."""
        with self._lock:
            kept = self._kept.get(day)
            return None if kept is None else DayState(kept[0], kept[1].full_at, kept[1].read())

    def seed(self, day: date, state: DayState, at: datetime) -> bool:
        """Starts the day from `state` (another container's read), so the next read only catches up: unless the
        day is kept already, or a read at `at` would read it whole anyway. Whether it was taken."""
        with self._lock:
            found = _Kept(
                state.full_at,
                self.applied,
                {e.event_id: e for e in state.read.openings},
                dict(state.read.closed),
                {e.event_id: e for e in state.read.applied},
                self.claims,
                {e.event_id: e for e in state.read.claims},
                {e.event_id: e for e in state.read.removals},
                {e.event_id: e for e in state.read.removal_writes},
            )
            if day in self._kept or self._whole_due(found, at):
                return False
            self._kept[day] = (state.since, found)
            return True

    def keep_only(self, days: Collection[date]) -> None:
        """Drops what was read of every day not in `days` (the crew board keeps the few days last asked for)."""
        with self._lock:
            for old in [d for d in self._kept if d not in days]:
                del self._kept[old]

    def forget_before(self, day: date) -> None:
        """Drops what was read of the days before `day` (a container lives for days; a day's read is kept)."""
        with self._lock:
            for old in [d for d in self._kept if d < day]:
                del self._kept[old]

    def _whole_due(self, kept: _Kept, at: datetime) -> bool:
        return at - kept.full_at >= self.refresh
