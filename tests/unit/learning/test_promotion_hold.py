"""An admin's rollback holds scorer_retrain's automatic promotion until a promote by hand lifts it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from functions.scorer_retrain import handler as scorer_retrain
from plexlabor.audit import AuditStatus, InMemoryAuditStore
from plexlabor.learning import wiring
from plexlabor.learning.events import MODEL_RECORD_KEY
from plexlabor.learning.manage import PACKAGED, put_in_force
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.validation.registry import ModelRegistry
from tests.support import FakeLambdaContext, load_event
from tests.unit.learning.learning_samples import decisions

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ROLLED_BACK_AT = NOW - timedelta(hours=2)
HELD = f"automatic promotion held since alice's rollback at {ROLLED_BACK_AT.isoformat()}"


def _retrain(deps: wiring.Dependencies) -> dict:
    return scorer_retrain.handler(load_event("scorer_retrain"), FakeLambdaContext(), dependencies=deps)


def _promoted_then_rolled_back(to: str) -> tuple[wiring.Dependencies, str]:
    """A retrain promotes a model from the plant's decisions; alice rolls back to `to` (PACKAGED or it)."""
    audit, registry = InMemoryAuditStore(), ModelRegistry(InMemoryArtifactStore())
    deps = wiring.Dependencies(audit, registry, plant="detroit", clock=lambda: NOW)
    for event in decisions(120, seed=2, start=NOW - timedelta(days=20)):
        audit.append(event)
    first = _retrain(deps)
    assert first["status"] == "promoted", first
    put_in_force(registry, audit, to, rollback=True, by="alice", at=ROLLED_BACK_AT)
    return deps, first["version"]


def test_a_retrain_after_a_rollback_to_the_packaged_model_keeps_its_candidate_in_shadow() -> None:
    deps, version = _promoted_then_rolled_back(PACKAGED)
    [rollback] = [e for e in deps.audit.history(MODEL_RECORD_KEY) if e.status is AuditStatus.ROLLED_BACK]
    assert rollback.payload["holds_promotion"] is True

    again = _retrain(deps)  # the same decisions: the gate would promote the same model again

    assert again["status"] == "shadow" and HELD in again["reasons"], again
    assert deps.registry.in_force() is None and deps.registry.shadow() == again["version"] == version
    card = deps.registry.card(version)
    assert card is not None and card["reasons"] == again["reasons"]
    [shadow] = [e for e in deps.audit.history(MODEL_RECORD_KEY) if e.status is AuditStatus.SHADOW]
    assert HELD in shadow.payload["reasons"]


def test_a_promote_by_hand_lifts_the_hold_and_the_next_retrain_promotes_again() -> None:
    deps, version = _promoted_then_rolled_back(PACKAGED)
    assert _retrain(deps)["status"] == "shadow"

    put_in_force(deps.registry, deps.audit, PACKAGED, rollback=False, by="bob", at=NOW - timedelta(hours=1))

    assert deps.registry.promotion_hold() is None and deps.registry.in_force() is None
    [lifted] = [e for e in deps.audit.history(MODEL_RECORD_KEY) if e.payload.get("lifted_hold")]
    assert lifted.status is AuditStatus.PROMOTED and lifted.actor == "bob"
    assert lifted.payload["lifted_hold"] == {"by": "alice", "since": ROLLED_BACK_AT.isoformat()}
    again = _retrain(deps)
    assert again["status"] == "promoted" and deps.registry.in_force() == again["version"] == version, again
    # the same version promoted again after the rollback is a step of its own in the model's story (/kpis)
    automatic = [
        e for e in deps.audit.history(MODEL_RECORD_KEY) if e.status is AuditStatus.PROMOTED and e.actor != "bob"
    ]
    assert [e.model_version for e in automatic] == [version, version]


def test_a_rollback_to_a_stored_version_holds_too_and_promoting_that_version_lifts_the_hold() -> None:
    deps, version = _promoted_then_rolled_back(PACKAGED)
    registry = deps.registry
    put_in_force(registry, deps.audit, version, rollback=True, by="carol", at=ROLLED_BACK_AT)
    assert registry.in_force() == version
    assert registry.promotion_hold() == {"by": "carol", "since": ROLLED_BACK_AT.isoformat()}

    put_in_force(registry, deps.audit, version, rollback=False, by="bob", at=NOW - timedelta(hours=1))

    assert registry.promotion_hold() is None and registry.in_force() == version
