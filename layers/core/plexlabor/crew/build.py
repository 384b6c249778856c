"""Build a crew planning problem for one day (or one shift of it) from Plex data (one snapshot).

What is staffed: every scheduled job operation (not complete) that runs in the planning window, cut
into per-shift segments at the shift start times (1st 06:00, 2nd 14:30, 3rd 22:30 in the generated
plants: the 2nd/3rd shift overlap belongs to the 3rd). A spill-over shorter than
`policy.min_segment_hours` stays with the previous shift's crew (they finish the job, on overtime if it
runs past their shift). Crew size is the approved workcenter's `crewSize` (rounded up; 1 when the
operation is not approved there), required skills are the workcenter's requirements.

Who can staff it: active employees who hold a skill or have a home workcenter, with their shift
assignments (the day before, of, and after: rest rule and call-ins), leave, certifications valid on
the day (the expiry date read as the plant reads it, `policy.certification_expiry`), efficiency per
workcenter from labor entries over `policy.efficiency_window_days` (quantity against the approved
standard rate and crew size, implausible entries ignored, shrunk towards the operator's overall
efficiency), hours worked in the last 7 days and this pay week (from the plant's `policy.pay_week_starts`)
and consecutive days (punched hours up to the data's `as_of`, scheduled hours after it), pay rate and
home position.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

from plexlabor.crew.models import (
    CrewJob,
    CrewPolicy,
    CrewProblem,
    Efficiency,
    Operator,
    Place,
    ShiftBlock,
    SkillHolding,
    SkillRequirement,
)
from plexlabor.models import (
    ApprovedWorkcenter,
    Certification,
    Employee,
    JobOperation,
    LaborEntry,
    Shift,
    ShiftAssignment,
    TimeClockEntry,
    Workcenter,
)
from plexlabor.models.skills import CertificationExpiry, last_valid_day
from plexlabor.plant import PlantFolder
from plexlabor.platform.clock import local_midnight
from plexlabor.platform.settings import DEFAULT_JOB_LEAD_DAYS
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.port import LaborDataPort
from plexlabor.plex.snapshot import JobsNear, PlexSnapshot, Reference, Windowed, collector_paused, read_snapshot
from plexlabor.validation.policy import pay_week_start

HOUR_S = 3600.0
EFFICIENCY_BOUNDS = (0.4, 2.2)
"""Labor entries whose output is outside these multiples of standard are data errors, not skill."""
MAX_OPEN_ENTRY_HOURS = 12.0
LOOKBACK_DAYS = 15
"""Days of punches and schedules read before the planning day (7-day hours, week, streak)."""
REACH = timedelta(days=1)
"""Operations scheduled within this of the planning window are read and looked at (`_runs_near`)."""


@dataclass(frozen=True)
class ShiftInstance:
    """One shift on one date, with its segment: from its start to the next shift's start."""

    shift: Shift
    work_date: date
    start: datetime  # UTC
    end: datetime  # the shift's scheduled end (UTC)
    segment_end: datetime  # where the next shift's segments begin (UTC)


def shift_instances(shifts: Iterable[Shift], first: date, last: date, zone: ZoneInfo) -> list[ShiftInstance]:
    """Every shift from `first` to `last` (local dates), ordered by start, with segment ends."""
    rows: list[tuple[datetime, datetime, Shift, date]] = []
    day = first
    while day <= last:
        for shift in shifts:
            start_h, start_m = map(int, shift.start_local.split(":"))
            end_h, end_m = map(int, shift.end_local.split(":"))
            start = datetime(day.year, day.month, day.day, start_h, start_m, tzinfo=zone)
            end_day = day + timedelta(days=1) if (end_h, end_m) <= (start_h, start_m) else day
            end = datetime(end_day.year, end_day.month, end_day.day, end_h, end_m, tzinfo=zone)
            rows.append((start.astimezone(UTC), end.astimezone(UTC), shift, day))
        day += timedelta(days=1)
    rows.sort(key=lambda row: (row[0], row[2].shift_code))
    instances = []
    for k, (start, end, shift, work_date) in enumerate(rows):
        segment_end = rows[k + 1][0] if k + 1 < len(rows) else end
        instances.append(ShiftInstance(shift, work_date, start, end, min(max(segment_end, start), end)))
    return instances


