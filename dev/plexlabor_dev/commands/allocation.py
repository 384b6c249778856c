"""`plexlabor allocation run --plant DIR --day YYYY-MM-DD [--json]`: a day's paid minutes per bucket."""

from __future__ import annotations

import argparse
import json

from plexlabor.allocation.day import UNALLOCATED, read_day
from plexlabor.plex import PlantFolderSource
from plexlabor_dev.commands import day_flag, plant_flag


def run_command(args: argparse.Namespace) -> int:
    """Allocate the day; totals, or JSON per employee (paid, allocated per bucket, unallocated) and totals."""
    folder = plant_flag(args.plant)
    day = day_flag(args.day, "--day")
    source = PlantFolderSource(folder)
    employees = read_day(source, day)
    if not employees:
        raise ValueError(f"--day {day}: no one was paid that day in {args.plant}, nothing to allocate")
    numbers = {employee.id: employee.employee_no for employee in source.employees()}
    job_numbers = {job.id: job.job_no for job in source.jobs()}
    operations = {
        op.id: f"{job_numbers.get(op.job_id, op.job_id)} op {op.operation_no}" for op in source.job_operations()
    }
    totals = {
        "paid": sum(e.paid_minutes for e in employees),
        "allocated": sum(e.allocated_minutes for e in employees),
        "unallocated": sum(e.unallocated_minutes for e in employees),
    }
    if args.json:
        rows = [
            {
                "employee": numbers.get(e.employee_id, e.employee_id),
                "paid": e.paid_minutes,
                "allocated": {operations.get(b, b): m for b, m in e.buckets.items() if b != UNALLOCATED},
                "unallocated": e.unallocated_minutes,
            }
            for e in employees
        ]
        print(json.dumps({"day": day.isoformat(), "employees": rows, "totals": totals}, indent=2))
    else:
        share = totals["unallocated"] / totals["paid"] if totals["paid"] else 0.0
        print(
            f"{day}: {len(employees)} employees paid {totals['paid']:,} min; allocated to job operations "
            f"{totals['allocated']:,}, unallocated {totals['unallocated']:,} ({share:.1%})"
        )
    return 0
