"""The records around a batch of punches: read once per batch, sliced per record.

The real-time checks of a record look at its pay week (plant-local; ISO weeks unless the policy's
`pay_week_starts` says otherwise) and a day either side (`PlantData.slice_for`). A batch reads the union
of its records' windows in one go; windows that do not touch (a batch mixing today's punches with an edit
from last quarter) are read as separate spans rather than as everything in between. A record the source
does not return yet (a webhook that beat Plex's read side) is added from its message, so it is validated
as delivered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from plexlabor.intake.errors import ContextUnavailableError
from plexlabor.intake.messages import PunchEntry, change_marker, record_time
from plexlabor.models import TimeClockEntry, record_key
from plexlabor.platform.clock import merge_spans
from plexlabor.plex.port import LaborDataPort
from plexlabor.validation.data import PlantData
from plexlabor.validation.norms import Norms, compute_norms
from plexlabor.validation.policy import Weekday, pay_week_start
from plexlabor.validation.records import Labor, Punch
from plexlabor.validation.source import read_plant_data

DAY = timedelta(days=1)


def week_window(moment: datetime, timezone: ZoneInfo, week_starts: Weekday = "monday") -> tuple[datetime, datetime]:
    """The span `PlantData.slice_for` keeps for a record at `moment`: its local week ± 1 day, the week from
    `week_starts` (monday: ISO weeks)."""
    first = datetime.combine(pay_week_start(moment.astimezone(timezone).date(), week_starts), time(), timezone)
    start = first.astimezone(UTC)
    return start - DAY, start + 8 * DAY


def add_missing(data: PlantData, entries: Iterable[PunchEntry]) -> int:
    """Add the entries the source did not return (newest version of each); return how many."""
    latest: dict[str, PunchEntry] = {}
    for entry in entries:
        key = record_key(entry.resource, entry.id)
        if key not in latest or change_marker(entry) > change_marker(latest[key]):
            latest[key] = entry
    known = {p.key for rows in data.punches.values() for p in rows} | {
        e.key for rows in data.labor.values() for e in rows
    }
    added = 0
    for key, entry in latest.items():
        if key in known:
            continue
        if isinstance(entry, TimeClockEntry):
            punch = Punch.read(entry)
            data.punches[punch.employee].append(punch)
            data.punches[punch.employee].sort(key=lambda p: p.t_in)
        else:
            labor = Labor.read(entry)
            data.labor[labor.employee].append(labor)
            data.labor[labor.employee].sort(key=lambda e: e.start)
        added += 1
    return added


@dataclass
class Span:
    low: datetime
    high: datetime
    data: PlantData


@dataclass
class BatchContext:
    """What a batch's records are validated against: the plant data of each span, and the norms.

    Built on first use (`get`), so a batch whose records are all already validated (idempotency)
    reads nothing.
    """

    source: LaborDataPort
    timezone: str
    entries: Sequence[PunchEntry]
    load_norms: Callable[[], Norms | None]
    now: Callable[[], datetime]
    on_norms_missing: Callable[[str], None] = lambda _version: None
    week_starts: Weekday = "monday"
    """The pay week's first day (the engine's `PunchPolicy.pay_week_starts`): each record is
    read with its whole pay week."""
    spans: list[Span] = field(default_factory=list)
    norms: Norms | None = None
    reads: int = 0
    added: int = 0
    _failure: Exception | None = None

    def _load(self) -> None:
        zone = ZoneInfo(self.timezone)
        now = self.now()
        for low, high in merge_spans(week_window(record_time(e), zone, self.week_starts) for e in self.entries):
            latest_record = max(record_time(e) for e in self.entries if low <= record_time(e) < high)
            end = min(high, max(now, latest_record + timedelta(minutes=1)))
            data = read_plant_data(self.source, low, end, self.timezone)
            self.reads += 1
            self.added += add_missing(data, (e for e in self.entries if low <= record_time(e) < high))
            self.spans.append(Span(low, high, data))
        self.norms = self.load_norms()
        if self.norms is None and self.spans:
            self.norms = compute_norms(self.spans[0].data)
            self.on_norms_missing(self.norms.version)

    def for_entry(self, entry: PunchEntry) -> tuple[PlantData, Norms]:
        """The slice of plant data the real-time checks of `entry` see, and the norms."""
        if self._failure is not None:  # the source failed for this batch: fail every record, fast
            raise ContextUnavailableError(f"plant data for this batch could not be read: {self._failure}")
        if not self.spans:
            try:
                self._load()
            except Exception as error:
                self.spans.clear()
                self._failure = error
                raise
        moment = record_time(entry)
        for span in self.spans:
            if span.low <= moment < span.high:
                assert self.norms is not None
                return span.data.slice_for(entry.employee_id, moment.timestamp(), self.week_starts), self.norms
        raise LookupError(f"{record_key(entry.resource, entry.id)} is not part of this batch")
