"""The scorer learns from labelled plants and from supervisors' approve/reject decisions."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.checks.base import BUDDY, OFFSET, RULE, Candidate
from plexlabor.validation.findings import Finding, finding_id_for
from plexlabor.validation.scorer import ScorerModel, content_version, scored_features, type_family
from plexlabor.validation.training import Example, examples_from_decisions, fit_scorer
from plexlabor_dev.commands.validation import EVALUATION_SEEDS, REVIEW_CUTS, TRAINING_SEEDS


def _buddy_examples(n: int, seed: int) -> list[Example]:
    """Synthetic buddy-punch evidence: two or more signals on true cases, one on false ones."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        positive = rng.random() < 0.3
        count = rng.choice((2, 3)) if positive else 1
        features = {"signal_count": float(count), "no_badge_in": 1.0, "geofence_ratio": 0.0}
        out.append(Example(BUDDY, "BUDDY_PUNCH", features, positive))
    return out


def _finding(features: dict[str, float], anomaly: AnomalyType = AnomalyType.BUDDY_PUNCH) -> Finding:
    key = f"time-clock-entries:{random.random()}"
    return Finding(
        finding_id=finding_id_for(key, anomaly),
        record_key=key,
        employee_id="e1",
        anomaly_type=anomaly,
        confidence=0.9,
        severity="high",
        note="n",
        evidence={"features": features},
        model_version="m",
    )


def candidate(
    features: dict[str, float], anomaly: AnomalyType = AnomalyType.BUDDY_PUNCH, family: str = BUDDY
) -> Candidate:
    return Candidate(
        record_key="k",
        employee="e",
        anomaly=anomaly,
        family=family,
        features=features,
        evidence={},
        note="n",
        correction=None,
        severity="high",
    )


def test_logistic_family_ranks_stronger_evidence_higher() -> None:
    # Given a scorer trained on examples where more signals mean a true buddy punch
    model = fit_scorer(_buddy_examples(400, seed=1))
    # Then confidence rises with the evidence, and stays a probability
    weak = model.confidence(candidate({"signal_count": 1.0, "no_badge_in": 1.0}))
    strong = model.confidence(candidate({"signal_count": 3.0, "no_badge_in": 1.0}))
    assert 0.0 <= weak < 0.3 < 0.7 < strong <= 1.0


def test_rejections_by_supervisors_lower_the_confidence_of_that_pattern() -> None:
    # Given a model trained on plants, where two-signal cases are usually true
    base = _buddy_examples(400, seed=2)
    before = fit_scorer(base)
    two = {"signal_count": 2.0, "no_badge_in": 1.0, "geofence_ratio": 0.0}
    # When supervisors reject thirty two-signal findings (this plant tailgates a lot)
    decisions = [(_finding(two), False) for _ in range(30)]
    after = fit_scorer(base + examples_from_decisions(decisions))
    # Then the retrained model is less sure about that pattern, and says it is a new version
    assert after.confidence(candidate(two)) < before.confidence(candidate(two)) - 0.2
    assert after.version != before.version


def test_rule_types_score_by_measured_precision_with_laplace_smoothing() -> None:
    # Given 9 true and 1 false missed-break candidates
    examples = [Example(RULE, "MISSED_BREAK", {}, i < 9) for i in range(10)]
    model = fit_scorer(examples)
    # Then its confidence is (9 + 1) / (10 + 2), never exactly 0 or 1
    rule = candidate({}, AnomalyType.MISSED_BREAK, family=RULE)
    assert abs(model.confidence(rule) - 10 / 12) < 1e-3


def test_a_model_round_trips_through_json_and_the_packaged_one_loads() -> None:
    model = fit_scorer(_buddy_examples(200, seed=3))
    again = ScorerModel.from_json(model.to_json())
    probe = candidate({"signal_count": 2.0, "no_badge_in": 1.0})
    assert again.confidence(probe) == model.confidence(probe)
    packaged = ScorerModel.load()
    assert packaged.trained_on["seeds"] and set(packaged.families) >= {"offset", "buddy"}


