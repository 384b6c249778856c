"""The audit store port, and the in-memory fake that passes the same contract tests.

Ordering, shared by every implementation:
- `history` is ordered by `event.event_sk` (time, then event type, then event id);
- every other query is ordered by `event.index_sk` (time, then event id), oldest first;
- `since` is inclusive; `limit` keeps the oldest `limit` matches.

Queries answer with events, not states: `by_status(PENDING_APPROVAL)` lists the events that
opened an approval, including approvals decided since. A finding's current state is
`latest_for_finding(finding_id).status`.

A summary read (`summaries_by_status`, `IndexQuery.summary`) answers the same events with their payload
cut to `SUMMARY_KEYS`: what counting them needs (the KPI page, `review.kpis`), without the
payloads' evidence, which is most of a status read's bytes.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from plexlabor.audit.errors import AuditConflictError
from plexlabor.audit.events import AuditEvent, AuditStatus
from plexlabor.audit.schema import (
    GSI_EMPLOYEE,
    GSI_FINDING,
    GSI_KIND,
    GSI_PLAN_DAY,
    GSI_STATUS,
    GSI_SUPERVISOR,
    INDEX_FIELDS,
)
from plexlabor.platform.clock import aware_utc

DEFAULT_STATUS_LIMIT = 100
SUMMARY_KEYS = (
    "kind",
    "anomaly_type",
    "swapped_for",
    "chosen_by_hand",
    "replaces",
    "no_proposal",
    "changed",
    "superseded_by",
    "withdrawn",
    "group",
)
"""The payload keys a summary read keeps: those `review.kpis.compute_kpis` reads (a suggestion's kind and type, a
choice made by hand, what it replaced and whether that proposed nothing, a decision's changed codes and the short-seat
group it was made with, a closing's re-plan or withdrawal, `events.WITHDRAWN`). The DynamoDB adapter
stores them beside the payload at append (`dynamodb.PAYLOAD_SUMMARY`) and projects only them."""


def summary_of(event: AuditEvent) -> AuditEvent:
    """`event` as a summary read answers it: its payload cut to `SUMMARY_KEYS` (a write-back's previous values kept:
    an event of that type is not valid without them)."""
    payload = {key: event.payload[key] for key in SUMMARY_KEYS if key in event.payload}
    return event.model_copy(update={"payload": payload})


def check_query(since: datetime | None, limit: int | None) -> None:
    """Refuse a naive `since` (it would be read in the machine's zone) and a limit below 1."""
    if since is not None:
        aware_utc("since", since)
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")


@dataclass(frozen=True)
class IndexQuery:
    """One read of an audit-table index (`plexlabor.audit.schema`): the events whose
    `INDEX_FIELDS[index_name]` is `partition` (and that carry `status`, if given), occurred at or
    after `since`, ordered by `index_sk` (oldest first unless `newest_first`), at most `limit`."""

    index_name: str
    partition: str
    since: datetime | None = None
    limit: int | None = None
    status: AuditStatus | None = None
    newest_first: bool = False
    summary: bool = False
    """Answer each event as `summary_of` it."""

    def __post_init__(self) -> None:
        check_query(self.since, self.limit)


class AuditStore(ABC):
    """Append-only store of audit events. Implementations never update or delete an event.

    An implementation appends, reads a record's history and answers an `IndexQuery`; the queries
    below are built on that once, for every implementation.
    """

    @abstractmethod
    def append(self, event: AuditEvent) -> None:
        """Record `event`. Raise AuditConflictError if its event_id is already recorded
        (anywhere, for any record): the stored event is left as it was."""

    @abstractmethod
    def history(self, record_key: str) -> list[AuditEvent]:
        """Every event of one Plex record, oldest first."""

    @abstractmethod
    def _find(self, query: IndexQuery) -> list[AuditEvent]:
        """The events `query` selects, in its order."""

    def by_status(
        self, status: AuditStatus, since: datetime | None = None, limit: int = DEFAULT_STATUS_LIMIT
    ) -> list[AuditEvent]:
        """Events carrying `status`, occurred at or after `since`, oldest first, at most `limit`."""
        return self._find(IndexQuery(GSI_STATUS, AuditStatus(status).value, since=since, limit=limit))

    def summaries_by_status(
        self, status: AuditStatus, since: datetime | None = None, limit: int = DEFAULT_STATUS_LIMIT
    ) -> list[AuditEvent]:
        """`by_status`, each event as `summary_of` it (a summary read)."""
        return self._find(IndexQuery(GSI_STATUS, AuditStatus(status).value, since=since, limit=limit, summary=True))

    def by_supervisor(
        self,
        supervisor_id: str,
        status: AuditStatus | None = None,
        *,
        since: datetime | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[AuditEvent]:
        """Events naming this supervisor, optionally only those with `status`, oldest first (newest first when
        asked), at most `limit`."""
        wanted = None if status is None else AuditStatus(status)
        query = IndexQuery(
            GSI_SUPERVISOR, supervisor_id, since=since, limit=limit, status=wanted, newest_first=newest_first
        )
        return self._find(query)

    def by_employee(
        self, employee_id: str, *, since: datetime | None = None, limit: int | None = None
    ) -> list[AuditEvent]:
        """Events about this (pseudonymous) employee, oldest first."""
        return self._find(IndexQuery(GSI_EMPLOYEE, employee_id, since=since, limit=limit))

    def by_kind(
        self, kind: str, *, since: datetime | None = None, limit: int | None = None, newest_first: bool = False
    ) -> list[AuditEvent]:
        """Events whose payload names this `kind` (every status and event type that carries it), occurred at
        or after `since`, oldest first (newest first when asked), at most `limit`."""
        return self._find(IndexQuery(GSI_KIND, kind, since=since, limit=limit, newest_first=newest_first))

    def by_plan_day(self, day: str, *, since: datetime | None = None, limit: int | None = None) -> list[AuditEvent]:
        """The crew events about this day (`AuditEvent.plan_day`, `YYYY-MM-DD`: suggestions, re-plans' `applied`
        events, claims; every status and type that carries it), occurred at or after `since`, oldest first, at most
        `limit`."""
        return self._find(IndexQuery(GSI_PLAN_DAY, day, since=since, limit=limit))

    def index_kind(self, events: Iterable[AuditEvent]) -> int:
        """`add_to_index` of the kind index (`schema.GSI_KIND`)."""
        return self.add_to_index(GSI_KIND, events)

    def add_to_index(self, index_name: str, events: Iterable[AuditEvent]) -> int:
        """Give each of `events` (as `history` read them back) its key of the index `index_name` when it was recorded
        before that index existed (`schema.GSI_KIND`, `schema.GSI_PLAN_DAY`): the event itself unchanged; how many were
        given one (an event without that index's field, or in the index already, is left as it is). The fake derives
        its indexes from each event, so every event it holds is in every index already: 0."""
        return 0

    def for_finding(self, finding_id: str) -> list[AuditEvent]:
        """Every event of one finding, oldest first."""
        return self._find(IndexQuery(GSI_FINDING, finding_id))

    def latest_for_finding(self, finding_id: str) -> AuditEvent | None:
        """The most recent event of one finding (its current state), or None."""
        events = self._find(IndexQuery(GSI_FINDING, finding_id, limit=1, newest_first=True))
        return events[0] if events else None


class InMemoryAuditStore(AuditStore):
    """The fake: a dict behind a lock. Returns copies, so callers cannot edit stored history."""

    def __init__(self) -> None:
        self._events: dict[str, AuditEvent] = {}
        self._lock = threading.Lock()

    def append(self, event: AuditEvent) -> None:
        with self._lock:
            if event.event_id in self._events:
                raise AuditConflictError(event.event_id, event.record_key)
            self._events[event.event_id] = event.model_copy(deep=True)

    def history(self, record_key: str) -> list[AuditEvent]:
        return self._select(lambda e: e.record_key == record_key, key=lambda e: e.event_sk)

    def _find(self, query: IndexQuery) -> list[AuditEvent]:
        field = INDEX_FIELDS[query.index_name]

        def match(event: AuditEvent) -> bool:
            return (
                getattr(event, field) == query.partition
                and (query.status is None or event.status == query.status)
                and (query.since is None or event.occurred_at >= query.since)
            )

        found = self._select(match, key=lambda e: e.index_sk, newest_first=query.newest_first, limit=query.limit)
        return [summary_of(event) for event in found] if query.summary else found

    def _select(
        self,
        match: Callable[[AuditEvent], bool],
        *,
        key: Callable[[AuditEvent], str],
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[AuditEvent]:
        with self._lock:
            snapshot: Iterable[AuditEvent] = list(self._events.values())
        found = sorted((e for e in snapshot if match(e)), key=key, reverse=newest_first)
        return [e.model_copy(deep=True) for e in found[:limit]]
