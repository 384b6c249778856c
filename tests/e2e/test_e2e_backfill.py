"""The validation backfill on the local runtime: planned, validated shard by shard through the
function, its findings in the audit table once each, a second run recording nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from plexlabor.audit import AuditStatus
from plexlabor_dev.local.backfill import run_backfill
from plexlabor_dev.local.stack import LocalStack


@pytest.fixture(scope="module")
def stack(e2e_plant: Path) -> Iterator[LocalStack]:
    with LocalStack(e2e_plant, approval_wait_s=60) as started:
        yield started


def recorded(stack: LocalStack) -> list[str]:
    audit = stack.runtime.audit_store()
    entries = audit.by_status(AuditStatus.PENDING_APPROVAL, limit=10_000)
    entries += audit.by_status(AuditStatus.LOGGED, limit=10_000)
    recorded_ids: list[str] = []
    for entry in entries:
        if entry.actor == "norms_refresh":
            assert entry.finding_id is not None  # each of its findings is named
            recorded_ids.append(entry.finding_id)
    return recorded_ids


def test_a_backfill_records_every_shards_findings_once(stack: LocalStack) -> None:
    end = stack.meta.end
    plan = {"since": (end - timedelta(weeks=3)).isoformat(), "until": end.isoformat(), "slice_days": 7}
    plan |= {"employee_shards": 3, "workcenter_shards": 1, "max_concurrency": 4}
    first = run_backfill(stack.runtime.invoke, plan)
    assert len(first.planned["shards"]) == 3 * 4
    # each of the 3 weekly slices read once and kept in the bucket (moto), its 4 shards read from there
    assert len(first.extracts) == 3 and all(e["records"] > 0 and e["bytes"] > 0 for e in first.extracts)
    assert all(s["extracted"] for s in first.planned["shards"])
    assert first.total("findings") == first.total("new") > 0 and first.total("findings", "workcenters") > 0
    assert first.total("validated", "employees") > 0 and first.total("validated", "workcenters") == 0
    ids = recorded(stack)
    assert len(ids) == len(set(ids)) == first.total("new")
    # Started again (a failed run is started again): the same findings, none recorded twice
    again = run_backfill(stack.runtime.invoke, plan)
    assert again.total("findings") == first.total("findings") and again.total("new") == 0
    assert sorted(recorded(stack)) == sorted(ids)


def test_the_command_runs_it_on_a_plant_folder(e2e_plant: Path) -> None:
    # in its own process, without the test session's Powertools variables (as a developer runs it)
    env = {k: v for k, v in os.environ.items() if not k.startswith("POWERTOOLS_")}
    command = [sys.executable, "-m", "plexlabor_dev.cli", "backfill", "--plant", str(e2e_plant), "--slice-days", "14"]
    command += ["--employee-shards", "3"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    [summary] = [json.loads(line) for line in done.stdout.splitlines() if line.startswith('{"shards"')]
    assert summary["shards"] == 2 * (3 + 1) and summary["findings"] == summary["new"] > 0
    assert summary["slices"] == 2
