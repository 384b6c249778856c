"""Plex calls of a crew shift read and of crew_replan's refreshes, run by `make bench` (never by `make test`).

Plex Connect answers job operations one job at a time (`GET /scheduling/v1/jobs/{jobId}/operations`) and
allows ~180-200 calls a minute, so the number of calls, not the seconds, is what a read costs on a real tenant.
The calls are counted by the Plex simulator serving a generated plant (600 employees, 2 weeks, seed 301) to
the real `PlexLaborClient` (REST, and the Data Source API apart):

1. one crew shift read (`build_problem`, the 1st shift of the first weekday after the history), on the plant
   as generated (jobs closed when all their operations are complete) and on the same plant with every closed
   job written `InProcess` as the generator did before; and what a read asking only for open jobs' operations
   (`read_snapshot(open_jobs_only=True)`, as skills reads) would ask;
2. crew_replan's refresh cycle: a cold container's first refresh, then one every 5 minutes (crew_call_offs'
   period) for 20 minutes, without and with the reference data kept for 15 minutes
   (`ReplanDependencies.reference_max_age_s`);
3. the projection to the 2,400-person plant of `bench_crew.py` (generated here to count its jobs): its job
   operation calls plus the other calls measured in 1., in minutes at 180 calls a minute.

Counts are asserted nowhere but in their sense (a refresh with the cache asks no more than one without);
seconds are printed with the machine load.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from plexlabor.audit import InMemoryAuditStore
from plexlabor.crew.build import build_problem
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.replanning import run
from plexlabor.crew.wiring import ReplanDependencies
from plexlabor.plant import PlantFolder
from plexlabor.plex import PlexLaborClient
from plexlabor.plex.reference_cache import REFERENCE_MAX_AGE_S
from plexlabor.plex.snapshot import read_snapshot
from plexlabor.plex.sources import LaborSource
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant
from plexlabor_dev.simulator.server import SimulatorServer

PLANT = PlantSpec(employees=600, weeks=2, seed=301)
LARGE = PlantSpec(employees=2400, weeks=2, seed=301)  # bench_crew.py's plant
CALLS_PER_MINUTE = 180
REFRESHES = 5  # 0, 5, 10, 15 and 20 minutes
FAST = {"max_retries": 3, "timeout_s": 30.0, "rate_limit_per_minute": 0}


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def _first_weekday_after(plant: PlantFolder) -> Any:
    day = plant.meta().end.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture(scope="module")
def plants(tmp_path_factory: pytest.TempPathFactory) -> tuple[PlantFolder, PlantFolder]:
    """The plant as generated, and a copy with its closed jobs `InProcess` (the generator before jobs closed)."""
    now = tmp_path_factory.mktemp("calls-now")
    generate_plant(PLANT, now)
    before = tmp_path_factory.mktemp("calls-before")
    for path in now.iterdir():
        (before / path.name).write_bytes(path.read_bytes())
    folder = PlantFolder(before)
    rows = list(folder.iter_raw("jobs"))
    folder.write_raw("jobs", [row | {"status": "InProcess"} if row["status"] == "Complete" else row for row in rows])
    return PlantFolder(now), folder


def _calls(server: SimulatorServer) -> Counter[str]:
    """The requests since the last count, by kind: job operations, other REST, Data Source; then cleared."""
    kinds: Counter[str] = Counter()
    for entry in server.state.requests():
        path = entry["path"]
        kind = "datasource" if path.startswith("/api/datasources/") else "rest"
        kinds["job-operations" if path.endswith("/operations") else kind] += 1
    server.state.clear_requests()
    return kinds


def _line(label: str, calls: Counter[str], seconds: float) -> str:
    total = sum(calls.values())
    return (
        f"{label:<46} {total:>6} calls ({calls['job-operations']} job operations, {calls['rest']} other REST, "
        f"{calls['datasource']} Data Source) = {total / CALLS_PER_MINUTE:5.1f} min at {CALLS_PER_MINUTE}/min; "
        f"{seconds:5.1f} s here, load {_load()}"
    )


def _jobs(plant: PlantFolder) -> Counter[str]:
    return Counter(row["status"] for row in plant.iter_raw("jobs"))


def test_crew_shift_read_calls(plants: tuple[PlantFolder, PlantFolder]) -> None:
    now, before = plants
    day = _first_weekday_after(now)
    print(f"\nPlant {PLANT.employees} employees, seed {PLANT.seed}; crew read of {day} shift 1")
    measured: dict[str, Counter[str]] = {}
    for label, plant in (("jobs never closed (before)", before), ("jobs closed as Plex does (now)", now)):
        print(f"  {label}: jobs {dict(_jobs(plant))}")
        with SimulatorServer(plant.path, rate_limit=0) as server, PlexLaborClient(server.settings(**FAST)) as plex:
            started = time.perf_counter()
            problem = build_problem(plex, day, "1", timezone=plant.meta().timezone)
            seconds = time.perf_counter() - started
            measured[label] = calls = _calls(server)
            print("    " + _line("crew shift read (build_problem)", calls, seconds))
            started = time.perf_counter()
            read_snapshot(plex, reference=("jobs", "job-operations"), open_jobs_only=True)
            print(
                "    "
                + _line("open jobs' operations only (open_jobs_only)", _calls(server), time.perf_counter() - started)
            )
        assert problem.jobs and problem.operators
    _project(measured["jobs closed as Plex does (now)"])


def _project(calls: Counter[str]) -> None:
    """The 2,400-person plant: its jobs counted, the other calls as measured on the 600-person plant."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        started = time.process_time()
        generate_plant(LARGE, folder)
        jobs = _jobs(PlantFolder(folder))
        print(
            f"  {LARGE.employees}-person plant (generated in {time.process_time() - started:.0f} s CPU): "
            f"jobs {dict(jobs)}"
        )
    other = calls["rest"] + calls["datasource"]
    for label, asked in (("every job", sum(jobs.values())), ("open jobs only", sum(jobs.values()) - jobs["Complete"])):
        total = asked + other
        print(
            f"    projected crew shift read, operations of {label}: {asked} + {other} = {total} calls, "
            f"{total / CALLS_PER_MINUTE:.0f} min at {CALLS_PER_MINUTE}/min"
        )


