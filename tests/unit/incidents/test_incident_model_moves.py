"""The incident coder's registry moved by hand as the scorer's is (`learning.manage` over `incidents.registry.line`):
a rollback, to the packaged model too, holds the scheduled retrain's promotion until a promote by hand lifts it,
audited under `models:incidents`; `stored_models` lists the packaged model and the stored versions."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from plexlabor.audit import AuditStatus, InMemoryAuditStore
from plexlabor.incidents.registry import BASE_ROWS, MODEL_RECORD_KEY, IncidentModels, ModelInForce, line
from plexlabor.incidents.reports import write_coded_reports
from plexlabor.incidents.retrain import RetrainDeps, run
from plexlabor.learning.manage import PACKAGED, put_in_force, stored_models
from plexlabor.platform.artifacts import ArtifactError, InMemoryArtifactStore
from tests.unit.incidents.conftest import as_reports, coded_rows
from tests.unit.incidents.test_incident_retrain import NOW, SETTINGS, _corrected, _event

PACKAGED_VERSION = "oiics-packaged00"
ROLLED_BACK_AT = NOW + timedelta(hours=1)


def _world() -> tuple[InMemoryAuditStore, IncidentModels]:
    audit, models = InMemoryAuditStore(), IncidentModels(InMemoryArtifactStore())
    reports = as_reports(coded_rows(260, seed=11))
    _corrected(audit, reports[200:])
    _base(models, 200)
    return audit, models


def _base(models: IncidentModels, count: int) -> None:
    """The base rows the next retrain learns from (a different count: a different candidate)."""
    models.store.put(BASE_ROWS, write_coded_reports(as_reports(coded_rows(count, seed=11))).encode(), "text/csv")


def _retrain(audit: InMemoryAuditStore, models: IncidentModels, at: datetime) -> dict[str, object]:
    return run(RetrainDeps(audit, models, lambda: None, SETTINGS, clock=lambda: at), _event())


def test_a_rollback_to_the_packaged_model_holds_the_retrains_promotion_until_a_promote_by_hand_lifts_it() -> None:
    # Given an incident model the weekly retrain promoted
    audit, models = _world()
    first = _retrain(audit, models, NOW)
    assert first["verdict"] == "promoted"
    incidents = line(models, PACKAGED_VERSION)
    # When the EHS admin rolls back to the packaged model
    pointer = put_in_force(incidents, audit, PACKAGED, rollback=True, by="ehs-admin", at=ROLLED_BACK_AT)
    # Then incident_log codes with the packaged model, the pointer holds automatic promotion, and the move is audited
    assert pointer["version"] is None and pointer["packaged"] == PACKAGED_VERSION
    assert models.promotion_hold() == {"by": "ehs-admin", "since": ROLLED_BACK_AT.isoformat()}
    assert ModelInForce(models, lambda: None, ttl_s=0).current() is None  # the packaged one (None here)
    [back] = [e for e in audit.history(MODEL_RECORD_KEY) if e.status is AuditStatus.ROLLED_BACK]
    assert (back.model_version, back.actor) == (PACKAGED_VERSION, "ehs-admin")
    assert back.payload["previous"] == first["version"]
    assert back.payload["packaged"] is True and back.payload["holds_promotion"] is True

    # And the next retrain, whose candidate is not worse, keeps it in shadow with the reason
    _base(models, 230)
    held = _retrain(audit, models, NOW + timedelta(days=7))
    assert held["verdict"] == "shadow" and held["version"] != first["version"]
    reason = f"automatic promotion held since ehs-admin's rollback at {ROLLED_BACK_AT.isoformat()}"
    assert held["reasons"] == [reason]
    assert models.in_force() is None and models.shadow() == held["version"]

    # When the admin promotes the packaged model in force, the hold is lifted (audited) and the next retrain promotes
    put_in_force(incidents, audit, PACKAGED_VERSION, rollback=False, by="ehs-lead", at=NOW + timedelta(days=8))
    assert models.promotion_hold() is None and models.in_force() is None
    [lifted] = [e for e in audit.history(MODEL_RECORD_KEY) if e.payload.get("lifted_hold")]
    assert (lifted.status, lifted.actor, lifted.payload["lifted_hold"]) == (
        AuditStatus.PROMOTED,
        "ehs-lead",
        {"by": "ehs-admin", "since": ROLLED_BACK_AT.isoformat()},
    )
    _base(models, 220)
    resumed = _retrain(audit, models, NOW + timedelta(days=14))
    assert resumed["verdict"] == "promoted" and models.in_force() == resumed["version"]


def _stored(*versions: str) -> tuple[InMemoryAuditStore, IncidentModels]:
    """Stored versions with their cards (no model to code with: the moves read none)."""
    audit, models = InMemoryAuditStore(), IncidentModels(InMemoryArtifactStore())
    for version in versions:
        models.save(b"model", version, {"verdict": "shadow"}, "")
    return audit, models


def test_a_rollback_to_a_stored_version_holds_too_and_promoting_it_lifts_the_hold() -> None:
    audit, models = _stored("oiics-a", "oiics-b")
    incidents = line(models, PACKAGED_VERSION)
    put_in_force(incidents, audit, "oiics-b", rollback=False, by="ehs-admin", at=NOW)
    put_in_force(incidents, audit, "oiics-a", rollback=True, by="ehs-admin", at=ROLLED_BACK_AT)
    assert models.in_force() == "oiics-a" and models.promotion_hold() is not None
    # the version in force may be promoted by hand: that only lifts the hold; then it is already in force
    put_in_force(incidents, audit, "oiics-a", rollback=False, by="ehs-admin", at=ROLLED_BACK_AT)
    assert models.promotion_hold() is None
    with pytest.raises(ArtifactError, match="already in force"):
        put_in_force(incidents, audit, "oiics-a", rollback=False, by="ehs-admin", at=ROLLED_BACK_AT)


def test_without_a_packaged_model_there_is_none_to_roll_back_to_and_an_unknown_version_says_how_to_list() -> None:
    audit, models = InMemoryAuditStore(), IncidentModels(InMemoryArtifactStore())
    with pytest.raises(ArtifactError, match="no incident model is packaged with the code"):
        put_in_force(line(models, None), audit, PACKAGED, rollback=True, by="ehs-admin", at=NOW)
    unknown = r"no stored incident model oiics-cccc .*`plexlabor model list --of incidents`"
    with pytest.raises(ArtifactError, match=unknown):
        put_in_force(line(models, PACKAGED_VERSION), audit, "oiics-cccc", rollback=True, by="ehs-admin", at=NOW)
    assert audit.history(MODEL_RECORD_KEY) == [] and models.pointer() is None


def test_stored_models_are_the_packaged_one_then_the_stored_versions_with_the_one_in_force_and_the_shadow() -> None:
    audit, models = _stored("oiics-a", "oiics-b")
    incidents = line(models, PACKAGED_VERSION)
    assert [(m.version, m.in_force, m.packaged) for m in stored_models(incidents, audit)] == [
        (PACKAGED_VERSION, True, True)
    ]  # stored versions no event or pointer names are not found (the store cannot list its keys)
    assert stored_models(line(models, None), audit) == []  # nothing packaged, nothing named
    put_in_force(incidents, audit, "oiics-a", rollback=False, by="ehs-admin", at=NOW)
    models.put_shadow("oiics-b", at=NOW)
    listed = stored_models(incidents, audit)
    assert [(m.version, m.in_force, m.shadow, m.packaged) for m in listed] == [
        (PACKAGED_VERSION, False, False, True),
        ("oiics-a", True, False, False),
        ("oiics-b", False, True, False),
    ]
    assert listed[2].card == {"verdict": "shadow", "version": "oiics-b"}
