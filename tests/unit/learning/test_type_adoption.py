"""A refused candidate's routing of one finding type is taken alone when the newest decisions show it better and
neither window shows it worse: a refit that loses upheld early clock-ins does not hold back what the plant's
supervisors settled about job-code mismatches."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from plexlabor.approval.callback import decision_event
from plexlabor.approval.messages import Decision
from plexlabor.audit import ApprovalAction, InMemoryAuditStore
from plexlabor.audit.events import AuditEvent
from plexlabor.learning import service, wiring
from plexlabor.learning.promotion import (
    GateSettings,
    TypeWindow,
    adoptable_types,
    by_type,
    decide,
    evaluate,
    rarely_upheld,
    split,
)
from plexlabor.models.anomalies import AnomalyType
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.validation.findings import Finding
from plexlabor.validation.registry import ModelRegistry
from plexlabor.validation.scorer import MagnitudeCut, ScorerModel
from tests.support import load_event
from tests.unit.learning.learning_samples import decision_rows, decisions, event, finding

GATE = GateSettings()
PACKAGED = ScorerModel.load()
AT = datetime(2026, 11, 23, tzinfo=UTC)
MISMATCH = AnomalyType.JOB_CODE_MISMATCH.value
FROM_44 = MagnitudeCut("beyond_grace_min", 44.0, decisions=100, below=50, upheld_below=0)


def _mismatches(count: int, start: datetime, hours: int) -> list[AuditEvent]:
    """Job-code mismatches (a rule type: no features) this plant's supervisors always reject, spread over
    `hours` from `start`."""
    out = []
    for i in range(count):
        rule = finding(1000 + i, 0.0, anomaly=AnomalyType.JOB_CODE_MISMATCH)
        rule = rule.model_copy(update={"evidence": {"features": {}}, "confidence": PACKAGED.priors[MISMATCH]})
        decision = Decision(action=ApprovalAction.REJECT, reason="costed to the workcenter", supervisor_id="SUP-1")
        at = start + timedelta(hours=i * hours / count, minutes=30)
        out.append(decision_event(rule, decision, at, None))
    return out


def _history(start: datetime) -> list[AuditEvent]:
    """Early clock-ins upheld from 40 minutes (both ways) and job-code mismatches always rejected, interleaved."""
    return decisions(160, seed=28, start=start) + _mismatches(60, start, hours=160)


def _rows(events: list[AuditEvent]) -> list[Finding]:
    return sorted(decision_rows(events), key=lambda r: r.evidence["decided_at"])


def _refit_losing_early_clock_ins(candidate_priors: dict[str, float]) -> ScorerModel:
    """A candidate that has learnt the mismatches (prior 0.1) but sends no early clock-in at all."""
    silent = {
        name: replace(m, coef=tuple(0.0 for _ in m.coef), intercept=-30.0)
        for name, m in PACKAGED.families.items()
        if name.startswith("offset")
    }
    return ScorerModel(
        "scorer-mixed0001", {**PACKAGED.priors, **candidate_priors}, {**PACKAGED.families, **silent}, {}, {}
    )


def test_only_the_types_the_newest_decisions_show_better_are_adopted() -> None:
    train, held = split(_rows(_history(AT - timedelta(days=30))), GATE)
    candidate = _refit_losing_early_clock_ins({MISMATCH: 0.1})
    assert not decide(evaluate(candidate, held), evaluate(PACKAGED, held), GATE).promote  # recall of early clock-ins

    notes = adoptable_types(candidate, PACKAGED, TypeWindow(train), TypeWindow(held), GATE)

    assert notes[MISMATCH]["adopted"] and not notes["EARLY_CLOCK_IN"]["adopted"]
    held_out = notes[MISMATCH]["held_out"]
    assert isinstance(held_out, dict) and held_out["not_upheld_sent"][0] == 0 < held_out["not_upheld_sent"][1]
    mixed = by_type(PACKAGED, candidate, [MISMATCH], held, {"test": True})
    assert mixed.priors[MISMATCH] == 0.1 and mixed.families == PACKAGED.families  # early clock-ins as in force
    assert mixed.trained_on["adopted_types"] == [MISMATCH]
    mine, theirs = evaluate(mixed, held), evaluate(PACKAGED, held)
    assert mine.recall == theirs.recall and mine.precision > theirs.precision
    assert decide(mine, theirs, GATE).promote


def test_a_type_the_candidate_routes_worse_in_the_training_window_is_not_adopted() -> None:
    """Better on the newest decisions is not enough when the older ones show the candidate keeping upheld
    findings of the type from review: one type's held-out decisions are few."""
    history = decisions(160, seed=28, start=AT - timedelta(days=30))
    upheld_at_42 = [event(500 + i, 42.0, True, AT - timedelta(days=29, hours=-i)) for i in range(3)]
    train, held = split(_rows(history + upheld_at_42), GATE)
    from_44 = replace(PACKAGED, version="scorer-from44001", cuts={"EARLY_CLOCK_IN": FROM_44})

    without_them = adoptable_types(
        from_44,
        PACKAGED,
        TypeWindow([r for r in train if r.evidence["features"]["beyond_grace_min"] != 42.0]),
        TypeWindow(held),
        GATE,
    )
    with_them = adoptable_types(from_44, PACKAGED, TypeWindow(train), TypeWindow(held), GATE)

    assert without_them["EARLY_CLOCK_IN"]["adopted"]  # it spares the tolerated early clock-ins and keeps the rest
    assert not with_them["EARLY_CLOCK_IN"]["adopted"]
    assert (
        with_them["EARLY_CLOCK_IN"]["training"]["upheld_sent"][0]
        < with_them["EARLY_CLOCK_IN"]["training"]["upheld_sent"][1]
    )


