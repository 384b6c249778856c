"""The incidents reported in a period and where each stands, from the audit table (the web app's `/incidents`).

A read of the audit table's kind index (`AuditStore.by_kind`, `incident_coding`) from the period's start
gives every incident's opening (`log_incident`), its decision (`correct_codes` on the incident's page, or
the review queue's rejection) and its `writeback` event; write-back failures and withdrawals name no kind.
They are read from the plant-wide status index (`write_failed`, `reverted`, every kind's, from the same start)
when it holds few (`STATUS_READ_LIMIT` each); when it holds more (a Plex field refused for weeks fails every
punch write-back), from the events of each incident confirmed on its page (`for_finding`: the only ones whose
standing a failure or withdrawal changes), so an incident's failed write is never shown "on its way to Plex"
(review 140 R5: the status reads were cut at 20,000, oldest first, without saying so). The kind-index read is
bounded (`READ_LIMIT` events); a period that holds more says so (`Listing.complete`) rather than reading on.
A warm container keeps what it read (`IncidentLog`) and reads only what is new. Where an incident stands
(`Standing`) follows the same events the incident's page shows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from plexlabor.approval.recommendations import INCIDENT_CODING
from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus, AuditStore
from plexlabor.audit.events import SUPERSEDED_BY, replaced
from plexlabor.incidents.oiics import INJURY_ONLY, event_words
from plexlabor.incidents.oiics import Field as Coded
from plexlabor.incidents.service import CONFIRMED_VIA, RECORD_PREFIX
from plexlabor.incidents.withdrawal import plex_holds, withdrawal
from plexlabor.platform.clock import utc_now

READ_LIMIT = 20_000
"""At most this many events of the kind index are read for one list (a plant's incidents are a few a day, about
three events each: a year is some thousands)."""
STATUS_READ_LIMIT = 1_000
"""At most this many write failures, and as many withdrawals, of every kind are read for one list from the status
index; a period holding more is read incident by incident instead."""
FINDING_READERS = 8
"""How many incidents' events are read at once when the status index holds too many to read."""
PLEX_EVENTS = (AuditEventType.WRITEBACK, AuditEventType.WRITEBACK_FAILED, AuditEventType.REVERT)


class Standing(StrEnum):
    """Where an incident stands, from its events."""

    IN_QUEUE = "in_queue"
    """The model was not sure (or there was none): it waits in the EHS lead's review queue."""
    HELD = "held"
    """Not sure, but the rollout scope kept it out of the queue: coded on its page only (recorded before incident
    codings were `platform.pilot.NEVER_HELD`; no scope holds one now)."""
    AWAITING = "awaiting"
    """Coded automatically: the EHS lead confirms it on its page, which sends it to Plex."""
    SENDING = "sending"
    """Confirmed on its page; plex_writeback has not recorded the write yet."""
    DRY_RUN = "dry_run"
    """Confirmed; the write-back prepared the record and sent nothing (write mode dry run)."""
    WRITTEN = "written"
    WRITE_FAILED = "write_failed"
    WITHDRAWN = "withdrawn"
    """Written, then reverted (a `withdrawn` record added in Plex)."""
    CONFIRMED_IN_QUEUE = "confirmed_in_queue"
    """Approved in the review queue (before the queue refused incidents): codes kept, nothing written."""
    REJECTED = "rejected"
    REPLACED = "replaced"
    """The reporter sent a corrected report of the same text and time, which replaces it (`service.superseding_event`):
    no longer confirmed or written, whatever it stood at before."""
    RETRACTED = "retracted"
    """Withdrawn as sent by mistake, before anyone decided it, or set aside by the EHS lead as not an incident or a
    duplicate (`withdrawal.withdraw`): not counted, nothing more of it written."""


WAITING = frozenset({Standing.IN_QUEUE, Standing.HELD, Standing.AWAITING})
"""What waits for the EHS lead: codes to settle, or automatic codes to confirm before anything goes to Plex."""
LONGEST_DAYS = 366
"""The longest period the incident list reads, in plant-local days (the kind index from its first day on): what waits
for the EHS lead is looked for over it, by the list's waiting filter and the EHS lead's digest alike."""


def longest_period_start(last: date) -> date:
    """The first plant-local day of the longest period the incident list reads that ends on the day `last` (read from
    that day's local midnight: `platform.clock.local_midnight`)."""
    return last - timedelta(days=LONGEST_DAYS - 1)