REFERENCE: tuple[Reference, ...] = (
    "workcenters",
    "skills",
    "workcenter-requirements",
    "approved-workcenters",
    "jobs",
    "job-operations",
    "employees",
    "certifications",
)


def _open_source(
    plant: LaborDataPort | PlantFolder | Path | str, timezone: str | None, as_of: datetime | None
) -> tuple[LaborDataPort, str, datetime, str]:
    """The port, the plant's zone (the port's unless given), `as_of` (a frozen extract's time, else
    now) and a name for the plan."""
    source = PlantFolderSource(plant) if isinstance(plant, PlantFolder | Path | str) else plant
    zone = timezone or source.timezone()
    extract = source.extract()
    if extract is None:
        return source, zone, as_of or datetime.now(UTC), "plex"
    return source, zone, as_of or extract.end, extract.name


def _windows(
    day: date, zone: ZoneInfo, as_of: datetime, policy: CrewPolicy, named_until: datetime | None
) -> dict[Windowed, tuple[datetime, datetime]]:
    """Schedules around the day (rest rule, week, streak), punches before it, labor for efficiency (read on
    to `named_until` when later: the jobs worked since are read too, `JobsNear`)."""
    day_start = local_midnight(day, zone)
    begin = local_midnight(day - timedelta(days=LOOKBACK_DAYS), zone)
    window_begin, history_end = _efficiency_window(day, zone, as_of, policy)
    return {
        "shift-assignments": (begin - timedelta(days=1), local_midnight(day + timedelta(days=8), zone)),
        "time-clock-entries": (begin, day_start),
        "labor-entries": (window_begin, max(history_end, named_until or history_end)),
    }


def _efficiency_window(day: date, zone: ZoneInfo, as_of: datetime, policy: CrewPolicy) -> tuple[datetime, datetime]:
    """The labor entries efficiency is figured from: `policy.efficiency_window_days` up to the day or `as_of`."""
    day_start = local_midnight(day, zone)
    window_begin = day_start - timedelta(days=policy.efficiency_window_days)
    return window_begin, max(min(day_start, as_of), window_begin + timedelta(seconds=1))


def _segments(
    op: JobOperation, instances: list[ShiftInstance], min_hours: float
) -> list[tuple[ShiftInstance, datetime, datetime]]:
    """The operation's pieces per shift segment; a piece shorter than `min_hours` joins the previous
    piece (the crew finishes the job), or the next one when it is the first."""
    assert op.scheduled_start is not None and op.scheduled_end is not None
    pieces: list[tuple[ShiftInstance, datetime, datetime]] = []
    for instance in instances:
        start = max(op.scheduled_start, instance.start)
        end = min(op.scheduled_end, instance.segment_end)
        if end > start:
            pieces.append((instance, start, end))

    def short(piece: tuple[ShiftInstance, datetime, datetime]) -> bool:
        return (piece[2] - piece[1]).total_seconds() / HOUR_S < min_hours

    merged: list[tuple[ShiftInstance, datetime, datetime]] = []
    for piece in pieces:
        if merged and short(piece):
            merged[-1] = (merged[-1][0], merged[-1][1], piece[2])
        elif merged and short(merged[-1]):
            merged[-1] = (piece[0], merged[-1][1], piece[2])
        else:
            merged.append(piece)
    return merged


def _holdings(certifications: list[Certification], day: date, expiry: CertificationExpiry) -> dict[str, SkillHolding]:
    by_skill: dict[str, list[Certification]] = defaultdict(list)
    for cert in certifications:
        if cert.issued_date <= day:
            by_skill[cert.skill_id].append(cert)
    holdings = {}
    for skill_id, certs in by_skill.items():
        valid = [c for c in certs if c.valid_on(day, expiry)]
        level_valid = max((c.level for c in valid), default=0)
        expiries = [c.expires_date for c in valid if c.level == level_valid]
        latest = None if not valid or any(e is None for e in expiries) else max(e for e in expiries if e)
        valid_until = last_valid_day(latest, expiry)
        lapsed = [c for c in certs if not c.valid_on(day, expiry) and c.level > level_valid and c.expires_date]
        holdings[skill_id] = SkillHolding(
            skill_id=skill_id,
            level_valid=level_valid,
            valid_until=valid_until,
            level_held=max(c.level for c in certs),
            lapsed_on=max((c.expires_date for c in lapsed if c.expires_date), default=None),
        )
    return holdings


