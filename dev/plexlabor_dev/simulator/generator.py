"""Deterministic synthetic plant with ground-truth anomaly labels.

A plant is simulated day by day: every hourly employee works their scheduled shift with personal
habits (arrival/leave offsets, break timing), badges in, clocks in, logs in at a workcenter, runs job
operations and clocks out. Anomalies are injected at known rates on top of that normal behaviour and
written to `labels.jsonl`. Where a type has a crisp definition (uncertified operator, job code not
routed to the workcenter, excessive weekly hours) the label is computed from the definition on the
true, uncorrupted activity, so labels and data cannot drift apart. Format: `docs/data-format.md`.

This module only runs the parts in order; each part draws from the one random stream in turn:

- `organization`: buildings, clocks and doors, shifts, skills, head count, workcenters;
- `production`: parts and routings (here), then jobs, labor entries and machine runs (below);
- `population`: the people and their habits, certifications and accounts;
- `schedules`: week plans, leave and shift assignments, each worked day through `workday`;
- `anomalies`: one injector per anomaly type with its label rule, called where it acts;
- `writer`: the resource files, `labels.jsonl` and `plant.json`.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from plexlabor.models import PLANT_MODELS, record_key
from plexlabor.plant import LABELS_FILE, META_FILE, PlantFolder, PlantMeta
from plexlabor_dev.commands import day_flag
from plexlabor_dev.progress import step
from plexlabor_dev.simulator import indirect, normals, operators, organization, population, production, schedules
from plexlabor_dev.simulator.anomalies import DAY_TYPE_WEIGHTS, EXCESSIVE_WEEKS
from plexlabor_dev.simulator.context import DEFAULT_END, PlantSpec, Sim
from plexlabor_dev.simulator.difficulty import NOISE_FILE, LabelNoise, difficulty_flag
from plexlabor_dev.simulator.writer import PlantWriter

LABEL_RESOURCES = ("time-clock-entries", "labor-entries", "workcenter-events", "badge-swipes")
PLANT_FILES = frozenset(
    {
        *(f"{resource}.jsonl" for resource in PLANT_MODELS),
        LABELS_FILE,
        META_FILE,
        operators.OPERATOR_EFFECTS_FILE,
        indirect.INDIRECT_TIME_FILE,
        normals.NORMALS_FILE,
        NOISE_FILE,
    }
)
"""What `generate_plant` writes: the files `--force` may replace."""

MAX_EMPLOYEES = 50_000
BYTES_PER_EMPLOYEE_WEEK = 20_000
SECONDS_PER_EMPLOYEE_WEEK = 0.0065
"""Measured on 2 cores (20 to 500 employees, 4 to 26 weeks): size and time grow with employees x weeks."""
ESTIMATE_FROM_S = 10.0
"""An estimate is printed before a plant expected to take longer than this."""

__all__ = [
    "DAY_TYPE_WEIGHTS",
    "DEFAULT_END",
    "PlantSpec",
    "build_plant",
    "generate_command",
    "generate_plant",
    "iter_label_keys",
]


def generate_plant(spec: PlantSpec, out_dir: Path | str) -> PlantMeta:
    """Generate a plant folder; return its metadata (also written to `plant.json`)."""
    with PlantWriter(PlantFolder(out_dir), LabelNoise(spec.seed, spec.difficulty)) as out:
        sim = Sim(spec, out)
        _simulate(sim)
    return out.finish(_meta(sim))


def _simulate(sim: Sim) -> None:
    step("building the plant and hiring its people")
    build_plant(sim)
    schedules.simulate_days(sim)
    step("scheduling future jobs")
    production.schedule_future_jobs(sim)
    step("writing machine runs")
    production.emit_machine_runs(sim)
    production.emit_operations(sim)
    production.emit_jobs(sim)
    EXCESSIVE_WEEKS.label_weeks(sim)
    operators.write_truth(sim)
    indirect.write_truth(sim)
    normals.write_truth(sim)
    step("writing labels")


def build_plant(sim: Sim) -> None:
    """The plant before its first day: sites, shifts, skills, workcenters, parts and routings, people."""
    headcount = organization.Headcount.for_plant(sim.spec.employees)
    organization.build_sites(sim)
    organization.emit_shifts(sim)
    skill_ids = organization.emit_skills(sim, headcount.departments)
    sizes = organization.department_sizes(sim, headcount)
    organization.build_workcenters(sim, headcount.departments, sizes, skill_ids)
    production.build_parts(sim)
    population.hire(sim, headcount, sizes, skill_ids)


def _meta(sim: Sim) -> PlantMeta:
    spec, out = sim.spec, sim.out
    return PlantMeta(
        name=f"plant-{spec.employees}e-{spec.weeks}w-s{spec.seed}",
        seed=spec.seed,
        timezone=spec.timezone,
        start=datetime.fromtimestamp(sim.local(sim.start_date, "00:00"), UTC),
        end=datetime.fromtimestamp(sim.as_of, UTC),
        generated_at=datetime.fromtimestamp(sim.as_of, UTC),
        counts=dict(sorted(out.counts.items())),
        anomaly_rate=spec.anomaly_rate,
        anomaly_counts=dict(sorted(out.label_counts.items())),
    )


def estimate(spec: PlantSpec) -> tuple[float, float]:
    """About how many bytes and seconds a plant of `spec` takes."""
    employee_weeks = spec.employees * spec.weeks
    return employee_weeks * BYTES_PER_EMPLOYEE_WEEK, employee_weeks * SECONDS_PER_EMPLOYEE_WEEK


def _size(size: float) -> str:
    return f"{size / 1e9:,.1f} GB" if size >= 1e9 else f"{size / 1e6:,.0f} MB"


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:,.1f} h"
    return f"{seconds / 60:,.0f} min" if seconds >= 90 else f"{seconds:.0f} s"


def check_size(spec: PlantSpec, out: Path) -> str | None:
    """Refuse an absurd plant or one the disk cannot hold; the estimate to print for a long one."""
    size, seconds = estimate(spec)
    if spec.employees > MAX_EMPLOYEES:
        raise ValueError(
            f"--employees {spec.employees:,}: at most {MAX_EMPLOYEES:,} "
            f"(this one would be about {_size(size)} and take {_duration(seconds)})"
        )
    existing = next((p for p in (out, *out.parents) if p.exists()), None)
    if existing is not None and shutil.disk_usage(existing).free < size:
        free = shutil.disk_usage(existing).free
        raise ValueError(f"--out {out}: about {_size(size)} needed, {_size(free)} free")
    if seconds < ESTIMATE_FROM_S:
        return None
    return (
        f"plant generate: {spec.employees:,} employees x {spec.weeks} weeks: about {_size(size)} "
        f"and {_duration(seconds)}"
    )


def prepare_folder(out: Path, force: bool) -> None:
    """`--out` must be new or empty; a plant already there is replaced only with `--force` (its plant
    files removed first), and a folder holding anything else is refused, naming what is there."""
    if not out.exists():
        return
    if not out.is_dir():
        raise ValueError(f"--out {out}: is a file, not a folder")
    entries = sorted(out.iterdir())
    others = [entry.name + ("/" if entry.is_dir() else "") for entry in entries if entry.name not in PLANT_FILES]
    plant = [entry for entry in entries if entry.name in PLANT_FILES]
    if others:
        shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        what = "a plant and other files" if plant else "files that are not a plant's"
        raise ValueError(f"--out {out}: holds {what} ({shown}); give a new or empty folder")
    if plant and not force:
        raise ValueError(f"--out {out}: already holds a plant ({len(plant)} files); add --force to replace it")
    for entry in plant:
        entry.unlink()


def generate_command(args: argparse.Namespace) -> int:
    """`plexlabor plant generate`: a new plant in a new or empty folder (`--force`: replace a plant)."""
    try:
        spec = PlantSpec(
            employees=args.employees,
            weeks=args.weeks,
            seed=args.seed,
            anomaly_rate=args.anomaly_rate,
            end_date=day_flag(args.end, "--end") if args.end else DEFAULT_END,
            hard_normals=hard_normals(getattr(args, "hard_normals", "")),
            difficulty=difficulty_flag(getattr(args, "difficulty", "easy")),
        )
    except ValueError as error:  # PlantSpec names its field ("employees: ..."): name the flag instead
        field, _, reason = str(error).partition(": ")
        if field.startswith("-") or not reason:
            raise
        raise ValueError(f"--{field.replace('_', '-')}: {reason}") from error
    out = Path(args.out)
    note = check_size(spec, out)
    prepare_folder(out, bool(getattr(args, "force", False)))
    if note:
        print(note, file=sys.stderr, flush=True)
    started = time.perf_counter()
    meta = generate_plant(spec, out)
    seconds = time.perf_counter() - started
    size = sum(path.stat().st_size for path in Path(args.out).iterdir())
    records = sum(meta.counts.values())
    labels = sum(meta.anomaly_counts.values())
    print(
        f"plant '{meta.name}' in {args.out}: {records:,} records, {labels:,} labels, "
        f"{size / 1e6:.1f} MB, {seconds:.1f} s"
    )
    return 0


def hard_normals(text: str) -> frozenset[str]:
    """`--hard-normals`: pattern names, comma-separated, or "all"."""
    names = {name.strip() for name in text.split(",") if name.strip()}
    if names == {"all"}:
        return frozenset(normals.NORMAL_PATTERNS)
    if unknown := sorted(names - set(normals.NORMAL_PATTERNS)):
        raise ValueError(
            f"--hard-normals: unknown {', '.join(unknown)} (known: all, {', '.join(normals.NORMAL_PATTERNS)})"
        )
    return frozenset(names)


def iter_label_keys(folder: PlantFolder) -> Iterator[str]:
    """Every record key of the label-bearing resources, for consistency checks."""
    for resource in LABEL_RESOURCES:
        for row in folder.iter_raw(resource):
            yield record_key(resource, row["id"])
