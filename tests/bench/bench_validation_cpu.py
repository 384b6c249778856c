"""The batch's CPU seconds per stage on one bench plant, for comparing code against code (issue 11, section 4).

Run by `make bench`. The plant is `bench_validation.py`'s first (400 employees x 26 weeks, seed 201), generated
here, or read from `PLEXLABOR_BENCH_PLANT` (a folder generated once: `generate_plant` with that spec), so that
runs of two checkouts read the same files. One read (`PlantData.from_folder`), then `RUNS` times from cleared
memos: `compute_norms` and `ValidationEngine.batch`. Printed: CPU seconds per stage (the first run, and the
median), records per CPU second, the findings' count and hash, and the load. CPU seconds are inflated on a busy
machine, so compare two checkouts in alternated runs at the same time, not with figures taken at another load;
run it from each checkout's own directory (pytest puts that checkout's `layers/core` first on the path):

    cd <checkout> && PLEXLABOR_BENCH_PLANT=/tmp/plant201 /work/main/.venv/bin/python -m pytest -q -s \\
        -o python_files="bench_*.py" tests/bench/bench_validation_cpu.py
"""

from __future__ import annotations

import hashlib
import os
import statistics
import time
from pathlib import Path

import plexlabor
from plexlabor.plant import PlantFolder
from plexlabor.validation.data import PlantData
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.norms import compute_norms
from plexlabor.validation.scoring import label_bearing_record_count
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant

PLANT = PlantSpec(employees=400, weeks=26, seed=201, anomaly_rate=0.05)
RUNS = 3


def test_batch_cpu_per_stage(tmp_path: Path) -> None:
    given = os.environ.get("PLEXLABOR_BENCH_PLANT")
    folder = PlantFolder(Path(given) if given else tmp_path / "plant")
    if not given:
        generate_plant(PLANT, folder.path)
    records = label_bearing_record_count(folder)
    load_before = os.getloadavg()[0]
    started = time.process_time()
    data = PlantData.from_folder(folder)
    read = time.process_time() - started
    engine = ValidationEngine()
    runs = []
    for _ in range(RUNS):
        data.memo.clear()  # what the norms and the checks keep for each other, made again each run
        started = time.process_time()
        norms = compute_norms(data)
        normed = time.process_time()
        found = engine.batch(data, norms)
        runs.append((normed - started, time.process_time() - normed))
    norms_s, checks_s = (statistics.median(run[i] for run in runs) for i in (0, 1))
    digest = hashlib.sha256("\n".join(f.model_dump_json() for f in found).encode()).hexdigest()[:16]
    print(
        f"\n\nbatch CPU on {folder.path} ({records:,} records), code in {plexlabor.__path__[0]}: read and index "
        f"{read:.2f} s; norms {runs[0][0]:.2f} s first, {norms_s:.2f} median; checks and scoring "
        f"{runs[0][1]:.2f} s first, {checks_s:.2f} median (of {RUNS}); "
        f"{records / (read + norms_s + checks_s):,.0f} records per CPU second; {len(found):,} findings "
        f"(sha256 {digest}); load {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    assert found
