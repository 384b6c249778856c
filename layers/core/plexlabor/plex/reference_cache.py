"""A labor-data port that keeps reference data for a while (the real-time validator's, crew_replan's refreshes),
and, when asked to, the history of windowed kinds, read again only from where it can still change."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from plexlabor import models
from plexlabor.platform.clock import utc_now
from plexlabor.plex.port import Extract, LaborDataPort, ModelT, TypedReads, operations_by_job, port_method
from plexlabor.plex.snapshot import Windowed
from plexlabor.plex.windows import WINDOW_FIELDS, check_window, moment_of

REFERENCE_MAX_AGE_S = 900.0
"""How long reference data is kept by default (the validator's `REFERENCE_MAX_AGE_SECONDS`, crew_replan's)."""
HISTORY_MAX_AGE_S = 3600.0
"""How long history is caught up before it is read whole again: an edit to a record older than `LATE_BY`
(a corrected quantity) is seen within this."""
LATE_BY = timedelta(days=1)
"""Records are read again from this long before the last read (entered late, or edited since)."""
OPEN_WHILE = {"labor-entries": "end_time", "time-clock-entries": "clockout_time"}
"""The kinds history can be kept of, and the field that is empty while a record is open (it will change)."""


@dataclass(frozen=True)
class _History:
    begin: datetime
    end: datetime
    records: list[Any]
    whole_at: float
    """When the window was last read whole (the cache's clock)."""
    read_at: datetime
    """When it was last read (UTC): records from `LATE_BY` before it are read again."""


class ReferenceCache(TypedReads):
    """A labor-data port that keeps reference data (employees, workcenters, routings, job operations,
    certifications, buildings, clocks, shifts) for `max_age_s`; windowed reads go through, except the
    `history` kinds (`OPEN_WHILE`).

    The real-time validator reads a week of context per batch. Without this, every batch would also
    re-read the reference data, and job operations cost one Plex call per job: at Plex's ~200
    calls/minute a warm Lambda would spend most of its budget on data that changes a few times a day.

    History (crew_replan's refreshes: 90 days of labor entries every 5 minutes): a `history` kind's window is
    read whole once, then only from where its records can still change (the earliest record still open, else
    `LATE_BY` before the last read, `now`), records before that kept, and for a window that begins earlier only
    the part before; whole again after `history_max_age_s`. With history, a complete job's operations (all of
    them complete) are history too: kept `history_max_age_s`, and `expire` keeps them.
    """

    def __init__(
        self,
        port: LaborDataPort,
        max_age_s: float = REFERENCE_MAX_AGE_S,
        clock: Callable[[], float] | None = None,
        *,
        history: Iterable[Windowed] = (),
        history_max_age_s: float = HISTORY_MAX_AGE_S,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        import time

        self.port, self.max_age_s = port, max_age_s
        self._clock = clock or time.monotonic
        self._cache: dict[tuple[str, object], tuple[float, list[Any]]] = {}
        self.reads = 0
        self.history = frozenset(history)
        if unknown := sorted(self.history - set(OPEN_WHILE)):
            raise ValueError(f"no history is kept of {', '.join(unknown)} (only {', '.join(OPEN_WHILE)})")
        self.history_max_age_s, self._now = history_max_age_s, now
        self._history: dict[str, _History] = {}
        self._closed_jobs: set[str] = set()

    def _cached(self, name: str, key: object, read: Callable[[], list[Any]]) -> list[Any]:
        now = self._clock()
        if self._stale((name, key), now):
            self._cache[(name, key)] = (now, read())
            self.reads += 1
        return list(self._cache[(name, key)][1])

    def _stale(self, key: tuple[str, object], now: float) -> bool:
        """Not kept, or kept longer than its age (a complete job's operations: the history's)."""
        hit = self._cache.get(key)
        closed = key[0] == "job-operations" and key[1] in self._closed_jobs
        return hit is None or now - hit[0] > (self.history_max_age_s if closed else self.max_age_s)

    def expire(self) -> None:
        """Drop the reference data kept: the next read of each kind asks the port (history is kept)."""
        self._cache = {
            key: hit for key, hit in self._cache.items() if key[0] == "job-operations" and key[1] in self._closed_jobs
        }

    # what the source knows about the plant: asked through
    def timezone(self) -> str:
        return self.port.timezone()

    def extract(self) -> Extract | None:
        return self.port.extract()

    # reference data: cached
    def _all(self, model: type[ModelT]) -> list[ModelT]:
        return self._cached(model.resource, None, getattr(self.port, port_method(model.resource)))

    def job_operations(self, job_id: str | None = None) -> list[models.JobOperation]:
        operations = self._cached("job-operations", job_id, lambda: self.port.job_operations(job_id))
        self._closed(job_id, operations)
        return operations

    def job_operations_of(self, job_ids: Sequence[str]) -> list[models.JobOperation]:
        """Each job's operations as kept; those not kept (or too old) read from the port in one call."""
        now = self._clock()
        stale = [job_id for job_id in job_ids if self._stale(("job-operations", job_id), now)]
        if stale:
            read = operations_by_job(self.port.job_operations_of(stale))
            for job_id in stale:
                self._cache[("job-operations", job_id)] = (now, read.get(job_id, []))
                self._closed(job_id, read.get(job_id, []))
            self.reads += 1
        return [operation for job_id in job_ids for operation in self._cache[("job-operations", job_id)][1]]

    def _closed(self, job_id: str | None, operations: list[models.JobOperation]) -> None:
        """With history, a job whose operations are all complete is history too."""
        if self.history and job_id is not None and operations and all(op.status == "Complete" for op in operations):
            self._closed_jobs.add(job_id)

    # transactions: always read, but for history
    def _window(self, model: type[ModelT], begin: datetime, end: datetime) -> list[ModelT]:
        if model.resource in self.history:
            return self._caught_up(model.resource, begin, end)
        return list(getattr(self.port, port_method(model.resource))(begin, end))

    def time_clock_entries(
        self, begin: datetime, end: datetime, *, employee_id: str | None = None
    ) -> list[models.TimeClockEntry]:
        if employee_id is None and "time-clock-entries" in self.history:
            return self._caught_up("time-clock-entries", begin, end)
        return self.port.time_clock_entries(begin, end, employee_id=employee_id)

    def time_clock_entries_modified(self, since: datetime, until: datetime) -> list[models.TimeClockEntry]:
        return self.port.time_clock_entries_modified(since, until)

    def _caught_up(self, kind: str, begin: datetime, end: datetime) -> list[Any]:
        """The records of `kind` in [begin, end): the kept ones that can no longer change, the rest read. What is
        kept spans every window asked since the whole read (refreshes of two shifts of different days alternate)."""
        begin, end = check_window(begin, end)
        read, moment_or_none = getattr(self.port, port_method(kind)), moment_of(WINDOW_FIELDS[kind])

        def moment(record: Any) -> datetime:
            return moment_or_none(record) or begin  # never None: the port put each record in its window

        clock, now, kept = self._clock(), self._now(), self._history.get(kind)
        if kept is None or clock - kept.whole_at > self.history_max_age_s:
            records = list(read(begin, end))
            self._history[kind] = _History(begin, end, records, clock, now)
            self.reads += 1
            return records
        earlier = list(read(begin, kept.begin)) if begin < kept.begin else []
        opened = [moment(record) for record in kept.records if getattr(record, OPEN_WHILE[kind]) is None]
        since = max(kept.begin, min([kept.end, kept.read_at - LATE_BY, *opened]))
        upper = max(end, kept.end)
        fresh = list(read(since, upper)) if since < upper else []
        again = {record.id for record in fresh}
        held = [record for record in kept.records if moment(record) < since and record.id not in again]
        records = earlier + held + fresh  # each ordered by (moment, id), one after the other
        self._history[kind] = _History(min(begin, kept.begin), upper, records, kept.whole_at, now)
        return records[bisect_left(records, begin, key=moment) : bisect_left(records, end, key=moment)]
