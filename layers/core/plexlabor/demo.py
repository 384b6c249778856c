"""`make demo`: the product end to end on one machine, on a simulated plant."""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from plexlabor.plant import PlantFolder
from plexlabor.plex.client import PlexLaborClient
from plexlabor.simulator.generator import PlantSpec, generate_plant
from plexlabor.simulator.server import SimulatorServer
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.source import read_plant_data


def _line(label: str, value: object) -> None:
    print(f"  {label:<34} {value}")


def demo_command(args: argparse.Namespace) -> int:
    with ExitStack() as stack:
        workdir = Path(args.workdir) if args.workdir else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        plant_dir = workdir / "plant"
        started = time.perf_counter()
        meta = generate_plant(PlantSpec(employees=args.employees, weeks=args.weeks, seed=args.seed), plant_dir)
        print(f"1. Plant '{meta.name}' generated in {time.perf_counter() - started:.1f} s ({plant_dir})")
        for resource in (
            "employees",
            "workcenters",
            "time-clock-entries",
            "labor-entries",
            "workcenter-events",
            "badge-swipes",
            "shift-assignments",
            "certifications",
        ):
            _line(resource, f"{meta.counts.get(resource, 0):,}")
        _line(
            "injected anomalies (labels)",
            f"{sum(meta.anomaly_counts.values()):,} across {len(meta.anomaly_counts)} types",
        )

        sim = stack.enter_context(SimulatorServer(plant_dir, rate_limit=100_000))
        print(
            f"\n2. Plex simulator serving it at {sim.base_url} (Connect REST + Data Source API), e.g.\n"
            f"   curl -H 'X-Plex-Connect-Api-Key: sim-key' {sim.base_url}/mdm/v1/employees"
        )
        client = PlexLaborClient(sim.settings(rate_limit_per_minute=0))
        begin, end = meta.start, meta.end
        started = time.perf_counter()
        data = read_plant_data(client, begin, end, meta.timezone)
        seconds = time.perf_counter() - started
        read = {
            "employees": len(data.employees),
            "time-clock-entries": sum(map(len, data.punches.values())),
            "labor-entries": sum(map(len, data.labor.values())),
            "badge-swipes": sum(map(len, data.swipes.values())),
            "workcenter sessions": sum(map(len, data.wc_sessions.values())),
        }
        calls = len(sim.requests())
        records = sum(read.values())
        print(f"3. Read back through the Plex client: {calls} calls in {seconds:.1f} s")
        for name, count in read.items():
            _line(name, f"{count:,}")
        _line("read throughput", f"{records / seconds:,.0f} records/s")

        started = time.perf_counter()
        findings = ValidationEngine().batch(data)
        review = [f for f in findings if f.route == "review"]
        print(
            f"\n4. Validated in {time.perf_counter() - started:.2f} s: {len(findings)} findings, "
            f"{len(review)} for supervisor review"
        )
        truth = {(label.record_key, label.anomaly_type) for label in PlantFolder(plant_dir).labels()}
        by_type = Counter(f.anomaly_type.value for f in review)
        hits = Counter(f.anomaly_type.value for f in review if (f.record_key, f.anomaly_type) in truth)
        for anomaly, count in sorted(by_type.items()):
            _line(anomaly, f"{count:>4} ({hits[anomaly]} match an injected anomaly)")
        if review:
            example = max(review, key=lambda f: f.confidence)
            print(f"\n   e.g. [{example.anomaly_type.value}, confidence {example.confidence:.2f}] {example.note}")
        last_day = (end - timedelta(seconds=1)).astimezone(ZoneInfo(meta.timezone))
        print(
            f"\nHistory: {begin.astimezone(ZoneInfo(meta.timezone)):%Y-%m-%d} to {last_day:%Y-%m-%d}. "
            "Nothing was written to Plex: writes default to dry-run."
        )
    return 0
