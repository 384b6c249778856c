"""What the skills analysis reads, as one plain snapshot, from a labor-data port or a plant folder.

`SkillsInput` holds reference data (employees, skills, certifications, workcenter requirements,
approved workcenters, shifts), the plan over the horizon (shift assignments and scheduled job
operations) and a look-back of history (labor entries, workcenter logins, scrap). Two loaders build
it with the same semantics:

- `load_from_port(port, ...)`: any `LaborDataPort` (Plex, the simulator, `PlantFolderSource`);
- `load_from_folder(folder, ...)`: reads a plant folder's JSON lines directly. Parsing every
  workcenter event of a 5,000-person plant through pydantic takes longer than the whole analysis,
  so the big files are read as plain JSON and only the rows in the windows are kept. A test holds
  the two loaders to the same result.

Windows (plant local midnights, half-open like every port read):
- plan: shift assignments whose `workDate` is in [as_of, as_of + horizon) (read by `scheduledStart`
  with a day of margin each side), job operations whose `scheduledStart` is in the horizon with the
  same margin (the coverage step maps each to its shift and drops those outside);
- history: labor entries (`startTime`), operator logins (`eventTime`) and scrap (`scrapTime`) in
  [as_of - lookback, as_of).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from plexlabor.models import (
    ApprovedWorkcenter,
    Certification,
    Employee,
    Job,
    JobOperation,
    LaborEntry,
    ScrapEntry,
    Shift,
    ShiftAssignment,
    Skill,
    Workcenter,
    WorkcenterEvent,
    WorkcenterRequirement,
)
from plexlabor.plant import PlantFolder
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.port import LaborDataPort

DEFAULT_HORIZON_DAYS = 14
DEFAULT_LOOKBACK_DAYS = 90
PLAN_MARGIN = timedelta(days=1)
CLOSED_JOBS = frozenset({"Complete", "Cancelled"})


@dataclass(frozen=True, slots=True)
class EmployeeInfo:
    id: str
    supervisor_id: str | None
    department: str | None
    home_workcenter: str | None
    building: str | None
    active: bool


@dataclass(frozen=True, slots=True)
class SkillInfo:
    id: str
    code: str
    name: str
    group: str | None


@dataclass(frozen=True, slots=True)
class WorkcenterInfo:
    id: str
    code: str
    department: str | None
    building: str | None


@dataclass(frozen=True, slots=True)
class CertRecord:
    id: str
    employee_id: str
    skill_id: str
    level: int
    issued: date
    expires: date | None

    def valid_on(self, day: date) -> bool:
        return self.issued <= day and (self.expires is None or day <= self.expires)


@dataclass(frozen=True, slots=True)
class Requirement:
    workcenter_id: str
    skill_id: str
    min_level: int
    certification_required: bool


@dataclass(frozen=True, slots=True)
class ShiftInfo:
    id: str
    code: str
    start: time
    end: time

    @property
    def length(self) -> timedelta:
        start = timedelta(hours=self.start.hour, minutes=self.start.minute)
        end = timedelta(hours=self.end.hour, minutes=self.end.minute)
        return end - start if end > start else end - start + timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PlannedShift:
    """One shift assignment: an employee scheduled (or on leave) on a shift, at a planned workcenter."""

    id: str
    employee_id: str
    shift_id: str
    work_date: date
    workcenter_id: str | None
    on_leave: bool


@dataclass(frozen=True, slots=True)
class ScheduledOperation:
    id: str
    job_id: str
    part_id: str
    operation_code: str
    workcenter_id: str
    standard_hours: float
    start: datetime  # UTC


@dataclass(frozen=True, slots=True)
class WorkRecord:
    """A labor entry (`kind="labor"`) or an operator login (`kind="login"`) at a workcenter."""

    id: str
    kind: str
    employee_id: str
    workcenter_id: str
    start: float  # epoch seconds
    end: float | None
    quantity: float


@dataclass(frozen=True, slots=True)
class ScrapRecord:
    id: str
    employee_id: str
    workcenter_id: str
    quantity: float


@dataclass
class SkillsInput:
    """Everything the skills analysis looks at, for one plant, as of one day."""

    timezone: str
    as_of: date
    horizon_days: int = DEFAULT_HORIZON_DAYS
    lookback_days: int = DEFAULT_LOOKBACK_DAYS
    employees: dict[str, EmployeeInfo] = field(default_factory=dict)
    skills: dict[str, SkillInfo] = field(default_factory=dict)
    workcenters: dict[str, WorkcenterInfo] = field(default_factory=dict)
    certifications: list[CertRecord] = field(default_factory=list)
    requirements: list[Requirement] = field(default_factory=list)
    crew_sizes: dict[tuple[str, str, str], float] = field(default_factory=dict)  # (part, op code, wc)
    shifts: dict[str, ShiftInfo] = field(default_factory=dict)
    planned: list[PlannedShift] = field(default_factory=list)
    operations: list[ScheduledOperation] = field(default_factory=list)
    work: list[WorkRecord] = field(default_factory=list)
    scrap: list[ScrapRecord] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.horizon_days < 1:
            raise ValueError("horizon_days must be at least 1")
        if self.lookback_days < 0:
            raise ValueError("lookback_days must be 0 or more")
        ZoneInfo(self.timezone)  # a clear error for an unknown zone

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def horizon_end(self) -> date:
        """The first day after the horizon."""
        return self.as_of + timedelta(days=self.horizon_days)

    def workcenter_code(self, workcenter: str) -> str:
        info = self.workcenters.get(workcenter)
        return info.code if info else workcenter

    def workcenter_building(self, workcenter: str) -> str | None:
        info = self.workcenters.get(workcenter)
        return info.building if info else None

    def skill_code(self, skill: str) -> str:
        info = self.skills.get(skill)
        return info.code if info else skill

    def skill_label(self, skill: str, level: int) -> str:
        """`CODE:Ln`, how reports name a required skill."""
        return f"{self.skill_code(skill)}:L{level}"

    def normalized(self) -> SkillsInput:
        """The same snapshot with every list in a canonical order (loaders call this)."""
        self.certifications.sort(key=lambda c: c.id)
        self.requirements.sort(key=lambda r: (r.workcenter_id, r.skill_id, r.min_level, r.certification_required))
        self.planned.sort(key=lambda p: (p.work_date, p.shift_id, p.employee_id, p.id))
        self.operations.sort(key=lambda o: (o.start, o.id))
        self.work.sort(key=lambda w: (w.start, w.kind, w.id))
        self.scrap.sort(key=lambda s: s.id)
        return self


# ---- windows ------------------------------------------------------------------------------------
def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """Midnight at the start of `day` in the plant's zone, as UTC."""
    return datetime.combine(day, time(0), tz).astimezone(UTC)