def _offset_examples(anomaly: str, n: int, seed: int, shift: float) -> list[Example]:
    """Synthetic early/late evidence: true offsets lie `shift` minutes further out than normal ones."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        positive = rng.random() < 0.3
        deviation = rng.gauss(8.0 + shift * positive, 2.0)
        features = {"deviation_min": deviation, "z": deviation / 3.0, "beyond_grace_min": deviation - 2.0}
        out.append(Example(OFFSET, anomaly, features, positive))
    return out


def _offset_candidate(anomaly: AnomalyType, deviation: float) -> Candidate:
    features = {"deviation_min": deviation, "z": deviation / 3.0, "beyond_grace_min": deviation - 2.0}
    return candidate(features, anomaly, OFFSET)


def test_a_review_cut_gives_the_type_its_own_model_that_reviews_from_the_cut() -> None:
    # Given early/late examples of two types, late clock-outs far less apart from normal days
    examples = _offset_examples("LATE_CLOCK_OUT", 600, seed=4, shift=4.0)
    examples += _offset_examples("LATE_CLOCK_IN", 600, seed=5, shift=12.0)
    family_only = fit_scorer(examples)
    # When late clock-outs are sent to review only from a probability of 0.9
    model = fit_scorer(examples, {"seeds": [1]}, review_cuts={"LATE_CLOCK_OUT": 0.9})
    own = type_family(OFFSET, "LATE_CLOCK_OUT")
    assert set(model.families) == {OFFSET, own} and model.trained_on["review_cuts"] == {"LATE_CLOCK_OUT": 0.9}
    unshifted = fit_scorer(examples, review_cuts={"LATE_CLOCK_OUT": 0.7}).families[own]
    # Then a late clock-out reaches review confidence (0.7) exactly where its own model says 0.9
    for deviation in (8.0, 10.0, 11.0, 12.0, 13.0, 16.0):
        probe = _offset_candidate(AnomalyType.LATE_CLOCK_OUT, deviation)
        read = scored_features(OFFSET, probe.features)
        assert (model.confidence(probe) >= 0.7) == (unshifted.probability(read) >= 0.9)
    assert model.confidence(_offset_candidate(AnomalyType.LATE_CLOCK_OUT, 10.0)) < 0.7
    # And a type without a cut is scored by the family's model, as before; the JSON keeps both
    late_in = _offset_candidate(AnomalyType.LATE_CLOCK_IN, 12.0)
    assert model.confidence(late_in) == family_only.confidence(late_in)
    probe = _offset_candidate(AnomalyType.LATE_CLOCK_OUT, 12.0)
    assert ScorerModel.from_json(model.to_json()).confidence(probe) == model.confidence(probe)


def test_a_review_cut_for_a_type_without_both_kinds_of_example_is_refused() -> None:
    examples = _offset_examples("LATE_CLOCK_IN", 200, seed=6, shift=10.0)
    with pytest.raises(ValueError, match="EARLY_CLOCK_IN"):
        fit_scorer(examples, review_cuts={"EARLY_CLOCK_IN": 0.8})


def test_the_packaged_model_is_the_one_the_training_command_makes() -> None:
    # The committed scorer_model.json was written by `make model` with today's training plants and cuts
    packaged = ScorerModel.load()
    assert packaged.trained_on["seeds"] == list(TRAINING_SEEDS)
    assert packaged.trained_on["review_cuts"] == REVIEW_CUTS
    assert {type_family(OFFSET, anomaly) for anomaly in REVIEW_CUTS} <= set(packaged.families)
    assert not set(TRAINING_SEEDS) & set(EVALUATION_SEEDS)
    # ...its version is its content's (a file edited by hand, or a stale one, has another), and its early/late
    # models read the recent shifts the norms keep
    assert packaged.version == content_version(packaged.priors, packaged.families, packaged.cuts)
    assert all("recent_same_way" in packaged.families[type_family(OFFSET, a)].features for a in REVIEW_CUTS)
    # ...and its clock-in models how often the person arrived as far off lately (a clock-out carries no such count)
    reads = {a: "recent_as_far" in packaged.families[type_family(OFFSET, a)].features for a in REVIEW_CUTS}
    assert reads == {"EARLY_CLOCK_IN": True, "LATE_CLOCK_IN": True, "EARLY_CLOCK_OUT": False, "LATE_CLOCK_OUT": False}


def test_models_that_differ_in_an_intercept_alone_have_other_versions() -> None:
    # Given the same examples fitted with two review cuts (the per-type model's intercept differs, nothing else)
    examples = _offset_examples("LATE_CLOCK_OUT", 300, seed=8, shift=6.0)
    low, high = (fit_scorer(examples, review_cuts={"LATE_CLOCK_OUT": cut}) for cut in (0.7, 0.9))
    own = type_family(OFFSET, "LATE_CLOCK_OUT")
    assert low.families[own].coef == high.families[own].coef
    # Then their versions differ, and the same fit twice gives the same version
    assert low.version != high.version
    assert fit_scorer(examples, review_cuts={"LATE_CLOCK_OUT": 0.9}).version == high.version


def test_own_models_are_fitted_at_the_review_threshold_without_a_cut() -> None:
    # Given late clock-out examples fitted with a model of their own and no review cut
    examples = _offset_examples("LATE_CLOCK_OUT", 300, seed=8, shift=6.0)
    model = fit_scorer(examples, {"seeds": [1]}, own_models=["LATE_CLOCK_OUT"])
    own = type_family(OFFSET, "LATE_CLOCK_OUT")
    # Then their model is the one a cut at the review threshold (0.7: no shift) makes, and no cut is recorded
    assert model.families[own] == fit_scorer(examples, review_cuts={"LATE_CLOCK_OUT": 0.7}).families[own]
    assert model.families[own] != fit_scorer(examples, review_cuts={"LATE_CLOCK_OUT": 0.9}).families[own]
    assert "review_cuts" not in model.trained_on


def test_a_plants_refit_fits_its_own_model_for_a_type_decided_both_ways_and_leaves_the_others() -> None:
    # Given a model with models of their own for early clock-ins, late clock-ins and late clock-outs (each
    # fitted with its review cut), and a plant's decisions: early clock-ins upheld from 40 min past the grace
    # and rejected below it, late clock-ins all rejected, late clock-outs not decided
    from plexlabor.learning.promotion import fit_candidate
    from tests.unit.learning.learning_samples import START, decision_rows, decisions, early_clock_in, event

    examples = _offset_examples("EARLY_CLOCK_IN", 400, seed=9, shift=8.0)
    examples += _offset_examples("LATE_CLOCK_IN", 400, seed=11, shift=8.0)
    examples += _offset_examples("LATE_CLOCK_OUT", 400, seed=10, shift=8.0)
    cuts = {"EARLY_CLOCK_IN": 0.9, "LATE_CLOCK_IN": 0.85, "LATE_CLOCK_OUT": 0.8}
    incumbent = fit_scorer(examples, {"seeds": [1]}, review_cuts=cuts)
    early, late_in, late_out = (type_family(OFFSET, anomaly) for anomaly in cuts)
    at = START + timedelta(days=30)
    late_ins = [
        event(1000 + i, 20.0 + i, False, at + timedelta(hours=i), anomaly=AnomalyType.LATE_CLOCK_IN) for i in range(30)
    ]
    # When the learning loop refits the offset family from those decisions
    candidate = fit_candidate(incumbent, decision_rows(decisions(200, seed=7) + late_ins), {"test": True})
    # Then early clock-ins, decided both ways, are scored by a model of their own fitted from the decisions,
    # sent to review from the line the supervisors draw (40 min) with no shipped cut's shift
    assert candidate.families[early] not in (incumbent.families[early], candidate.families[OFFSET])
    short, long = (
        early_clock_in("k", {"beyond_grace_min": b, "deviation_min": b + 7.0, "z": (b + 7.0) / 4}) for b in (30.0, 50.0)
    )
    assert candidate.confidence(short) < 0.7 <= candidate.confidence(long)
    assert candidate.confidence(long) == candidate.families[early].probability(scored_features(OFFSET, long.features))
    assert candidate.confidence(long) != incumbent.confidence(long)
    # ...late clock-ins, decided one way only, by the refit family (their own model would outrank the decisions)
    probe = _offset_candidate(AnomalyType.LATE_CLOCK_IN, 40.0)
    assert late_in not in candidate.families
    family = candidate.families[OFFSET]
    assert candidate.confidence(probe) == family.probability(scored_features(OFFSET, probe.features))
    # ...and late clock-outs, which nobody decided, keep their own model and review cut (before, the first
    # promoted refit sent them to review from 0.7 on the family model, past the false-finding budget)
    assert candidate.families[late_out] == incumbent.families[late_out]
    assert candidate.trained_on["review_cuts"] == {"LATE_CLOCK_OUT": 0.8}
