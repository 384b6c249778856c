"""Exploration kept out of sight (closing review s15, #3 and #4): a drawn finding shows and ranks as the packaged scorer
would have sent it, not at the model in force's low confidence that tells a supervisor it is a sample and sinks it to
the queue's bottom; and the eligible findings not drawn, which the model in force would not have kept, are no
negatives for the refit (the gate still reads them)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from plexlabor.approval.callback import decision_event
from plexlabor.approval.messages import Decision
from plexlabor.audit import ApprovalAction
from plexlabor.audit.events import AuditStatus
from plexlabor.intake.recording import finding_event
from plexlabor.learning.promotion import evaluate, fit_candidate
from plexlabor.review.items import item_from_event
from plexlabor.validation.engine import EngineSettings, ValidationEngine
from plexlabor.validation.exploration import Exploration
from plexlabor.validation.findings import Finding
from plexlabor.validation.scorer import ScorerModel
from tests.unit.learning.learning_samples import decision_rows, decisions, early_clock_in
from tests.unit.learning.test_exploration import _never

NORMS: Any = SimpleNamespace(version="norms-1")
NO_DATA: Any = None
"""No plant data: the candidates have no employee, so no day is built."""
SETTINGS = EngineSettings()
AT = datetime(2026, 12, 6, tzinfo=UTC)


def explored_findings() -> list[Finding]:
    """What a model in force that sends nothing records of 400 early clock-ins the packaged scorer sends, at 5 %."""
    candidates = [
        early_clock_in(f"time-clock-entries:{n}", {"beyond_grace_min": 40.0, "deviation_min": 47.0, "z": 6.0})
        for n in range(400)
    ]
    return ValidationEngine(_never(), exploration=Exploration(0.05)).findings(candidates, NO_DATA, NORMS)


def test_a_drawn_finding_shows_and_ranks_at_the_packaged_scorers_confidence_and_keeps_the_model_in_forces() -> None:
    found = explored_findings()
    drawn = [f for f in found if f.route == "review"]
    assert drawn
    item = item_from_event(finding_event(drawn[0], AuditStatus.PENDING_APPROVAL, AT, "punch_validator", "SUP-1"))
    assert item is not None

    assert item.confidence >= SETTINGS.review_threshold, item.confidence_words  # as any review item
    explored = drawn[0].evidence["exploration"]
    assert item.confidence == explored["reference_confidence"]
    assert item.confidence_words == f"{explored['reference_confidence']:.0%}"
    assert explored["confidence"] < SETTINGS.trend_threshold  # the model in force's, recorded for the retrain
    decided = decision_event(drawn[0], Decision(action=ApprovalAction.APPROVE, supervisor_id="SUP-1"), AT, None)
    assert decision_rows([decided])[0].confidence == explored["confidence"]  # the training row: the model in force's


def test_the_eligible_findings_not_drawn_are_no_negatives_of_the_refit_and_the_gate_still_charges_them() -> None:
    undrawn = [f for f in explored_findings() if f.route == "trend"]
    assert len(undrawn) > 300 and all(f.confidence < SETTINGS.trend_threshold for f in undrawn)
    packaged = ScorerModel.load()
    rows = decision_rows(decisions(200, seed=5))

    assert fit_candidate(packaged, rows, {}, undecided=undrawn).version == fit_candidate(packaged, rows, {}).version
    # with no drawn decision of the type in the window, the packaged scorer sending them is charged as unconfirmed
    assert evaluate(packaged, rows, undecided=undrawn).unconfirmed == len(undrawn)
