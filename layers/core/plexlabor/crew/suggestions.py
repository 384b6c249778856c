"""The crew suggestions of a day as the audit table holds them, and how each was closed: one reader for
crew_replan's current plan (`replanning.current_plan`) and the crew board (`webapp.crewboard`).
Imports the audit model (and a kind's name from `approval.recommendations`) only, so the web app loads neither NumPy
nor SciPy through it.

`read_day` reads a day whole: the day's crew events (the plan-day index, `AuditStore.by_plan_day`: its suggestions,
removals from Plex, the events re-plans applied to its shifts, `replanning.applied_event`, and the crew board's claims,
`crew.claims`, whenever they were published) and the three closing status indexes (approved, rejected, expired) from the
day's first suggestion on (less `CLOSING_SKEW`), keeping of the closings those of the day's crew suggestions only (the
indexes hold every kind's: the punch findings and certifications decided in those days); once a removal from Plex of
the day is approved, three more (`written`, `write_failed`, `reverted`: what became of its write, `crew.removals`). A
day with no suggestion reads no closing. Until 2026-12-06 a whole read was five to seven status-index queries from
`PLAN_LOOKBACK` before the day, answering every suggestion of every day published in those 8 days (the plans of the
days around it; on DynamoDB, a 7-day plan horizon's 20 shifts of suggestions for one) and dropping all but the day's;
tables deployed before the index give the crew events they hold its key with `index_plan_days` (`plexlabor crew
reindex`). Until then a whole read of a day whose partition holds no plan (no suggestion but a re-plan's) also reads
the day's crew events from the status indexes as before (`_unindexed`; two queries for a day not planned at all), so on
a table updated to the index and not yet reindexed the plans published before the update stay seen (a call-off of a
seated person re-plans instead of "no seat", review_close_s15 #1); a day planned since reads its partition only.
Once the index holds every crew event such a read could find, a marker in the audit table says so (`mark_indexed`: an
`indexed` event, written when `reindex` completes, by `plexlabor crew reindex` and by crew_planner's run on a table
that has none, `reindex_if_unmarked`), and a day whose status reads would start at or after its time reads nothing
more (`indexed_from`, read once a whole read first needs it and kept by a `DayReader` once found).
`DayReader` keeps each day's read per container and then reads only what is new, as the review queue does
(`plexlabor.review.queue`): the day's partition and each closing status index from the previous read's start less
`overlap` (the index's eventual consistency, a writer whose event became visible a little after its `occurred_at`);
events read twice are the same event id and count once.
Every `refresh` the day is read whole again, so whatever the overlap missed is right again within that
time. On DynamoDB a catch-up is four queries of a few events each instead of the day's thousand
suggestions (a 2,400-person plant's shift); on the local runtime's moto, which sorts the whole table for
every query, four queries of about 0.1 s CPU each. What was written within `overlap` before the
previous read is read again: a catch-up within two minutes of a plan's publishing reads that plan again,
on moto about as long as a whole read (`docs/crew.md`, "Re-planning on events").
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from plexlabor.approval.recommendations import CREW_REMOVAL
from plexlabor.audit.events import AuditEvent, AuditEventType, AuditStatus, replaced, stable_event_id
from plexlabor.audit.paging import Pages, read_to_end
from plexlabor.audit.publish import append_once
from plexlabor.audit.schema import GSI_PLAN_DAY
from plexlabor.audit.store import AuditStore

logger = logging.getLogger(__name__)

REPLAN_ACTOR = "crew_replan"
"""Who records a re-plan's suggestions, and closes those it superseded, in the audit trail."""
CREW_KINDS = ("crew_assignment", "crew_unstaffed")
"""The kinds of a crew plan's suggestions: an assignment, a seat that stays empty."""
PLAN_HORIZON_DAYS = 7
"""How many days after the day it runs crew_planner plans at most (`service.CrewPlannerDetail`): its suggestions
are published then, and the crew board lists the days planned from `PLAN_LOOKBACK` before today."""
PLAN_LOOKBACK = timedelta(days=PLAN_HORIZON_DAYS + 1)
"""How far before a day the crew board looks for the plans published (`webapp.crewboard`'s days planned): the farthest
plan is published `PLAN_HORIZON_DAYS` before its day, and a plant's local date may be a day ahead of UTC's. A day's own
read (`read_day`) reads its partition whole, whenever its plan was published (until 2026-12-06 from this long before
the day: a plan published earlier was invisible to re-plans and the board)."""
READ_LIMIT = 50_000
"""Events per page of a day's partition (a shift of a 2,400-person plant has about 1,000 assignments) and of a closing
status index (every kind's closings, of every day, from the day's first suggestion on)."""
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
DAY_KINDS = (*CREW_KINDS, CREW_REMOVAL, REPLAN_KIND, CLAIM_KIND)
"""The kinds of the crew events a day's read takes from its partition (`_Kept.add`)."""
UNINDEXED = (*OPENING, AuditStatus.APPLIED, AuditStatus.CLAIMED)
"""The statuses of the crew events a day's partition holds (suggestions and removals, re-plans' `applied` events,
claims): where those written before the plan-day index are found (`index_plan_days`, `_unindexed`)."""
INDEX_RECORD = "audit-index:gsi_plan_day"
"""The record the plan-day index's markers are kept under (`mark_indexed`, `indexed_from`)."""
PROGRESS_RECORD = "audit-index:gsi_plan_day:progress"
"""The record where a reindex cut by its time budget keeps how far it got (`reindex_if_unmarked`: the next run goes on
from there; a record of its own, so that `indexed_from` never takes it for a marker)."""
REINDEX_CHUNK = 200
"""Events given the index's key (one transaction each on DynamoDB) between two looks at a reindex's deadline."""
CLOSING_SKEW = timedelta(minutes=5)
"""A whole read looks for the closings of the day's suggestions from this long before the first of them: a decision or
expiry comes after the suggestion it closes, but the clocks of the functions writing them may differ a little."""


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
    """From when the crew board looks for the plans published around a day (`PLAN_LOOKBACK` before it)."""
    return datetime.combine(day, datetime.min.time(), UTC) - PLAN_LOOKBACK


