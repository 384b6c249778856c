"""The scorer learns from labelled plants and from supervisors' approve/reject decisions."""

from __future__ import annotations

import random

from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.checks.base import BUDDY, RULE, Candidate
from plexlabor.validation.findings import Finding, finding_id_for
from plexlabor.validation.scorer import ScorerModel
from plexlabor.validation.training import Example, examples_from_decisions, fit_scorer


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


def candidate(features: dict[str, float]) -> Candidate:
    return Candidate(
        record_key="k",
        employee="e",
        anomaly=AnomalyType.BUDDY_PUNCH,
        family=BUDDY,
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
    rule = Candidate(
        record_key="k",
        employee="e",
        anomaly=AnomalyType.MISSED_BREAK,
        family=RULE,
        features={},
        evidence={},
        note="n",
        correction=None,
        severity="medium",
    )
    assert abs(model.confidence(rule) - 10 / 12) < 1e-3


def test_a_model_round_trips_through_json_and_the_packaged_one_loads() -> None:
    model = fit_scorer(_buddy_examples(200, seed=3))
    again = ScorerModel.from_json(model.to_json())
    probe = candidate({"signal_count": 2.0, "no_badge_in": 1.0})
    assert again.confidence(probe) == model.confidence(probe)
    packaged = ScorerModel.load()
    assert packaged.trained_on["seeds"] and set(packaged.families) >= {"offset", "buddy"}