def test_a_type_better_on_the_newest_decisions_only_is_not_adopted() -> None:
    """A week decided by a coin can make one type's handful of newest decisions favour a candidate: the
    decisions it learnt from must show the type better too."""
    train, held = split(_rows(decisions(160, seed=28, start=AT - timedelta(days=30))), GATE)
    from_44 = replace(PACKAGED, version="scorer-from44001", cuts={"EARLY_CLOCK_IN": FROM_44})
    upheld_only = [r for r in train if r.evidence["decision"] == "approved"]  # nothing below 44 to spare

    notes = adoptable_types(from_44, PACKAGED, TypeWindow(upheld_only), TypeWindow(held), GATE)

    newest = notes["EARLY_CLOCK_IN"]["held_out"]
    assert isinstance(newest, dict) and newest["not_upheld_sent"][0] < newest["not_upheld_sent"][1]
    assert not notes["EARLY_CLOCK_IN"]["adopted"]


def test_a_refused_refit_still_brings_the_types_it_settles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a plant whose supervisors always reject job-code mismatches, and a refit that learns that but
    # would send no early clock-in (which they uphold from 40 minutes)
    audit, registry = InMemoryAuditStore(), ModelRegistry(InMemoryArtifactStore())
    for decided in _history(AT - timedelta(days=30)):
        audit.append(decided)

    def refit(incumbent, rows, trained_on, undecided, cuts, gate):  # type: ignore[no-untyped-def]
        return replace(_refit_losing_early_clock_ins({MISMATCH: 0.1}), trained_on=trained_on, cuts=cuts)

    monkeypatch.setattr(service, "fit_candidate", refit)
    deps = wiring.Dependencies(audit, registry, plant="detroit", clock=lambda: AT)
    # When the weekly retrain runs
    summary = service.run(deps, service.RetrainEvent.model_validate(load_event("scorer_retrain")))
    # Then the refit is refused, and the mismatches alone go in force on the same gate
    assert summary["status"] == "promoted", summary
    refused = summary["metrics"]["refitted_refused"]
    assert refused["version"] == "scorer-mixed0001" and any("recall" in r for r in refused["reasons"])
    in_force = registry.model(summary["version"])
    assert in_force is not None and in_force.priors[MISMATCH] == 0.1
    assert in_force.families == PACKAGED.families
    card = registry.card(summary["version"])
    assert card is not None and card["by_type"][MISMATCH]["adopted"]
    assert not card["by_type"]["EARLY_CLOCK_IN"]["adopted"]


def test_a_type_the_plant_rejects_but_for_a_coin_upheld_decision_is_still_adopted() -> None:
    """One job-code mismatch upheld by mistake among those the plant always rejects is decision noise
    (`rarely_upheld`), as the recall gate counts it: it does not keep the type from being taken alone."""
    start = AT - timedelta(days=30)
    mismatches = _mismatches(60, start, hours=160)
    upheld_by_mistake = decision_event(
        finding(1003, 0.0, anomaly=AnomalyType.JOB_CODE_MISMATCH).model_copy(
            update={"evidence": {"features": {}}, "confidence": PACKAGED.priors[MISMATCH]}
        ),
        Decision(action=ApprovalAction.APPROVE, reason=None, supervisor_id="SUP-1"),
        mismatches[3].occurred_at,
        None,
    )
    train, held = split(_rows([*decisions(160, seed=28, start=start), upheld_by_mistake, *mismatches[4:]]), GATE)
    candidate = _refit_losing_early_clock_ins({MISMATCH: 0.1})
    noise = rarely_upheld(train, held, GATE)
    assert noise == {MISMATCH}

    counted = adoptable_types(candidate, PACKAGED, TypeWindow(train), TypeWindow(held), GATE)
    as_noise = adoptable_types(candidate, PACKAGED, TypeWindow(train), TypeWindow(held), GATE, noise)

    assert counted[MISMATCH]["training"]["upheld_sent"] == [0, 1] and not counted[MISMATCH]["adopted"]
    assert as_noise[MISMATCH]["adopted"] and not as_noise["EARLY_CLOCK_IN"]["adopted"]
