"""Warm `/kpis` loads with the weekly retrains' last runs in S3, run by `make bench` (never by `make test`); it prints
its figures and the machine's load.

Until 1715e9e the page read `models/scorer/runs/last.json` and `models/incidents/runs/last.json` on every load (two
S3 GETs); now they are kept per warm container (`webapp.kpireads.KpiRuns`, read again after `REFRESH`). Measured
through the real handler (`functions.web_app.handler`, in process, in-memory audit with 40 punch findings, the
records in moto's S3 in process), alternating, LOADS warm loads each: a new `RetrainRuns` per load (nothing kept:
two GETs, as before) and one `RetrainRuns` (kept: no GET). Wall (`perf_counter`) median and p95. Printed, not held
to a target: moto in process is no measure of S3's latency from a Lambda.
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable
from datetime import timedelta

import boto3
import pytest
from moto import mock_aws

from plexlabor.platform.retrainruns import (
    INCIDENT_MODELS_PREFIX,
    SCORER_MODELS_PREFIX,
    RetrainRun,
    RetrainRuns,
    record_run,
)
from plexlabor.platform.s3artifacts import S3ArtifactStore
from tests.support import use_fake_aws
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, finding_event, web_deps
from tests.unit.webapp.viewers import ADMIN

LOADS, WARM_UP = 30, 3
BUCKET = "bench-retrain-runs"
SHOWN = "not trained, 2 corrections (40 needed)."


def _load() -> str:
    with open("/proc/loadavg") as loadavg:
        return loadavg.read().strip()


def test_warm_kpis_loads_with_the_retrain_runs_read_each_time_and_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fake_aws(monkeypatch)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)

        def runs() -> RetrainRuns:
            return RetrainRuns(
                S3ArtifactStore(BUCKET, SCORER_MODELS_PREFIX, s3), S3ArtifactStore(BUCKET, INCIDENT_MODELS_PREFIX, s3)
            )

        world = World()
        for n in range(40):
            finding_event(world, f"f-{n:024d}", confidence=0.93, severity="high")
        kept = runs()
        at = world.clock() - timedelta(hours=5)
        record_run(kept.scorer, RetrainRun(at=at, outcome="too_few", counted=1, needed=80, unit="decision"))
        record_run(kept.incidents, RetrainRun(at=at, outcome="too_few", counted=2, needed=40, unit="correction"))
        deps = web_deps(world)

        def load(retrain_runs: Callable[[], RetrainRuns]) -> float:
            started = time.perf_counter()
            response = call_web(dataclasses.replace(deps, retrain_runs=retrain_runs()), "GET", "/kpis", ADMIN)
            elapsed = (time.perf_counter() - started) * 1000
            assert response["statusCode"] == 200 and SHOWN in response["body"]
            return elapsed

        ways: dict[str, Callable[[], RetrainRuns]] = {"read each load (before)": runs, "kept (now)": lambda: kept}
        for _ in range(WARM_UP):
            for way in ways.values():
                load(way)
        load_before = _load()
        timed: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(LOADS):
            for name, way in ways.items():
                timed[name].append(load(way))
    print(f"\n/kpis warm, {LOADS} loads each (load average before: {load_before}, after: {_load()})")
    for name, wall in timed.items():
        wall.sort()
        p95 = wall[round(0.95 * len(wall)) - 1]
        print(f"  {name}: median {statistics.median(wall):.1f} ms, p95 {p95:.1f} ms")