def read_status(store: AuditStore, status: AuditStatus, since: datetime) -> list[AuditEvent]:
    """Every event of `status` from `since` on, oldest first, read to the end (`audit.paging.read_to_end`, pages of
    `READ_LIMIT`); at most `READ_PAGES` pages, an error logged when cut. One page was the whole read until 2026-12-06:
    past `READ_LIMIT` it dropped the newest events, today's and tomorrow's plans."""
    return _status_pages(store, status, since).events


def _status_pages(store: AuditStore, status: AuditStatus, since: datetime, deadline: float | None = None) -> Pages:
    pages = read_to_end(
        lambda start, size: store.by_status(status, start, size), since, READ_LIMIT, READ_PAGES, deadline
    )
    if not pages.complete and (deadline is None or time.monotonic() <= deadline):
        logger.error(
            "crew suggestions: %s events read from %s up to %s only, not to the end (%d pages)",
            AuditStatus(status).value,
            since.isoformat(),
            (pages.stopped_at or since).isoformat(),
            READ_PAGES,
        )
    return pages


class Position(NamedTuple):
    """Where a reindex goes on in a status index: the events in the order (`occurred_at`, `event_id`) from this one on
    are to do, those before it done. The id tells apart the events of one instant (a plan published at once may hold
    more than `REINDEX_CHUNK`): a position by time alone made a run cut inside such an instant start there again and
    stop after the same first chunk, run after run. An empty id: every event of that instant is to do."""

    at: datetime
    event_id: str = ""


def _order(event: AuditEvent) -> Position:
    return Position(event.occurred_at, event.event_id)


@dataclass(frozen=True)
class Reindexed:
    """What `reindex` did: how many crew events it gave the index's key, and whether it read every status index to
    the end (then it marked the index: `mark_indexed`); and where each status index is to be read on from (`reached`:
    status value to position, the events before it done), which a cut run keeps for the next."""

    added: int
    complete: bool
    reached: Mapping[str, Position] = field(default_factory=dict)


