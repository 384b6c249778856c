"""punch_validator scores with the model in force (`Dependencies.scorer`, a `ScorerLoader`), read once per batch."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from plexlabor.audit import AuditStatus
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.validation.registry import ModelRegistry, ScorerLoader
from plexlabor.validation.scorer import ScorerModel
from tests.unit.intake.test_intake_validator_handler import make_deps, run

AT = datetime(2026, 11, 23, tzinfo=UTC)


def _registry(*models: ScorerModel) -> ModelRegistry:
    registry = ModelRegistry(InMemoryArtifactStore())
    for model in models:
        registry.save(model, {"metrics": {}})
    return registry


def test_each_batch_scores_with_the_model_in_force(plant_source: Any, samples: Any, audit: Any, approvals: Any) -> None:
    packaged = ScorerModel.load()
    registry = _registry(ScorerModel("scorer-inforce01", packaged.priors, packaged.families))
    registry.put_in_force("scorer-inforce01", by="scorer_retrain", at=AT)
    deps = make_deps(plant_source, samples, audit, approvals)
    deps.scorer = ScorerLoader(registry)
    run(deps, [samples.review.message().model_dump_json()])

    (event,) = audit.by_status(AuditStatus.PENDING_APPROVAL)
    assert event.model_version is not None and event.model_version.startswith("scorer-inforce01+")


def test_without_a_loader_the_engine_keeps_its_packaged_model(
    plant_source: Any, samples: Any, audit: Any, approvals: Any
) -> None:
    deps = make_deps(plant_source, samples, audit, approvals)
    run(deps, [samples.review.message().model_dump_json()])
    (event,) = audit.by_status(AuditStatus.PENDING_APPROVAL)
    assert event.model_version is not None and event.model_version.startswith(ScorerModel.load().version + "+")


def test_a_shadow_candidate_is_scored_beside_the_model_in_force_and_never_routes(
    plant_source: Any, samples: Any, audit: Any, approvals: Any
) -> None:
    packaged = ScorerModel.load()
    # Given a shadow candidate that would send nothing (every prior and family at the floor)
    never = {name: 0.0 for name in packaged.priors}
    flat = {name: replace(m, coef=tuple(0.0 for _ in m.coef), intercept=-30.0) for name, m in packaged.families.items()}
    registry = _registry(ScorerModel("scorer-shadow001", never, flat))
    registry.put_shadow("scorer-shadow001", at=AT)
    deps = make_deps(plant_source, samples, audit, approvals)
    deps.scorer = ScorerLoader(registry)
    run(deps, [samples.review.message().model_dump_json()])
    # Then the finding is routed by the model in force (the packaged one) and carries the shadow's score
    (event,) = audit.by_status(AuditStatus.PENDING_APPROVAL)
    assert event.model_version is not None and event.model_version.startswith(packaged.version + "+")
    scored = event.payload["evidence"]["shadow"]
    assert scored["model_version"] == "scorer-shadow001" and scored["would_review"] is False
    assert 0.0 <= scored["confidence"] < 0.7


def test_without_a_shadow_nothing_is_added(plant_source: Any, samples: Any, audit: Any, approvals: Any) -> None:
    deps = make_deps(plant_source, samples, audit, approvals)
    deps.scorer = ScorerLoader(_registry())
    run(deps, [samples.review.message().model_dump_json()])
    (event,) = audit.by_status(AuditStatus.PENDING_APPROVAL)
    assert "shadow" not in event.payload["evidence"]
