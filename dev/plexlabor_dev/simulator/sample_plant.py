"""A tiny deterministic plant for tests, samples and benchmarks (not the full generator).

Every row is built from a `plexlabor.models` instance and written with `.to_plex()`, so the folder is
exactly what the models accept. No anomalies are injected and no labels are written: the real plant
generator (`generator.py`) does that.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from plexlabor.models import (
    ApprovedWorkcenter,
    BadgeSwipe,
    Building,
    Certification,
    ClockDevice,
    DowntimeEntry,
    Employee,
    Job,
    JobOperation,
    LaborEntry,
    PlexModel,
    ScrapEntry,
    Shift,
    ShiftAssignment,
    Skill,
    TimeClockEntry,
    UserAccount,
    Workcenter,
    WorkcenterEvent,
    WorkcenterRequirement,
)
from plexlabor.plant import PlantFolder, PlantMeta

DEFAULT_START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday


def write_sample_plant(
    path: Path | str,
    *,
    employees: int = 4,
    days: int = 14,
    start: datetime = DEFAULT_START,
    seed: int = 1,
    clockin_offset: timedelta = timedelta(hours=6),
    jitter_minutes: int = 10,
    shift_hours: float = 8.0,
) -> dict[str, int]:
    """Write a plant folder: one punch per employee per day at `start + day + clockin_offset` (+/-
    jitter), with matching labor entries, swipes, assignments and workcenter events. Returns counts.

    Punch change markers rotate: every third punch has a `modifiedDate` a day after clock-out, every
    third only a `createdDate`, and the rest neither (so pollers fall back to `clockoutTime`).
    """
    rng = random.Random(seed)
    folder = PlantFolder(path)
    rows: dict[str, Sequence[PlexModel]] = {}

    building = Building(
        building_code="B1",
        name="Main plant",
        site_code="S1",
        timezone="UTC",
        latitude=42.0,
        longitude=-83.0,
        geofence_radius_m=250,
    )
    devices = [
        ClockDevice(device_id="CLK-1", building_code="B1", device_type="WallClock", latitude=42.0, longitude=-83.0),
        ClockDevice(device_id="DOOR-1", building_code="B1", device_type="DoorReader"),
    ]
    workcenters = [
        Workcenter(
            workcenter_id=f"WC{n}",
            workcenter_code=f"PRESS-{n}",
            name=f"Press {n}",
            department_code="STAMP",
            building_code="B1",
        )
        for n in range(1, 4)
    ]
    skills = [
        Skill(skill_id="SK1", skill_code="PRESS", name="Press operation", skill_group="press"),
        Skill(skill_id="SK2", skill_code="WELD", name="Welding", skill_group="weld"),
    ]
    people = [
        Employee(
            id=f"E{n:04d}",
            employee_no=f"{1000 + n}",
            first_name=f"First{n}",
            last_name=f"Last{n}",
            department_code="STAMP",
            hire_date=date(2020, 1, 1),
            pay_rate=20.0 + n % 5,
            home_workcenter_id=workcenters[n % len(workcenters)].workcenter_id,
            building_code="B1",
            default_shift_code="DAY",
        )
        for n in range(1, employees + 1)
    ]
    shift = Shift(shift_id="SH1", shift_code="DAY", name="Day", start_local="06:00", end_local="14:00")
    jobs = [Job(id=f"J{n}", job_no=f"JOB-{n}", part_id=f"P{n}", quantity=1000, status="InProcess") for n in range(1, 4)]
    operations = [
        JobOperation(
            id=f"{job.id}-OP{op}",
            job_id=job.id,
            part_id=job.part_id,
            operation_no=op * 10,
            operation_code=f"OP{op}",
            workcenter_id=workcenters[(op - 1) % 3].workcenter_id,
            quantity=1000,
            standard_hours=10.0,
        )
        for job in jobs
        for op in (1, 2)
    ]
    rows["buildings"] = [building]
    rows["clock-devices"] = devices
    rows["workcenters"] = workcenters
    rows["skills"] = skills
    rows["employees"] = people
    rows["user-accounts"] = [
        UserAccount(id=f"U{p.id}", username=f"user{p.employee_no}", employee_id=p.id, roles=["Operator"])
        for p in people
    ]
    rows["shifts"] = [shift]
    rows["jobs"] = jobs
    rows["job-operations"] = operations
    rows["approved-workcenters"] = [
        ApprovedWorkcenter(
            part_id=op.part_id,
            operation_code=op.operation_code,
            workcenter_id=op.workcenter_id,
            crew_size=1,
            standard_production_rate=120,
        )
        for op in operations
    ]
    rows["workcenter-requirements"] = [
        WorkcenterRequirement(workcenter_id=wc.workcenter_id, skill_id="SK1") for wc in workcenters
    ]
    rows["certifications"] = [
        Certification(id=f"C{p.id}", employee_id=p.id, skill_id="SK1", level=3, issued_date=date(2024, 1, 1))
        for p in people
    ]

    punches: list[TimeClockEntry] = []
    labor: list[LaborEntry] = []
    swipes: list[BadgeSwipe] = []
    assignments: list[ShiftAssignment] = []
    events: list[WorkcenterEvent] = []
    scrap: list[ScrapEntry] = []
    downtime: list[DowntimeEntry] = []
    serial = 0
    for day in range(days):
        day_start = start + timedelta(days=day)
        for person in people:
            serial += 1
            jitter = timedelta(minutes=rng.randint(-jitter_minutes, jitter_minutes)) if jitter_minutes else timedelta()
            clock_in = day_start + clockin_offset + jitter
            clock_out = clock_in + timedelta(hours=shift_hours)
            marker: dict[str, Any] = {}
            if serial % 3 == 0:
                marker["modified_date"] = clock_out + timedelta(days=1)
                marker["modified_by"] = "supervisor1"
            elif serial % 3 == 1:
                marker["created_date"] = clock_out + timedelta(minutes=1)
            punches.append(
                TimeClockEntry(
                    id=f"T{serial:07d}",
                    employee_id=person.id,
                    clockin_time=clock_in,
                    clockout_time=clock_out,
                    clockin_device_id="CLK-1",
                    clockout_device_id="CLK-1",
                    **marker,
                )
            )
            workcenter_id = person.home_workcenter_id or "WC1"
            operation = operations[serial % len(operations)]
            labor.append(
                LaborEntry(
                    id=f"L{serial:07d}",
                    employee_id=person.id,
                    workcenter_id=workcenter_id,
                    job_id=operation.job_id,
                    job_operation_id=operation.id,
                    start_time=clock_in + timedelta(minutes=10),
                    end_time=clock_out - timedelta(minutes=10),
                    quantity=rng.randint(100, 900),
                )
            )
            swipes.append(
                BadgeSwipe(
                    id=f"S{serial:07d}",
                    employee_id=person.id,
                    device_id="DOOR-1",
                    building_code="B1",
                    swipe_time=clock_in - timedelta(minutes=3),
                    direction="In",
                )
            )
            assignments.append(
                ShiftAssignment(
                    id=f"A{serial:07d}",
                    employee_id=person.id,
                    shift_id="SH1",
                    work_date=day_start.date(),
                    scheduled_start=day_start + timedelta(hours=6),
                    scheduled_end=day_start + timedelta(hours=14),
                    workcenter_id=workcenter_id,
                )
            )
            events.append(
                WorkcenterEvent(
                    id=f"W{serial:07d}",
                    workcenter_id=workcenter_id,
                    event_type="OperatorLogin",
                    event_time=clock_in + timedelta(minutes=5),
                    employee_id=person.id,
                    job_operation_id=operation.id,
                )
            )
        scrap.append(
            ScrapEntry(
                id=f"X{day:05d}",
                workcenter_id="WC1",
                scrap_time=day_start + timedelta(hours=9),
                quantity=rng.randint(1, 9),
                reason_code="BURR",
            )
        )
        downtime.append(
            DowntimeEntry(
                id=f"D{day:05d}",
                workcenter_id="WC2",
                start_time=day_start + timedelta(hours=10),
                end_time=day_start + timedelta(hours=10, minutes=20),
                reason_code="DIE",
            )
        )
    rows.update(
        {
            "time-clock-entries": punches,
            "labor-entries": labor,
            "badge-swipes": swipes,
            "shift-assignments": assignments,
            "workcenter-events": events,
            "scrap-entries": scrap,
            "downtime-entries": downtime,
        }
    )

    counts = {
        resource: folder.write_raw(resource, (item.to_plex() for item in items)) for resource, items in rows.items()
    }
    folder.write_meta(
        PlantMeta(
            name="sample",
            seed=seed,
            timezone="UTC",
            start=start,
            end=start + timedelta(days=days),
            generated_at=start + timedelta(days=days),
            counts=counts,
            anomaly_rate=0.0,
            anomaly_counts={},
        )
    )
    folder.write_labels([])
    return counts
