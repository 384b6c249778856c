"""On the local runtime (the deployed wiring, moto): the nightly sweep and the backfill's shards score with the scorer
model in force in the artifacts bucket, as punch_validator does (`validation.registry.scorer_in_force`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from plexlabor.audit import AuditStatus
from plexlabor.platform.s3artifacts import S3ArtifactStore
from plexlabor.validation.registry import SCORER_PREFIX, ModelRegistry
from plexlabor.validation.scorer import ScorerModel
from plexlabor_dev.local.backfill import run_backfill
from plexlabor_dev.local.stack import LocalStack

IN_FORCE = "scorer-localforce"


@pytest.fixture(scope="module")
def stack(e2e_plant: Path) -> Iterator[LocalStack]:
    with LocalStack(e2e_plant, approval_wait_s=60) as started:
        runtime = started.runtime
        assert runtime.resources is not None
        store = S3ArtifactStore(runtime.resources.artifacts_bucket, SCORER_PREFIX, client=runtime.client("s3"))
        registry, packaged = ModelRegistry(store), ScorerModel.load()
        registry.save(ScorerModel(IN_FORCE, packaged.priors, packaged.families), {"metrics": {}})
        registry.put_in_force(IN_FORCE, by="scorer_retrain", at=datetime(2026, 11, 23, tzinfo=UTC))
        yield started


def scorers(stack: LocalStack) -> set[str]:
    """The scorer versions (before the norms') of the findings norms_refresh's wiring recorded."""
    audit = stack.runtime.audit_store()
    entries = audit.by_status(AuditStatus.PENDING_APPROVAL, limit=10_000)
    entries += audit.by_status(AuditStatus.LOGGED, limit=10_000)
    return {str(e.model_version).partition("+")[0] for e in entries if e.actor == "norms_refresh"}


def test_the_sweep_and_a_backfill_score_with_the_model_in_force(stack: LocalStack) -> None:
    end = stack.meta.end
    swept = stack.runtime.fire("norms_refresh", {"as_of": end.isoformat()})["sweep"]
    assert swept["new"] > 0 and scorers(stack) == {IN_FORCE}
    assert swept["model_version"] == IN_FORCE
    plan = {"since": (end - timedelta(weeks=2)).isoformat(), "until": end.isoformat(), "slice_days": 14}
    backfill = run_backfill(stack.runtime.invoke, plan | {"employee_shards": 2, "workcenter_shards": 1})
    assert backfill.total("new") > 0 and scorers(stack) == {IN_FORCE}
    assert {s["model_version"] for s in backfill.shards} == {IN_FORCE}