def _standing_in(*standings: Standing) -> Callable[[ListedIncident], bool]:
    """Keeps an incident whose standing is one of `standings`."""
    return lambda listed: listed.standing in standings


STATUS_FILTERS: dict[str, tuple[str, Callable[[ListedIncident], bool]]] = {
    "waiting": ("Waiting for the EHS lead (to code or to confirm)", _standing_in(*WAITING)),
    "correction": ("Asks to correct a decided report", lambda listed: listed.correction_to_make),
    "coding": ("Needs coding", _standing_in(Standing.IN_QUEUE, Standing.HELD)),
    "awaiting": ("Coded automatically, awaiting confirmation", _standing_in(Standing.AWAITING)),
    "confirmed": (
        "Confirmed",
        _standing_in(
            Standing.SENDING, Standing.DRY_RUN, Standing.WRITTEN, Standing.WITHDRAWN, Standing.CONFIRMED_IN_QUEUE
        ),
    ),
    "failed": ("Plex write failed", _standing_in(Standing.WRITE_FAILED)),
    "rejected": ("Rejected in the queue", _standing_in(Standing.REJECTED)),
    "replaced": ("Replaced by a corrected report", _standing_in(Standing.REPLACED)),
    "withdrawn": ("Withdrawn, not an incident or a duplicate", _standing_in(Standing.RETRACTED)),
}
"""The list's status filter (`?status=`): its values, each with its label and what it keeps (`correction`: a resend
asking the EHS lead to correct a decided report that waits for her, `ListedIncident.correction_to_make`)."""


