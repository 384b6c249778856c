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
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from plexlabor.models import record_key
from plexlabor.plant import PlantFolder, PlantMeta
from plexlabor_dev.simulator import organization, population, production, schedules
from plexlabor_dev.simulator.anomalies import DAY_TYPE_WEIGHTS, EXCESSIVE_WEEKS
from plexlabor_dev.simulator.context import DEFAULT_END, PlantSpec, Sim
from plexlabor_dev.simulator.writer import PlantWriter

LABEL_RESOURCES = ("time-clock-entries", "labor-entries", "workcenter-events", "badge-swipes")

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
    with PlantWriter(PlantFolder(out_dir)) as out:
        sim = Sim(spec, out)
        _simulate(sim)
    return out.finish(_meta(sim))


def _simulate(sim: Sim) -> None:
    build_plant(sim)
    schedules.simulate_days(sim)
    production.schedule_future_jobs(sim)
    production.emit_machine_runs(sim)
    EXCESSIVE_WEEKS.label_weeks(sim)


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


def generate_command(args: argparse.Namespace) -> int:
    """`plexlabor plant generate`."""
    spec = PlantSpec(
        employees=args.employees,
        weeks=args.weeks,
        seed=args.seed,
        anomaly_rate=args.anomaly_rate,
        end_date=date.fromisoformat(args.end) if args.end else DEFAULT_END,
    )
    started = time.perf_counter()
    meta = generate_plant(spec, args.out)
    seconds = time.perf_counter() - started
    size = sum(path.stat().st_size for path in Path(args.out).iterdir())
    records = sum(meta.counts.values())
    labels = sum(meta.anomaly_counts.values())
    print(
        f"plant '{meta.name}' in {args.out}: {records:,} records, {labels:,} labels, "
        f"{size / 1e6:.1f} MB, {seconds:.1f} s"
    )
    return 0


def iter_label_keys(folder: PlantFolder) -> Iterator[str]:
    """Every record key of the label-bearing resources, for consistency checks."""
    for resource in LABEL_RESOURCES:
        for row in folder.iter_raw(resource):
            yield record_key(resource, row["id"])
