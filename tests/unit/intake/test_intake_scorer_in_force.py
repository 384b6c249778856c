"""The nightly sweep and the backfill's shards score with the scorer model in force, read as punch_validator reads
it (`validation.registry.scorer_in_force`): after a promotion with the promoted model, after a rollback with the
one before it, and each finding names the model that scored it (review_s17: they scored with the packaged model,
so a record could be routed one way in real time and another by the sweep, and no move of the model reached them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.norms_refresh import handler as nightly
from functions.validation_backfill import handler as backfill
from plexlabor.audit import AuditStatus
from plexlabor.intake.norms_store import InMemoryNormsStore
from plexlabor.intake.recording import FindingRecorder
from plexlabor.intake.wiring import NORMS_REFRESH_ACTOR
from plexlabor.learning.manage import put_in_force
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.validation.registry import DEFAULT_MAX_AGE_S, ModelRegistry, ScorerLoader
from plexlabor.validation.scorer import ScorerModel
from tests.support import FakeLambdaContext
from tests.unit.intake.intake_samples import scheduled_event
from tests.unit.intake.test_intake_backfill import dependencies as backfill_dependencies
from tests.unit.intake.test_intake_norms_refresh import NOW
from tests.unit.intake.test_intake_norms_refresh import make_deps as nightly_dependencies

AT = datetime(2026, 11, 23, tzinfo=UTC)
PACKAGED = ScorerModel.load()


class Registry:
    """A scorer registry holding two retrained models (the packaged one's coefficients under other versions), and a
    loader over it on a clock the test moves past the loader's TTL after each move of the pointer."""

    def __init__(self, audit) -> None:
        self.registry, self.audit, self.now = ModelRegistry(InMemoryArtifactStore()), audit, 0.0
        for version in ("scorer-aaaaaaaaaa", "scorer-bbbbbbbbbb"):
            self.registry.save(ScorerModel(version, PACKAGED.priors, PACKAGED.families), {"metrics": {}})
        self.loader = ScorerLoader(self.registry, clock=lambda: self.now)

    def promote(self, version: str) -> None:
        """What scorer_retrain does when its gate promotes."""
        self.registry.put_in_force(version, by="scorer_retrain", at=AT)
        self.now += DEFAULT_MAX_AGE_S + 1

    def roll_back(self, version: str) -> None:
        """What `plexlabor model rollback VERSION` does."""
        put_in_force(self.registry, self.audit, version, rollback=True, by="plant-admin", at=AT + timedelta(hours=1))
        self.now += DEFAULT_MAX_AGE_S + 1


def findings(audit) -> dict[str, str | None]:
    """Every recorded finding's model version, by finding id."""
    events = audit.by_status(AuditStatus.PENDING_APPROVAL, limit=100_000)
    events += audit.by_status(AuditStatus.LOGGED, limit=100_000)
    return {e.finding_id: e.model_version for e in events}


def scored_by(versions: dict[str, str | None], ids: set[str]) -> set[str]:
    """The scorer versions (before the norms') of these findings."""
    return {str(versions[i]).partition("+")[0] for i in ids}


@pytest.fixture
def models(audit) -> Registry:
    return Registry(audit)


def test_the_sweep_scores_with_the_promoted_model_and_after_a_rollback_with_the_previous(
    plant_source, audit, approvals, models
) -> None:
    recorder = FindingRecorder(
        audit=audit, approvals=approvals, actor=NORMS_REFRESH_ACTOR, clock=lambda: NOW, default_supervisor="SUP-1"
    )
    deps = nightly_dependencies(plant_source, recorder, InMemoryNormsStore())
    deps.scorer = models.loader
    end = plant_source.plant.meta().end

    def sweep(days_before_end: int) -> tuple[dict, set[str]]:
        before = set(findings(audit))
        detail = {"as_of": (end - timedelta(days=days_before_end)).isoformat()}
        summary = nightly.handler(scheduled_event(detail), FakeLambdaContext(), dependencies=deps)["sweep"]
        return summary, set(findings(audit)) - before

    models.promote("scorer-aaaaaaaaaa")
    models.promote("scorer-bbbbbbbbbb")
    # After a promotion the sweep scores with the promoted model
    summary, new = sweep(6)
    assert new and scored_by(findings(audit), new) == {"scorer-bbbbbbbbbb"}
    assert summary["model_version"] == "scorer-bbbbbbbbbb"
    # After a rollback, with the model in force before it
    models.roll_back("scorer-aaaaaaaaaa")
    summary, new = sweep(3)
    assert new and scored_by(findings(audit), new) == {"scorer-aaaaaaaaaa"}
    assert summary["model_version"] == "scorer-aaaaaaaaaa"


def test_backfill_shards_score_with_the_model_in_force_when_they_run(plant_source, audit, approvals, models) -> None:
    deps = backfill_dependencies(plant_source, audit, approvals, extracts=False)
    deps.scorer = models.loader
    end = plant_source.plant.meta().end
    plan = {"since": (end - timedelta(weeks=4)).isoformat(), "until": end.isoformat(), "slice_days": 28}
    planned = backfill.handler({"plan": plan | {"employee_shards": 2}}, FakeLambdaContext(), dependencies=deps)
    first, *rest = planned["shards"]
    models.promote("scorer-aaaaaaaaaa")
    models.promote("scorer-bbbbbbbbbb")
    # A shard run after a promotion scores with the promoted model
    summary = backfill.handler({"shard": first}, FakeLambdaContext(), dependencies=deps)
    promoted = set(findings(audit))
    assert promoted and scored_by(findings(audit), promoted) == {"scorer-bbbbbbbbbb"}
    assert summary["model_version"] == "scorer-bbbbbbbbbb"
    # The shards run after a rollback (the same backfill), with the model in force before it
    models.roll_back("scorer-aaaaaaaaaa")
    summaries = [backfill.handler({"shard": shard}, FakeLambdaContext(), dependencies=deps) for shard in rest]
    rolled_back = set(findings(audit)) - promoted
    assert rolled_back and scored_by(findings(audit), rolled_back) == {"scorer-aaaaaaaaaa"}
    assert {s["model_version"] for s in summaries} == {"scorer-aaaaaaaaaa"}