@dataclass(frozen=True)
class ListedIncident:
    """One incident as the list shows it."""

    opening: AuditEvent
    decision: AuditEvent | None
    plex: AuditEvent | None
    """The newest write-back, failure or withdrawal, if any."""
    corrects: bool = False
    """The decision replaces codes confirmed before it (the incident page's "Codes corrected by")."""
    replaced_by: str | None = None
    """The reporter's corrected report that replaced this one, if any."""
    withdrawn: AuditEvent | None = None
    """The event that withdrew it as sent by mistake (`withdrawal.withdraw`), if any."""
    plex_trail: tuple[AuditEvent, ...] = ()
    """Every write-back, failure and withdrawal in Plex of it, whichever decision each followed (`in_plex`)."""

    @property
    def incident_id(self) -> str:
        return str(self.opening.finding_id)

    @property
    def report(self) -> dict[str, Any]:
        return dict(self.opening.payload.get("incident") or {})

    @property
    def reporter(self) -> str:
        return self.opening.actor

    @property
    def happened(self) -> str | None:
        """When it happened as the audit keeps it (ISO text): as confirmed, as reported, else as the text says."""
        confirmed = (self.decision.payload.get("confirmed") or {}) if self.decision is not None else {}
        extraction = self.opening.payload.get("extraction") or {}
        return confirmed.get("occurred_at") or self.report.get("occurred_at") or extraction.get("when")

    @property
    def day_only(self) -> date | None:
        """The day the text names without a clock time ("this morning") when nothing gives the time, else None."""
        if self.happened is not None:
            return None
        day = (self.opening.payload.get("extraction") or {}).get("day")
        return date.fromisoformat(day) if day else None

    @property
    def workcenter(self) -> str | None:
        """As confirmed, as the form named it, else the first the text names."""
        confirmed = (self.decision.payload.get("confirmed") or {}) if self.decision is not None else {}
        where = (self.opening.payload.get("extraction") or {}).get("where") or []
        named = where[0]["value"] if where else None
        return confirmed.get("workcenter_code") or self.report.get("workcenter_code") or named

    @property
    def department(self) -> str | None:
        return self.report.get("department")

    @property
    def job(self) -> str | None:
        return self.report.get("job_no")

    @property
    def job_unchecked(self) -> bool:
        """The job was recorded as typed: Plex's jobs could not be read when it was reported."""
        return bool(self.opening.payload.get("job_unchecked"))

    @property
    def replaces(self) -> list[str]:
        """The reporter's earlier reports of the same text and time this one replaced."""
        return [str(earlier) for earlier in self.opening.payload.get("replaces") or []]

    @property
    def asks_to_correct(self) -> list[str]:
        """The decided reports of the same text and time this resend asks the EHS lead to correct (a resend never
        replaces a decided report: ux_s13 #16)."""
        return [str(decided) for decided in self.opening.payload.get("asks_to_correct") or []]

    @property
    def correction_to_make(self) -> bool:
        """A resend asking the EHS lead to correct a decided report that waits for her (`WAITING`): she corrects
        that report on its page, then sets this one aside as a duplicate of it."""
        return bool(self.asks_to_correct) and self.standing in WAITING

    @property
    def in_plex(self) -> bool:
        """Plex holds a record of it: `withdrawal.plex_holds`, the incident page's rule, over every write of it (a
        correction's failed or dry-run write leaves the record an earlier write sent in Plex)."""
        return plex_holds(self.plex_trail)

    @property
    def near_miss(self) -> bool:
        return self.report.get("kind") == "near_miss"

    @property
    def standing(self) -> Standing:
        decision, plex = self.decision, self.plex
        if self.replaced_by is not None:
            return Standing.REPLACED
        if self.withdrawn is not None:
            return Standing.RETRACTED
        if decision is not None and decision.status is AuditStatus.REJECTED:
            return Standing.REJECTED
        if decision is not None and decision.payload.get("via") != CONFIRMED_VIA:
            return Standing.CONFIRMED_IN_QUEUE
        if decision is not None:
            if plex is None:
                return Standing.SENDING
            if plex.event_type is AuditEventType.WRITEBACK_FAILED:
                return Standing.WRITE_FAILED
            if plex.event_type is AuditEventType.REVERT:
                return Standing.WITHDRAWN
            return Standing.WRITTEN if plex.payload.get("sent") else Standing.DRY_RUN
        if self.opening.payload.get("auto_coded"):
            return Standing.AWAITING
        return Standing.IN_QUEUE if self.opening.status is AuditStatus.PENDING_APPROVAL else Standing.HELD

    @property
    def event(self) -> tuple[str, bool] | None:
        """The event in words (`oiics.event_words`: the group's title when confirmed or the model was sure of it,
        else the division's, "(group not sure)" when the division is) and whether the event is settled (confirmed, or
        coded automatically); None when nothing was coded."""
        confirmed = self.decision is not None and self.decision.status is AuditStatus.APPROVED
        if confirmed and self.decision is not None:
            codes, settled = dict(self.decision.payload.get("codes") or {}), True
        else:
            codes, settled = dict(self.opening.payload.get("codes") or {}), bool(self.opening.payload.get("auto_coded"))
        division, group = codes.get(Coded.EVENT_DIVISION.value), codes.get(Coded.EVENT_GROUP.value)
        if not division:
            return None
        model = self._proposed.get(Coded.EVENT_GROUP.value) or {}
        proposed = bool(group) and model.get("code") == group
        learned = model.get("title") if proposed else None
        sure = confirmed or (proposed and bool(model.get("confident")))
        return event_words(division, group if settled else None, learned, group_sure=sure), settled

    @property
    def _proposed(self) -> dict[str, dict[str, Any]]:
        return {c.get("field"): c for c in self.opening.payload.get("coding") or []}

    @property
    def unsure(self) -> list[Coded]:
        """The fields of an automatic coding the model was not sure of, which the EHS lead confirms (none once she
        decided, or for a near miss's injury fields, not applicable)."""
        if self.decision is not None:
            return []
        return [
            Coded(field)
            for field, coding in self._proposed.items()
            if not coding.get("confident") and not (self.near_miss and Coded(field) in INJURY_ONLY)
        ]


@dataclass(frozen=True)
class Listing:
    """The incidents reported in a period, newest first, and whether every event of the period was read."""

    incidents: list[ListedIncident] = field(default_factory=list)
    complete: bool = True


def fold(events: Iterable[AuditEvent]) -> dict[str, ListedIncident]:
    """Each incident's opening, newest decision (a correction replaces a confirmation; the EHS lead's coding a
    queue rejection), newest Plex event after it, every Plex event of it and the report that replaced it, if any, by
    incident id (incidents without an opening read are left out)."""
    openings: dict[str, AuditEvent] = {}
    decisions: dict[str, AuditEvent] = {}
    plex: dict[str, AuditEvent] = {}
    plex_trails: dict[str, list[AuditEvent]] = {}
    corrects: dict[str, bool] = {}
    replaced_by: dict[str, str] = {}
    withdrawn: dict[str, AuditEvent] = {}
    for event in sorted(events, key=lambda e: e.event_sk):
        item = event.finding_id
        if item is None:
            continue
        if event.event_type is AuditEventType.RECOMMENDATION:
            openings.setdefault(item, event)
        elif event.event_type is AuditEventType.DECISION:  # the newest holds; Plex events after it are its
            earlier = decisions.get(item)
            corrects[item] = earlier is not None and earlier.status is AuditStatus.APPROVED
            decisions[item] = event
            plex.pop(item, None)
        elif event.event_type in PLEX_EVENTS:
            plex[item] = event
            plex_trails.setdefault(item, []).append(event)
        elif replaced(event):
            replaced_by[item] = str(event.payload[SUPERSEDED_BY])
        elif withdrawal(event) is not None:
            withdrawn[item] = event
    return {
        item: ListedIncident(
            opening,
            decisions.get(item),
            plex.get(item),
            corrects.get(item, False),
            replaced_by.get(item),
            withdrawn.get(item),
            tuple(plex_trails.get(item, ())),
        )
        for item, opening in openings.items()
    }


