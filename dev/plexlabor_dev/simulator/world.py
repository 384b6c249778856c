"""What a generated plant is made of while it is simulated: people, workcenters, parts, queues, hours.

Plain state shared by the generator's parts (`organization`, `population`, `schedules`, `workday`,
`production`, `anomalies`); nothing here draws a random number or writes a file.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator import catalog

IsoWeek = tuple[int, int]


@dataclass
class Cert:
    skill_id: str
    level: int
    issued: date
    expires: date | None
    record_id: str

    def valid(self, skill_id: str, level: int, day: date) -> bool:
        return (
            self.skill_id == skill_id
            and self.level >= level
            and self.issued <= day
            and (self.expires is None or day <= self.expires)
        )


@dataclass
class Person:
    id: str
    no: int
    dept: catalog.Department
    shift: catalog.ShiftDef
    role: str  # Hourly | Supervisor | Manager
    supervisor_id: str | None
    building: str
    home_wc: str | None
    certs: list[Cert] = field(default_factory=list)
    mu_in: float = 0.0
    sd_in: float = 2.0
    mu_out: float = 0.0
    sd_out: float = 2.0
    device: str = ""
    mobile: bool = False
    efficiency: float = 1.0
    scrap_factor: float = 1.0  # multiplies the scrap share of the pieces made (`operators`)
    stop_share: float = 0.0  # share of this person's machine stops they cause (`operators`)
    username: str = ""
    hired: date | None = None  # a new hire's hire date (`normals.new_hires`); None: hired long ago
    drift: tuple[date, float] | None = None  # from this day, usual arrival moved by minutes (`normals.habit_drift`)


@dataclass(frozen=True)
class NormalDay:
    """One shift-day a hard normal pattern shaped: employee, work date, the window worked (epoch seconds)."""

    pattern: str
    employee_id: str
    work_date: date
    start: float
    end: float


@dataclass
class WorkcenterInfo:
    id: str
    code: str
    dept: catalog.Department
    building: str
    requirements: list[tuple[str, int]]  # (skill id, min level)
    approved: list[tuple[str, str]] = field(default_factory=list)  # (part id, operation code)


@dataclass
class OpState:
    id: str
    job_id: str
    part_id: str
    operation_code: str
    workcenter_id: str
    remaining: float
    rate: float
    first_start: float | None = None  # when the first labor that really worked it began
    last_end: float | None = None  # when the last labor that really worked it ended


@dataclass
class ShiftDay:
    """One worked shift-day while it is drawn: its times, the punch records made and their labels.

    Times are epoch seconds; offsets are minutes from the shift's start and end.
    """

    person: Person
    day: date
    start: float  # scheduled
    end: float
    workcenter: str | None
    off_in: float = 0.0
    off_out: float = 0.0
    clock_in: float = 0.0
    clock_out: float = 0.0
    break_out: float = 0.0
    break_in: float = 0.0
    work_until: float = 0.0  # when work really stops at the workcenter
    pairs: list[tuple[float, float]] = field(default_factory=list)  # (clock-in, clock-out) as punched
    records: list[dict[str, Any]] = field(default_factory=list)  # time-clock entries, as they will be written
    labelled: list[tuple[dict[str, Any], AnomalyType, str]] = field(default_factory=list)

    def label(self, record: dict[str, Any], anomaly: AnomalyType, detail: str) -> None:
        self.labelled.append((record, anomaly, detail))


@dataclass
class World:
    """The plant as simulated so far."""

    buildings: list[dict[str, Any]] = field(default_factory=list)
    devices_by_building: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    doors_by_building: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    workcenters: dict[str, WorkcenterInfo] = field(default_factory=dict)
    wc_by_dept: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    people: list[Person] = field(default_factory=list)
    hourly: list[Person] = field(default_factory=list)
    supervisor_user: dict[str, str] = field(default_factory=dict)
    # Parts and routings.
    routing: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # part id -> [(op code, dept code)]
    approved_at: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (part, op) -> workcenter ids
    part_family: dict[str, str] = field(default_factory=dict)
    part_rate: dict[tuple[str, str], float] = field(default_factory=dict)
    # Production on the floor.
    queues: dict[str, deque[OpState]] = field(default_factory=lambda: defaultdict(deque))
    recent_ops: deque[OpState] = field(default_factory=lambda: deque(maxlen=500))  # for a mis-keyed job
    run_intervals: dict[str, list[tuple[float, float]]] = field(default_factory=lambda: defaultdict(list))
    sessions: dict[str, list[tuple[float, float]]] = field(default_factory=lambda: defaultdict(list))
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)  # job id -> its row, written at the end
    operations: dict[str, tuple[dict[str, Any], OpState]] = field(default_factory=dict)  # written at the end
    completed_ops: dict[str, deque[OpState]] = field(default_factory=lambda: defaultdict(lambda: deque(maxlen=5)))
    clock_reads: dict[str, deque[tuple[float, str]]] = field(
        default_factory=lambda: defaultdict(lambda: deque(maxlen=400))
    )  # per clock: its latest clock-in reads (time as the clock read it, employee), for a buddy at the clock
    # Hours per employee and ISO week, as punched (and projected), with the week's first entry.
    week_hours: dict[tuple[str, IsoWeek], float] = field(default_factory=lambda: defaultdict(float))
    week_first_tce: dict[tuple[str, IsoWeek], tuple[str, str]] = field(default_factory=dict)
    # Hard normal patterns (`normals`): who rotates shifts, and every shift-day a pattern shaped.
    rotating: frozenset[str] | None = None
    last_worked_end: dict[str, float] = field(default_factory=dict)  # employee -> end of their last day worked
    clock_drift: dict[str, tuple[float, float, float] | None] = field(default_factory=dict)  # device -> from, to, s
    normal_days: list[NormalDay] = field(default_factory=list)
    shutdown_mondays: frozenset[date] | None = None  # `normals.closures`: drawn on first use
    back_from_closure: dict[str, str] = field(default_factory=dict)  # employee -> closure pattern not yet back from
    indirect_time: list[Any] = field(default_factory=list)  # `indirect.IndirectTruth`, every training stretch

    def building(self, code: str) -> dict[str, Any]:
        return next(b for b in self.buildings if b["buildingCode"] == code)

    def qualified(self, person: Person, wc_id: str, day: date, certified_only: bool = False) -> bool:
        """Holds every skill the workcenter requires (or only its certified ones) at level on `day`."""
        workcenter = self.workcenters[wc_id]
        if certified_only and not workcenter.dept.certified:
            return True
        return all(
            any(cert.valid(skill_id, level, day) for cert in person.certs)
            for skill_id, level in workcenter.requirements
        )