@dataclass(frozen=True)
class Windows:
    plan_begin: datetime
    plan_end: datetime
    history_begin: datetime
    history_end: datetime

    @classmethod
    def of(cls, as_of: date, horizon_days: int, lookback_days: int, tz: ZoneInfo) -> Windows:
        return cls(
            local_midnight(as_of, tz) - PLAN_MARGIN,
            local_midnight(as_of + timedelta(days=horizon_days), tz) + PLAN_MARGIN,
            local_midnight(as_of - timedelta(days=lookback_days), tz),
            local_midnight(as_of, tz),
        )

    def in_plan(self, moment: datetime | None) -> bool:
        return moment is not None and self.plan_begin <= moment < self.plan_end

    def in_history(self, moment: datetime | None) -> bool:
        return moment is not None and self.history_begin <= moment < self.history_end


def _minutes(hhmm: str) -> time:
    hours, minutes = hhmm.split(":")
    return time(int(hours), int(minutes))


# ---- reference data (the same converters for both loaders) ------------------------------------------
def _reference(
    snapshot: SkillsInput,
    employees: Iterable[Employee],
    skills: Iterable[Skill],
    workcenters: Iterable[Workcenter],
    certifications: Iterable[Certification],
    requirements: Iterable[WorkcenterRequirement],
    approved: Iterable[ApprovedWorkcenter],
    shifts: Iterable[Shift],
) -> None:
    for e in employees:
        snapshot.employees[e.id] = EmployeeInfo(
            e.id, e.supervisor_id, e.department_code, e.home_workcenter_id, e.building_code, e.status == "Active"
        )
    for s in skills:
        snapshot.skills[s.skill_id] = SkillInfo(s.skill_id, s.skill_code, s.name, s.skill_group)
    for w in workcenters:
        snapshot.workcenters[w.workcenter_id] = WorkcenterInfo(
            w.workcenter_id, w.workcenter_code, w.department_code, w.building_code
        )
    seen: set[str] = set()
    for c in certifications:
        if c.id not in seen:
            seen.add(c.id)
            snapshot.certifications.append(
                CertRecord(c.id, c.employee_id, c.skill_id, c.level, c.issued_date, c.expires_date)
            )
    snapshot.requirements.extend(
        Requirement(r.workcenter_id, r.skill_id, r.min_level, r.certification_required) for r in requirements
    )
    for a in approved:
        key = (a.part_id, a.operation_code, a.workcenter_id)
        snapshot.crew_sizes[key] = max(snapshot.crew_sizes.get(key, 0.0), a.crew_size)
    for sh in shifts:
        snapshot.shifts[sh.shift_id] = ShiftInfo(
            sh.shift_id, sh.shift_code, _minutes(sh.start_local), _minutes(sh.end_local)
        )