def index_plan_days(
    store: AuditStore,
    since: datetime,
    *,
    deadline: float | None = None,
    start: Mapping[str, Position] | None = None,
) -> Reindexed:
    """Gives the crew events recorded from `since` on before the plan-day index existed their key of it, unchanged
    (`AuditStore.add_to_index`): the suggestions and removals from Plex (the opening statuses), the re-plans' `applied`
    events and the board's claims, read from their status indexes as a day's read found them before; how many were
    given one (none twice: run again, it adds nothing), and whether every status index was read to the end. Each status
    from its `start` when later than `since` (a cut run's `reached`); no page read nor `REINDEX_CHUNK` events indexed
    begun after `deadline` (`time.monotonic()` seconds; None: none) but the first after each status read, where
    each got to kept in `reached`, and but the first page and chunk of the first status with something to do
    (events given their key, or a read cut), read however late, so a run begun past its deadline still moves on
    (review2_s16 #6: a plan run that left less than `service.REINDEX_RESERVE_S` added nothing, run after run, and the
    index was never marked). `reindex` does it and marks the index."""
    added, complete, reached = 0, True, {}
    moved = False  # a status this run gave events their key or cut: the deadline holds from then on
    for status in UNINDEXED:
        begin = max(Position(since), (start or {}).get(status.value, Position(since)))
        reached[status.value] = begin
        if moved and deadline is not None and time.monotonic() > deadline:
            complete = False
            continue
        before = added
        pages = _status_pages(store, status, begin.at, deadline)
        crew = sorted(
            (e for e in pages.events if e.plan_day is not None and e.kind in DAY_KINDS and _order(e) >= begin),
            key=_order,
        )
        for first in range(0, len(crew), REINDEX_CHUNK):
            chunk = crew[first : first + REINDEX_CHUNK]
            # the first chunk after a read even past the deadline: a read that alone outlasts the budget still moves
            # the next run on
            if first and deadline is not None and time.monotonic() > deadline:
                reached[status.value] = _order(chunk[0])  # read on from that event: the ones before it are done
                complete = False
                break
            added += store.add_to_index(GSI_PLAN_DAY, chunk)
        else:
            # all of the read done: the next run reads on from its end (what lies before it was written before the
            # index, so nothing new can land there)
            last = max((e.occurred_at for e in pages.events), default=begin.at)
            reached[status.value] = Position(last if pages.complete else (pages.stopped_at or last))
            complete = complete and pages.complete
        moved = moved or added > before or not complete
    return Reindexed(added, complete, reached)


def reindex(
    store: AuditStore,
    since: datetime,
    at: datetime,
    actor: str,
    *,
    deadline: float | None = None,
    start: Mapping[str, Position] | None = None,
) -> Reindexed:
    """The migration of a table deployed before the plan-day index (`plexlabor crew reindex`; run it once the index is
    active, from `PLAN_LOOKBACK` before the first day still to be re-planned or shown): `index_plan_days` from `since`
    (each status from its `start`, until `deadline`), then, when every status index was read to the end, the marker
    that the index holds every crew event from `since` on (`mark_indexed`), which ends the day reads' fallback
    (`_unindexed`) for the days it covers. Cut short (more than `READ_PAGES` pages, or the deadline), it marks
    nothing: run it again (it adds nothing twice)."""
    done = index_plan_days(store, since, deadline=deadline, start=start)
    if done.complete:
        mark_indexed(store, since, at, actor, done.added)
    return done


def reindex_if_unmarked(
    store: AuditStore, first_day: date, at: datetime, actor: str, deadline: float | None = None
) -> Reindexed | None:
    """crew_planner's run: when no marker covers the reads of `first_day` and later days (their fallback would start
    before the earliest marker's time, or there is none: a new stack's table, or one updated to the index and not yet
    reindexed), `reindex` from `day_since(first_day)`, a read of the statuses crew events open with, from
    `PLAN_LOOKBACK` before that day (on a new stack's table a few events: nothing to add). None: marked already.
    Only events at or after that time can be found by a fallback read of such a day, and those written since the
    index existed have its key, so the marker it writes is true for every day from `first_day` on.
    Bounded by `deadline` (`time.monotonic()` seconds; review_s16 lead 2: on a large plant's table one transaction
    per crew event of 10 days could outlast the function, and a timeout retried the whole plan run): cut there, it
    marks nothing and keeps how far each status index got (`PROGRESS_RECORD`), and the next run goes on from there
    (`_progress`) rather than from the start, until one reads to the end and marks."""
    since = day_since(first_day)
    known = indexed_from(store)
    if known is not None and known <= since:
        return None
    done = reindex(store, since, at, actor, deadline=deadline, start=_progress(store, since))
    if not done.complete:
        _keep_progress(store, since, done, at, actor)
    return done


