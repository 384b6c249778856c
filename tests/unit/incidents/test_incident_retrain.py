"""incident_retrain (issue 13, section 2): the EHS lead's corrections retrain the classifier on a schedule;
a candidate is stored with its card, promoted only when it is not worse on the newest corrections it did
not train on, kept as a shadow otherwise; incident_log then codes with the model in force, and a rollback
puts an earlier version back."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pytest

from plexlabor.audit import AuditEventType, AuditStatus, InMemoryAuditStore
from plexlabor.incidents.classifier import ClassifierSettings
from plexlabor.incidents.registry import (
    BASE_ROWS,
    MODEL_RECORD_KEY,
    IncidentModels,
    ModelInForce,
    line,
    model_event,
    promote,
)
from plexlabor.incidents.reports import CodedReport, write_coded_reports
from plexlabor.incidents.retrain import ACTOR, IncidentRetrainEvent, RetrainDeps, RetrainSettings, _verdict, run
from plexlabor.incidents.service import IncidentDeps, IncidentReport, correct_codes, log_incident, opening
from plexlabor.learning.manage import put_in_force
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.platform.retrainruns import LAST_RUN_KEY
from tests.support import load_event
from tests.unit.incidents.conftest import as_reports, coded_rows

SETTINGS = RetrainSettings(min_corrections=30, holdout_share=0.25, classifier=ClassifierSettings(calibration_folds=3))
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _event(promote: bool = True) -> IncidentRetrainEvent:
    event = load_event("incident_retrain")
    event["detail"] = {"promote": promote}
    return IncidentRetrainEvent.model_validate(event)


def _corrected(audit: InMemoryAuditStore, reports: list[CodedReport]) -> None:
    """Each report logged as incident_log logs it, then its codes saved by the EHS lead."""
    deps = IncidentDeps(audit, None, clock=lambda: NOW)
    for report in reports:
        occurred = datetime.combine(report.event_date, time(10), UTC)
        logged = log_incident(deps, IncidentReport(narrative=report.narrative, occurred_at=occurred), "E1")
        event = opening(audit, logged.incident_id)
        assert event is not None
        correct_codes(audit, event, {of.value: code for of, code in report.codes.items()}, "ehs1", NOW)


@pytest.fixture
def world() -> tuple[InMemoryAuditStore, IncidentModels]:
    audit = InMemoryAuditStore()
    models = IncidentModels(InMemoryArtifactStore())
    reports = as_reports(coded_rows(260, seed=11))
    models.store.put(BASE_ROWS, write_coded_reports(reports[:200]).encode(), "text/csv")
    _corrected(audit, reports[200:])
    return audit, models


def test_too_few_corrections_train_nothing() -> None:
    audit = InMemoryAuditStore()
    _corrected(audit, as_reports(coded_rows(10, seed=5)))
    store = InMemoryArtifactStore()
    summary = run(RetrainDeps(audit, IncidentModels(store), lambda: None, SETTINGS), _event())
    assert summary == {"trained": False, "corrections": 10, "needed": 30}
    assert set(store.objects) == {LAST_RUN_KEY}  # the run's record only: no model


def test_a_candidate_is_promoted_then_incident_log_codes_with_it_and_a_rollback_restores_the_other(
    world: tuple[InMemoryAuditStore, IncidentModels],
) -> None:
    audit, models = world
    summary = run(RetrainDeps(audit, models, lambda: None, SETTINGS, clock=lambda: NOW), _event())
    assert summary["trained"] and summary["stored"] and summary["verdict"] == "promoted"
    version = summary["version"]
    card = models.card(version)
    assert card is not None and (card["base_reports"], card["corrections_trained"], card["held_out"]) == (200, 45, 15)
    assert card["in_force"]["figures"] is None  # nothing in force: not worse by definition
    assert 0 <= card["candidate"]["event_division_accuracy"] <= 1 and models.in_force() == version
    [promoted] = audit.history(MODEL_RECORD_KEY)
    assert promoted.event_type is AuditEventType.MODEL and promoted.status is AuditStatus.PROMOTED
    assert promoted.payload["manual"] is False and promoted.payload["card"]["verdict"] == "promoted"

    in_force = ModelInForce(models, lambda: None, ttl_s=0)
    classifier = in_force.current()
    assert classifier is not None and classifier.version == version
    logged = log_incident(
        IncidentDeps(audit, None, clock=lambda: NOW, in_force=in_force.current),
        IncidentReport(narrative="An operator fell from a ladder in the warehouse and broke a wrist."),
        "E2",
    )
    assert logged.model_version == version and len(logged.codes) == 5

    # a run asked not to promote keeps its (different: more base rows) candidate as a shadow, measured
    # against the model in force on the same held-out corrections
    models.store.put(BASE_ROWS, write_coded_reports(as_reports(coded_rows(230, seed=11))).encode(), "text/csv")
    shadow = run(RetrainDeps(audit, models, lambda: None, SETTINGS, clock=lambda: NOW), _event(promote=False))
    assert shadow["verdict"] == "shadow" and models.in_force() == version
    shadow_card = models.card(shadow["version"])
    assert shadow_card is not None and shadow_card["in_force"]["version"] == version
    assert shadow_card["in_force"]["figures"]["reports"] == 15

    assert models.shadow() == shadow["version"]
    pointer = put_in_force(line(models, None), audit, shadow["version"], rollback=False, by="ehs-admin", at=NOW)
    assert pointer["previous"] == version and in_force.current().version == shadow["version"]  # type: ignore[union-attr]
    assert models.shadow() is None  # a move ends the shadow
    put_in_force(line(models, None), audit, version, rollback=True, by="ehs-admin", at=NOW)
    assert models.in_force() == version and in_force.current().version == version  # type: ignore[union-attr]
    statuses = [e.status for e in audit.history(MODEL_RECORD_KEY)]
    assert sorted(s.value for s in statuses) == ["promoted", "promoted", "rolled_back", "shadow"]


def test_the_gate_refuses_a_candidate_that_loses_either_figure() -> None:
    in_force: dict[str, Any] = {"event_division_accuracy": 0.9, "auto_coded_accuracy": 0.97}
    assert _verdict({"event_division_accuracy": 0.9, "auto_coded_accuracy": 0.97}, in_force) == (True, [])
    better, reasons = _verdict({"event_division_accuracy": 0.95, "auto_coded_accuracy": 0.96}, in_force)
    assert not better and reasons == ["auto_coded_accuracy 0.960 < 0.970 of the model in force"]


def test_an_unreadable_pointer_keeps_the_model_held() -> None:
    models = IncidentModels(InMemoryArtifactStore())
    models.store.put("latest.json", b"not json", "application/json")
    packaged: list[int] = []
    in_force = ModelInForce(models, lambda: packaged.append(1) or None, ttl_s=0)  # type: ignore[func-returns-value]
    assert in_force.current() is None and packaged == [1]


def test_the_same_version_promoted_again_after_a_rollback_is_a_step_of_its_own() -> None:
    """A scheduled verdict's id names the pointer's last move (its `since`), as the scorer's does: the same
    version promoted automatically again after a rollback is recorded again, and a retried verdict once."""
    audit, models = InMemoryAuditStore(), IncidentModels(InMemoryArtifactStore())
    for version in ("oiics-a", "oiics-b"):
        models.save(b"model", version, {"verdict": "promoted"}, "")
    card = models.card("oiics-a")
    at = [datetime(2026, 12, day, tzinfo=UTC) for day in (1, 2, 3)]
    assert card is not None
    promote(models, audit, "oiics-a", by=ACTOR, at=at[0], card=card)
    put_in_force(line(models, None), audit, "oiics-b", rollback=True, by="ehs-admin", at=at[1])
    promote(models, audit, "oiics-a", by=ACTOR, at=at[2], card=card)
    steps = [(e.status, e.model_version) for e in audit.history(MODEL_RECORD_KEY)]
    promoted_a = (AuditStatus.PROMOTED, "oiics-a")
    assert steps == [promoted_a, (AuditStatus.ROLLED_BACK, "oiics-b"), promoted_a] and models.in_force() == "oiics-a"

    def shadow(since: str) -> str:
        return model_event(
            AuditStatus.SHADOW, "oiics-c", actor=ACTOR, at=at[2], payload={}, stable_after=since
        ).event_id

    assert shadow(models.moved_since()) == shadow(at[2].isoformat()) != shadow(at[1].isoformat())
