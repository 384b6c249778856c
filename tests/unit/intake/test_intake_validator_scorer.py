"""punch_validator scores with the model in force (`Dependencies.load_model`), read once per batch."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from plexlabor.audit import AuditStatus
from plexlabor.validation.scorer import ScorerModel
from tests.unit.intake.test_intake_validator_handler import make_deps, run


def test_each_batch_scores_with_the_model_in_force(plant_source: Any, samples: Any, audit: Any, approvals: Any) -> None:
    packaged = ScorerModel.load()
    in_force = ScorerModel("scorer-inforce01", packaged.priors, packaged.families)
    calls: list[str] = []

    def load_model() -> ScorerModel:
        calls.append("load")
        return in_force

    deps = make_deps(plant_source, samples, audit, approvals)
    deps.load_model = load_model
    run(deps, [samples.review.message().model_dump_json()])

    assert calls == ["load"]
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
    shadow = ScorerModel("scorer-shadow001", never, flat)
    deps = make_deps(plant_source, samples, audit, approvals)
    deps.load_model, deps.load_shadow = ScorerModel.load, lambda: shadow
    run(deps, [samples.review.message().model_dump_json()])
    # Then the finding is routed by the model in force and carries the shadow's score
    (event,) = audit.by_status(AuditStatus.PENDING_APPROVAL)
    scored = event.payload["evidence"]["shadow"]
    assert scored["model_version"] == "scorer-shadow001" and scored["would_review"] is False
    assert 0.0 <= scored["confidence"] < 0.7


def test_without_a_shadow_nothing_is_added(plant_source: Any, samples: Any, audit: Any, approvals: Any) -> None:
    deps = make_deps(plant_source, samples, audit, approvals)
    deps.load_model, deps.load_shadow = ScorerModel.load, lambda: None
    run(deps, [samples.review.message().model_dump_json()])
    (event,) = audit.by_status(AuditStatus.PENDING_APPROVAL)
    assert "shadow" not in event.payload["evidence"]
