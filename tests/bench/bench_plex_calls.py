"""Plex calls of a crew shift read and of crew_replan's refreshes, run by `make bench` (never by `make test`).

Plex Connect answers job operations one job at a time (`GET /scheduling/v1/jobs/{jobId}/operations`) and
allows ~180-200 calls a minute, so the number of calls, not the seconds, is what a read costs on a real tenant.
The calls are counted by the Plex simulator serving a generated plant (600 employees, 2 weeks ending yesterday,
seed 301: a live read now, the shift ahead of the data) to the real `PlexLaborClient` (REST, and the Data Source
API apart):

1. one crew shift read (`build_problem`, the 1st shift of the first weekday after the history) before issue 16's
   change (every job's operations, `job_lead_days=None`) and after (the jobs that can run near the shift and
   those the labor entries name, `JobsNear`, `PLEXLABOR_JOB_LEAD_DAYS` 10), by REST and with the tenant's
   `job-operations` data source configured (200 jobs a call): the problems must all be the same; and skills'
   read (the operations of open jobs only, `read_snapshot(open_jobs_only=True)`), unchanged;
2. the projection to the 2,400-person plant of `bench_crew.py`'s size (generated here): before, its jobs; after,
   the jobs the near read asks for (counted on the plant folder, the same read), by REST and by the data
   source, plus the other calls measured in 1., in minutes at 180 calls a minute;
3. crew_replan's refresh cycle: a cold container's first refresh, then one every 5 minutes (crew_call_offs'
   period) for 20 minutes, without and with the reference data kept for 15 minutes and the history caught up
   (`ReplanDependencies.reference_max_age_s`), by REST and with the data source.

Counts are asserted only in their sense (the near read asks fewer and builds the same problem; a refresh with the
cache asks no more than one without); seconds are printed with the machine load.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from plexlabor.audit import InMemoryAuditStore
from plexlabor.crew.build import build_problem
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.replanning import run
from plexlabor.crew.wiring import ReplanDependencies
from plexlabor.models import JobOperation
from plexlabor.plant import PlantFolder
from plexlabor.plex import PlexLaborClient
from plexlabor.plex.defaults import JOB_OPERATIONS_DATASOURCE, SIMULATOR_JOB_OPERATIONS_ID
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.reference_cache import REFERENCE_MAX_AGE_S
from plexlabor.plex.settings import PlexSettings
from plexlabor.plex.snapshot import read_snapshot
from plexlabor.plex.sources import LaborSource
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant
from plexlabor_dev.simulator.server import SimulatorServer

YESTERDAY = datetime.now(UTC).date() - timedelta(days=1)
PLANT = PlantSpec(employees=600, weeks=2, seed=301, end_date=YESTERDAY)
LARGE = PlantSpec(employees=2400, weeks=2, seed=301, end_date=YESTERDAY)  # bench_crew.py's size
BULK = {"datasources": {JOB_OPERATIONS_DATASOURCE: SIMULATOR_JOB_OPERATIONS_ID}}
"""The tenant's `job-operations` data source configured (`PLEXLABOR_PLEX_DATASOURCES`), as the simulator serves it."""
CALLS_PER_MINUTE = 180
REFRESHES = 5  # 0, 5, 10, 15 and 20 minutes
FAST = {"max_retries": 3, "timeout_s": 30.0, "rate_limit_per_minute": 0}


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _first_weekday_after(plant: PlantFolder) -> date:
    day = plant.meta().end.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> PlantFolder:
    path = tmp_path_factory.mktemp("calls")
    generate_plant(PLANT, path)
    return PlantFolder(path)


def _calls(server: SimulatorServer) -> Counter[str]:
    """The requests since the last count, by kind: job operations (REST or the data source), labor entries, other
    REST, other Data Source."""
    kinds: Counter[str] = Counter()
    for entry in server.state.requests():
        path = entry["path"]
        if path == f"/api/datasources/{SIMULATOR_JOB_OPERATIONS_ID}/execute":
            kinds["job-operations"] += 1
        elif path.startswith("/api/datasources/"):
            kinds["datasource"] += 1
        elif path.endswith("/operations"):
            kinds["job-operations"] += 1
        else:
            kinds["labor-entries" if path.endswith("/labor-entries") else "rest"] += 1
    server.state.clear_requests()
    return kinds


def _line(label: str, calls: Counter[str], seconds: float) -> str:
    total = sum(calls.values())
    return (
        f"{label:<52} {total:>6} calls ({calls['job-operations']} job operations, {calls['labor-entries']} labor "
        f"entries, {calls['rest']} other REST, {calls['datasource']} Data Source) = {total / CALLS_PER_MINUTE:5.1f} "
        f"min at {CALLS_PER_MINUTE}/min; {seconds:5.1f} s wall, load {_load()}"
    )


def _jobs(plant: PlantFolder) -> Counter[str]:
    return Counter(row["status"] for row in plant.iter_raw("jobs"))


class _Asked(PlantFolderSource):
    """A plant folder counting whose operations it is asked for (on Plex: one call per job)."""

    asked = 0

    def job_operations(self, job_id: str | None = None) -> list[JobOperation]:
        self.asked += 1 if job_id is not None else sum(1 for _ in self.plant.iter_raw("jobs"))
        return super().job_operations(job_id)