def _progress(store: AuditStore, since: datetime) -> dict[str, Position]:
    """Where the cut `reindex_if_unmarked` runs that read from `since` or earlier got to, per status, the furthest
    (`_keep_progress`: each says the events from its start to there are done, so from `since` too); empty when none
    did. A record kept before positions had an event id (`reached_ids`) reads as the whole instant to do."""
    found: dict[str, Position] = {}
    for event in store.history(PROGRESS_RECORD):
        if event.payload.get("index") != GSI_PLAN_DAY or datetime.fromisoformat(str(event.payload["since"])) > since:
            continue
        ids = dict(event.payload.get("reached_ids") or {})
        for status, at in dict(event.payload["reached"]).items():
            reached = Position(datetime.fromisoformat(str(at)), str(ids.get(status, "")))
            found[status] = max(found.get(status, reached), reached)
    return found


def _keep_progress(store: AuditStore, since: datetime, done: Reindexed, at: datetime, actor: str) -> None:
    """Records how far a cut `reindex_if_unmarked` got (`PROGRESS_RECORD`; its id stable per position, so a rerun
    that got no further records it once)."""
    reached = {status: p.at.astimezone(UTC).isoformat() for status, p in sorted(done.reached.items())}
    ids = {status: p.event_id for status, p in sorted(done.reached.items()) if p.event_id}
    position = ",".join(f"{status}={t}" + (f"/{ids[status]}" if status in ids else "") for status, t in reached.items())
    append_once(
        store,
        AuditEvent(
            record_key=PROGRESS_RECORD,
            event_id=stable_event_id(PROGRESS_RECORD, since.astimezone(UTC).isoformat(), position),
            event_type=AuditEventType.INDEXED,
            status=AuditStatus.INDEXED,
            occurred_at=at,
            actor=actor,
            payload={
                "index": GSI_PLAN_DAY,
                "since": since.astimezone(UTC).isoformat(),
                "reached": reached,
                "reached_ids": ids,
                "added": done.added,
            },
        ),
    )


def mark_indexed(store: AuditStore, since: datetime, at: datetime, actor: str, added: int = 0) -> AuditEvent:
    """Records that the plan-day index holds every crew event recorded from `since` on (an `indexed` event of
    `INDEX_RECORD`; its id is stable per time, so a rerun records it once): a fallback read of a day that would start
    at or after it finds nothing the day's partition lacks, and is not made (`indexed_from`)."""
    complete_from = since.astimezone(UTC).isoformat()
    event = AuditEvent(
        record_key=INDEX_RECORD,
        event_id=stable_event_id(INDEX_RECORD, complete_from),
        event_type=AuditEventType.INDEXED,
        status=AuditStatus.INDEXED,
        occurred_at=at,
        actor=actor,
        payload={"index": GSI_PLAN_DAY, "complete_from": complete_from, "added": added},
    )
    append_once(store, event)
    return event


def indexed_from(store: AuditStore) -> datetime | None:
    """From when the plan-day index holds every crew event, as its markers say (`mark_indexed`; the earliest of them);
    None when there is none: a table deployed before the index and not reindexed reads as before it."""
    found = [
        datetime.fromisoformat(str(e.payload["complete_from"]))
        for e in store.history(INDEX_RECORD)
        if e.event_type is AuditEventType.INDEXED and e.payload.get("index") == GSI_PLAN_DAY
    ]
    return min(found, default=None)


def read_plan_day(store: AuditStore, day: date, since: datetime | None = None) -> list[AuditEvent]:
    """Every crew event about `day` (the plan-day index, `AuditStore.by_plan_day`) from `since` on (None: all of them),
    oldest first, read to the end (pages of `READ_LIMIT`, at most `READ_PAGES`; an error logged when cut)."""
    pages = read_to_end(
        lambda start, size: store.by_plan_day(day.isoformat(), since=start, limit=size), since, READ_LIMIT, READ_PAGES
    )
    if not pages.complete:
        logger.error(
            "crew suggestions: the crew events of %s read up to %s only, not to the end (%d pages)",
            day.isoformat(),
            (pages.stopped_at or since or datetime.min).isoformat(),
            READ_PAGES,
        )
    return pages.events