def _keep_assignment(snapshot: SkillsInput, work_date: date) -> bool:
    return snapshot.as_of <= work_date < snapshot.horizon_end


def default_timezone(port: LaborDataPort) -> str:
    """The plant's zone from its buildings (the first by code), else UTC."""
    zones = [b.timezone for b in sorted(port.buildings(), key=lambda b: b.building_code) if b.timezone]
    return zones[0] if zones else "UTC"


# ---- from a port --------------------------------------------------------------------------------
def load_from_port(
    port: LaborDataPort,
    as_of: date,
    *,
    timezone: str | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
) -> SkillsInput:
    """Read the snapshot through a labor-data port (Plex, the simulator or a plant folder)."""
    tz_name = timezone or default_timezone(port)
    snapshot = SkillsInput(tz_name, as_of, horizon_days, lookback_days)
    win = Windows.of(as_of, horizon_days, lookback_days, snapshot.tz)
    _reference(
        snapshot,
        port.employees(),
        port.skills(),
        port.workcenters(),
        port.certifications(),
        port.workcenter_requirements(),
        port.approved_workcenters(),
        port.shifts(),
    )
    for a in port.shift_assignments(win.plan_begin, win.plan_end):
        if _keep_assignment(snapshot, a.work_date):
            snapshot.planned.append(_planned(a))
    seen: set[str] = set()
    for op in _open_operations(port):
        if op.id not in seen and op.status != "Complete" and win.in_plan(op.scheduled_start):
            seen.add(op.id)
            snapshot.operations.append(_operation(op))
    if lookback_days:
        for entry in port.labor_entries(win.history_begin, win.history_end):
            snapshot.work.append(_labor(entry))
        for event in port.workcenter_events(win.history_begin, win.history_end):
            if event.event_type == "OperatorLogin" and event.employee_id:
                snapshot.work.append(_login(event))
        for scrap in port.scrap_entries(win.history_begin, win.history_end):
            if scrap.employee_id:
                snapshot.scrap.append(ScrapRecord(scrap.id, scrap.employee_id, scrap.workcenter_id, scrap.quantity))
    return snapshot.normalized()


def _open_operations(port: LaborDataPort) -> list[JobOperation]:
    """Operations of jobs not complete or cancelled. Plex answers operations one job at a time, so when
    some jobs are closed only the open ones are asked for; otherwise one call for all."""
    jobs = port.jobs()
    open_jobs = [job.id for job in jobs if job.status not in CLOSED_JOBS]
    if len(open_jobs) == len(jobs):
        return port.job_operations()
    return [op for job_id in open_jobs for op in port.job_operations(job_id)]


