"""Which open suggestions a person sees, in what order: the scoping rule, the filters, and the open
items a warm container keeps between requests.

`ReviewQueue` reads the open items from the audit table's status index once, then keeps them (per
container, behind a lock) and on each request reads only what is new: from each status index
(`pending_approval`, and the closed statuses), the events at or after the previous read's start
less `overlap`. The overlap covers the status index's eventual consistency and writers whose event
became visible a little after its `occurred_at`; events read twice are recognised by their index key
and skipped. Every `refresh` the whole lookback is read again, so anything the overlap missed (a
writer slower than it, a clock far off) is right again within that time. A read goes on page after
page (`limit` events each) rather than stopping at a limit; if it hits its page or time bound it
says so in the log and the next request resumes where it stopped. A decision made through this
container (`mark_closed`) leaves the list at once, before the index shows it.

An item about a person whose event names no department or shift (a punch finding's event holds the finding; a
certification alert or a cross-training suggestion its person) is placed where the person works (`placed`: their
department and default shift in the people directory, Plex's employees), so the queue's filters and a department's
supervisor find it as they find a crew suggestion, whose event names both (ux_s13 #2). An item read while the
directory could not be read is placed again at the first read after it can be (`_Known.place_again`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from plexlabor.approval.directory import PeopleDirectory
from plexlabor.audit.events import AuditEvent, AuditStatus, ran_out
from plexlabor.audit.paging import read_to_end
from plexlabor.audit.store import AuditStore
from plexlabor.platform.clock import utc_now
from plexlabor.review import groups
from plexlabor.review.groups import group_item, group_key, group_keys, group_of, grouped
from plexlabor.review.items import PUNCH, ReviewItem, item_from_event

logger = logging.getLogger(__name__)

CLOSED_STATUSES = (AuditStatus.APPROVED, AuditStatus.REJECTED, AuditStatus.EXPIRED)
"""A suggestion with a decision or an expiry is no longer in the queue."""
READ_STATUSES = (AuditStatus.PENDING_APPROVAL, AuditStatus.ESCALATED, *CLOSED_STATUSES)
"""The status indexes the queue reads: the openings, their escalations, then what closes them."""
READ_PAGES = 1_000
"""At most this many pages per status index and read; beyond it the read stops and says so (the next
request goes on from there)."""


class Role(StrEnum):
    """The Cognito groups of the web app."""

    SUPERVISOR = "supervisor"
    PLANNER = "planner"
    HR = "hr"
    EHS = "ehs"
    ADMIN = "admin"
    OPERATOR = "operator"
    """Asks the copilot at a shop-floor tablet (`plexlabor.copilot.api`); decides nothing."""


ROLE_KINDS: dict[Role, frozenset[str]] = {
    Role.PLANNER: frozenset(
        {"crew_assignment", "crew_removal", "crew_unstaffed", "labor_variance", "overtime_projection"}
    ),
    Role.HR: frozenset(
        {"certification_expiring", "certification_lapsed", "certification_used_while_lapsed", "cross_training"}
    ),
    Role.EHS: frozenset({"incident_coding"}),
}
"""Beyond what their departments show them, the kinds planners, HR and the EHS lead decide plant-wide."""
RESERVED_KINDS = frozenset({"incident_coding"})
"""Kinds only their role (and an admin) see: an incident report is the EHS lead's to code, not a department
supervisor's to close (ux119 #1: a supervisor's rejection left it with no codes)."""


@dataclass(frozen=True)
class Viewer:
    """The signed-in person: their id (a supervisor's is their Plex employee id), roles and departments."""

    user_id: str
    roles: frozenset[Role]
    departments: frozenset[str] = frozenset()

    @property
    def decides(self) -> bool:
        """Whether any suggestion can be theirs to decide: supervisors, admins and the roles with kinds of
        their own (an operator only asks the copilot)."""
        return bool(self.roles & {Role.SUPERVISOR, Role.ADMIN, *ROLE_KINDS})

    def may_see(self, item: ReviewItem) -> bool:
        """A supervisor sees the items routed to them (as the item's supervisor, or as the one it was
        escalated to) or about their departments, but for `RESERVED_KINDS`; planners, HR and the EHS lead see
        their kinds plant-wide; an admin sees everything."""
        if Role.ADMIN in self.roles:
            return True
        if any(item.kind in ROLE_KINDS.get(role, frozenset()) for role in self.roles):
            return True
        if Role.SUPERVISOR not in self.roles or item.kind in RESERVED_KINDS:
            return False
        ours = item.department is not None and item.department in self.departments
        return self.user_id in (item.supervisor_id, item.escalated_to) or ours


@dataclass(frozen=True)
class Filters:
    """What a person narrowed the queue to; an empty field does not filter."""

    kind: str | None = None
    type: str | None = None
    department: str | None = None
    shift: str | None = None
    employee_id: str | None = None
    day: date | None = None

    def keep(self, item: ReviewItem) -> bool:
        wanted: tuple[tuple[object, object], ...] = (
            (self.kind, item.kind),
            (self.type, item.type),
            (self.department, item.department),
            (self.shift, item.shift),
            (self.employee_id, item.employee_id),
            (self.day, item.day),
        )
        return all(want is None or want == have for want, have in wanted)


def placed(item: ReviewItem, people: PeopleDirectory | None) -> ReviewItem:
    """`item`, with its person's department and shift (Plex's department and default shift code, from `people`) where
    its event names none; as it is when it names both, is about nobody, or `people` does not know the person."""
    if people is None or item.employee_id is None or (item.department and item.shift):
        return item
    person = people.person_of(item.employee_id)
    if person is None:
        return item
    update = {"department": item.department or person.department, "shift": item.shift or person.shift}
    return item.model_copy(update=update)


def _unplaced(item: ReviewItem) -> bool:
    """Whether `item` is about a person and lacks their department or shift (what `placed` fills in)."""
    return item.employee_id is not None and not (item.department and item.shift)


@dataclass
class _Known:
    """What the reads so far found: the open items, the ids closed, and where each index's next read starts."""

    full_at: datetime
    """When the last read of the whole lookback started."""
    item_of: Callable[[AuditEvent], ReviewItem | None]
    """The item an opening event stands for, placed (`ReviewQueue.item_of`)."""
    opened: dict[str, tuple[str, ReviewItem]] = field(default_factory=dict)
    """Item id -> the index key of its opening event (the latest read), and the item; closed ones leave."""
    closed: set[str] = field(default_factory=set)
    escalations: dict[str, AuditEvent] = field(default_factory=dict)
    """Item id -> its `escalated` event (whether or not its opening was read yet)."""
    marks: dict[AuditStatus, datetime] = field(default_factory=dict)
    """Per status index: where its next read starts (the last read's start less the overlap, or where an
    unfinished read stopped)."""
    ranked: list[ReviewItem] | None = None
    """The open items, highest rank first (None: to sort again)."""
    expired: dict[str, tuple[ReviewItem | None, datetime]] = field(default_factory=dict)
    """Item id -> the item (None until its opening is read) and when it expired, for the items closed by an
    expiry and by no decision: what nobody decided in time (ux119 #23). Not those a re-plan replaced (their
    `expired` event names it, `audit.events.replaced`): nobody is to enter those by hand (ux136 #2); nor those
    their reporter withdrew (`audit.events.withdrawal`, ux164 #17): `audit.events.ran_out`."""
    decided: set[str] = field(default_factory=set)
    unplaced: set[str] = field(default_factory=set)
    """The ids of items (open or expired) about a person that `item_of` could not place (the people directory did
    not know them, or could not be read): `place_again` tries again."""
    members: dict[str, dict[str, ReviewItem]] = field(default_factory=dict)
    """Group id -> the short seats read opened in the lookback that belong to it (`review.groups`), open or closed
    since: what a group's page lists once it is decided."""

    def open(self, event: AuditEvent) -> None:
        item_id = event.finding_id
        if item_id in self.expired and self.expired[item_id][0] is None:  # its expiry was read first
            self.expired[item_id] = (self._item(event), self.expired[item_id][1])
        if item_id is None or item_id in self.closed:
            return
        known = self.opened.get(item_id)
        if known is not None and known[0] >= event.index_sk:  # read before (or an older opening)
            return
        item = self._item(event)
        if item is not None:
            self.opened[item_id] = (event.index_sk, escalated(item, self.escalations.get(item_id)))
            self.ranked = None
            if (group := group_of(item)) is not None:
                self.members.setdefault(group, {})[item_id] = item

    def _item(self, event: AuditEvent) -> ReviewItem | None:
        """`item_of(event)`, its id noted in `unplaced` when it could not be placed."""
        item = self.item_of(event)
        if item is not None and _unplaced(item):
            self.unplaced.add(item.item_id)
        return item

    def place_again(self, place: Callable[[ReviewItem], ReviewItem]) -> None:
        """Place the `unplaced` items with `place` (`placed`, with a directory that can be read now): an item read
        while the directory could not be read is not left out of its department until the next full read."""
        for item_id in list(self.unplaced):
            known, lapsed = self.opened.get(item_id), self.expired.get(item_id)
            item = known[1] if known else (lapsed[0] if lapsed else None)
            if item is None:  # closed by a decision, or out of the lookback
                self.unplaced.discard(item_id)
                continue
            now = place(item)
            if (now.department, now.shift) == (item.department, item.shift):
                continue
            if known:
                self.opened[item_id] = (known[0], now)
                self.ranked = None
            elif lapsed:
                self.expired[item_id] = (now, lapsed[1])
            if not _unplaced(now):
                self.unplaced.discard(item_id)

    def escalate(self, event: AuditEvent) -> None:
        """The item went to `event.supervisor_id` (its supervisor's own supervisor)."""
        item_id = event.finding_id
        if item_id is None or event.supervisor_id is None or item_id in self.escalations or item_id in self.closed:
            return
        self.escalations[item_id] = event
        known = self.opened.get(item_id)
        if known is not None:
            self.opened[item_id] = (known[0], escalated(known[1], event))
            self.ranked = None

    def close(self, item_id: str, expired_at: datetime | None = None) -> None:
        """The item was decided (or replaced), or expired at `expired_at`; an expired one is kept in `expired`
        until a decision of it is read."""
        self.closed.add(item_id)
        self.escalations.pop(item_id, None)
        known = self.opened.pop(item_id, None)
        if known is not None:
            self.ranked = None
        if expired_at is None:
            self.decided.add(item_id)
            self.expired.pop(item_id, None)
        elif item_id not in self.decided and item_id not in self.expired:
            self.expired[item_id] = (known[1] if known else None, expired_at)

    def forget_before(self, oldest: datetime) -> None:
        """Items opened before the lookback are not looked for any more (they have expired by then)."""
        old = [item_id for item_id, (_, item) in self.opened.items() if item.created_at < oldest]
        for item_id in old:
            del self.opened[item_id]
        if old:
            self.ranked = None
        for item_id in [item_id for item_id, (_, at) in self.expired.items() if at < oldest]:
            del self.expired[item_id]


@dataclass(frozen=True)
class QueueView:
    """What one person may see of the queue at one read: the open items, highest rank first, and those that expired
    undecided, with when, the latest first."""

    items: list[ReviewItem]
    expired: list[tuple[ReviewItem, datetime]]


def _expired(known: _Known, viewer: Viewer) -> list[tuple[ReviewItem, datetime]]:
    found = [(item, at) for item, at in known.expired.values() if item is not None and viewer.may_see(item)]
    return sorted(found, key=lambda pair: (pair[1], pair[0].item_id), reverse=True)


@dataclass
class ReviewQueue:
    """The open suggestions in the audit table, read through its status index and kept between requests.

    Safe to share between threads (the web app's bulk decisions, a local server's requests): reads are
    one at a time, and the lists handed out are never changed afterwards (do not change their items)."""

    audit: AuditStore
    lookback: timedelta = timedelta(days=30)
    """How far back an open suggestion is looked for (older ones have expired by then)."""
    limit: int = 20_000
    """Events per page of a status-index read; a read goes on page after page, it is not cut at this."""
    clock: Callable[[], datetime] = field(default=utc_now)
    refresh: timedelta = timedelta(minutes=5)
    """The whole lookback is read again this long after the last such read."""
    overlap: timedelta = timedelta(minutes=2)
    """Each read of an index starts this long before the previous read of it did."""
    read_budget_s: float = 20.0
    """A read asks an index for another page only this long after it started (each index gets one page at
    least); what it did not reach, the next request reads."""
    people: PeopleDirectory | None = None
    """Where an item about a person that names no department or shift is placed (`placed`); None: as recorded."""
    _known: _Known | None = field(default=None, init=False, repr=False, compare=False)
    _closed_here: dict[str, datetime] = field(default_factory=dict, init=False, repr=False, compare=False)
    """Items decided through this container that the status index did not show closed yet, and when."""
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)
    """Guards `_known` and `_closed_here`."""
    _reading: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)
    """One read of the audit table at a time."""

    def open_items(self) -> list[ReviewItem]:
        """Every open suggestion (no decision, no expiry yet), highest rank first."""
        with self._caught_up() as known:
            return self._ranked(known)

    def _ranked(self, known: _Known) -> list[ReviewItem]:
        """The open items of `known`, highest rank first (sorted again only after a change; under `_lock`)."""
        if known.ranked is None:
            live = (item for _, item in known.opened.values() if item.item_id not in self._closed_here)
            known.ranked = sorted(live, key=lambda item: (-item.rank, item.created_at, item.item_id))
        return list(known.ranked)

    def for_viewer(self, viewer: Viewer, filters: Filters | None = None) -> list[ReviewItem]:
        """What `viewer` may see and decide, narrowed by `filters`, highest rank first; a workcenter shift's short
        seats as one item (`review.groups.grouped`)."""
        items = self.open_items()
        if filters is None or filters == Filters():
            return grouped(item for item in items if viewer.may_see(item))
        return grouped(item for item in items if viewer.may_see(item) and filters.keep(item))

    def expired_items(self, viewer: Viewer) -> list[tuple[ReviewItem, datetime]]:
        """The items `viewer` may see whose time ran out within the lookback with nobody deciding them, and when
        each expired, the latest expiry first; not those a re-plan replaced. The page narrows them by the queue's
        filters (`Filters.keep`) once it has checked the filters against them."""
        with self._caught_up() as known:
            return _expired(known, viewer)

    def view(self, viewer: Viewer) -> QueueView:
        """`for_viewer` and `expired_items` of one read of the audit table: what the queue page shows (each of the
        two reads every status index; ux_s13 #12, a page read them twice)."""
        with self._caught_up() as known:
            expired = _expired(known, viewer)
            items = self._ranked(known)
        return QueueView(grouped(item for item in items if viewer.may_see(item)), expired)

    def item(self, viewer: Viewer, item_id: str) -> ReviewItem | None:
        """One open item the viewer may see (None when it is closed, unknown or not theirs); read from
        the item's own events, not from what the queue keeps. A group (`review.groups`): its seats still open."""
        if group_key(item_id) is not None:
            found = self.group(viewer, item_id)
            return found[0] if found is not None and found[2] else None
        events = self.audit.for_finding(item_id)
        if any(event.status in CLOSED_STATUSES for event in events):
            self.mark_closed(item_id)
            return None
        return self._visible(viewer, events)

    def seen(self, viewer: Viewer, item_id: str) -> tuple[ReviewItem, list[AuditEvent]] | None:
        """An item the viewer may see, open or closed (decided, expired), with its events; None when it is
        unknown or not theirs. What the item page shows after the item left the queue. A group (`review.groups`): its
        seats still open, or every seat once none is."""
        if group_key(item_id) is not None:
            group = self.group(viewer, item_id)
            return None if group is None else (group[0], group[1])
        events = self.audit.for_finding(item_id)
        found = self._visible(viewer, events)
        return None if found is None else (found, events)

    def group(self, viewer: Viewer, group_id: str) -> tuple[ReviewItem, list[AuditEvent], bool] | None:
        """The short seats of the workcenter shift `group_id` names that the viewer may see (`review.groups`), each
        read from its own events: the group of those still open, their events and True; once none is open, the group
        of all of them (those read opened in the lookback), their events and False; None when there are none."""
        keys = group_keys(group_id)
        if not keys:
            return None
        with self._caught_up() as known:  # the id's reading that has seats (an id from before b1d2c0f8: review.groups)
            key = next((k for k in keys if groups.group_id(k) in known.members), keys[0])
            candidates = list(known.members.get(groups.group_id(key), {}))
        still_open: list[tuple[ReviewItem, list[AuditEvent]]] = []
        closed: list[tuple[ReviewItem, list[AuditEvent]]] = []
        for item_id in candidates:
            events = self.audit.for_finding(item_id)
            found = self._visible(viewer, events)
            if found is None:
                continue
            if any(event.status in CLOSED_STATUSES for event in events):
                self.mark_closed(item_id)
                closed.append((found, events))
            else:
                still_open.append((found, events))
        shown = still_open or closed
        if not shown:
            return None
        return (
            group_item(key, [item for item, _ in shown]),
            [e for _, events in shown for e in events],
            bool(still_open),
        )

    def item_of(self, event: AuditEvent) -> ReviewItem | None:
        """The review item an opening event stands for (`item_from_event`), placed where its person works."""
        item = item_from_event(event)
        return None if item is None else placed(item, self.people)

    def theirs(self, viewer: Viewer, opening: AuditEvent) -> bool:
        """Whether the item `opening` opens is in `viewer`'s queue (placed as the queue places it, then
        `Viewer.may_see`): the rule a page outside the queue follows to offer "Decide"."""
        item = self.item_of(opening)
        return item is not None and viewer.may_see(item)

    def _visible(self, viewer: Viewer, events: list[AuditEvent]) -> ReviewItem | None:
        """The item an item's events open (escalated as they say), if `viewer` may see it."""
        opening = (self.item_of(e) for e in events if e.status is AuditStatus.PENDING_APPROVAL)
        found = next((item for item in opening if item is not None), None)
        if found is None:
            return None
        found = escalated(found, next((e for e in events if e.status is AuditStatus.ESCALATED), None))
        return found if viewer.may_see(found) else None

    def mark_closed(self, item_id: str) -> None:
        """The item was decided (or found closed) here: it leaves the list now, whatever the index shows yet."""
        with self._lock:
            known = self._known
            if known is not None and item_id in known.closed:
                return
            self._closed_here[item_id] = self.clock()
            if known is not None and item_id in known.opened:
                known.ranked = None

    @contextmanager
    def _caught_up(self) -> Iterator[_Known]:
        """What the queue knows, read up to now (one read at a time), held under the lock."""
        with self._reading:
            self._catch_up()
        with self._lock:
            assert self._known is not None
            yield self._known

    def _catch_up(self) -> None:
        """Read what is new since the last read, or the whole lookback when there was none or it is due."""
        started = self.clock()
        # the directory's read of Plex, when due, before the lock rather than under it
        readable = self.people is not None and bool(self.people.everyone())
        with self._lock:
            known = self._known
        if known is None or started - known.full_at >= self.refresh:
            known = _Known(full_at=started, item_of=self.item_of)
            since = {status: started - self.lookback for status in READ_STATUSES}
        else:
            since = {status: known.marks[status] for status in READ_STATUSES}
        found = self._fetch(since, started)
        with self._lock:
            self._apply(known, found)
            if readable:  # what an earlier read could not place (the directory was unavailable then)
                known.place_again(lambda item: placed(item, self.people))
            self._known = known
            self._settle(known, started)

    def _fetch(
        self, since: dict[AuditStatus, datetime], started: datetime
    ) -> dict[AuditStatus, tuple[list[AuditEvent], datetime]]:
        """Per status index: the events from `since` on, and where its next read starts (`started` less
        the overlap, or where this read stopped)."""
        deadline = time.monotonic() + self.read_budget_s
        return {
            status: self._pages(status, since[status], started - self.overlap, deadline) for status in READ_STATUSES
        }

    def _pages(
        self, status: AuditStatus, since: datetime, next_since: datetime, deadline: float
    ) -> tuple[list[AuditEvent], datetime]:
        """The events of `status` at or after `since`, read to the end (`audit.paging.read_to_end`) unless
        `READ_PAGES` or `deadline` stops it, and where the next read starts (`next_since` when this one read to the
        end, else where it stopped)."""
        pages = read_to_end(
            lambda start, size: self.audit.by_status(status, start, size), since, self.limit, READ_PAGES, deadline
        )
        if pages.complete:
            return pages.events, next_since
        stopped_at = pages.stopped_at or since
        logger.error(
            "review queue: %s events read up to %s, not to the end; the next request goes on from there",
            status.value,
            stopped_at.isoformat(),
        )
        return pages.events, stopped_at

    @staticmethod
    def _apply(known: _Known, found: dict[AuditStatus, tuple[list[AuditEvent], datetime]]) -> None:
        for event in found[AuditStatus.ESCALATED][0]:
            known.escalate(event)
        for event in found[AuditStatus.PENDING_APPROVAL][0]:
            known.open(event)
        for status in CLOSED_STATUSES:
            for event in found[status][0]:
                if event.finding_id is not None:
                    expired = status is AuditStatus.EXPIRED and ran_out(event)
                    known.close(event.finding_id, event.occurred_at if expired else None)
        known.marks.update({status: mark for status, (_, mark) in found.items()})

    def _settle(self, known: _Known, now: datetime) -> None:
        """Drop what fell out of the lookback, and the local closes the index now shows (under `_lock`)."""
        known.forget_before(now - self.lookback)
        for item_id, when in list(self._closed_here.items()):
            if item_id in known.closed or when < now - self.lookback:
                del self._closed_here[item_id]


def escalated(item: ReviewItem, escalation: AuditEvent | None) -> ReviewItem:
    """`item`, escalated as its `escalated` event says (to whom, when, from whom) when there is one."""
    if escalation is None or escalation.supervisor_id is None:
        return item
    update = {
        "escalated_to": escalation.supervisor_id,
        "escalated_at": escalation.occurred_at,
        "escalated_from": str(escalation.payload.get("from_supervisor_id") or item.supervisor_id or "") or None,
    }
    return item.model_copy(update=update)


def kinds_of(items: Iterable[ReviewItem]) -> dict[str, int]:
    """How many items of each kind, punch findings first, for the queue's filter bar."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    return dict(sorted(counts.items(), key=lambda pair: (pair[0] != PUNCH, pair[0])))
