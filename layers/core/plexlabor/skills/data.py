"""What the skills analysis reads, as one plain snapshot, from any labor-data port.

`SkillsInput` holds reference data (employees, skills, certifications, workcenter requirements,
approved workcenters, shifts), the plan over the horizon (shift assignments and scheduled job
operations of open jobs) and a look-back of history (labor entries, workcenter logins, scrap).
`load(port, as_of)` reads it through `plexlabor.plex.snapshot` (Plex, the simulator, or a plant folder,
which reads its windows fast inside itself) and `from_snapshot` shapes it.

Windows (plant local midnights, half-open like every port read):
- plan: shift assignments whose `workDate` is in [as_of, as_of + horizon) (read by `scheduledStart`
  with a day of margin each side), job operations whose scheduled span [`scheduledStart`,
  `scheduledEnd`) meets the horizon with the same margin (the coverage step spreads each over the shifts
  it spans and drops the shifts outside);
- history: labor entries (`startTime`), operator logins (`eventTime`) and scrap (`scrapTime`) in
  [as_of - lookback, as_of).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from plexlabor.models import JobOperation, LaborEntry, ShiftAssignment, WorkcenterEvent
from plexlabor.models.skills import CertificationExpiry, last_valid_day, valid_on
from plexlabor.plant import PlantFolder
from plexlabor.platform.clock import local_midnight
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.port import LaborDataPort
from plexlabor.plex.snapshot import PlexSnapshot, Reference, Windowed, collector_paused, read_snapshot

DEFAULT_HORIZON_DAYS = 14
MAX_HORIZON_DAYS = 60
"""The longest horizon a report covers (skills_daily's setting and event, the command line)."""
DEFAULT_LOOKBACK_DAYS = 90
PLAN_MARGIN = timedelta(days=1)


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
    """The expiry date as Plex holds it (what pages show); what it means is `expiry`."""
    expiry: CertificationExpiry = "last_valid_day"
    """The plant's `certification_expiry` (`ValidationPolicy`): whether `expires` is still a valid day."""

    @property
    def last_valid(self) -> date | None:
        """The last day the certification is valid (None: it never expires)."""
        return last_valid_day(self.expires, self.expiry)

    def valid_on(self, day: date) -> bool:
        return valid_on(self.issued, self.expires, day, self.expiry)


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
    end: datetime | None = None  # UTC; None when Plex gives no scheduled end


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

    def meets_plan(self, start: datetime | None, end: datetime | None) -> bool:
        """Whether a scheduled span [start, end) (just `start` without an end) meets the plan window."""
        if start is None:
            return False
        return start < self.plan_end and max(start, end or start) >= self.plan_begin

    def in_history(self, moment: datetime | None) -> bool:
        return moment is not None and self.history_begin <= moment < self.history_end


def _minutes(hhmm: str) -> time:
    hours, minutes = hhmm.split(":")
    return time(int(hours), int(minutes))


# ---- from a snapshot ------------------------------------------------------------------------------
REFERENCE: tuple[Reference, ...] = (
    "employees",
    "skills",
    "workcenters",
    "certifications",
    "workcenter-requirements",
    "approved-workcenters",
    "shifts",
    "jobs",
    "job-operations",
)


def skills_windows(
    as_of: date, timezone: str, *, horizon_days: int = DEFAULT_HORIZON_DAYS, lookback_days: int = DEFAULT_LOOKBACK_DAYS
) -> dict[Windowed, tuple[datetime, datetime]]:
    """The window of each kind of record `load` reads: the schedule over the horizon, the history before it."""
    win = Windows.of(as_of, horizon_days, lookback_days, ZoneInfo(timezone))
    windows: dict[Windowed, tuple[datetime, datetime]] = {"shift-assignments": (win.plan_begin, win.plan_end)}
    if lookback_days:
        history = (win.history_begin, win.history_end)
        windows |= {"labor-entries": history, "workcenter-events": history, "scrap-entries": history}
    return windows


def load(
    source: LaborDataPort,
    as_of: date,
    *,
    timezone: str | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
    certification_expiry: CertificationExpiry = "last_valid_day",
) -> SkillsInput:
    """The snapshot from any labor-data port (Plex, the simulator, a plant folder); the time zone is the
    port's unless given."""
    zone = timezone or source.timezone()
    windows = skills_windows(as_of, zone, horizon_days=horizon_days, lookback_days=lookback_days)
    with collector_paused():  # the snapshot and its shaping: a plant's records, made at once
        snapshot = read_snapshot(source, reference=REFERENCE, windows=windows, timezone=zone, open_jobs_only=True)
        return from_snapshot(
            snapshot,
            as_of,
            horizon_days=horizon_days,
            lookback_days=lookback_days,
            certification_expiry=certification_expiry,
        )


def load_from_folder(
    folder: PlantFolder | Path | str,
    as_of: date | None = None,
    *,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
) -> SkillsInput:
    """The snapshot of a plant folder; `as_of` defaults to the extract day (`default_as_of`)."""
    plant = folder if isinstance(folder, PlantFolder) else PlantFolder(folder)
    day = as_of or default_as_of(plant)
    return load(PlantFolderSource(plant), day, horizon_days=horizon_days, lookback_days=lookback_days)


def default_as_of(plant: PlantFolder) -> date:
    """The plant's extract day: the local date of `plant.json`'s `end` (midnight after the last day of
    history), i.e. the first day of the plan. History runs up to it, the schedule from it."""
    meta = plant.meta()
    return meta.end.astimezone(ZoneInfo(meta.timezone)).date()


def from_snapshot(
    snapshot: PlexSnapshot,
    as_of: date,
    *,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
    certification_expiry: CertificationExpiry = "last_valid_day",
) -> SkillsInput:
    """Shape a Plex snapshot (read with `load`'s windows) into the skills analysis's input; each certification
    reads its expiry date as the plant does (`certification_expiry`)."""
    data = SkillsInput(snapshot.timezone, as_of, horizon_days, lookback_days)
    win = Windows.of(as_of, horizon_days, lookback_days, data.tz)
    _reference(data, snapshot, certification_expiry)
    data.planned.extend(_planned(a) for a in snapshot.shift_assignments if _keep_assignment(data, a.work_date))
    seen: set[str] = set()
    for op in snapshot.job_operations:
        if op.id not in seen and op.status != "Complete" and win.meets_plan(op.scheduled_start, op.scheduled_end):
            seen.add(op.id)
            data.operations.append(_operation(op))
    data.work.extend(_labor(entry) for entry in snapshot.labor_entries)
    data.work.extend(
        _login(event)
        for event in snapshot.workcenter_events
        if event.event_type == "OperatorLogin" and event.employee_id
    )
    data.scrap.extend(
        ScrapRecord(scrap.id, scrap.employee_id, scrap.workcenter_id, scrap.quantity)
        for scrap in snapshot.scrap_entries
        if scrap.employee_id
    )
    return data.normalized()


def _reference(data: SkillsInput, snapshot: PlexSnapshot, expiry: CertificationExpiry) -> None:
    for e in snapshot.employees:
        data.employees[e.id] = EmployeeInfo(
            e.id, e.supervisor_id, e.department_code, e.home_workcenter_id, e.building_code, e.status == "Active"
        )
    for s in snapshot.skills:
        data.skills[s.skill_id] = SkillInfo(s.skill_id, s.skill_code, s.name, s.skill_group)
    for w in snapshot.workcenters:
        data.workcenters[w.workcenter_id] = WorkcenterInfo(
            w.workcenter_id, w.workcenter_code, w.department_code, w.building_code
        )
    seen: set[str] = set()
    for c in snapshot.certifications:
        if c.id not in seen:
            seen.add(c.id)
            data.certifications.append(
                CertRecord(c.id, c.employee_id, c.skill_id, c.level, c.issued_date, c.expires_date, expiry)
            )
    data.requirements.extend(
        Requirement(r.workcenter_id, r.skill_id, r.min_level, r.certification_required)
        for r in snapshot.workcenter_requirements
    )
    for a in snapshot.approved_workcenters:
        key = (a.part_id, a.operation_code, a.workcenter_id)
        data.crew_sizes[key] = max(data.crew_sizes.get(key, 0.0), a.crew_size)
    for sh in snapshot.shifts:
        data.shifts[sh.shift_id] = ShiftInfo(
            sh.shift_id, sh.shift_code, _minutes(sh.start_local), _minutes(sh.end_local)
        )


def _keep_assignment(data: SkillsInput, work_date: date) -> bool:
    return data.as_of <= work_date < data.horizon_end


def _planned(a: ShiftAssignment) -> PlannedShift:
    return PlannedShift(a.id, a.employee_id, a.shift_id, a.work_date, a.workcenter_id, a.status == "Leave")


def _operation(op: JobOperation) -> ScheduledOperation:
    assert op.scheduled_start is not None
    return ScheduledOperation(
        op.id,
        op.job_id,
        op.part_id,
        op.operation_code,
        op.workcenter_id,
        op.standard_hours,
        op.scheduled_start,
        op.scheduled_end,
    )


def _labor(entry: LaborEntry) -> WorkRecord:
    end = entry.end_time.timestamp() if entry.end_time else None
    return WorkRecord(
        entry.id, "labor", entry.employee_id, entry.workcenter_id, entry.start_time.timestamp(), end, entry.quantity
    )


def _login(event: WorkcenterEvent) -> WorkRecord:
    assert event.employee_id is not None
    return WorkRecord(event.id, "login", event.employee_id, event.workcenter_id, event.event_time.timestamp(), None, 0)