def _planned(a: ShiftAssignment) -> PlannedShift:
    return PlannedShift(a.id, a.employee_id, a.shift_id, a.work_date, a.workcenter_id, a.status == "Leave")


def _operation(op: JobOperation) -> ScheduledOperation:
    assert op.scheduled_start is not None
    return ScheduledOperation(
        op.id, op.job_id, op.part_id, op.operation_code, op.workcenter_id, op.standard_hours, op.scheduled_start
    )


def _labor(entry: LaborEntry) -> WorkRecord:
    end = entry.end_time.timestamp() if entry.end_time else None
    return WorkRecord(
        entry.id, "labor", entry.employee_id, entry.workcenter_id, entry.start_time.timestamp(), end, entry.quantity
    )


def _login(event: WorkcenterEvent) -> WorkRecord:
    assert event.employee_id is not None
    return WorkRecord(event.id, "login", event.employee_id, event.workcenter_id, event.event_time.timestamp(), None, 0)


# ---- either ------------------------------------------------------------------------------------
def plant_timezone(source: LaborDataPort, configured: str | None = None) -> str:
    """The configured zone, else a plant folder's `plant.json`, else the buildings' (else UTC)."""
    if configured:
        return configured
    if isinstance(source, PlantFolderSource):
        return source.plant.meta().timezone
    return default_timezone(source)


def load(
    source: LaborDataPort,
    as_of: date,
    *,
    timezone: str | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
) -> SkillsInput:
    """The snapshot from any port; a `PlantFolderSource` is read directly from its folder (faster, same result)."""
    if isinstance(source, PlantFolderSource) and timezone in (None, source.plant.meta().timezone):
        return load_from_folder(source.plant, as_of, horizon_days=horizon_days, lookback_days=lookback_days)
    return load_from_port(source, as_of, timezone=timezone, horizon_days=horizon_days, lookback_days=lookback_days)


# ---- from a plant folder ------------------------------------------------------------------------
def load_from_folder(
    folder: PlantFolder | Path | str,
    as_of: date | None = None,
    *,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
) -> SkillsInput:
    """Read the snapshot from a plant folder; `as_of` defaults to the extract day (`default_as_of`)."""
    plant = folder if isinstance(folder, PlantFolder) else PlantFolder(folder)
    meta = plant.meta()
    tz = ZoneInfo(meta.timezone)
    day = as_of or default_as_of(plant)
    snapshot = SkillsInput(meta.timezone, day, horizon_days, lookback_days)
    win = Windows.of(day, horizon_days, lookback_days, tz)
    _reference(
        snapshot,
        plant.load(Employee),
        plant.load(Skill),
        plant.load(Workcenter),
        plant.load(Certification),
        plant.load(WorkcenterRequirement),
        plant.load(ApprovedWorkcenter),
        plant.load(Shift),
    )
    first, last = day.isoformat(), snapshot.horizon_end.isoformat()
    seen: set[str] = set()
    for row in _rows_dated(plant, ShiftAssignment.resource, "workDate", day, snapshot.horizon_end):
        if first <= row["workDate"] < last and row["id"] not in seen and win.in_plan(_utc(row["scheduledStart"])):
            seen.add(row["id"])
            snapshot.planned.append(
                PlannedShift(
                    row["id"],
                    row["employeeId"],
                    row["shiftId"],
                    date.fromisoformat(row["workDate"]),
                    row.get("workcenterId"),
                    row.get("status") == "Leave",
                )
            )
    seen.clear()
    closed = {
        row["id"]
        for status in sorted(CLOSED_JOBS)
        for row in _lines_with(plant, Job.resource, f'"{status}"')
        if row.get("status") in CLOSED_JOBS
    }
    plan_days = (win.plan_begin.date() - PLAN_MARGIN, win.plan_end.date() + PLAN_MARGIN)
    for row in _rows_dated(plant, JobOperation.resource, "scheduledStart", *plan_days):
        start = _utc(row.get("scheduledStart"))
        if (
            row["id"] not in seen
            and row.get("status", "Scheduled") != "Complete"
            and row["jobId"] not in closed
            and win.in_plan(start)
        ):
            seen.add(row["id"])
            assert start is not None
            snapshot.operations.append(
                ScheduledOperation(
                    row["id"],
                    row["jobId"],
                    row["partId"],
                    row["operationCode"],
                    row["workcenterId"],
                    float(row["standardHours"]),
                    start,
                )
            )
    if lookback_days:
        _history_from_folder(plant, snapshot, win)
    return snapshot.normalized()


