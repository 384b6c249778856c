"""Validation quality, speed and import time, on plants generated with seeds the scorer never saw.

Run by `make bench` (never by `make test`). Prints per-type precision/recall/F1 for plexlabor and for the
fixed-grace baseline, flagged shares, batch throughput, real-time latency and import time.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

from plexlabor.models import LaborEntry, TimeClockEntry
from plexlabor.models.anomalies import AnomalyLabel, AnomalyType
from plexlabor.plant import PlantFolder
from plexlabor.validation.baseline import run_baseline
from plexlabor.validation.data import PlantData
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.findings import Finding
from plexlabor.validation.norms import compute_norms
from plexlabor.validation.scoring import label_bearing_record_count, score
from plexlabor_dev.commands.validation import EVALUATION_SEEDS, TRAINING_SEEDS
from plexlabor_dev.quality_targets import flagged_share_target, type_target
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant

QUICK = os.environ.get("PLEXLABOR_BENCH_QUICK") == "1"
"""A smoke run (one seed, 100 employees x 8 weeks): checks the bench runs; its figures are not the bench's."""
EMPLOYEES, WEEKS = (100, 8) if QUICK else (400, 26)
SEEDS = EVALUATION_SEEDS[:1] if QUICK else EVALUATION_SEEDS
REALTIME_SAMPLE = 200 if QUICK else 2000
FLAGGED_SHARE_LIMIT = 1.25


def _clocks() -> tuple[float, float]:
    """Wall time, and this process's CPU time (the batch runs in one process)."""
    return time.perf_counter(), time.process_time()


def _import_ms(env: dict[str, str], path: str) -> float:
    code = (
        "import sys,time; sys.path.insert(0, sys.argv[1]); t=time.perf_counter(); "
        "import plexlabor.validation.engine; print((time.perf_counter()-t)*1000); "
        "assert 'sklearn' not in sys.modules"
    )
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code, path], env=env, capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(5)
    ]
    return statistics.median(runs)


def test_validation_benchmark(tmp_path: Path) -> None:
    assert not set(EVALUATION_SEEDS) & set(TRAINING_SEEDS)
    engine = ValidationEngine()
    review = engine.settings.review_threshold
    findings: list[Finding] = []
    baseline: list[Finding] = []
    labels: list[AnomalyLabel] = []
    records = 0
    batch_seconds = batch_cpu = 0.0
    stages = dict.fromkeys(("read and index", "norms", "checks and scoring"), (0.0, 0.0))
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    latencies: list[float] = []
    for seed in SEEDS:
        folder = PlantFolder(tmp_path / f"eval-{seed}")
        generate_plant(PlantSpec(employees=EMPLOYEES, weeks=WEEKS, seed=seed, anomaly_rate=0.05), folder.path)
        labels.extend(folder.labels())
        count = label_bearing_record_count(folder)
        records += count
        started, cpu = _clocks()
        data = PlantData.from_folder(folder)
        read = _clocks()
        norms = compute_norms(data)
        normed = _clocks()
        findings.extend(engine.batch(data, norms))
        done = _clocks()
        for stage, (begin, end) in zip(stages, pairwise(((started, cpu), read, normed, done)), strict=True):
            stages[stage] = (stages[stage][0] + end[0] - begin[0], stages[stage][1] + end[1] - begin[1])
        batch_seconds += done[0] - started
        batch_cpu += done[1] - cpu
        baseline.extend(run_baseline(folder))
        # Real time: one record at a time, with the neighbourhood the Lambda would read.
        sample = random.Random(seed).sample(
            folder.load(TimeClockEntry) + folder.load(LaborEntry), REALTIME_SAMPLE // len(SEEDS)
        )
        for record in sample:
            t = (record.clockin_time if isinstance(record, TimeClockEntry) else record.start_time).timestamp()
            context = data.slice_for(record.employee_id, t)
            began = time.perf_counter()
            engine.realtime(record, context, norms)
            latencies.append(time.perf_counter() - began)

    ours = score(findings, labels, records, min_confidence=review)
    theirs = score(baseline, labels, records)
    print(
        f"\n\n{'QUICK MODE (not the bench figures): ' * QUICK}Validation on seeds {list(SEEDS)} ({EMPLOYEES} "
        f"employees x {WEEKS} weeks each, "
        f"{records:,} label-bearing records, {len(labels):,} labels); scorer trained on seeds "
        f"{list(TRAINING_SEEDS)}; plexlabor counted at review confidence >= {review}"
    )
    print(
        f"{'type':28} {'support':>7} | {'plexlabor P':>11} {'R':>6} {'F1':>6} | {'baseline P':>10} {'R':>6} "
        f"{'F1':>6} | target"
    )
    for anomaly in AnomalyType:
        a, b = ours.per_type[anomaly], theirs.per_type[anomaly]
        text, met = type_target(anomaly, a, b)
        target = f"{text} {'met' if met else 'MISSED'}"
        print(
            f"{anomaly.value:28} {a.support:7d} | {a.precision:11.3f} {a.recall:6.3f} {a.f1:6.3f} | "
            f"{b.precision:10.3f} {b.recall:6.3f} {b.f1:6.3f} | {target}"
        )
    o, ob = ours.overall, theirs.overall
    print(
        f"{'overall (micro)':28} {o.support:7d} | {o.precision:11.3f} {o.recall:6.3f} {o.f1:6.3f} | "
        f"{ob.precision:10.3f} {ob.recall:6.3f} {ob.f1:6.3f} |"
    )
    text, met = flagged_share_target(ours, FLAGGED_SHARE_LIMIT)
    print(f"flagged share: plexlabor {text} {'met' if met else 'MISSED'}; baseline {theirs.flagged_share or 0:.4f}")
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    print(
        f"batch in one process: {records:,} records in {batch_seconds:.1f} s = "
        f"{records / batch_seconds:,.0f} records/s wall (parse + index + norms + rules + scoring; target >= "
        f"100,000 on 2 cores); CPU {batch_cpu:.1f} s = {records / batch_cpu:,.0f} records/s "
        f"per CPU second; load average {' '.join(load_before)} before, {' '.join(load_after)} after"
    )
    for stage, (wall, cpu) in stages.items():
        print(f"  {stage:20} {wall:6.1f} s wall {cpu:6.1f} s CPU")
    latencies.sort()
    p50, p99 = latencies[len(latencies) // 2] * 1000, latencies[int(len(latencies) * 0.99)] * 1000
    print(f"real time: {len(latencies)} records, p50 {p50:.2f} ms, p99 {p99:.2f} ms in process (target p99 < 10 ms)")

    package = Path(__file__).resolve().parents[2] / "layers" / "core"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    cold_copy = tmp_path / "cold"
    shutil.copytree(package / "plexlabor", cold_copy / "plexlabor", ignore=shutil.ignore_patterns("__pycache__"))
    warm = _import_ms({**os.environ}, str(package))
    cold = _import_ms(env, str(cold_copy))
    print(
        f"real-time module import (plexlabor.validation.engine, no scikit-learn, no numpy): "
        f"{warm:.0f} ms with bytecode cached, {cold:.0f} ms without plexlabor's bytecode (target < 300 ms)"
    )
    assert ours.overall.support == len({(label.record_key, label.anomaly_type) for label in labels})
