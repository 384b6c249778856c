"""punch_validator scores with the model in force (`Dependencies.load_model`), read once per batch."""

from __future__ import annotations

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