@pytest.mark.parametrize("max_age_s", [None, REFERENCE_MAX_AGE_S], ids=["no-cache", "cache-15min"])
def test_crew_replan_refresh_calls(plants: tuple[PlantFolder, PlantFolder], max_age_s: float | None) -> None:
    now, _ = plants
    day = _first_weekday_after(now)
    zone = now.meta().timezone
    clock = [datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=10, minutes=30)]
    print(f"\ncrew_replan refreshes of {day} shift 1, every 5 minutes, reference kept: {max_age_s} s")
    with SimulatorServer(now.path, rate_limit=0) as server, PlexLaborClient(server.settings(**FAST)) as plex:
        deps = ReplanDependencies(
            LaborSource(plex, zone), InMemoryAuditStore(), clock=lambda: clock[0], reference_max_age_s=max_age_s
        )
        totals = []
        for minute in range(0, 5 * REFRESHES, 5):
            started = time.perf_counter()
            summary = run(deps, ReplanMessage(reason="refresh", day=day, shift="1", detected_at=clock[0]))
            calls = _calls(server)
            totals.append(sum(calls.values()))
            label = f"refresh at +{minute} min ({'cold' if minute == 0 else 'warm'}, read {summary['data_read']})"
            print("  " + _line(label, calls, time.perf_counter() - started))
            clock[0] += timedelta(minutes=5)
    print(f"  per refresh after the cold one: mean {sum(totals[1:]) / (len(totals) - 1):.0f} calls")
    print(json.dumps({"max_age_s": max_age_s, "calls": totals}))
