"""scorer_retrain leaves its run's record in the registry on every run, trained or not (ux164 #14): the KPI page
says when it last ran, what came of it and how many decisions it counted and needs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from plexlabor.audit import InMemoryAuditStore
from plexlabor.learning.service import RetrainEvent, run
from plexlabor.learning.wiring import Dependencies
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.platform.retrainruns import last_run
from plexlabor.validation.registry import ModelRegistry
from tests.support import load_event
from tests.unit.learning.learning_samples import decisions

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _run(count: int, seed: int) -> tuple[dict[str, object], ModelRegistry]:
    audit = InMemoryAuditStore()
    for event in decisions(count, seed=seed, start=NOW - timedelta(days=20)):
        audit.append(event)
    registry = ModelRegistry(InMemoryArtifactStore())
    deps = Dependencies(audit=audit, registry=registry, plant="detroit", clock=lambda: NOW)
    return run(deps, RetrainEvent.model_validate(load_event("scorer_retrain"))), registry


def test_a_run_with_too_few_decisions_records_that_it_ran_and_how_many_it_needs() -> None:
    summary, registry = _run(1, seed=1)

    assert summary["status"] == "too_few_decisions"
    record = last_run(registry.store)
    assert record is not None and not record.trained
    assert (record.at, record.outcome, record.counted, record.needed, record.unit) == (
        NOW,
        "too_few",
        1,
        80,
        "decision",
    )
    assert registry.in_force() is None  # still nothing trained


def test_a_run_that_trains_records_its_outcome_and_the_model() -> None:
    summary, registry = _run(120, seed=2)

    record = last_run(registry.store)
    assert record is not None and record.trained
    assert (record.outcome, record.counted, record.version) == (summary["status"], 120, summary["version"])