def read_day(store: AuditStore, day: date, since: datetime | None = None) -> DayRead:
    """The day's crew suggestions and their closings, read whole: the day's crew events (the plan-day index) from
    `since` (default: all of them), and the closing status indexes from its first suggestion on."""
    kept = _Kept(datetime.min.replace(tzinfo=UTC))
    kept.add(read_plan_day(store, day, since), day)
    _unindexed(store, {day: kept}, _Marker(store), since)
    kept.close(_Statuses(store, kept.first_opened()))
    return kept.read()


def _unindexed(store: AuditStore, days: Mapping[date, _Kept], marker: _Marker, since: datetime | None = None) -> None:
    """Adds to each of `days` whose partition holds no plan (`_Kept.planned`) its crew events written before the
    plan-day index existed (a table not yet reindexed, `index_plan_days`), read from the status indexes as before the
    index, once for all those days, from `PLAN_LOOKBACK` before the earliest (or `since`): the two opening ones (both:
    a plan may be all `logged`, `crew.publish`'s approval "none", the pilot scope, a plan confirming the current
    one; a day not planned there reads no more), then, for a day that has suggestions, the re-plans' `applied` events
    and the claims when kept. Events already read from the partition count once. A day planned since the update reads
    nothing more, nor one whose read would start at or after the index's marker (`marker`: every crew event from then
    on is in its partition)."""
    unplanned = {day: kept for day, kept in days.items() if not kept.planned()}
    if unplanned and (complete_from := marker.complete_from()) is not None:
        unplanned = {day: kept for day, kept in unplanned.items() if (since or day_since(day)) < complete_from}
    if not unplanned:
        return
    statuses = _Statuses(store, since or min(day_since(day) for day in unplanned))
    for day, kept in unplanned.items():
        for status in OPENING:
            kept.add(statuses(status), day)
        if kept.openings or kept.removals:
            for status, wanted in ((AuditStatus.APPLIED, kept.with_applied), (AuditStatus.CLAIMED, kept.with_claims)):
                if wanted:
                    kept.add(statuses(status), day)


@dataclass
class _Marker:
    """The plan-day index's marker as a reader knows it (`indexed_from`): read when a whole read first has a day not
    planned in its partition, and kept once found (a marker is never taken back; a later one only starts earlier)."""

    store: AuditStore
    found: datetime | None = None

    def complete_from(self) -> datetime | None:
        if self.found is None:
            self.found = indexed_from(self.store)
        return self.found


@dataclass
class _Statuses:
    """Each closing status index read once from `since` (`read_status`), whatever number of days takes its events: the
    days a `DayReader.read_days` reads together share one read of each (a day's closings are among those of every
    status read from before its first suggestion), instead of one per day. `since` None: no day read holds a
    suggestion, so there is nothing to close and nothing is read."""

    store: AuditStore
    since: datetime | None
    found: dict[AuditStatus, list[AuditEvent]] = field(default_factory=dict)

    def __call__(self, status: AuditStatus) -> list[AuditEvent]:
        if self.since is None:
            return []
        if status not in self.found:
            self.found[status] = read_status(self.store, status, self.since)
        return self.found[status]


def _close(closed: dict[str, AuditEvent], events: Iterable[AuditEvent]) -> None:
    """Adds the closing events (decisions, expiries) to `closed`, the stronger status winning."""
    for event in events:
        if not event.finding_id or event.event_type is AuditEventType.RECOMMENDATION:
            continue
        known = closed.get(event.finding_id)
        if known is None or CLOSING.index(event.status) < CLOSING.index(known.status):
            closed[event.finding_id] = event


def replaced_by_replan(store: AuditStore, item_id: str, visible: Callable[[AuditEvent], bool]) -> AuditEvent | None:
    """The re-plan's closing of the suggestion `item_id` (`audit.events.replaced`), read from its own events, when
    `visible` (its opening: whether the viewer may see it); None otherwise (none, or an unknown or empty id). Why a
    swap of it is refused after the board was read (ux_verify_s16 H; read here since review2_s16 #7, the web app's
    route did it)."""
    if not item_id:  # an empty id is no DynamoDB key
        return None
    events = store.for_finding(item_id)
    opening = next((e for e in events if e.event_type is AuditEventType.RECOMMENDATION), None)
    if opening is None or not visible(opening):
        return None
    return next((e for e in events if replaced(e)), None)


