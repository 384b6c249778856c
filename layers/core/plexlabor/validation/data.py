"""Everything the rules look at, indexed per employee and per workcenter.

Built from a snapshot read through the labor-data port (Plex, or a plant folder for batch runs), or from
the slice of records around one punch for the real-time path: the same class either way, so both paths
see the same neighbourhood.
"""

from __future__ import annotations

import gc
import math
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from itertools import pairwise
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from plexlabor.models import BadgeSwipe, LaborEntry, PlexModel, TimeClockEntry
from plexlabor.models.skills import CertificationExpiry, valid_on
from plexlabor.plex.plain import PlainRows
from plexlabor.validation.policy import Weekday, pay_week_start
from plexlabor.validation.records import (
    EventRow,
    Labor,
    Punch,
    Scheduled,
    Session,
    Swipe,
    WcEvent,
    epoch,
    event_rows,
)

if TYPE_CHECKING:  # the real-time path imports this module: no HTTP client, no plant folder on its import
    from plexlabor.plant import PlantFolder
    from plexlabor.plex.snapshot import PlexSnapshot

Rows = Iterable[dict[str, Any] | PlexModel]
DAY = 24 * 3600.0
USUAL_SHIFT_SHARE = 0.05
USUAL_SHIFT_SAMPLE = 5000
SHIFT_LEAD = 3600.0  # a login this long before a shift's start already belongs to it
QUARTER_HOUR = 900.0
_UNKNOWN: Any = object()


def _each(rows: Mapping[str, Rows], resource: str) -> Iterator[dict[str, Any]]:
    """The rows of one resource as camelCase dicts: a model's fields by their Plex names, its dates and
    times as Python values (`epoch` and `_day` read either form; a JSON dump cost more than reading)."""
    for item in rows.get(resource, ()):
        yield item.model_dump(by_alias=True) if isinstance(item, PlexModel) else item


def _day(value: date | str) -> date:
    """A date as a model holds it, or as Plex writes it."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _records(rows: Mapping[str, Rows], resource: str, record: Any) -> list[Any]:
    """The engine's records of one kind: from plain rows (`plex.plain`, the batch's reader), else from
    models or dicts the record class parses."""
    given = rows.get(resource, ())
    return record.plain(given) if isinstance(given, PlainRows) else list(map(record.read, given))


@dataclass(slots=True)
class EmployeeRef:
    department: str | None
    home_workcenter: str | None
    building: str | None
    supervisor: str | None
    number: str | None = None  # the plant's employee number: shown to supervisors, never logged
    role: str | None = None  # the position title (Operator, Technician, Supervisor, ...)


@dataclass
class Transactions:
    """The engine's records of each kind of transaction, in the order read (before indexing)."""

    schedules: list[Scheduled] = field(default_factory=list)
    punches: list[Punch] = field(default_factory=list)
    labor: list[Labor] = field(default_factory=list)
    swipes: list[Swipe] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    """Workcenter events as (time, kind, workcenter, employee, id): the index pairs them into sessions and runs."""
    downtime: list[tuple[str, float, float, str | None]] = field(default_factory=list)
    """(workcenter, start, end, employee); an open downtime ends at the extract."""


def read_transactions(rows: Mapping[str, Rows], as_of: float) -> Transactions:
    """The records of each kind of transaction in `rows`; `as_of`: the extract time."""
    downtime = []
    given = rows.get("downtime-entries", ())
    for row in given if isinstance(given, PlainRows) else _each(rows, "downtime-entries"):
        start, end = epoch(row["startTime"]), epoch(row.get("endTime"))
        if start is not None:
            downtime.append((row["workcenterId"], start, end or as_of, row.get("employeeId")))
    events = rows.get("workcenter-events", ())
    return Transactions(
        schedules=_records(rows, "shift-assignments", Scheduled),
        punches=_records(rows, "time-clock-entries", Punch),
        labor=_records(rows, "labor-entries", Labor),
        swipes=_records(rows, "badge-swipes", Swipe),
        events=event_rows(events, isinstance(events, PlainRows)),
        downtime=downtime,
    )


