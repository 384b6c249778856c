"""norms_refresh's sweep and validation_backfill's shards, built from their environment (moto), score with the
registry's model in force in S3, as punch_validator does (`validation.registry.scorer_in_force`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from functions.norms_refresh import handler as norms_refresh
from functions.validation_backfill import handler as validation_backfill
from plexlabor.audit import AuditStatus
from plexlabor.platform.s3artifacts import S3ArtifactStore
from plexlabor.validation.registry import SCORER_PREFIX, ModelRegistry
from plexlabor.validation.scorer import ScorerModel
from tests.integration.intake.conftest import BUCKET, Stack
from tests.unit.intake.intake_samples import scheduled_event

IN_FORCE = "scorer-fromregistry"


def promote(stack: Stack) -> None:
    packaged = ScorerModel.load()
    registry = ModelRegistry(S3ArtifactStore(BUCKET, SCORER_PREFIX, client=stack.s3))
    registry.save(ScorerModel(IN_FORCE, packaged.priors, packaged.families), {"metrics": {}})
    registry.put_in_force(IN_FORCE, by="scorer_retrain", at=datetime(2026, 11, 23, tzinfo=UTC))


def scorers(stack: Stack) -> set[str]:
    """The scorer versions (before the norms') of every finding recorded."""
    events = stack.audit.by_status(AuditStatus.PENDING_APPROVAL, limit=10_000)
    events += stack.audit.by_status(AuditStatus.LOGGED, limit=10_000)
    return {str(e.model_version).partition("+")[0] for e in events}


def test_the_nightly_sweep_scores_with_the_model_in_force_in_s3(stack: Stack, plant_source, lambda_context) -> None:
    promote(stack)
    as_of = plant_source.plant.meta().end
    result = norms_refresh.handler(scheduled_event({"as_of": as_of.isoformat()}), lambda_context)
    assert result["sweep"]["new"] > 0 and scorers(stack) == {IN_FORCE}
    assert result["sweep"]["model_version"] == IN_FORCE


def test_a_backfill_shard_scores_with_the_model_in_force_in_s3(stack: Stack, plant_source, lambda_context) -> None:
    promote(stack)
    end = plant_source.plant.meta().end
    plan = {"since": (end - timedelta(days=9)).isoformat(), "until": end.isoformat(), "employee_shards": 1}
    planned = validation_backfill.handler({"plan": plan}, lambda_context)
    for piece in planned["slices"]:
        validation_backfill.handler({"extract": piece}, lambda_context)
    shards = [validation_backfill.handler({"shard": shard}, lambda_context) for shard in planned["shards"]]
    assert sum(s["new"] for s in shards) > 0 and scorers(stack) == {IN_FORCE}
    assert {s["model_version"] for s in shards} == {IN_FORCE}


def test_without_a_model_in_force_the_sweep_scores_with_the_packaged_one(
    stack: Stack, plant_source, lambda_context
) -> None:
    as_of = plant_source.plant.meta().end
    result = norms_refresh.handler(scheduled_event({"as_of": as_of.isoformat()}), lambda_context)
    assert result["sweep"]["new"] > 0 and scorers(stack) == {ScorerModel.load().version}