def _shrink(observed: float, hours: float, prior: float, prior_hours: float) -> float:
    return (observed * hours + prior * prior_hours) / (hours + prior_hours) if hours + prior_hours > 0 else prior


def _efficiencies(
    entries: Iterable[LaborEntry],
    operations: dict[str, JobOperation],
    approved: dict[tuple[str, str, str], ApprovedWorkcenter],
    prior_hours: float,
) -> dict[str, tuple[Efficiency, dict[str, Efficiency]]]:
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])  # output, standard output, hours
    per_wc: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for entry in entries:
        if entry.end_time is None:
            continue
        hours = (entry.end_time - entry.start_time).total_seconds() / HOUR_S
        op = operations.get(entry.job_operation_id)
        if hours < 0.05 or op is None:
            continue
        standard = approved.get((op.part_id, op.operation_code, entry.workcenter_id))
        if standard is None:
            continue
        expected = hours * standard.standard_production_rate / standard.crew_size
        if expected <= 0 or not EFFICIENCY_BOUNDS[0] <= entry.quantity / expected <= EFFICIENCY_BOUNDS[1]:
            continue
        for bucket in (totals[entry.employee_id], per_wc[(entry.employee_id, entry.workcenter_id)]):
            bucket[0] += entry.quantity
            bucket[1] += expected
            bucket[2] += hours
    result: dict[str, tuple[Efficiency, dict[str, Efficiency]]] = {}
    for employee_id, (output, standard_output, hours) in totals.items():
        overall = _shrink(output / standard_output, hours, 1.0, prior_hours)
        result[employee_id] = (Efficiency(efficiency=round(overall, 4), hours=round(hours, 2)), {})
    for (employee_id, wc_id), (output, standard_output, hours) in per_wc.items():
        overall_eff = result[employee_id][0].efficiency
        eff = _shrink(output / standard_output, hours, overall_eff, prior_hours)
        result[employee_id][1][wc_id] = Efficiency(efficiency=round(eff, 4), hours=round(hours, 2))
    return result


def _paid_hours(assignment: ShiftAssignment, shifts: dict[str, Shift]) -> float:
    shift = shifts.get(assignment.shift_id)
    hours = (assignment.scheduled_end - assignment.scheduled_start).total_seconds() / HOUR_S
    return max(0.0, hours - (shift.break_minutes / 60 if shift else 0.0))