@dataclass
class _Kept:
    """One day's suggestions and closings read so far, and where each status index's next read starts."""

    full_at: datetime
    with_applied: bool = False
    """Whether the re-plans' `applied` events are kept too."""
    openings: dict[str, AuditEvent] = field(default_factory=dict)
    closed: dict[str, AuditEvent] = field(default_factory=dict)
    applied: dict[str, AuditEvent] = field(default_factory=dict)
    with_claims: bool = False
    """Whether the call-offs' claims are kept too (the crew board's)."""
    claims: dict[str, AuditEvent] = field(default_factory=dict)
    removals: dict[str, AuditEvent] = field(default_factory=dict)
    removal_writes: dict[str, AuditEvent] = field(default_factory=dict)

    def add(self, events: Iterable[AuditEvent], day: date) -> None:
        """Adds what the day's crew events (`read_plan_day`) hold: its crew suggestions and removals from Plex, the
        re-plans' `applied` events and the claims when kept, and the closings among them (a decision whose payload
        names the day)."""
        closings = []
        for event in events:
            if event.plan_day != day.isoformat():
                continue
            kind = event.payload.get("kind")
            if event.event_type is AuditEventType.RECOMMENDATION and kind in (*CREW_KINDS, CREW_REMOVAL):
                kept = self.removals if kind == CREW_REMOVAL else self.openings
                kept[event.event_id] = event
            elif event.event_type is AuditEventType.REPLAN and kind == REPLAN_KIND and self.with_applied:
                self.applied[event.event_id] = event
            elif event.event_type is AuditEventType.CLAIM and kind == CLAIM_KIND and self.with_claims:
                self.claims[event.event_id] = event
            elif event.status in CLOSING:
                closings.append(event)
        self._closings(closings)

    def planned(self) -> bool:
        """Whether a plan of the day (a suggestion but a re-plan's) was read: a re-plan's suggestions are indexed after
        the update even when the plan they re-plan was published before it."""
        return any(e.actor != REPLAN_ACTOR for e in self.openings.values())

    def first_opened(self) -> datetime | None:
        """From when the closings of the day's suggestions (and removals) can be: a little before the first of them
        (`CLOSING_SKEW`); None when there is none."""
        opened = [e.occurred_at for e in (*self.openings.values(), *self.removals.values())]
        return min(opened) - CLOSING_SKEW if opened else None

    def close(self, statuses: _Statuses) -> None:
        """Reads the closing status indexes (`statuses`: from where they start; the indexes hold every kind's, of every
        day) and keeps the closings of the day's suggestions and removals; once a removal is approved, what
        plex_writeback did with it."""
        self._closings(event for status in CLOSING for event in statuses(status))
        if any((c := self.closed.get(r)) is not None and c.status is AuditStatus.APPROVED for r in self.removals):
            for status in REMOVAL_WRITES:
                for event in statuses(status):
                    if event.finding_id in self.removals:
                        self.removal_writes[event.event_id] = event

    def _closings(self, events: Iterable[AuditEvent]) -> None:
        _close(self.closed, (e for e in events if e.finding_id in self.openings or e.finding_id in self.removals))

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
    _marker: _Marker = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._marker = _Marker(self.store)

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
            planned: dict[date, tuple[bool, datetime | None, _Kept]] = {}
            for day in days:
                kept = self._kept.get(day)
                if kept is None or self._whole_due(kept[1], whole_if_due_by or now):
                    fresh = _Kept(full_at=now, with_applied=self.applied, with_claims=self.claims)
                    planned[day] = (True, None, fresh)
                else:
                    planned[day] = (False, *kept)
            for whole in (True, False):
                together = {day: (since, found) for day, (w, since, found) in planned.items() if w is whole}
                for day, (since, found) in together.items():
                    found.add(read_plan_day(self.store, day, since), day)
                if whole:
                    _unindexed(self.store, {day: found for day, (_, found) in together.items()}, self._marker)
                # closings: from the first suggestion of the days read whole, from the earliest catch-up's start
                starts = [
                    found.first_opened() if whole else since
                    for since, found in together.values()
                    if found.openings or found.removals
                ]
                statuses = _Statuses(self.store, min((s for s in starts if s is not None), default=None))
                for _, found in together.values():
                    found.close(statuses)
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
