"""punch_validator built from its environment (moto) scores with the registry's model in force, and with
the packaged model while the registry has none."""

from __future__ import annotations

from datetime import UTC, datetime

from functions.punch_validator import handler as punch_validator
from plexlabor.platform.s3artifacts import S3ArtifactStore
from plexlabor.validation.registry import SCORER_PREFIX, ModelRegistry
from plexlabor.validation.scorer import ScorerModel
from tests.integration.intake.conftest import BUCKET, Stack
from tests.unit.intake.intake_samples import sqs_event


def test_the_validator_scores_with_the_model_in_force_in_s3(stack: Stack, samples, lambda_context) -> None:
    packaged = ScorerModel.load()
    registry = ModelRegistry(S3ArtifactStore(BUCKET, SCORER_PREFIX, client=stack.s3))
    registry.save(ScorerModel("scorer-fromregistry", packaged.priors, packaged.families), {"metrics": {}})
    registry.put_in_force("scorer-fromregistry", by="test", at=datetime(2026, 11, 23, tzinfo=UTC))

    response = punch_validator.handler(sqs_event([samples.review.message().model_dump_json()]), lambda_context)

    assert response == {"batchItemFailures": []}
    (event,) = stack.audit.history(samples.review.key)
    assert event.model_version is not None and event.model_version.startswith("scorer-fromregistry+")


def test_without_a_model_in_force_the_packaged_one_scores(stack: Stack, samples, lambda_context) -> None:
    response = punch_validator.handler(sqs_event([samples.review.message().model_dump_json()]), lambda_context)
    assert response == {"batchItemFailures": []}
    (event,) = stack.audit.history(samples.review.key)
    assert event.model_version is not None and event.model_version.startswith(ScorerModel.load().version + "+")
