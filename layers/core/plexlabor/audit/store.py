"""The audit store port, and the in-memory fake that passes the same contract tests.

Ordering, shared by every implementation:
- `history` is ordered by `event.event_sk` (time, then event type, then event id);
- every other query is ordered by `event.index_sk` (time, then event id), oldest first;
- `since` is inclusive; `limit` keeps the oldest `limit` matches.

Queries answer with events, not states: `by_status(PENDING_APPROVAL)` lists the events that
opened an approval, including approvals decided since. A finding's current state is
`latest_for_finding(finding_id).status`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol, runtime_checkable

from plexlabor.audit.errors import AuditConflictError
from plexlabor.audit.events import AuditEvent, AuditStatus

DEFAULT_STATUS_LIMIT = 100


@runtime_checkable
class AuditStore(Protocol):
    """Append-only store of audit events. Implementations never update or delete an event."""

    def append(self, event: AuditEvent) -> None:
        """Record `event`. Raise AuditConflictError if its event_id is already recorded
        (anywhere, for any record): the stored event is left as it was."""
        ...

    def history(self, record_key: str) -> list[AuditEvent]:
        """Every event of one Plex record, oldest first."""
        ...

    def by_status(
        self, status: AuditStatus, since: datetime | None = None, limit: int = DEFAULT_STATUS_LIMIT
    ) -> list[AuditEvent]:
        """Events carrying `status`, occurred at or after `since`, oldest first, at most `limit`."""
        ...

    def by_supervisor(
        self,
        supervisor_id: str,
        status: AuditStatus | None = None,
        *,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[AuditEvent]:
        """Events naming this supervisor, optionally only those with `status`, oldest first."""
        ...

    def by_employee(
        self, employee_id: str, *, since: datetime | None = None, limit: int | None = None
    ) -> list[AuditEvent]:
        """Events about this (pseudonymous) employee, oldest first."""
        ...

    def for_finding(self, finding_id: str) -> list[AuditEvent]:
        """Every event of one finding, oldest first."""
        ...

    def latest_for_finding(self, finding_id: str) -> AuditEvent | None:
        """The most recent event of one finding (its current state), or None."""
        ...


def check_query(since: datetime | None, limit: int | None) -> None:
    """Refuse a naive `since` (it would be read in the machine's zone) and a limit below 1."""
    if since is not None and since.utcoffset() is None:
        raise ValueError("since must be timezone-aware")
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")


class InMemoryAuditStore:
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

    def by_status(
        self, status: AuditStatus, since: datetime | None = None, limit: int = DEFAULT_STATUS_LIMIT
    ) -> list[AuditEvent]:
        return self._select(lambda e: e.status == status, since=since, limit=limit)

    def by_supervisor(
        self,
        supervisor_id: str,
        status: AuditStatus | None = None,
        *,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[AuditEvent]:
        return self._select(
            lambda e: e.supervisor_id == supervisor_id and (status is None or e.status == status),
            since=since,
            limit=limit,
        )

    def by_employee(
        self, employee_id: str, *, since: datetime | None = None, limit: int | None = None
    ) -> list[AuditEvent]:
        return self._select(lambda e: e.employee_id == employee_id, since=since, limit=limit)

    def for_finding(self, finding_id: str) -> list[AuditEvent]:
        return self._select(lambda e: e.finding_id == finding_id)

    def latest_for_finding(self, finding_id: str) -> AuditEvent | None:
        events = self.for_finding(finding_id)
        return events[-1] if events else None

    def _select(
        self,
        match: Callable[[AuditEvent], bool],
        *,
        since: datetime | None = None,
        limit: int | None = None,
        key: Callable[[AuditEvent], str] = lambda e: e.index_sk,
    ) -> list[AuditEvent]:
        check_query(since, limit)
        with self._lock:
            snapshot: Iterable[AuditEvent] = list(self._events.values())
        found = sorted((e for e in snapshot if match(e) and (since is None or e.occurred_at >= since)), key=key)
        return [e.model_copy(deep=True) for e in found[:limit]]
