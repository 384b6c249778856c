"""Exploration: a random share of what the model in force stops sending (and the packaged scorer sends) goes to
review, recorded with its propensity; the gate weighs those decisions by the inverse of it, refuses a model that
would keep from review what supervisors uphold in the sample, and restores that type's routing to the packaged
scorer's (issue 15: the realistic plant's promoted refit left upheld buddy punches unsent that no decision showed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from plexlabor.approval.callback import decision_event
from plexlabor.approval.messages import Decision
from plexlabor.audit import ApprovalAction, InMemoryAuditStore
from plexlabor.audit.events import AuditEvent
from plexlabor.intake.settings import ValidatorSettings
from plexlabor.learning import wiring
from plexlabor.learning.promotion import (
    Explored,
    GateSettings,
    decide,
    evaluate,
    explored_dropped,
    restored,
    sends,
)
from plexlabor.learning.service import RetrainEvent, run
from plexlabor.models.anomalies import AnomalyType
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.review.evidence import evidence_words
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.exploration import Exploration
from plexlabor.validation.registry import ModelRegistry
from plexlabor.validation.scorer import MagnitudeCut, ScorerModel
from tests.support import load_event
from tests.unit.learning.learning_samples import START, decision_rows, decisions, early_clock_in, event, finding

GATE = GateSettings()
PACKAGED = ScorerModel.load()
NORMS: Any = SimpleNamespace(version="norms-1")
LATE_OUT = AnomalyType.LATE_CLOCK_OUT
CUT_LATE = replace(
    PACKAGED, version="scorer-cutlate001", cuts={LATE_OUT.value: MagnitudeCut("beyond_grace_min", 40.0, 5, 3, 0)}
)
"""A model in force that holds back late clock-outs under 40 min beyond the grace; the packaged scorer sends them."""
SHARE = 0.05


def _never() -> ScorerModel:
    """A model in force that sends nothing: every prior and family at the floor."""
    flat = {name: replace(m, coef=tuple(0.0 for _ in m.coef), intercept=-30.0) for name, m in PACKAGED.families.items()}
    return ScorerModel("scorer-never0001", {name: 0.0 for name in PACKAGED.priors}, flat)


def _explored(n: int, beyond: float, upheld: bool, at: datetime) -> AuditEvent:
    """The decision of a late clock-out the model in force did not send, sent as exploration (propensity 5 %)."""
    sample = finding(n, beyond, anomaly=LATE_OUT)
    explored = {"propensity": SHARE, "drawn": True, "reference": PACKAGED.version}
    sample = sample.model_copy(update={"evidence": {**sample.evidence, "exploration": explored}})
    action = ApprovalAction.APPROVE if upheld else ApprovalAction.REJECT
    return decision_event(sample, Decision(action=action, reason=None, supervisor_id="SUP-1"), at, None)


def test_the_validator_sends_a_random_share_of_what_the_model_in_force_stops_sending_and_records_it() -> None:
    engine = ValidationEngine(_never(), exploration=Exploration(SHARE))
    sent_by_packaged = [
        early_clock_in(f"time-clock-entries:{n}", {"beyond_grace_min": 40.0, "deviation_min": 47.0, "z": 6.0})
        for n in range(400)
    ]
    not_by_packaged = early_clock_in("time-clock-entries:x", {"beyond_grace_min": 1.0, "deviation_min": 8.0, "z": 1.0})
    findings = engine.findings([*sent_by_packaged, not_by_packaged], None, NORMS)  # type: ignore[arg-type]
    # the model in force scores them all at 0, under the trend threshold: the eligible ones are kept all the same
    assert len(findings) == 400
    drawn = [f for f in findings if f.route == "review"]
    assert 8 <= len(drawn) <= 35  # 5 % of 400 is 20
    reference = round(PACKAGED.confidence(sent_by_packaged[0]), 4)
    for f in findings:
        assert f.confidence == (reference if f.route == "review" else 0.0)  # a drawn one shows the packaged's
        assert f.evidence["exploration"] == {
            "propensity": SHARE,
            "drawn": f.route == "review",
            "reference": PACKAGED.version,
            "confidence": 0.0,
            "reference_confidence": reference,
            "below_trend": True,
        }
    again = engine.findings(sent_by_packaged, None, NORMS)  # type: ignore[arg-type]
    assert [f.finding_id for f in again if f.route == "review"] == [f.finding_id for f in drawn]  # one draw a finding
    assert all(f.route == "trend" for f in ValidationEngine(_never()).findings(sent_by_packaged, None, NORMS))  # type: ignore[arg-type]


def test_a_decision_on_an_explored_finding_keeps_its_propensity_in_the_training_row() -> None:
    [row] = decision_rows([_explored(1, 31.0, True, START)])
    assert row.evidence["exploration"] == {"propensity": SHARE, "drawn": True}
    [plain] = decision_rows([event(2, 50.0, True, START)])
    assert "exploration" not in plain.evidence


def test_the_gate_weighs_an_explored_decision_by_the_inverse_of_its_propensity_and_refuses_what_drops_them() -> None:
    early = [event(n, 50.0 + n % 30, True, START + timedelta(hours=n)) for n in range(100)]
    explored = [_explored(200 + i, 31.0 + i, True, START + timedelta(hours=200 + i)) for i in range(3)]
    rows = decision_rows([*early, *explored])
    in_force, packaged = evaluate(CUT_LATE, rows), evaluate(PACKAGED, rows)
    assert in_force.upheld == 100 + 3 * 20 and in_force.upheld_flagged == 100  # 3 explored stand for 60
    assert packaged.upheld_flagged == 160 and packaged.recall == 1.0
    assert explored_dropped(PACKAGED, rows, GATE) == {}
    assert explored_dropped(CUT_LATE, rows, GATE) == {LATE_OUT.value: Explored(3, 3, 60.0)}
    verdict = decide(in_force, in_force, GATE, explored=explored_dropped(CUT_LATE, rows, GATE))
    assert verdict.reasons == (
        "of the findings sent as exploration, LATE_CLOCK_OUT: it does not send 3 upheld of the 3 decided, more than "
        "decision noise explains; about 60 upheld findings by inverse propensity",
    )
    # one upheld of five explored is what 5 % decision noise can give: not refused
    mixed = decision_rows([*early, *explored[:1], *(_explored(300 + i, 31.0, False, START) for i in range(4))])
    assert explored_dropped(CUT_LATE, mixed, GATE) == {}
    # the type's routing taken from the packaged scorer sends them again, the rest stays the model's
    back = restored(CUT_LATE, PACKAGED, [LATE_OUT.value], rows, {})
    assert back.cuts == {} and back.trained_on["restored_types"] == [LATE_OUT.value]
    assert all(sends(back, row, GATE.review_threshold) for row in rows)


def test_a_retrain_restores_the_routing_of_a_type_supervisors_uphold_in_the_exploration_sample() -> None:
    now = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    start = now - timedelta(days=60)
    audit, registry = InMemoryAuditStore(), ModelRegistry(InMemoryArtifactStore())
    registry.save(CUT_LATE, {"metrics": {}})
    registry.put_in_force(CUT_LATE.version, by="ops", at=start - timedelta(days=1))
    for decided in decisions(160, seed=4, start=start):
        audit.append(decided)
    for i, hour in enumerate((10, 40, 70)):  # in the training window
        audit.append(_explored(900 + i, 31.0 + i, True, start + timedelta(hours=hour, minutes=30)))
    summary = run(
        wiring.Dependencies(audit, registry, plant="detroit", clock=lambda: now),
        RetrainEvent.model_validate(load_event("scorer_retrain")),
    )
    assert summary["status"] == "promoted"
    version = registry.in_force()
    model = registry.model(version) if version else None
    assert model is not None and model.trained_on["restored_types"] == [LATE_OUT.value]
    assert sends(model, finding(1, 31.0, anomaly=LATE_OUT), GATE.review_threshold)  # the cut held them back
    card = registry.card(model.version)
    assert card is not None and card["exploration"] == {"restored_types": [LATE_OUT.value], "decided": 3, "upheld": 3}
    assert any("LATE_CLOCK_OUT: it does not send 3 upheld" in r for r in card["metrics"]["refitted_refused"]["reasons"])


def test_an_eligible_finding_nobody_drew_is_charged_unless_a_drawn_one_of_its_type_stands_for_it() -> None:
    early = decision_rows([event(n, 50.0 + n % 30, True, START + timedelta(hours=n)) for n in range(40)])
    not_drawn = finding(800, 31.0, anomaly=LATE_OUT)
    not_drawn = not_drawn.model_copy(
        update={"evidence": {**not_drawn.evidence, "exploration": {"propensity": SHARE, "drawn": False}}}
    )
    assert evaluate(PACKAGED, early, undecided=[not_drawn]).unconfirmed == 1  # no sample: charged
    sampled = [*early, *decision_rows([_explored(801, 32.0, True, START)])]
    assert evaluate(PACKAGED, sampled, undecided=[not_drawn]).unconfirmed == 0  # the drawn one stands for it


def test_the_item_page_does_not_tell_a_supervisor_the_finding_was_sent_as_a_sample() -> None:
    explored = {"propensity": SHARE, "drawn": True, "reference": PACKAGED.version}
    item: Any = SimpleNamespace(kind="punch_finding", evidence={"scheduled_start": "07:00", "exploration": explored})
    assert evidence_words(item) == {"scheduled_start": "07:00"}


def test_a_validator_with_the_default_settings_records_no_exploration() -> None:
    """Off by default (closing review s15: a drawn item shows its low confidence; undrawn ones polluted /kpis and the
    refit): the engine the validator makes from its default share keeps what the model in force sends, nothing else."""
    default_share = ValidatorSettings.model_fields["scorer_exploration_share"].default
    engine = ValidationEngine(_never(), exploration=Exploration(default_share))
    sent_by_packaged = [
        early_clock_in(f"time-clock-entries:{n}", {"beyond_grace_min": 40.0, "deviation_min": 47.0, "z": 6.0})
        for n in range(50)
    ]
    assert engine.findings(sent_by_packaged, None, NORMS) == []  # type: ignore[arg-type]
