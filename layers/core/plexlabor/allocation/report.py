"""A day's allocation as people read it: per employee, per department and shift, per job, the suggestions.

`read_report(port, day, policy)` reads the day through the one Plex snapshot (time-clock entries from
the start of the plant-local pay week, for overtime: its first day is the plant's `pay_week_starts`;
labor entries from the day before, for scans that run into the day; the day's workcenter logins;
employees, jobs, job operations, approved workcenters), and Plex's indirect labor entries where the
tenant records them, and allocates it (`allocation.day`). Ids, employee numbers and codes only: no names.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from plexlabor.allocation.day import DayInputs, EmployeeDay, UnallocatedStretch, allocate_day
from plexlabor.allocation.policy import AllocationPolicy
from plexlabor.allocation.scans import Scan, approved_set, scans_of
from plexlabor.models import Employee, IndirectLaborEntry, Job, JobOperation
from plexlabor.plex import LaborDataPort
from plexlabor.plex.errors import PlexNotFoundError
from plexlabor.plex.snapshot import read_snapshot
from plexlabor.validation.policy import pay_week_start

logger = logging.getLogger(__name__)


class EmployeeRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    employee_id: str
    employee_no: str
    department: str | None
    shift: str | None
    paid: int
    jobs: dict[str, int]
    """Job operation id -> minutes."""
    indirect: dict[str, int]
    unallocated: int
    inferred: int
    overtime: int
    cost: float


class Share(BaseModel):
    """Paid and unallocated minutes of a department or a shift."""

    paid: int = 0
    unallocated: int = 0
    unallocated_cost: float = 0.0


class JobCost(BaseModel):
    """One job operation's day: hours and cost allocated, against the standard hours earned by the pieces reported."""

    job_operation_id: str
    job_no: str
    operation_no: int | None
    workcenter_id: str | None
    minutes: int
    cost: float
    earned_standard_hours: float
    standard_cost: float
    """Earned standard hours at the average rate of the people who worked it: actual minus standard is
    what the hours beyond standard cost."""
    job_id: str | None = None
    """Its job's Plex id (a labor entry coded to it by hand names it: `allocation.coding`)."""


class Suggestion(BaseModel):
    """Unallocated time and the job operation it most likely belongs to (for the review queue)."""

    employee_id: str
    employee_no: str
    department: str | None
    shift: str | None
    supervisor_id: str | None
    start: datetime
    end: datetime
    minutes: int
    cost: float
    job_operation_id: str | None
    job_no: str | None
    operation_no: int | None
    gap_minutes: int | None
    job_id: str | None = None
    workcenter_id: str | None = None
    """The workcenter of the scan that suggested the job (where its labor entry would be charged)."""
    scan_side: Literal["before", "after", "during"] | None = None
    """Whether that scan ended before the stretch, started after it, or overlaps it."""


class Totals(BaseModel):
    employees: int = 0
    paid: int = 0
    jobs: int = 0
    indirect: int = 0
    unallocated: int = 0
    inferred: int = 0
    overtime: int = 0
    payroll: float = 0.0
    """What the day pays (each employee's paid minutes at their rate, overtime premium included)."""
    allocated_cost: float = 0.0
    """The sum of every bucket's cost: equals `payroll` up to rounding to the cent per bucket."""


class AllocationReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    day: date
    split: str
    totals: Totals
    employees: list[EmployeeRow]
    departments: dict[str, Share]
    shifts: dict[str, Share]
    jobs: list[JobCost]
    suggestions: list[Suggestion]


def day_bounds(day: date, timezone: str) -> tuple[float, float]:
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time(), zone)
    return start.timestamp(), datetime.combine(day + timedelta(days=1), time(), zone).timestamp()


def read_report(port: LaborDataPort, day: date, policy: AllocationPolicy | None = None) -> AllocationReport:
    """Read and allocate the plant-local day."""
    policy = policy or AllocationPolicy()
    timezone = port.timezone()
    bounds = day_bounds(day, timezone)
    week_start = day_bounds(pay_week_start(day, policy.pay_week_starts), timezone)[0]
    begin, end = (datetime.fromtimestamp(t, UTC) for t in bounds)
    snapshot = read_snapshot(
        port,
        reference=("employees", "jobs", "job-operations", "approved-workcenters"),
        windows={
            "time-clock-entries": (datetime.fromtimestamp(week_start, UTC) - timedelta(days=1), end),
            "labor-entries": (begin - timedelta(days=1), end),
            "workcenter-events": (begin - timedelta(days=1), end),
        },
        timezone=timezone,
    )
    operations = {op.id: op for op in snapshot.job_operations}
    approved = approved_set(snapshot.approved_workcenters)
    scans = scans_of(snapshot.labor_entries, operations, approved, infer=policy.infer_misapplied)
    inputs = DayInputs(
        day=bounds,
        week_start=week_start,
        punches=snapshot.time_clock_entries,
        scans=scans,
        logins=snapshot.workcenter_events,
        indirect=indirect_entries(port, begin - timedelta(days=1), end),
        employees={e.id: e for e in snapshot.employees},
        operations=operations,
    )
    days = allocate_day(inputs, policy)
    return build_report(day, policy, days, scans, inputs, snapshot.jobs)


