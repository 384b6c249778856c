"""The KPI page's reads of the audit table's status index, kept per warm container (ux164 #10).

`review.kpis.compute_kpis` reads every event of seven statuses in the period (openings, decisions, expiries,
write-backs) on each request: with a plant's crew suggestions and findings that was 328 `pending_approval`
events and 657 KB of payloads on the walkthrough's local runtime, 2.2-3.5 s a load, most of it the reads.
`KpiReads` is the audit store the page hands it: a status read is answered from the events read before,
and only what is new is read, from each status's previous read start less `overlap` (the index's eventual
consistency, writers whose event shows a little after its `occurred_at`), as the review queue does
(`review.queue.ReviewQueue`); every `refresh` the whole period is read again, so anything the overlap missed
is right again within that time. A wider period than the one held (90 days after 28) is read whole. Any
other query goes to the store.

A read goes to the end, page after page (`review.kpis.read_pages`), so what is held is all of the period and each
status read is answered from it a page (`limit`) at a time; a read that filled its page was answered as the store's
one page and nothing was kept, and an incremental one that did so answered only what was new since the previous
read's start (review_s13 L3, L6).

Each status is read as summaries (`AuditStore.summaries_by_status`: the payload cut to what the KPIs read,
`audit.store.SUMMARY_KEYS`), so a container's first load and each whole read every `refresh` carry no evidence.

`KpiRuns` keeps the weekly retrains' last runs (`platform.retrainruns`, one S3 GET each) the same way: read again
`REFRESH` after the previous read, and a record that could not be read is not kept (the next load reads it again).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from plexlabor.audit.events import AuditEvent, AuditStatus
from plexlabor.audit.store import DEFAULT_STATUS_LIMIT, AuditStore, IndexQuery
from plexlabor.platform.artifacts import ArtifactStore
from plexlabor.platform.observability import logger
from plexlabor.platform.retrainruns import UNREADABLE, RetrainRun, RetrainRuns, read_last_run
from plexlabor.review.kpis import read_pages

REFRESH = timedelta(minutes=5)
OVERLAP = timedelta(minutes=2)


@dataclass
class _Held:
    """One status's events read so far."""

    since: datetime
    """The earliest time they cover."""
    mark: datetime
    """Where the next read starts."""
    full_at: datetime
    """When the whole period was last read."""
    events: dict[str, AuditEvent] = field(default_factory=dict)


class KpiReads(AuditStore):
    """`store`, with its status-index reads (as summaries) kept between requests and brought up to date
    incrementally."""

    def __init__(self, store: AuditStore, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock
        self._held: dict[AuditStatus, _Held] = {}
        self._lock = threading.Lock()

    def append(self, event: AuditEvent) -> None:
        self.store.append(event)

    def history(self, record_key: str) -> list[AuditEvent]:
        return self.store.history(record_key)

    def _find(self, query: IndexQuery) -> list[AuditEvent]:
        return self.store._find(query)

    def by_status(
        self, status: AuditStatus, since: datetime | None = None, limit: int = DEFAULT_STATUS_LIMIT
    ) -> list[AuditEvent]:
        if since is None:
            return self.store.summaries_by_status(status, since, limit)
        status = AuditStatus(status)
        with self._lock:
            started = self.clock()
            held = self._held.get(status)
            if held is None or since < held.since or started - held.full_at >= REFRESH:
                held = _Held(since, started, started)
                read_from = since
            else:
                read_from = held.mark
            found = read_pages(
                lambda start, size: self.store.summaries_by_status(status, start, size), status, read_from, limit
            )
            held.events.update((event.event_id, event) for event in found)
            held.mark = started - OVERLAP
            self._held[status] = held
            kept = [event for event in held.events.values() if event.occurred_at >= since]
        return sorted(kept, key=lambda event: event.index_sk)[:limit]


_READS: weakref.WeakKeyDictionary[AuditStore, KpiReads] = weakref.WeakKeyDictionary()
_READS_LOCK = threading.Lock()
SourceT = TypeVar("SourceT")
KeptT = TypeVar("KeptT")


def _kept_for(kept: weakref.WeakKeyDictionary[SourceT, KeptT], source: SourceT, make: Callable[[], KeptT]) -> KeptT:
    """The container's one `make()` for `source`, kept while `source` lives."""
    with _READS_LOCK:
        held = kept.get(source)
        if held is None:
            held = kept[source] = make()
        return held


def kpi_reads(store: AuditStore, clock: Callable[[], datetime]) -> KpiReads:
    """The container's `KpiReads` of `store` (one per store, kept while the store lives)."""
    return _kept_for(_READS, store, lambda: KpiReads(store, clock))


class KpiRuns:
    """`runs`' last retrain run of each family, kept between requests and read again after `REFRESH`."""

    def __init__(self, runs: RetrainRuns, clock: Callable[[], datetime]) -> None:
        self.runs = runs
        self.clock = clock
        self._held: dict[str, tuple[datetime, RetrainRun | None]] = {}
        """Family -> when its record was read, and what it held."""
        self._lock = threading.Lock()

    def last(self) -> dict[str, RetrainRun | None]:
        """Each family's last run; None when none was recorded or it cannot be read (logged, not kept)."""
        with self._lock:
            started = self.clock()
            return {family: self._last(family, store, started) for family, store in self.runs.stores().items()}

    def _last(self, family: str, store: ArtifactStore, started: datetime) -> RetrainRun | None:
        held = self._held.get(family)
        if held is not None and started - held[0] < REFRESH:
            return held[1]
        try:
            run = read_last_run(store)
        except UNREADABLE as error:
            self._held.pop(family, None)
            logger.warning("the last retrain run cannot be read", family=family, error=str(error))
            return None
        self._held[family] = (started, run)
        return run


_RUNS: weakref.WeakKeyDictionary[RetrainRuns, KpiRuns] = weakref.WeakKeyDictionary()


def kpi_runs(runs: RetrainRuns, clock: Callable[[], datetime]) -> KpiRuns:
    """The container's `KpiRuns` of `runs` (one per `RetrainRuns`, kept while it lives)."""
    return _kept_for(_RUNS, runs, lambda: KpiRuns(runs, clock))
