"""The validation backfill on the local runtime, at a scale this machine fits: where a shard's time goes.

Run by `make bench`. A generated plant (400 employees, 9 weeks, seed 1301: used by no other bench) is
served by the local runtime (`LocalStack`: the function's wiring from the stack's environment, the
audit table and norms in moto, Plex data from the plant folder); `plexlabor_dev.local.backfill` plays
the state machine: plan (norms first), then each slice read once into an extract (moto's S3), then every
shard through `validation_backfill`. Printed: per slice the records read from the plant folder and the
extract's size and seconds; per shard kind the records it read (its slice's whole plant, 8 days of
context either side, from the extract), the seconds reading, running the checks (and scoring) and
recording the findings in moto's DynamoDB, and records/s; the inputs of the paper projection in
docs/validation.md ("Backfill"). Bounded: one plan, 2 extracts, 10 shards, once.
"""

from __future__ import annotations

import os
import resource
import time
from datetime import timedelta
from pathlib import Path

from plexlabor_dev.local.backfill import run_backfill
from plexlabor_dev.local.stack import LocalStack
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant

PLANT = PlantSpec(employees=400, weeks=9, seed=1301, anomaly_rate=0.02)
PLAN = {"slice_days": 28, "employee_shards": 4, "workcenter_shards": 1, "max_concurrency": 10}
BUDGET_S = 1800.0


def test_backfill_on_the_local_runtime(tmp_path: Path) -> None:
    started = time.perf_counter()
    generate_plant(PLANT, tmp_path / "plant")
    generated_s = time.perf_counter() - started
    with LocalStack(tmp_path / "plant", approval_wait_s=60) as stack:
        end = stack.meta.end
        plan = {"since": (end - timedelta(weeks=8)).isoformat(), "until": end.isoformat(), **PLAN}
        run = run_backfill(stack.runtime.invoke, plan)
    elapsed = time.perf_counter() - started
    print(
        f"\n\nBackfill on the local runtime: {PLANT.employees} employees x {PLANT.weeks} weeks (seed {PLANT.seed}), "
        f"the last 8 weeks in slices of {PLAN['slice_days']} days x ({PLAN['employee_shards']} employee + "
        f"{PLAN['workcenter_shards']} workcenter) shards = {len(run.shards)} shards; load {os.getloadavg()[0]:.1f}"
    )
    print(
        f"plant generated in {generated_s:.1f} s; plan (norms first) {run.plan_s:.1f} s; extracts "
        f"{run.extracts_s:.1f} s; shards {run.shards_s:.1f} s"
    )
    for piece in run.extracts:
        print(
            f"extract {piece['key']}: {piece['records']:,} records read in {piece['read_s']:.1f} s, "
            f"{piece['bytes'] / 1e6:.1f} MB packed and stored in {piece['store_s']:.1f} s"
        )
    for kind in ("employees", "workcenters"):
        shards = [s for s in run.shards if s["kind"] == kind]
        read, read_s, check_s, record_s = (
            sum(s[k] for s in shards) for k in ("records_read", "read_s", "check_s", "record_s")
        )
        count = len(shards)
        print(
            f"{kind:11} {count:2} shards: {read / count:,.0f} records read each; per shard: "
            f"read {read_s / count:.1f} s "
            f"({read / read_s:,.0f} records/s), checks {check_s / count:.1f} s, recording {record_s / count:.1f} s; "
            f"findings {run.total('findings', kind):.0f} (new {run.total('new', kind):.0f}), "
            f"validated {run.total('validated', kind):.0f} punches + labor entries"
        )
    slice_checks = run.total("check_s", "employees") / 2  # the window's two slices
    print(f"employee checks of a whole slice (all its shards): {slice_checks:.1f} s")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the process (moto and the runtime included): {peak_mb:.0f} MB")
    # a finding on a record with no time of its own (a badge swipe, a workcenter run) is kept by every slice
    # whose context holds it, as the nightly sweep keeps it: found twice, recorded once
    assert 0 < run.total("new") <= run.total("findings") <= 1.05 * run.total("new")
    assert elapsed < BUDGET_S