def default_as_of(plant: PlantFolder) -> date:
    """The plant's extract day: the local date of `plant.json`'s `end` (midnight after the last day of
    history), i.e. the first day of the plan. History runs up to it, the schedule from it."""
    meta = plant.meta()
    return meta.end.astimezone(ZoneInfo(meta.timezone)).date()


def _history_from_folder(plant: PlantFolder, snapshot: SkillsInput, win: Windows) -> None:
    seen: set[str] = set()
    days = (win.history_begin.date() - PLAN_MARGIN, win.history_end.date() + PLAN_MARGIN)
    for row in _rows_dated(plant, LaborEntry.resource, "startTime", *days):
        start = _utc(row["startTime"])
        if row["id"] not in seen and win.in_history(start):
            seen.add(row["id"])
            assert start is not None
            end = _utc(row.get("endTime"))
            snapshot.work.append(
                WorkRecord(
                    row["id"],
                    "labor",
                    row["employeeId"],
                    row["workcenterId"],
                    start.timestamp(),
                    end.timestamp() if end else None,
                    float(row.get("quantity") or 0),
                )
            )
    seen.clear()
    for row in _lines_with(plant, WorkcenterEvent.resource, '"OperatorLogin"'):
        moment = _utc(row["eventTime"])
        if (
            row.get("eventType") == "OperatorLogin"
            and row.get("employeeId")
            and row["id"] not in seen
            and win.in_history(moment)
        ):
            seen.add(row["id"])
            assert moment is not None
            snapshot.work.append(
                WorkRecord(row["id"], "login", row["employeeId"], row["workcenterId"], moment.timestamp(), None, 0)
            )
    seen.clear()
    for row in _rows_dated(plant, ScrapEntry.resource, "scrapTime", *days):
        if row.get("employeeId") and row["id"] not in seen and win.in_history(_utc(row["scrapTime"])):
            seen.add(row["id"])
            snapshot.scrap.append(
                ScrapRecord(row["id"], row["employeeId"], row["workcenterId"], float(row["quantity"]))
            )


def _lines(plant: PlantFolder, resource: str) -> Iterator[str]:
    path = plant.file_for(resource)
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        yield from handle


def _lines_with(plant: PlantFolder, resource: str, needle: str) -> Iterator[dict[str, Any]]:
    """Rows of a resource whose raw line contains `needle` (skips parsing the rest)."""
    for line in _lines(plant, resource):
        if needle in line:
            yield json.loads(line)


def _rows_dated(plant: PlantFolder, resource: str, name: str, low: date, high: date) -> Iterator[dict[str, Any]]:
    """Rows whose `name` field starts with a date in [low, high), read without parsing the others.

    A coarse pre-filter on the raw line (the caller still checks the exact window): a row whose field
    is absent, null or not found by the pattern is parsed and handed over.
    """
    pattern = re.compile(r'"' + re.escape(name) + r'"\s*:\s*"(\d{4}-\d{2}-\d{2})')
    first, last = low.isoformat(), high.isoformat()
    for line in _lines(plant, resource):
        if not line.strip():
            continue
        found = pattern.search(line)
        if found is None or first <= found.group(1) < last:
            yield json.loads(line)


def _utc(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