@dataclass
class IncidentLog:
    """The incident events read so far, kept by a warm container between requests (as `review.queue.ReviewQueue`
    keeps the open items): the first request reads its period from the kind index and the two status
    partitions (or, when those hold more than `status_limit`, each page-confirmed incident's events); a later one
    only what is new since the previous read's start less `overlap` (the indexes are eventually consistent), and
    every `refresh`, or for a period starting earlier than what is kept, the whole period again. Events read twice
    are kept once (by event id). Safe to share between threads."""

    audit: AuditStore
    clock: Callable[[], datetime] = utc_now
    limit: int = READ_LIMIT
    status_limit: int = STATUS_READ_LIMIT
    refresh: timedelta = timedelta(minutes=5)
    overlap: timedelta = timedelta(minutes=2)
    _events: dict[str, AuditEvent] = field(default_factory=dict, init=False, repr=False)
    _since: datetime | None = field(default=None, init=False, repr=False)
    """Where the kept events start (the period of the last whole read)."""
    _full_at: datetime | None = field(default=None, init=False, repr=False)
    _next: datetime | None = field(default=None, init=False, repr=False)
    _complete: bool = field(default=True, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def listing(self, since: datetime, until: datetime) -> Listing:
        """The incidents reported at or after `since` and before `until`, newest first, with their decisions and
        Plex events (those may come later than `until`: read to now)."""
        with self._lock:
            now = self.clock()
            kept_since, full_at, start = self._since, self._full_at, self._next
            if kept_since is None or full_at is None or since < kept_since or now - full_at >= self.refresh:
                start = None
            if start is None:  # the whole period again
                self._events, self._since, self._full_at, self._complete = {}, since, now, True
            self._read(start or since)
            self._next = now - self.overlap
            events, complete = list(self._events.values()), self._complete
        kept = [i for i in fold(events).values() if since <= i.opening.occurred_at < until]
        kept.sort(key=lambda i: i.opening.index_sk, reverse=True)
        return Listing(kept, complete)

    def _read(self, start: datetime) -> None:
        """The kind index from `start` on, at most `limit` events (a longer period is not complete), and the
        write failures and withdrawals of the incidents kept: from the status index when it holds at most
        `status_limit` of each since `start`, else each page-confirmed incident's own events."""
        found = self.audit.by_kind(INCIDENT_CODING, since=start, limit=self.limit + 1)
        self._complete = self._complete and len(found) <= self.limit
        self._events.update((event.event_id, event) for event in found[: self.limit])
        plex = [
            self.audit.by_status(status, start, self.status_limit + 1)
            for status in (AuditStatus.WRITE_FAILED, AuditStatus.REVERTED)
        ]
        if any(len(events) > self.status_limit for events in plex):
            plex = [self._plex_events_of(self._confirmed_on_page())]
        self._events.update(
            (event.event_id, event) for events in plex for event in events if event.record_key.startswith(RECORD_PREFIX)
        )

    def _confirmed_on_page(self) -> list[str]:
        """The incidents kept whose newest decision was made on the incident's page (the ones it sends to Plex)."""
        return [
            item
            for item, listed in fold(self._events.values()).items()
            if listed.decision is not None and listed.decision.payload.get("via") == CONFIRMED_VIA
        ]

    def _plex_events_of(self, incidents: list[str]) -> list[AuditEvent]:
        """The write-back events of these incidents, each read from its own events (`for_finding`), a few at a time:
        the reads wait on the network, not on this process."""
        with ThreadPoolExecutor(max_workers=FINDING_READERS) as pool:
            histories = pool.map(self.audit.for_finding, incidents)
            return [event for events in histories for event in events if event.event_type in PLEX_EVENTS]