READS = {
    "before: every job's operations": (None, {}),
    "after: jobs near the shift (lead 10 d), REST": (10.0, {}),
    "after, the job-operations data source": (10.0, BULK),
}


def test_crew_shift_read_calls(plant: PlantFolder) -> None:
    day = _first_weekday_after(plant)
    zone, as_of = plant.meta().timezone, datetime.now(UTC)
    print(f"\nPlant {PLANT.employees} employees, seed {PLANT.seed}, history to {YESTERDAY}; crew read of {day} shift 1")
    print(f"  jobs {dict(_jobs(plant))}")
    measured: dict[str, Counter[str]] = {}
    problems = {}
    with SimulatorServer(plant.path, rate_limit=0) as server:
        for label, (lead, settings) in READS.items():
            with PlexLaborClient(server.settings(**FAST, **settings)) as plex:
                started, cpu = time.perf_counter(), time.process_time()
                problems[label] = build_problem(plex, day, "1", timezone=zone, as_of=as_of, job_lead_days=lead)
                measured[label] = calls = _calls(server)
                seconds = time.perf_counter() - started
                print(f"    {_line(label, calls, seconds)}, {time.process_time() - cpu:.1f} s CPU")
        with PlexLaborClient(server.settings(**FAST)) as plex:
            started = time.perf_counter()
            read_snapshot(plex, reference=("jobs", "job-operations"), open_jobs_only=True)
            seconds = time.perf_counter() - started
            print("    " + _line("skills' read: open jobs' operations (unchanged)", _calls(server), seconds))
    before, *after = problems.values()
    assert before.jobs and all(p.jobs == before.jobs and p.operators == before.operators for p in after)
    print(f"    the same problem all three ways: {len(before.jobs)} segments, {len(before.operators)} operators")
    totals = [sum(calls.values()) for calls in measured.values()]
    assert totals[0] > totals[1] > totals[2]
    _project(*measured.values())


def _project(before: Counter[str], after: Counter[str], bulk: Counter[str]) -> None:
    """The 2,400-person plant: its jobs counted, and those the near read asks for; the other calls as measured."""
    with tempfile.TemporaryDirectory() as folder:
        started = time.process_time()
        generate_plant(LARGE, folder)
        large = PlantFolder(folder)
        jobs = _jobs(large)
        seconds = time.process_time() - started
        print(f"  {LARGE.employees}-person plant (generated in {seconds:.0f} s CPU): jobs {dict(jobs)}")
        source = _Asked(large)
        build_problem(source, _first_weekday_after(large), "1", as_of=datetime.now(UTC), job_lead_days=10.0)
    per_call = PlexSettings.model_fields["job_keys_per_call"].default
    for label, asked, calls in (
        ("before (REST, every job)", sum(jobs.values()), before),
        (f"after (REST, {source.asked} jobs near)", source.asked, after),
        (f"after (data source, {per_call} jobs a call)", -(-source.asked // per_call), bulk),
    ):
        other = sum(calls.values()) - calls["job-operations"]
        total = asked + other
        print(
            f"    projected crew shift read {label}: {asked} job operation calls + {other} other = {total} calls, "
            f"{total / CALLS_PER_MINUTE:.1f} min at {CALLS_PER_MINUTE}/min"
        )


@pytest.mark.parametrize(
    ("max_age_s", "settings"),
    [(None, {}), (REFERENCE_MAX_AGE_S, {}), (REFERENCE_MAX_AGE_S, BULK)],
    ids=["no-cache", "cache-15min", "cache-15min-data-source"],
)
def test_crew_replan_refresh_calls(plant: PlantFolder, max_age_s: float | None, settings: dict[str, Any]) -> None:
    day = _first_weekday_after(plant)
    zone = plant.meta().timezone
    clock = [datetime.now(UTC)]
    how = "the job-operations data source" if settings else "REST"
    print(f"\ncrew_replan refreshes of {day} shift 1, every 5 minutes, reference kept: {max_age_s} s, {how}")
    with (
        SimulatorServer(plant.path, rate_limit=0) as server,
        PlexLaborClient(server.settings(**FAST, **settings)) as plex,
    ):
        deps = ReplanDependencies(
            LaborSource(plex, zone), InMemoryAuditStore(), clock=lambda: clock[0], reference_max_age_s=max_age_s
        )
        totals: list[dict[str, Any]] = []
        for minute in range(0, 5 * REFRESHES, 5):
            started = time.perf_counter()
            summary = run(deps, ReplanMessage(reason="refresh", day=day, shift="1", detected_at=clock[0]))
            calls = _calls(server)
            totals.append(dict(calls))
            label = f"refresh at +{minute} min ({'cold' if minute == 0 else 'warm'}, read {summary['data_read']})"
            print("  " + _line(label, calls, time.perf_counter() - started))
            clock[0] += timedelta(minutes=5)
    warm = [sum(calls.values()) for calls in totals[1:]]
    print(f"  per refresh after the cold one: mean {sum(warm) / len(warm):.0f} calls")
    print(json.dumps({"max_age_s": max_age_s, "calls": totals}))