def _punched_by_day(entries: Iterable[TimeClockEntry], zone: ZoneInfo, as_of: datetime) -> dict[str, dict[date, float]]:
    hours: dict[str, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    for entry in entries:
        if entry.clockin_time >= as_of:
            continue
        end = entry.clockout_time or min(as_of, entry.clockin_time + timedelta(hours=MAX_OPEN_ENTRY_HOURS))
        if end <= entry.clockin_time:
            continue
        worked = min((end - entry.clockin_time).total_seconds() / HOUR_S, 24.0)
        hours[entry.employee_id][entry.clockin_time.astimezone(zone).date()] += worked
    return hours


def build_problem(
    plant: LaborDataPort | PlantFolder | Path | str,
    day: date,
    shift: str | None = None,
    *,
    policy: CrewPolicy | None = None,
    timezone: str | None = None,
    as_of: datetime | None = None,
    job_lead_days: float | None = DEFAULT_JOB_LEAD_DAYS,
    operators_only: bool = False,
) -> CrewProblem:
    """The crew problem of `day` (every shift starting that day, or only shift code `shift`).

    `plant` is a plant folder or any labor-data port; the time zone is the port's unless given. Punches
    before `as_of` count as worked hours; schedules after it as planned hours (a plant folder's `as_of`
    is its extract time, Plex's is now). Job operations are read of the jobs that can run within `REACH` of
    the planned shifts, a job's operations starting at most `job_lead_days` before its due date, and of the
    jobs the efficiency window's labor entries name (`plex.snapshot.JobsNear`); None: of every job.
    `operators_only`: no jobs, job operations nor labor entries read (no segments; every efficiency the prior):
    the operators' schedules, leave and hours, what call-off detection needs.
    """
    started = time.perf_counter()
    policy = policy or CrewPolicy()
    source, zone_name, as_of, plant_name = _open_source(plant, timezone, as_of)
    zone = ZoneInfo(zone_name)
    shifts = sorted(source.shifts(), key=lambda s: (s.start_local, s.shift_code))
    chosen_codes = _chosen_shifts(shifts, shift)
    instances = shift_instances(shifts, day - timedelta(days=2), day + timedelta(days=2), zone)
    planned = [i for i in instances if i.work_date == day and i.shift.shift_code in chosen_codes]
    window = (min(i.start for i in planned), max(i.segment_end for i in planned))
    # a day already over when the data was read is planned as it stood when it began (a replay)
    closed_by = as_of if as_of < window[1] else window[0]
    near = None
    if job_lead_days is not None:
        near = JobsNear(window[0] - REACH, window[1] + REACH, timedelta(days=job_lead_days), closed_by < as_of)
    # labor entries are read on to `as_of` when the jobs are read near the shift: a job worked since the
    # efficiency window ended may hold the operation before one in the shift at its workcenter (a setup)
    windows = _windows(day, zone, as_of, policy, min(as_of, window[1]) if near else None)
    reference = REFERENCE
    if operators_only:
        reference = tuple(kind for kind in REFERENCE if kind not in ("jobs", "job-operations"))
        del windows["labor-entries"]
    # the snapshot and its shaping: a plant's records, made at once, with no cycles: the collector paused over both
    # (its full collections walked the records read, 0.3-0.5 s of a crew re-plan's cold read of the shift, issue 16)
    with collector_paused():
        snapshot = read_snapshot(source, reference=reference, windows=windows, timezone=zone_name, jobs_near=near)
        place = _placer(snapshot.workcenters)
        skill_codes = {s.skill_id: s.skill_code for s in snapshot.skills}
        approved = {(a.part_id, a.operation_code, a.workcenter_id): a for a in snapshot.approved_workcenters}
        jobs, unapproved = _jobs(
            snapshot.job_operations,
            instances,
            {(i.work_date, i.shift.shift_code) for i in planned},
            window,
            closed_by,
            _Standards(place, _requirements(snapshot, skill_codes), approved, {j.id: j.job_no for j in snapshot.jobs}),
            policy.min_segment_hours,
            policy.plan_setups,
        )
        notes: list[str] = []
        if unapproved:
            notes.append(f"{unapproved} segment(s) of operations not approved at their workcenter: crew size 1 assumed")
        operators = _operators(snapshot, day, as_of, policy, approved, {s.shift_id: s for s in shifts}, place)
    notes.append(f"built in {time.perf_counter() - started:.2f} s from {plant_name} (data as of {as_of.isoformat()})")
    return CrewProblem(
        plant=plant_name,
        timezone=zone_name,
        day=day,
        shift_codes=chosen_codes,
        window_start=window[0],
        window_end=window[1],
        jobs=tuple(sorted(jobs, key=lambda job: (job.start, job.key))),
        operators=tuple(sorted(operators, key=lambda op: op.employee_id)),
        policy=policy,
        skill_codes=skill_codes,
        notes=tuple(notes),
    )


def _chosen_shifts(shifts: list[Shift], shift: str | None) -> tuple[str, ...]:
    if not shifts:
        raise ValueError("the plant defines no shifts")
    codes = [s.shift_code for s in shifts]
    if shift is not None and shift not in codes:
        raise ValueError(f"unknown shift '{shift}' (the plant's shifts: {', '.join(codes)})")
    return tuple(codes if shift is None else [shift])


def _placer(workcenters: Iterable[Workcenter]) -> Callable[[str], Place]:
    by_id = {wc.workcenter_id: wc for wc in workcenters}

    def place(wc_id: str) -> Place:
        wc = by_id.get(wc_id)
        if wc is None:
            return Place(workcenter_id=wc_id, workcenter_code=wc_id)
        return Place(
            workcenter_id=wc_id,
            workcenter_code=wc.workcenter_code,
            department_code=wc.department_code,
            building_code=wc.building_code,
            x_m=wc.floor_x_m,
            y_m=wc.floor_y_m,
        )

    return place


def _requirements(snapshot: PlexSnapshot, skill_codes: dict[str, str]) -> dict[str, tuple[SkillRequirement, ...]]:
    """Each workcenter's skill requirements, by skill id."""
    requirements: dict[str, list[SkillRequirement]] = defaultdict(list)
    for requirement in snapshot.workcenter_requirements:
        requirements[requirement.workcenter_id].append(
            SkillRequirement(
                skill_id=requirement.skill_id,
                skill_code=skill_codes.get(requirement.skill_id, requirement.skill_id),
                min_level=requirement.min_level,
                certification_required=requirement.certification_required,
            )
        )
    return {wc: tuple(sorted(items, key=lambda r: r.skill_id)) for wc, items in requirements.items()}


@dataclass(frozen=True)
class _Standards:
    """What a job segment is staffed against: its place, skill requirements and approved routing."""

    place: Callable[[str], Place]
    requirements: dict[str, tuple[SkillRequirement, ...]]
    approved: dict[tuple[str, str, str], ApprovedWorkcenter]
    job_numbers: Mapping[str, str] = field(default_factory=dict)
    """Job id -> job number: how the suggestions name a job operation."""


def _runs_near(op: JobOperation, window: tuple[datetime, datetime], closed_by: datetime) -> bool:
    """A scheduled operation, not complete by `closed_by` (Plex's actual end, where it gives one), running
    within a day of the planning window."""
    if op.status == "Complete" and (op.actual_end is None or op.actual_end <= closed_by):
        return False
    if op.scheduled_start is None or op.scheduled_end is None:
        return False
    if op.scheduled_end <= window[0] - REACH or op.scheduled_start >= window[1] + REACH:
        return False
    return op.scheduled_end > op.scheduled_start


def _jobs(
    operations: Iterable[JobOperation],
    instances: list[ShiftInstance],
    planned_keys: set[tuple[date, str]],
    window: tuple[datetime, datetime],
    closed_by: datetime,
    standards: _Standards,
    min_segment_hours: float,
    plan_setups: bool = False,
) -> tuple[list[CrewJob], int]:
    """The operations' segments in the planned shifts, and how many are not approved where they run."""
    jobs: list[CrewJob] = []
    unapproved = 0
    operations = list(operations)
    changeovers = _changeovers(operations) if plan_setups else set()
    for op in operations:
        if not _runs_near(op, window, closed_by):
            continue
        standard = standards.approved.get((op.part_id, op.operation_code, op.workcenter_id))
        setup_hours = standard.setup_hours if standard is not None and op.id in changeovers else 0.0
        segments = _segments(op, instances, min_segment_hours)
        # the setup starts the operation (Plex's standard hours include it): its first segment not over when
        # the data was read, where a segment of a shift that the plan does not cover may hold it
        setup_start = next((start for _, start, end in segments if end > closed_by), None)
        for instance, start, end in segments:
            if (instance.work_date, instance.shift.shift_code) not in planned_keys:
                continue
            if standard is None:
                unapproved += 1
            hours = round((end - start).total_seconds() / HOUR_S, 4)
            jobs.append(
                CrewJob(
                    key=f"{op.id}/{instance.shift.shift_code}",
                    job_operation_id=op.id,
                    job_id=op.job_id,
                    part_id=op.part_id,
                    operation_code=op.operation_code,
                    job_no=standards.job_numbers.get(op.job_id),
                    place=standards.place(op.workcenter_id),
                    shift_code=instance.shift.shift_code,
                    start=start,
                    end=end,
                    hours=hours,
                    standard_hours=op.standard_hours,
                    crew_size=max(1, math.ceil((standard.crew_size if standard else 1.0) - 1e-9)),
                    requirements=standards.requirements.get(op.workcenter_id, ()),
                    setup_hours=round(min(setup_hours, hours), 4) if start == setup_start else 0.0,
                )
            )
    return jobs, unapproved


def _changeovers(operations: list[JobOperation]) -> set[str]:
    """The operations that have not started and whose predecessor at the same workcenter (of any status:
    the last one, by id, of those that started before it) is another part's: they need a setup first.
    Operations that start together run side by side and are not each other's predecessor; the first
    operation read at a workcenter has none and gets no setup."""
    needing: set[str] = set()
    by_workcenter: dict[str, list[JobOperation]] = defaultdict(list)
    for op in operations:
        if op.scheduled_start is not None:
            by_workcenter[op.workcenter_id].append(op)
    for ops in by_workcenter.values():
        ops.sort(key=lambda op: (op.scheduled_start, op.id))
        predecessor: JobOperation | None = None
        for previous, op in pairwise(ops):
            if previous.scheduled_start != op.scheduled_start:
                predecessor = previous
            if predecessor is not None and predecessor.part_id != op.part_id and op.status == "Scheduled":
                needing.add(op.id)
    return needing


def _operators(
    snapshot: PlexSnapshot,
    day: date,
    as_of: datetime,
    policy: CrewPolicy,
    approved: dict[tuple[str, str, str], ApprovedWorkcenter],
    shifts: dict[str, Shift],
    place: Callable[[str], Place],
) -> list[Operator]:
    """Active employees who hold a skill or have a home workcenter, with their hours and efficiency."""
    zone = ZoneInfo(snapshot.timezone)
    certs: dict[str, list[Certification]] = defaultdict(list)
    for cert in snapshot.certifications:
        certs[cert.employee_id].append(cert)
    assignments: dict[str, list[ShiftAssignment]] = defaultdict(list)
    for assignment in snapshot.shift_assignments:
        assignments[assignment.employee_id].append(assignment)
    punched = _punched_by_day(snapshot.time_clock_entries, zone, as_of)
    _, history_end = _efficiency_window(day, zone, as_of, policy)
    efficiency = _efficiencies(
        (entry for entry in snapshot.labor_entries if entry.start_time < history_end),
        {op.id: op for op in snapshot.job_operations},
        approved,
        policy.efficiency_prior_hours,
    )
    as_of_day = as_of.astimezone(zone).date()
    return [
        _operator(
            employee,
            day,
            assignments[employee.id],
            certs[employee.id],
            punched[employee.id],
            efficiency.get(employee.id),
            as_of_day,
            shifts,
            place,
            policy,
        )
        for employee in snapshot.employees
        if employee.status == "Active" and (certs.get(employee.id) or employee.home_workcenter_id)
    ]


def _operator(
    employee: Employee,
    day: date,
    assignments: list[ShiftAssignment],
    certifications: list[Certification],
    punched: dict[date, float],
    efficiency: tuple[Efficiency, dict[str, Efficiency]] | None,
    as_of_day: date,
    shifts: dict[str, Shift],
    place: Callable[[str], Place],
    policy: CrewPolicy,
) -> Operator:
    scheduled: dict[date, float] = defaultdict(float)
    blocks: list[ShiftBlock] = []
    leave: str | None = None
    planned: str | None = None
    for assignment in sorted(assignments, key=lambda a: (a.scheduled_start, a.id)):
        paid = _paid_hours(assignment, shifts)
        if assignment.status == "Leave":
            if assignment.work_date == day:
                leave = assignment.leave_type or "Leave"
            continue
        scheduled[assignment.work_date] += paid
        if abs((assignment.work_date - day).days) <= 1:
            blocks.append(
                ShiftBlock(
                    start=assignment.scheduled_start,
                    end=assignment.scheduled_end,
                    shift_code=shifts[assignment.shift_id].shift_code
                    if assignment.shift_id in shifts
                    else assignment.shift_id,
                    work_date=assignment.work_date,
                    workcenter_id=assignment.workcenter_id,
                    paid_hours=round(paid, 3),
                )
            )
        if assignment.work_date == day and assignment.workcenter_id and planned is None:
            planned = assignment.workcenter_id

    def worked(on: date) -> float:
        if on in punched:
            return punched[on]
        return scheduled.get(on, 0.0) if on >= as_of_day else 0.0

    last_7 = sum(worked(day - timedelta(days=k)) for k in range(1, 8))
    first = pay_week_start(day, policy.pay_week_starts)
    before = (day - first).days  # days of the pay week before the planning day
    week = sum(worked(first + timedelta(days=k)) for k in range(before))
    week += sum(scheduled.get(first + timedelta(days=k), 0.0) for k in range(before + 1, 7))
    streak = 0
    while streak < LOOKBACK_DAYS - 1 and worked(day - timedelta(days=streak + 1)) > 0:
        streak += 1
    overall, per_wc = efficiency if efficiency else (Efficiency(efficiency=1.0, hours=0.0), {})
    return Operator(
        employee_id=employee.id,
        supervisor_id=employee.supervisor_id,
        department_code=employee.department_code,
        pay_rate=employee.pay_rate or 0.0,
        home=place(employee.home_workcenter_id) if employee.home_workcenter_id else None,
        planned=place(planned) if planned else None,
        blocks=tuple(blocks),
        leave=leave,
        hours_last_7_days=round(last_7, 2),
        week_hours=round(week, 2),
        consecutive_days=streak,
        skills=_holdings(certifications, day, policy.certification_expiry),
        efficiency=per_wc,
        overall=overall,
    )
