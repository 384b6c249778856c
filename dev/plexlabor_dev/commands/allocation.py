"""`plexlabor allocation run --plant DIR --day YYYY-MM-DD [--split S] [--json]`: a day's paid minutes per bucket."""

from __future__ import annotations

import argparse

from plexlabor.allocation.policy import AllocationPolicy, Split
from plexlabor.allocation.report import read_report
from plexlabor.plex import PlantFolderSource
from plexlabor_dev.commands import day_flag, plant_flag
from plexlabor_dev.progress import step


def run_command(args: argparse.Namespace) -> int:
    """Allocate the day; a summary, or JSON per employee (paid, allocated per bucket, unallocated) and totals."""
    folder = plant_flag(args.plant)
    day = day_flag(args.day, "--day")
    source = PlantFolderSource(folder)
    step(f"allocating the paid minutes of {day}")
    report = read_report(source, day, AllocationPolicy(split=Split(args.split)))
    if not report.employees:
        raise ValueError(f"--day {day}: no one was paid that day in {args.plant}, nothing to allocate")
    if args.json:
        print(report.model_dump_json(indent=2))
        return 0
    t = report.totals
    share = t.unallocated / t.paid if t.paid else 0.0
    print(
        f"{day}: {t.employees} employees paid {t.paid:,} min (${t.payroll:,.2f}, {t.overtime:,} min overtime); "
        f"job operations {t.jobs:,} (of which {t.inferred:,} from misapplied job codes), indirect {t.indirect:,}, "
        f"unallocated {t.unallocated:,} ({share:.1%}); {len(report.suggestions)} unallocated stretches "
        f"suggested to a job; allocated cost ${t.allocated_cost:,.2f}"
    )
    return 0
