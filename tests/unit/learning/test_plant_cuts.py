"""A plant's cuts: per finding type, the magnitude below which its supervisors reject what is sent; learned
on older decisions, checked on the newest, refused on thin data, applied by the validator with the model in
force, removed by a rollback to a model without them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from plexlabor.audit import InMemoryAuditStore
from plexlabor.learning import service, wiring
from plexlabor.learning.cuts import CutSettings, check_cut, fit_cut, learn_cuts
from plexlabor.learning.events import MODEL_RECORD_KEY
from plexlabor.learning.manage import put_in_force
from plexlabor.learning.promotion import GateSettings, evaluate, split
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.validation.checks.base import Candidate
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.registry import ModelRegistry, ScorerLoader
from plexlabor.validation.scorer import MagnitudeCut, ScorerModel
from tests.support import load_event
from tests.unit.learning.learning_samples import UPHOLD_FROM_MIN, decision_rows, decisions, early_clock_in

SETTINGS = CutSettings()
PACKAGED = ScorerModel.load()
NORMS: Any = SimpleNamespace(version="norms-1")
AT = datetime(2026, 11, 23, tzinfo=UTC)
CUT = MagnitudeCut("beyond_grace_min", 40.0, decisions=90, below=44, upheld_below=0)


def _early(beyond: float) -> Candidate:
    features = {"beyond_grace_min": beyond, "deviation_min": beyond + 7, "z": 9.0}
    return early_clock_in(f"time-clock-entries:{beyond:.0f}", features)


def test_a_cut_is_learned_where_the_older_decisions_turn_from_rejected_to_upheld() -> None:
    # supervisors reject early clock-ins under 40 min beyond the grace (findings at 15-35 and 45-80), 5 % coin
    train, held = split(decision_rows(decisions(200, seed=21, random_share=0.05)), GateSettings())
    cut, why = fit_cut(train, SETTINGS)
    assert cut is not None, why
    assert cut.feature == "beyond_grace_min" and 30 <= cut.minimum <= 35.001  # at the largest rejected (15-35)
    assert cut.decisions == len(train) and cut.below >= 60 and cut.upheld_below <= 0.1 * cut.below
    check = check_cut(cut, held, SETTINGS)
    assert check["holds"] and check["decisions"] == len(held) and check["below"] > 0


def test_no_cut_on_thin_history_or_where_supervisors_uphold_small_findings_too() -> None:
    thin = decision_rows(decisions(4, seed=22))  # two rejected, two upheld: too few to be worth a cut
    why_none = "no minimum is expected to spare more reviews than it drops upheld findings"
    assert fit_cut(thin, SETTINGS) == (None, why_none)
    coin = decision_rows(decisions(200, seed=23, random_share=1.0))  # small or large, upheld half the time
    cut, why = fit_cut(coin, SETTINGS)
    assert cut is None and why.startswith("no minimum")
    cuts, notes = learn_cuts(PACKAGED, thin, [], SETTINGS)
    assert cuts == {} and notes == {
        "EARLY_CLOCK_IN": {"cut": None, "why": f"{why_none}; threshold: 4 decisions sent, fewer than 10"}
    }


def test_a_type_decided_some_30_times_gets_its_cut() -> None:
    # a type sent 5-8 times a week: 30 decisions are about four weeks of it; 15 lie below the line, none upheld
    thirty = decision_rows(decisions(30, seed=22))
    cut, why = fit_cut(thirty, SETTINGS)
    assert cut is not None, why
    assert 30 <= cut.minimum <= 35.001 and (cut.decisions, cut.below, cut.upheld_below) == (30, 15, 0)


def test_a_cut_the_newest_decisions_contradict_is_dropped_and_one_they_cannot_see_is_kept() -> None:
    older = decision_rows(decisions(150, seed=24))
    # the newest: supervisors now uphold the small ones too
    changed = [
        r.model_copy(update={"evidence": {**r.evidence, "decision": "approved"}})
        for r in decision_rows(decisions(40, seed=25))
    ]
    cuts, notes = learn_cuts(PACKAGED, older, changed, SETTINGS)
    assert cuts == {} and notes["EARLY_CLOCK_IN"]["why"] == "the newest decisions contradict it"
    # the model in force has the cut and sends nothing below it: no decision can refit it, so it is kept
    in_force = replace(PACKAGED, cuts={"EARLY_CLOCK_IN": CUT})
    above = [r for r in decision_rows(decisions(60, seed=26)) if r.evidence["features"]["beyond_grace_min"] >= 40]
    cuts, notes = learn_cuts(in_force, above, above, SETTINGS)
    assert cuts == {"EARLY_CLOCK_IN": CUT} and notes["EARLY_CLOCK_IN"]["why"] == "kept from the model in force"


def test_the_gate_scores_a_model_with_its_cuts() -> None:
    held = decision_rows(decisions(100, seed=27))
    without, with_cut = evaluate(PACKAGED, held), evaluate(replace(PACKAGED, cuts={"EARLY_CLOCK_IN": CUT}), held)
    assert with_cut.flagged < without.flagged and with_cut.precision > without.precision
    assert with_cut.recall == without.recall  # every upheld one is at 45 min or more


def test_the_validator_sends_nothing_below_the_cut_and_says_why() -> None:
    engine = ValidationEngine(replace(PACKAGED, version="scorer-cut0000001", cuts={"EARLY_CLOCK_IN": CUT}))
    small, large = engine.findings([_early(25.0), _early(UPHOLD_FROM_MIN + 10)], None, NORMS)  # type: ignore[arg-type]
    assert small.confidence >= 0.7 and small.route == "trend"  # confident, but this plant rejects them
    assert small.evidence["plant_cut"] == {"feature": "beyond_grace_min", "minimum": 40.0}
    assert large.route == "review" and "plant_cut" not in large.evidence
    # a shadow candidate with the cut would not have sent it; the packaged model in force sends it
    engine = ValidationEngine(PACKAGED)
    engine.shadow = replace(PACKAGED, version="scorer-cut0000001", cuts={"EARLY_CLOCK_IN": CUT})
    [shadowed] = engine.findings([_early(25.0)], None, NORMS)  # type: ignore[arg-type]
    assert shadowed.route == "review" and shadowed.evidence["shadow"]["would_review"] is False


def test_the_cut_travels_with_the_model_in_force_and_a_rollback_removes_it() -> None:
    registry, audit = ModelRegistry(InMemoryArtifactStore()), InMemoryAuditStore()
    plain = replace(PACKAGED, version="scorer-plain00001")
    cut = replace(PACKAGED, version="scorer-cut0000001", cuts={"EARLY_CLOCK_IN": CUT})
    for model in (plain, cut):
        registry.save(model, {"metrics": {}})
    now = [0.0]
    loader = ScorerLoader(registry, max_age_s=600, clock=lambda: now[0])
    put_in_force(registry, audit, plain.version, rollback=False, by="ops", at=AT)
    put_in_force(registry, audit, cut.version, rollback=False, by="ops", at=AT + timedelta(hours=1))
    assert loader().cuts == {"EARLY_CLOCK_IN": CUT}  # stored and read back whole
    put_in_force(registry, audit, plain.version, rollback=True, by="ops", at=AT + timedelta(hours=2))
    assert loader().cuts  # the cached model until the TTL
    now[0] = 601.0
    assert loader().version == plain.version and loader().cuts == {}
    [finding] = ValidationEngine(loader()).findings([_early(25.0)], None, NORMS)  # type: ignore[arg-type]
    assert finding.route == "review"
    events = sorted(audit.history(MODEL_RECORD_KEY), key=lambda e: e.occurred_at)
    assert [e.payload["cuts"] for e in events] == [{}, {"EARLY_CLOCK_IN": CUT.to_json()}, {}]


def test_a_refit_the_gate_refuses_does_not_hold_back_the_plants_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    """The refitted families of a candidate may cost recall; its cuts are then tried alone on the model in
    force's coefficients, on the same gate."""
    audit, registry = InMemoryAuditStore(), ModelRegistry(InMemoryArtifactStore())
    for event in decisions(160, seed=28, start=AT - timedelta(days=30)):
        audit.append(event)

    def refit_sending_nothing(incumbent, rows, trained_on, undecided, cuts, gate):  # type: ignore[no-untyped-def]
        flat = {
            name: replace(m, coef=tuple(0.0 for _ in m.coef), intercept=-30.0) for name, m in PACKAGED.families.items()
        }
        return ScorerModel("scorer-never0001", dict.fromkeys(PACKAGED.priors, 0.0), flat, trained_on, cuts)

    monkeypatch.setattr(service, "fit_candidate", refit_sending_nothing)
    deps = wiring.Dependencies(audit, registry, plant="detroit", clock=lambda: AT)
    summary = service.run(deps, service.RetrainEvent.model_validate(load_event("scorer_retrain")))

    assert summary["status"] == "promoted", summary
    refused = summary["metrics"]["refitted_refused"]
    assert refused["version"] == "scorer-never0001" and any("recall" in r for r in refused["reasons"])
    in_force = registry.model(summary["version"])
    assert in_force is not None and in_force.families == PACKAGED.families and in_force.priors == PACKAGED.priors
    assert 30 <= in_force.cuts["EARLY_CLOCK_IN"].minimum <= 35.001
    assert summary["metrics"]["candidate"]["precision"] > summary["metrics"]["in_force"]["precision"]