@dataclass
class PlantData:
    """Reference data plus transactions, indexed for the rules; each list of transactions is in time
    order (sessions and runs by their start), which the checks and timelines search by bisection."""

    tz: ZoneInfo
    as_of: float
    employees: dict[str, EmployeeRef] = field(default_factory=dict)
    workcenter_building: dict[str, str | None] = field(default_factory=dict)
    workcenter_codes: dict[str, str] = field(default_factory=dict)  # id -> the code people know it by
    job_numbers: dict[str, str] = field(default_factory=dict)  # job id -> job number
    skill_codes: dict[str, str] = field(default_factory=dict)  # skill id -> skill code
    requirements: dict[str, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    certifications: dict[str, list[tuple[str, int, date, date | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    approved: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    rates: dict[tuple[str, str, str], tuple[float, float]] = field(default_factory=dict)
    setups: dict[tuple[str, str, str], float] = field(default_factory=dict)  # the routing's setup hours, when > 0
    first_labor: dict[str, float] = field(default_factory=dict)  # job operation -> when its first labor began
    operations: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # id -> (part, op code, job)
    operation_runs: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    """Job operation id -> its actual start and end in Plex, where Plex gave either."""
    buildings: dict[str, tuple[float, float, float]] = field(default_factory=dict)  # lat, lon, radius m
    devices: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # id -> (type, building)
    schedules: dict[str, list[Scheduled]] = field(default_factory=lambda: defaultdict(list))
    punches: dict[str, list[Punch]] = field(default_factory=lambda: defaultdict(list))
    labor: dict[str, list[Labor]] = field(default_factory=lambda: defaultdict(list))
    sessions: dict[str, list[Session]] = field(default_factory=lambda: defaultdict(list))  # by employee
    wc_sessions: dict[str, list[Session]] = field(default_factory=lambda: defaultdict(list))
    runs: dict[str, list[tuple[WcEvent, float | None]]] = field(default_factory=lambda: defaultdict(list))
    swipes: dict[str, list[Swipe]] = field(default_factory=lambda: defaultdict(list))
    downtime: dict[str, list[tuple[float, float, str | None]]] = field(default_factory=lambda: defaultdict(list))
    _downtime_spans: dict[str, tuple[list[float], float]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )  # per workcenter: its downtime's starts, and the longest downtime (`downtime_during`)
    _record_times: dict[tuple[str, str], dict[str, float]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )  # per employee and resource: when each of their records of it happened (`record_time`)
    memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    """What a check or the norms derive from the whole plant once, under their own key (e.g. `checks.offsets`)."""
    _local_days: dict[float, date | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )  # per quarter hour of UTC: its plant-local date, where it has one (`local_date`)
    _clock_reads: dict[str, tuple[list[float], list[str]]] | None = field(
        default=None, init=False, repr=False, compare=False
    )  # per clock: every clock-in read there, in time order, and whose (`clock_reads`)
    shift_windows: tuple[tuple[int, int], ...] = ()
    """The plant's usual shifts as scheduled: (start, end) in local minutes of the day (`_usual_shifts`)."""

    # ---- building -------------------------------------------------------------------------------
    @classmethod
    def from_snapshot(cls, snapshot: PlexSnapshot, as_of: float) -> PlantData:
        """Index a snapshot read through the labor-data port (`validation.source.read_plant_data`)."""
        return cls.build(snapshot.rows(), snapshot.timezone, as_of)

    @classmethod
    def from_folder(cls, folder: PlantFolder) -> PlantData:
        """Index a plant folder: its history and the schedule after it, read as from Plex."""
        from plexlabor.plex.folder import PlantFolderSource
        from plexlabor.validation.source import read_plant_data  # the reader builds this class

        meta = folder.meta()
        return read_plant_data(PlantFolderSource(folder), meta.start, meta.end, meta.timezone)

    @classmethod
    def build(
        cls, rows: Mapping[str, Rows], timezone: str, as_of: float, transactions: Transactions | None = None
    ) -> PlantData:
        """Index Plex-shaped rows given per resource name: models, camelCase dicts (reference rows may be
        partial; records are parsed by their models), or a folder's `PlainRows` (taken as they are); the
        transactions from `transactions` when given (read elsewhere: `validation.cores`), else from `rows`."""
        data = cls(tz=ZoneInfo(timezone), as_of=as_of)
        data._index_people(rows)
        data._index_places(rows)
        data._index_routings(rows)
        data._index_records(transactions if transactions is not None else read_transactions(rows, as_of))
        return data

    def _index_people(self, rows: Mapping[str, Rows]) -> None:
        for row in _each(rows, "employees"):
            self.employees[row["id"]] = EmployeeRef(
                row.get("departmentCode"),
                row.get("homeWorkcenterId"),
                row.get("buildingCode"),
                row.get("supervisorId"),
                row.get("employeeNo"),
                row.get("positionTitle"),
            )
        for row in _each(rows, "skills"):
            if row.get("skillCode"):
                self.skill_codes[row["skillId"]] = row["skillCode"]
        for row in _each(rows, "certifications"):
            expires = row.get("expiresDate")
            self.certifications[row["employeeId"]].append(
                (
                    row["skillId"],
                    int(row["level"]),
                    _day(row["issuedDate"]),
                    _day(expires) if expires else None,
                )
            )

    def _index_places(self, rows: Mapping[str, Rows]) -> None:
        for row in _each(rows, "workcenters"):
            self.workcenter_building[row["workcenterId"]] = row.get("buildingCode")
            if row.get("workcenterCode"):
                self.workcenter_codes[row["workcenterId"]] = row["workcenterCode"]
        for row in _each(rows, "workcenter-requirements"):
            if row.get("certificationRequired", True):
                self.requirements[row["workcenterId"]].append((row["skillId"], int(row.get("minLevel", 1))))
        for row in _each(rows, "buildings"):
            self.buildings[row["buildingCode"]] = (
                float(row["latitude"]),
                float(row["longitude"]),
                float(row["geofenceRadiusM"]),
            )
        for row in _each(rows, "clock-devices"):
            self.devices[row["deviceId"]] = (row["deviceType"], row.get("buildingCode"))

    def _index_routings(self, rows: Mapping[str, Rows]) -> None:
        for row in _each(rows, "approved-workcenters"):
            self.approved[(row["partId"], row["operationCode"])].add(row["workcenterId"])
            self.rates[(row["partId"], row["operationCode"], row["workcenterId"])] = (
                float(row["standardProductionRate"]),
                float(row.get("crewSize") or 1),
            )
            if float(row.get("setupHours") or 0) > 0:
                self.setups[(row["partId"], row["operationCode"], row["workcenterId"])] = float(row["setupHours"])
        for row in _each(rows, "job-operations"):
            self.operations[row["id"]] = (row["partId"], row["operationCode"], row["jobId"])
            if row.get("actualStart") or row.get("actualEnd"):
                self.operation_runs[row["id"]] = (epoch(row.get("actualStart")), epoch(row.get("actualEnd")))
        for row in _each(rows, "jobs"):
            if row.get("jobNo"):
                self.job_numbers[row["id"]] = row["jobNo"]

    def _index_records(self, transactions: Transactions) -> None:
        """Transactions, per employee and per workcenter."""
        for shift in transactions.schedules:
            self.schedules[shift.employee].append(shift)
        for punch in transactions.punches:
            self.punches[punch.employee].append(punch)
        for entry in transactions.labor:
            self.labor[entry.employee].append(entry)
            if entry.start < self.first_labor.get(entry.job_operation, math.inf):
                self.first_labor[entry.job_operation] = entry.start
        for swipe in transactions.swipes:
            self.swipes[swipe.employee].append(swipe)
        for workcenter, start, end, employee in transactions.downtime:
            self.downtime[workcenter].append((start, end, employee))
        self._index_events(list(transactions.events))
        tables: tuple[tuple[Mapping[str, list[Any]], Callable[[Any], float]], ...] = (
            (self.schedules, _START),
            (self.punches, _T_IN),
            (self.labor, _START),
            (self.swipes, _T),
            (self.downtime, _FIRST),
        )
        for table, key in tables:
            for items in table.values():
                items.sort(key=key)
        self.shift_windows = self._usual_shifts()

    def _usual_shifts(self) -> tuple[tuple[int, int], ...]:
        """Local (start, end) windows that make up at least `USUAL_SHIFT_SHARE` of the working assignments
        (of an evenly spread sample): the plant's shifts, without the one-off edits."""
        working = [s for shifts in self.schedules.values() for s in shifts if s.working]
        sample = working[:: max(1, len(working) // USUAL_SHIFT_SAMPLE)]
        counts = Counter((self._minute_of_day(s.start), self._minute_of_day(s.end)) for s in sample)
        return tuple(sorted(w for w, n in counts.items() if n >= USUAL_SHIFT_SHARE * len(sample)))

    def _minute_of_day(self, t: float) -> int:
        local = datetime.fromtimestamp(t, self.tz)
        return local.hour * 60 + local.minute

    def _index_events(self, events: list[EventRow]) -> None:
        """Pair logins with logouts into sessions, and run starts with stops into runs."""
        events.sort(key=_TIME_AND_KIND)  # stable: events of one time and kind stay in the order read
        open_sessions: dict[tuple[str, str], Session] = {}
        open_runs: dict[str, WcEvent] = {}
        for event in events:
            t, kind, workcenter, employee, _ = event
            if kind == "OperatorLogin" and employee:
                session = Session(employee, workcenter, t, None)
                open_sessions[(employee, workcenter)] = session
                self.sessions[employee].append(session)
                self.wc_sessions[workcenter].append(session)
            elif kind == "OperatorLogout" and employee:
                closed = open_sessions.pop((employee, workcenter), None)
                if closed is not None:
                    closed.end = t
            elif kind == "RunStart":
                previous = open_runs.pop(workcenter, None)
                if previous is not None:  # a start without a stop: the run ended when the next began
                    self.runs[workcenter].append((previous, t))
                open_runs[workcenter] = WcEvent.of_row(event)
            elif kind == "RunStop":
                start = open_runs.pop(workcenter, None)
                if start is not None:
                    self.runs[workcenter].append((start, t))
        for start in open_runs.values():
            self.runs[start.workcenter].append((start, None))
        for table in (self.wc_sessions, self.sessions):
            for sessions in table.values():  # each in login order: the next one closes a forgotten logout
                for session, following in pairwise(sessions):
                    if session.end is None and (session.closed_by is None or following.start < session.closed_by):
                        session.closed_by = following.start

    def slice_for(self, employee: str, t: float, week_starts: Weekday = "monday") -> PlantData:
        """What the real-time path sees for a record of `employee` at `t`: its week plus a day each side, the week
        from the pay week's first day (`week_starts`, monday: ISO weeks; `PunchPolicy.pay_week_starts`).

        Reference data is shared; transactions are the employee's own, plus machine runs, within the window.
        """
        local = datetime.fromtimestamp(t, self.tz)
        first = datetime.combine(pay_week_start(local.date(), week_starts), time(), self.tz)
        low, high = first.timestamp() - DAY, first.timestamp() + 8 * DAY
        part = PlantData(
            tz=self.tz,
            as_of=self.as_of,
            employees=self.employees,
            workcenter_building=self.workcenter_building,
            workcenter_codes=self.workcenter_codes,
            job_numbers=self.job_numbers,
            skill_codes=self.skill_codes,
            requirements=self.requirements,
            certifications=self.certifications,
            approved=self.approved,
            rates=self.rates,
            setups=self.setups,
            first_labor=self.first_labor,
            operations=self.operations,
            operation_runs=self.operation_runs,
            buildings=self.buildings,
            devices=self.devices,
            downtime=self.downtime,
            shift_windows=self.shift_windows,
        )
        part._downtime_spans = self._downtime_spans  # the downtime is shared, and so is its index
        part._local_days = self._local_days
        part.schedules[employee] = [s for s in self.schedules.get(employee, ()) if low <= s.start < high + 8 * DAY]
        part.punches[employee] = [p for p in self.punches.get(employee, ()) if low <= p.t_in < high]
        part.labor[employee] = [e for e in self.labor.get(employee, ()) if low <= e.start < high]
        part.swipes[employee] = [s for s in self.swipes.get(employee, ()) if low <= s.t < high]
        part.sessions[employee] = [s for s in self.sessions.get(employee, ()) if low <= s.start < high]
        for workcenter, runs in self.runs.items():  # is the machine still running after a clock-out?
            part.runs[workcenter] = [(start, stop) for start, stop in runs if low <= start.t < high]
        return part

    # ---- lookups --------------------------------------------------------------------------------
    def record_time(self, employee: str, record_key: str) -> float | None:
        """When one of the employee's records happened: a punch's clock-in, a labor entry's start, a badge
        swipe's time; None when the employee has no such record. Indexed per employee and kind of record (the
        key's resource) on first use: most people's review findings are on punches alone."""
        resource = record_key.partition(":")[0]
        times = self._record_times.get((employee, resource))
        if times is None:  # a key read twice: its first time in the list's order
            table, when = _TIMED.get(resource, ("", _T))
            kept = getattr(self, table).get(employee, ()) if table else ()
            times = self._record_times[(employee, resource)] = dict(
                zip(map(_KEY, reversed(kept)), map(when, reversed(kept)), strict=True)
            )
        return times.get(record_key)

    def clock_reads(self, device: str) -> tuple[list[float], list[str]]:
        """Every clock-in read at a clock (as the clock read it), in time order, and whose; indexed on first use.
        The real-time slice holds one employee's punches only, so there it sees theirs alone."""
        if self._clock_reads is None:
            reads: dict[str, list[tuple[float, str]]] = defaultdict(list)
            for punches in self.punches.values():
                for punch in punches:
                    if punch.device:
                        reads[punch.device].append((punch.t_in, punch.employee))
            self._clock_reads = {
                clock: ([t for t, _ in pairs], [who for _, who in pairs])
                for clock, pairs in ((clock, sorted(pairs)) for clock, pairs in reads.items())
            }
        return self._clock_reads.get(device, ([], []))

    def downtime_during(self, workcenter: str, start: float, end: float) -> list[tuple[float, float, str | None]]:
        """The workcenter's downtime that overlaps (start, end), in start order.

        Asked for every labor entry: only downtime that starts after `start` less the longest one can
        still run into the span (a second of slack for rounding), so the rest is not looked at.
        """
        items = self.downtime.get(workcenter, [])
        if workcenter not in self._downtime_spans:
            longest = max((d_end - d_start for d_start, d_end, _ in items), default=0.0)
            self._downtime_spans[workcenter] = ([d_start for d_start, _, _ in items], longest)
        starts, longest = self._downtime_spans[workcenter]
        window = items[bisect_left(starts, start - longest - 1.0) : bisect_left(starts, end)]
        return [d for d in window if d[1] > start]

    def shift_at(self, employee: str, t: float) -> Scheduled | None:
        """The employee's scheduled working shift under way at `t` (from an hour before its start to its end)."""
        shifts = self.schedules.get(employee, [])
        index = bisect_left(shifts, t + SHIFT_LEAD, key=_START)
        return next((s for s in reversed(shifts[max(0, index - 2) : index]) if s.working and t <= s.end), None)

    def local_date(self, t: float) -> date:
        """The plant-local date of `t`. Asked some 250,000 times in a batch, so kept per quarter hour of UTC
        (every zone's offset is a whole number of quarter hours today): a quarter that starts and ends on
        the same local date at the same offset lies wholly on that date; any other is worked out each time."""
        quarter = t // QUARTER_HOUR
        day = self._local_days.get(quarter, _UNKNOWN)
        if day is _UNKNOWN:
            start, end = (datetime.fromtimestamp(q * QUARTER_HOUR, self.tz) for q in (quarter, quarter + 1))
            same = start.date() == end.date() and start.utcoffset() == end.utcoffset()
            day = self._local_days[quarter] = start.date() if same else None
        return day if day is not None else datetime.fromtimestamp(t, self.tz).date()

    def local_time(self, t: float) -> str:
        return datetime.fromtimestamp(t, self.tz).strftime("%H:%M")

    def workcenter_code(self, workcenter: str | None) -> str | None:
        """The code a workcenter is known by on the floor (None when unknown: never its id)."""
        return self.workcenter_codes.get(workcenter) if workcenter else None

    def job_number(self, job_operation: str) -> str | None:
        """The job number of a job operation, None when unknown."""
        operation = self.operations.get(job_operation)
        return self.job_numbers.get(operation[2]) if operation else None

    def operation_code(self, job_operation: str) -> str | None:
        """The operation code of a job operation (e.g. "20"), None when unknown."""
        operation = self.operations.get(job_operation)
        return operation[1] if operation else None

    def skill_code(self, skill: str) -> str:
        """A skill's code; its id when the skills were not read."""
        return self.skill_codes.get(skill, skill)

    def certified(
        self, employee: str, workcenter: str, day: date, *, expiry: CertificationExpiry = "last_valid_day"
    ) -> list[str]:
        """Skills a workcenter requires that the employee lacks (valid, at level) on `day`.

        `expiry`: what a certification's expiry date is at the plant (`PunchPolicy.certification_expiry`).
        """
        held = self.certifications.get(employee, ())
        return [
            skill
            for skill, level in self.requirements.get(workcenter, ())
            if not any(
                s == skill and lv >= level and valid_on(issued, expires, day, expiry) for s, lv, issued, expires in held
            )
        ]


@contextmanager
def collector_skips_what_exists() -> Iterator[None]:
    """Keep every object made so far (a plant's records and index: read once, never cyclic garbage) out of
    the cyclic collector's walks while the norms or the checks make their own objects. Without it each of
    the two walked the 800,000 objects of a 400-person half year in a full collection (1.2 s of a 14.5 s batch,
    measured with `gc.callbacks`). `gc.freeze` on the way in, `gc.unfreeze` on the way out (nothing else in
    plexlabor keeps objects frozen; when something already is, this does nothing). Reference counting frees
    as before meanwhile."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


_START, _T_IN, _T, _FIRST = attrgetter("start"), attrgetter("t_in"), attrgetter("t"), itemgetter(0)
"""What each kind of transaction is kept sorted by: its time."""
_TIME_AND_KIND = itemgetter(0, 1)
"""The order workcenter events are paired in (`EventRow`)."""
_KEY = attrgetter("key")
_TIMED: dict[str, tuple[str, Callable[[Any], float]]] = {
    TimeClockEntry.resource: ("punches", _T_IN),
    LaborEntry.resource: ("labor", _START),
    BadgeSwipe.resource: ("swipes", _T),
}
"""The kinds of record `record_time` knows: the table holding them and their time."""


def utc(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)
