"""A labor-data port over one snapshot already read, so that capabilities run one after the other on the
same data read the source once (the intraday refresh of forecasts and skill coverage: `plexlabor.intraday`).

`hold(port, reads)` reads, in one `read_snapshot`, the reference kinds of every read and each windowed kind
over the span of the windows the reads ask for it (`spanning`); `HeldPort` then answers each capability's
own `read_snapshot` from memory: reference kinds as read, a windowed kind filtered to the window asked
(half-open, on the field the port documents, in the port's order). A kind or a
window it does not hold is read from the source port, so a consumer never sees less than the source has.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from plexlabor import models
from plexlabor.plex.port import Extract, LaborDataPort, ModelT, TypedReads, operations_by_job, port_method
from plexlabor.plex.snapshot import PlexSnapshot, Reference, Window, Windowed, read_snapshot
from plexlabor.plex.windows import WINDOW_FIELDS, check_window, moment_of


@dataclass(frozen=True)
class Read:
    """What one capability reads: reference kinds whole, windowed kinds within their windows."""

    reference: Iterable[Reference]
    windows: Mapping[Windowed, Window]


def spanning(reads: Iterable[Read]) -> dict[Windowed, Window]:
    """Each windowed kind's window from the earliest begin to the latest end the reads ask for it."""
    spans: dict[Windowed, Window] = {}
    for read in reads:
        for kind, window in read.windows.items():
            begin, end = check_window(*window)
            known = spans.get(kind)
            spans[kind] = (begin, end) if known is None else (min(known[0], begin), max(known[1], end))
    return spans


def hold(port: LaborDataPort, reads: Iterable[Read], timezone: str | None = None) -> HeldPort:
    """One read of everything `reads` ask for, held for them."""
    reads = list(reads)
    reference = frozenset(kind for read in reads for kind in read.reference)
    snapshot = read_snapshot(port, reference=reference, windows=spanning(reads), timezone=timezone)
    return HeldPort(snapshot, reference, port)


class HeldPort(TypedReads):
    """A `LaborDataPort` answering from `snapshot` (the `reference` kinds it read, its windows), else from
    `source`."""

    def __init__(self, snapshot: PlexSnapshot, reference: Iterable[Reference], source: LaborDataPort) -> None:
        self.snapshot = snapshot
        self.reference = frozenset(reference)
        self.source = source
        self._operations_by_job: dict[str, list[models.JobOperation]] | None = None

    def timezone(self) -> str:
        return self.snapshot.timezone

    def extract(self) -> Extract | None:
        return self.source.extract()

    def _all(self, model: type[ModelT]) -> list[ModelT]:
        attribute = port_method(model.resource)
        if model.resource not in self.reference:
            return list(getattr(self.source, attribute)())
        return list(getattr(self.snapshot, attribute))

    def _window(self, model: type[ModelT], begin: datetime, end: datetime) -> list[ModelT]:
        """The held records of `model`'s kind in [begin, end): a slice, since a port returns them ordered by
        the window's field (then id), so the records of a window inside the held one are contiguous."""
        begin, end = check_window(begin, end)
        kind = cast(Windowed, model.resource)
        held = self.snapshot.windows.get(kind)
        attribute = port_method(kind)
        if held is None or begin < held[0] or end > held[1]:
            return list(getattr(self.source, attribute)(begin, end))
        records, moment_or_none = getattr(self.snapshot, attribute), moment_of(WINDOW_FIELDS[kind])

        def moment(record: Any) -> datetime:
            return moment_or_none(record) or begin  # never None: the source put each in its window

        return list(records[bisect_left(records, begin, key=moment) : bisect_left(records, end, key=moment)])

    def job_operations(self, job_id: str | None = None) -> list[models.JobOperation]:
        if "job-operations" not in self.reference:
            return self.source.job_operations(job_id)
        if job_id is None:
            return list(self.snapshot.job_operations)
        if self._operations_by_job is None:
            self._operations_by_job = operations_by_job(self.snapshot.job_operations)
        return list(self._operations_by_job.get(job_id, ()))

    def job_operations_of(self, job_ids: Sequence[str]) -> list[models.JobOperation]:
        if "job-operations" not in self.reference:
            return self.source.job_operations_of(job_ids)
        return super().job_operations_of(job_ids)

    def time_clock_entries_modified(self, since: datetime, until: datetime) -> list[models.TimeClockEntry]:
        return self.source.time_clock_entries_modified(since, until)