def indirect_entries(port: LaborDataPort, begin: datetime, end: datetime) -> list[IndirectLaborEntry]:
    """Plex's indirect labor entries in the window; none where the tenant does not record them (the data
    source is not there: Plex answers 404, or no id is configured)."""
    try:
        return port.indirect_labor_entries(begin, end)
    except (PlexNotFoundError, KeyError) as error:
        logger.warning("indirect labor entries not read: %s", type(error).__name__)
        return []


def build_report(
    day: date,
    policy: AllocationPolicy,
    days: list[EmployeeDay],
    scans: Iterable[Scan],
    inputs: DayInputs,
    jobs: Iterable[Job],
) -> AllocationReport:
    """The report of allocated employee days."""
    people, operations = inputs.employees, inputs.operations
    job_no = {job.id: job.job_no for job in jobs}
    rows = [_row(d, people.get(d.employee_id)) for d in days]
    departments: dict[str, Share] = defaultdict(Share)
    shifts: dict[str, Share] = defaultdict(Share)
    for row, d in zip(rows, days, strict=True):
        for share in (departments[row.department or "-"], shifts[row.shift or "-"]):
            share.paid += d.paid_minutes
            share.unallocated += d.unallocated_minutes
            share.unallocated_cost = round(share.unallocated_cost + d.unallocated_cost, 2)
    totals = Totals(
        employees=len(days),
        paid=sum(d.paid_minutes for d in days),
        jobs=sum(sum(d.jobs.values()) for d in days),
        indirect=sum(sum(d.indirect.values()) for d in days),
        unallocated=sum(d.unallocated_minutes for d in days),
        inferred=sum(d.inferred_minutes for d in days),
        overtime=sum(d.overtime_minutes for d in days),
        payroll=round(sum(d.cost for d in days), 2),
        allocated_cost=round(
            sum(sum(d.job_cost.values()) + sum(d.indirect_cost.values()) + d.unallocated_cost for d in days), 2
        ),
    )
    return AllocationReport(
        day=day,
        split=policy.split.value,
        totals=totals,
        employees=rows,
        departments=dict(sorted(departments.items())),
        shifts=dict(sorted(shifts.items())),
        jobs=_job_costs(days, scans, operations, job_no, inputs.day),
        suggestions=[
            _suggestion(d, s, people.get(d.employee_id), operations, job_no) for d in days for s in d.stretches
        ],
    )


def _row(d: EmployeeDay, person: Employee | None) -> EmployeeRow:
    return EmployeeRow(
        employee_id=d.employee_id,
        employee_no=person.employee_no if person else d.employee_id,
        department=person.department_code if person else None,
        shift=person.default_shift_code if person else None,
        paid=d.paid_minutes,
        jobs=d.jobs,
        indirect=d.indirect,
        unallocated=d.unallocated_minutes,
        inferred=d.inferred_minutes,
        overtime=d.overtime_minutes,
        cost=d.cost,
    )


def _job_costs(
    days: list[EmployeeDay],
    scans: Iterable[Scan],
    operations: Mapping[str, JobOperation],
    job_no: dict[str, str],
    bounds: tuple[float, float],
) -> list[JobCost]:
    minutes: dict[str, int] = defaultdict(int)
    cost: dict[str, float] = defaultdict(float)
    for d in days:
        for op_id, m in d.jobs.items():
            minutes[op_id] += m
            cost[op_id] += d.job_cost[op_id]
    earned: dict[str, float] = defaultdict(float)
    for scan in scans:
        op = operations.get(scan.operation_id)
        if op is not None and op.quantity > 0 and bounds[0] <= scan.end < bounds[1]:
            earned[scan.operation_id] += scan.quantity / op.quantity * op.standard_hours
    rows = []
    for op_id in sorted(minutes, key=lambda o: -cost[o]):
        op = operations.get(op_id)
        rate = cost[op_id] / (minutes[op_id] / 60) if minutes[op_id] else 0.0
        rows.append(
            JobCost(
                job_operation_id=op_id,
                job_no=job_no.get(op.job_id, op.job_id) if op else op_id,
                operation_no=op.operation_no if op else None,
                workcenter_id=op.workcenter_id if op else None,
                job_id=op.job_id if op else None,
                minutes=minutes[op_id],
                cost=round(cost[op_id], 2),
                earned_standard_hours=round(earned[op_id], 3),
                standard_cost=round(earned[op_id] * rate, 2),
            )
        )
    return rows


def _suggestion(
    d: EmployeeDay,
    stretch: UnallocatedStretch,
    person: Employee | None,
    operations: Mapping[str, JobOperation],
    job_no: dict[str, str],
) -> Suggestion:
    op = operations.get(stretch.likely_operation_id or "")
    per_minute = d.cost / d.paid_minutes if d.paid_minutes else 0.0
    return Suggestion(
        employee_id=d.employee_id,
        employee_no=person.employee_no if person else d.employee_id,
        department=person.department_code if person else None,
        shift=person.default_shift_code if person else None,
        supervisor_id=person.supervisor_id if person else None,
        start=stretch.start,
        end=stretch.end,
        minutes=stretch.minutes,
        cost=round(stretch.minutes * per_minute, 2),
        job_operation_id=stretch.likely_operation_id,
        job_no=job_no.get(op.job_id, op.job_id) if op else None,
        operation_no=op.operation_no if op else None,
        gap_minutes=stretch.gap_minutes,
        job_id=op.job_id if op else None,
        workcenter_id=stretch.likely_workcenter_id if op else None,
        scan_side=stretch.scan_side if op else None,
    )
