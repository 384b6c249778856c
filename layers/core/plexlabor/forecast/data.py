"""What the forecasts read, indexed: master data as records, transactions as NumPy columns.

`read_forecast_data` reads exactly the windows a forecast needs from any port, as a Plex snapshot
(`plexlabor.plex.snapshot`), and `ForecastData.from_snapshot` indexes it; `ForecastData.build` takes
Plex-shaped rows in hand (models, or camelCase dicts parsed by the same models, so a malformed record
is reported by its field).

Time is epoch seconds (UTC) throughout. `truncate(t)` drops every transaction that started at or
after `t`, reopens entries still running at `t`, and forgets unplanned leave (sick days) not yet
recorded at `t`. Master data (job operations, routings, people) stays: a plan is known before it runs.
`seen_at(t, settings)` is the only way a backtest sees the past: `truncate(t)` cut to the windows
(`forecast_windows`) that `read_forecast_data` reads for a forecast at `t`, so a backtest's cut-off
sees what the nightly run would have read at that moment, no more and no less.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from plexlabor.forecast.settings import ForecastSettings
from plexlabor.models import DowntimeEntry, LaborEntry, ShiftAssignment, TimeClockEntry
from plexlabor.platform.clock import aware_utc
from plexlabor.plex.port import LaborDataPort
from plexlabor.plex.snapshot import PlexSnapshot, Reference, Window, Windowed, read_snapshot
from plexlabor.validation.policy import Weekday, pay_week_start

HOUR = 3600.0
DAY = 24 * HOUR
WEEK = 7 * DAY

WORK, PLANNED_LEAVE, UNPLANNED_LEAVE = 0, 1, 2
"""Schedule kinds: a shift to work, leave known in advance, leave recorded on the day (e.g. sick)."""


@dataclass(frozen=True, slots=True)
class Operation:
    id: str
    job_id: str
    job_no: str | None
    part_id: str
    part_family: str | None
    operation_no: int
    operation_code: str
    workcenter_id: str
    quantity: float
    standard_hours: float
    scheduled_start: float | None
    scheduled_end: float | None
    status: str = "Scheduled"


@dataclass(frozen=True, slots=True)
class Route:
    """An approved workcenter of a part operation: crew, standard rate (pieces/hour), setup."""

    crew_size: float
    rate: float
    setup_hours: float


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    department: str | None
    home_workcenter: str | None
    pay_rate: float | None
    shift_code: str | None
    hire_date: date | None
    supervisor_id: str | None


@dataclass(frozen=True, slots=True)
class WorkcenterRef:
    id: str
    code: str
    department: str | None


@dataclass(frozen=True, slots=True)
class ShiftWindow:
    shift_id: str
    code: str
    start_minute: int
    end_minute: int  # earlier than start: ends the next day
    break_minutes: int

    @property
    def paid_hours(self) -> float:
        length = (self.end_minute - self.start_minute) % (24 * 60) or 24 * 60
        return (length - self.break_minutes) / 60


@dataclass(frozen=True)
class Columns:
    """Parallel NumPy arrays, one row per record."""

    arrays: dict[str, np.ndarray]

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]

    def __len__(self) -> int:
        return len(next(iter(self.arrays.values()))) if self.arrays else 0

    def take(self, mask: np.ndarray) -> Columns:
        return Columns({name: values[mask] for name, values in self.arrays.items()})

    def with_column(self, name: str, values: np.ndarray) -> Columns:
        return Columns({**self.arrays, name: values})


def _epoch(value: datetime | None) -> float:
    return math.nan if value is None else value.timestamp()


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def check_timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"timezone: unknown time zone '{name}' (an IANA name, e.g. America/Detroit)") from None


@dataclass
class ForecastData:
    """Plant data up to `data_end` (the extract time), indexed for features, targets and overtime."""

    timezone: str
    data_end: float
    operations: dict[str, Operation]
    routes: dict[tuple[str, str, str], Route]
    people: dict[str, Person]
    workcenters: dict[str, WorkcenterRef]
    shifts: dict[str, ShiftWindow]
    employee_ids: list[str]
    workcenter_ids: list[str]
    operation_ids: list[str]
    labor: Columns  # op, emp, wc (indexes; -1 unknown), start, end (nan: open), qty
    downtime: Columns  # wc, start, end
    schedules: Columns  # emp, wc (-1 none), start, end, kind, shift (index into shift_codes; -1)
    punches: Columns  # emp, t_in, t_out (nan: open)
    shift_codes: list[str]
    issues: Counter[str] = field(default_factory=Counter)
    punches_since: float = -math.inf
    """Punches were read from this moment on (their window's start): before it, a scheduled shift
    without punches says nothing about attendance."""
    pay_week_starts: Weekday = "monday"
    """The first day of the plant's pay week, the week overtime is counted in (`week_start`): its
    `pay_week_starts` (`plexlabor:validationPolicy`, as validation and allocation count it)."""

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def employee_index(self) -> dict[str, int]:
        return {employee: i for i, employee in enumerate(self.employee_ids)}

    @property
    def workcenter_index(self) -> dict[str, int]:
        return {wc: i for i, wc in enumerate(self.workcenter_ids)}

    # ---- building ----------------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        rows: Mapping[str, Iterable[Any]],
        timezone: str,
        data_end: datetime,
        *,
        unplanned_leave_types: Iterable[str] = ("Sick",),
        pay_week_starts: Weekday = "monday",
    ) -> ForecastData:
        """Index rows given per resource name (`job-operations`, `labor-entries`, ...; absent = none).

        Rows are pydantic models or Plex camelCase dicts; a dict that does not parse raises
        `PlexDataError` naming the resource and the field.
        """
        check_timezone(timezone)
        snapshot = PlexSnapshot.from_rows(rows, timezone)
        return cls.from_snapshot(
            snapshot, data_end, unplanned_leave_types=unplanned_leave_types, pay_week_starts=pay_week_starts
        )

    @classmethod
    def from_snapshot(
        cls,
        snapshot: PlexSnapshot,
        data_end: datetime,
        *,
        unplanned_leave_types: Iterable[str] = ("Sick",),
        pay_week_starts: Weekday = "monday",
    ) -> ForecastData:
        """Index a Plex snapshot (`read_forecast_data` reads one with the windows a forecast needs); overtime
        is counted in pay weeks from `pay_week_starts`."""
        check_timezone(snapshot.timezone)
        end = aware_utc("data_end", data_end).timestamp()
        issues: Counter[str] = Counter()
        operations = _operations(snapshot)
        people = {
            e.id: Person(
                e.id,
                e.department_code,
                e.home_workcenter_id,
                e.pay_rate,
                e.default_shift_code,
                e.hire_date,
                e.supervisor_id,
            )
            for e in snapshot.employees
            if e.status == "Active"
        }
        workcenters = {
            wc.workcenter_id: WorkcenterRef(wc.workcenter_id, wc.workcenter_code, wc.department_code)
            for wc in snapshot.workcenters
        }
        shifts = {
            s.shift_id: ShiftWindow(
                s.shift_id, s.shift_code, _minutes(s.start_local), _minutes(s.end_local), s.break_minutes
            )
            for s in snapshot.shifts
        }
        shift_codes = sorted({s.code for s in shifts.values()})
        ids = _Indexes(list(people), list(workcenters))
        for op in operations.values():
            ids.workcenter(op.workcenter_id)
        operation_ids = list(operations)
        labor = _labor(snapshot.labor_entries, end, ids, {o: i for i, o in enumerate(operation_ids)}, issues)
        downtime = _downtime(snapshot.downtime_entries, end, ids)
        schedules = _schedules(snapshot.shift_assignments, end, ids, shifts, shift_codes, set(unplanned_leave_types))
        punches = _punches(snapshot.time_clock_entries, end, ids, issues)
        punch_window = snapshot.windows.get("time-clock-entries")
        return cls(
            timezone=snapshot.timezone,
            data_end=end,
            operations=operations,
            routes={
                (route.part_id, route.operation_code, route.workcenter_id): Route(
                    route.crew_size, route.standard_production_rate, route.setup_hours
                )
                for route in snapshot.approved_workcenters
            },
            people=people,
            workcenters=workcenters,
            shifts=shifts,
            employee_ids=ids.employee_ids,
            workcenter_ids=ids.workcenter_ids,
            operation_ids=operation_ids,
            labor=labor,
            downtime=downtime,
            schedules=schedules,
            punches=punches,
            shift_codes=shift_codes,
            issues=issues,
            punches_since=punch_window[0].timestamp() if punch_window else -math.inf,
            pay_week_starts=pay_week_starts,
        )

    # ---- the past as seen at a moment ----------------------------------------------------------
    def truncate(self, t: float) -> ForecastData:
        """The data as it was at `t`: nothing that started later, nothing finished that was running."""
        if t >= self.data_end:
            return self
        labor = self.labor.take(self.labor["start"] < t)
        labor = labor.with_column("end", np.where(labor["end"] > t, np.nan, labor["end"]))
        downtime = self.downtime.take(self.downtime["start"] < t)
        downtime = downtime.with_column("end", np.minimum(downtime["end"], t))
        punches = self.punches.take(self.punches["t_in"] < t)
        punches = punches.with_column("t_out", np.where(punches["t_out"] > t, np.nan, punches["t_out"]))
        kind = self.schedules["kind"]
        not_yet_known = (kind == UNPLANNED_LEAVE) & (self.schedules["end"] > t)
        schedules = self.schedules.with_column("kind", np.where(not_yet_known, WORK, kind))
        return replace(
            self, data_end=t, labor=labor, downtime=downtime, punches=punches, schedules=schedules, issues=Counter()
        )

    def seen_at(self, t: float, settings: ForecastSettings | None = None) -> ForecastData:
        """What `read_forecast_data` reads for a forecast at `t`, as it was at `t`: `truncate(t)` cut to
        `forecast_windows(t)` (labor and downtime over the history, punches over the habit weeks, the
        schedule over the history and the horizon). Needs data read over those windows (a backtest
        reads them with `backtest.read_backtest_data`)."""
        at = datetime.fromtimestamp(t, UTC)
        windows = {
            kind: (begin.timestamp(), end.timestamp()) for kind, (begin, end) in forecast_windows(at, settings).items()
        }
        past = self.truncate(t)

        def within(columns: Columns, field_name: str, kind: Windowed) -> Columns:
            begin, end = windows[kind]
            return columns.take((columns[field_name] >= begin) & (columns[field_name] < end))

        return replace(
            past,
            data_end=t,
            labor=within(past.labor, "start", "labor-entries"),
            downtime=within(past.downtime, "start", "downtime-entries"),
            punches=within(past.punches, "t_in", "time-clock-entries"),
            schedules=within(past.schedules, "start", "shift-assignments"),
            punches_since=max(self.punches_since, windows["time-clock-entries"][0]),
            issues=Counter(),
        )

    # ---- helpers ------------------------------------------------------------------------------
    def route_of(self, op: Operation, workcenter_id: str | None = None) -> Route | None:
        return self.routes.get((op.part_id, op.operation_code, workcenter_id or op.workcenter_id))

    def local(self, t: float) -> datetime:
        return datetime.fromtimestamp(t, self.tz)

    def week_start(self, t: float) -> float:
        """00:00 (plant time) of the first day of the pay week holding `t` (Monday: the ISO week)."""
        first = pay_week_start(self.local(t).date(), self.pay_week_starts)
        return datetime(first.year, first.month, first.day, tzinfo=self.tz).timestamp()

    def shift_at(self, t: float) -> ShiftWindow | None:
        """The shift whose window holds `t` (plant time); the later-starting one where two overlap."""
        local = self.local(t)
        minute = local.hour * 60 + local.minute
        best: tuple[int, ShiftWindow] | None = None
        for shift in self.shifts.values():
            since = (minute - shift.start_minute) % (24 * 60)
            length = (shift.end_minute - shift.start_minute) % (24 * 60) or 24 * 60
            if since < length and (best is None or since < best[0]):
                best = (since, shift)
        return best[1] if best else None


def _columns(rows: list[tuple[Any, ...]], names: tuple[str, ...], ints: int) -> Columns:
    matrix = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    arrays = {
        name: np.asarray(values, dtype=np.int64 if i < ints else np.float64)
        for i, (name, values) in enumerate(zip(names, matrix, strict=True))
    }
    return Columns(arrays)


class _Indexes:
    """Row indexes of employees and workcenters. An id first seen in a transaction gets the next index
    (an inactive or unknown employee is kept, so their hours still count)."""

    def __init__(self, employee_ids: list[str], workcenter_ids: list[str]) -> None:
        self.employee_ids, self.workcenter_ids = employee_ids, workcenter_ids
        self._employees = {e: i for i, e in enumerate(employee_ids)}
        self._workcenters = {w: i for i, w in enumerate(workcenter_ids)}

    def employee(self, employee_id: str) -> int:
        index = self._employees.get(employee_id)
        if index is None:
            index = self._employees[employee_id] = len(self.employee_ids)
            self.employee_ids.append(employee_id)
        return index

    def workcenter(self, workcenter_id: str | None) -> int:
        if workcenter_id is None:
            return -1
        index = self._workcenters.get(workcenter_id)
        if index is None:
            index = self._workcenters[workcenter_id] = len(self.workcenter_ids)
            self.workcenter_ids.append(workcenter_id)
        return index


def _operations(snapshot: PlexSnapshot) -> dict[str, Operation]:
    jobs = {job.id: job for job in snapshot.jobs}
    operations: dict[str, Operation] = {}
    for op in snapshot.job_operations:
        job = jobs.get(op.job_id)
        operations[op.id] = Operation(
            id=op.id,
            job_id=op.job_id,
            job_no=job.job_no if job else None,
            part_id=op.part_id,
            part_family=job.part_family if job else None,
            operation_no=op.operation_no,
            operation_code=op.operation_code,
            workcenter_id=op.workcenter_id,
            quantity=op.quantity,
            standard_hours=op.standard_hours,
            scheduled_start=None if op.scheduled_start is None else op.scheduled_start.timestamp(),
            scheduled_end=None if op.scheduled_end is None else op.scheduled_end.timestamp(),
            status=op.status,
        )
    return operations


def _labor(
    entries: Iterable[LaborEntry], end: float, ids: _Indexes, op_index: dict[str, int], issues: Counter[str]
) -> Columns:
    rows: list[tuple[int, int, int, float, float, float]] = []
    for entry in entries:
        start, stop = entry.start_time.timestamp(), _epoch(entry.end_time)
        if start >= end:
            continue
        if stop <= start:
            issues["labor entry ends before it starts (ignored)"] += 1
            continue
        op = op_index.get(entry.job_operation_id, -1)
        if op < 0:
            issues["labor entry on an unknown job operation"] += 1
        if stop > end:
            stop = math.nan
        rows.append(
            (op, ids.employee(entry.employee_id), ids.workcenter(entry.workcenter_id), start, stop, entry.quantity)
        )
    return _columns(rows, ("op", "emp", "wc", "start", "end", "qty"), ints=3)


def _downtime(entries: Iterable[DowntimeEntry], end: float, ids: _Indexes) -> Columns:
    rows = []
    for down in entries:
        start = down.start_time.timestamp()
        stop = min(_epoch(down.end_time), end) if down.end_time else end
        if start < end and stop > start:
            rows.append((ids.workcenter(down.workcenter_id), start, stop))
    return _columns(rows, ("wc", "start", "end"), ints=1)


def _schedules(
    assignments: Iterable[ShiftAssignment],
    end: float,
    ids: _Indexes,
    shifts: dict[str, ShiftWindow],
    shift_codes: list[str],
    unplanned: set[str],
) -> Columns:
    code_index = {code: i for i, code in enumerate(shift_codes)}
    rows = []
    for row in assignments:
        kind = WORK
        if row.status == "Leave":
            kind = UNPLANNED_LEAVE if (row.leave_type or "") in unplanned else PLANNED_LEAVE
            if kind == UNPLANNED_LEAVE and row.scheduled_end.timestamp() > end:
                kind = WORK  # a sick day is recorded on the day: not known yet at the extract
        shift = shifts.get(row.shift_id)
        rows.append(
            (
                ids.employee(row.employee_id),
                ids.workcenter(row.workcenter_id),
                code_index.get(shift.code, -1) if shift else -1,
                kind,
                row.scheduled_start.timestamp(),
                row.scheduled_end.timestamp(),
            )
        )
    return _columns(rows, ("emp", "wc", "shift", "kind", "start", "end"), ints=4)


def _punches(entries: Iterable[TimeClockEntry], end: float, ids: _Indexes, issues: Counter[str]) -> Columns:
    rows = []
    for punch in entries:
        t_in, t_out = punch.clockin_time.timestamp(), _epoch(punch.clockout_time)
        if t_in >= end:
            continue
        if t_out > end:
            t_out = math.nan
        if t_out <= t_in:
            issues["time-clock entry out before in (ignored)"] += 1
            continue
        rows.append((ids.employee(punch.employee_id), t_in, t_out))
    return _columns(rows, ("emp", "t_in", "t_out"), ints=1)


REFERENCE: tuple[Reference, ...] = (
    "employees",
    "workcenters",
    "approved-workcenters",
    "jobs",
    "job-operations",
    "shifts",
)
WINDOWED: tuple[Windowed, ...] = ("labor-entries", "downtime-entries", "time-clock-entries", "shift-assignments")
"""Read within windows (`read_forecast_data`): labor and downtime over the history, punches over the habit
weeks, the schedule over the history and the horizon."""
RESOURCES = REFERENCE + WINDOWED
"""Every resource a forecast reads."""


def forecast_windows(as_of: datetime, settings: ForecastSettings | None = None) -> dict[Windowed, Window]:
    """The window of each kind of record a forecast at `as_of` reads: labor and downtime over the
    training history (and the weeks behind its features), punches over the habit weeks (plus the one
    before them), the schedule over the history and through the horizon (plus a week, to finish the
    last ISO week projected)."""
    settings = settings or ForecastSettings()
    as_of = aware_utc("as_of", as_of)
    history = timedelta(weeks=max(settings.training_weeks + settings.lookback_weeks, settings.habit_weeks + 1))
    begin = as_of - history
    horizon = as_of + timedelta(days=settings.horizon_days + 7 * (settings.overtime_weeks_ahead + 1))
    habits = as_of - timedelta(weeks=settings.habit_weeks + 1)
    return dict(zip(WINDOWED, [(begin, as_of), (begin, as_of), (habits, as_of), (begin, horizon)], strict=True))


def read_forecast_data(
    port: LaborDataPort,
    timezone: str | None,
    as_of: datetime,
    settings: ForecastSettings | None = None,
    windows: Mapping[Windowed, Window] | None = None,
    pay_week_starts: Weekday = "monday",
) -> ForecastData:
    """Read what a forecast at `as_of` needs: master data and the records in `forecast_windows(as_of)`
    (or in the `windows` given: a backtest reads wider ones, then sees each cut-off through
    `ForecastData.seen_at`). The time zone is the port's unless given; the pay week starts on
    `pay_week_starts` (the plant's, `plexlabor:validationPolicy`)."""
    settings = settings or ForecastSettings()
    as_of = aware_utc("as_of", as_of)
    windows = dict(windows) if windows is not None else forecast_windows(as_of, settings)
    snapshot = read_snapshot(port, reference=REFERENCE, windows=windows, timezone=timezone)
    return ForecastData.from_snapshot(
        snapshot, as_of, unplanned_leave_types=settings.unplanned_leave_types, pay_week_starts=pay_week_starts
    )
