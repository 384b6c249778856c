"""Train the scorer (scikit-learn) from labelled plants and from supervisors' decisions.

Only this module imports scikit-learn; it runs offline or in the nightly job, never on the
real-time path. The result is a ScorerModel of plain coefficients.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from plexlabor.models.anomalies import AnomalyLabel
from plexlabor.plant import PlantFolder
from plexlabor.validation.checks.base import BUDDY, OFFSET, PRODUCTIVITY, RULE, Candidate
from plexlabor.validation.data import PlantData
from plexlabor.validation.findings import Finding
from plexlabor.validation.norms import compute_norms
from plexlabor.validation.scorer import (
    Logistic,
    ScorerModel,
    content_version,
    family_of,
    scored_features,
    type_family,
)

DECISION_WEIGHT = 3.0  # a supervisor's verdict on a real record counts more than a synthetic label
LEARNED_FAMILIES = (OFFSET, PRODUCTIVITY, BUDDY)


@dataclass(frozen=True)
class Example:
    family: str
    anomaly_type: str
    features: dict[str, float]
    positive: bool
    weight: float = 1.0


def label_candidates(candidates: Iterable[Candidate], labels: Iterable[AnomalyLabel]) -> list[Example]:
    """Mark each candidate true or false against the ground truth."""
    truth = {(label.record_key, label.anomaly_type.value) for label in labels}
    return [
        Example(c.family, c.anomaly.value, dict(c.features), (c.record_key, c.anomaly.value) in truth)
        for c in candidates
    ]


def examples_from_plants(folders: Iterable[PlantFolder]) -> list[Example]:
    """Candidates of labelled training plants, with their ground truth."""
    from plexlabor.validation.engine import ValidationEngine

    engine = ValidationEngine(model=ScorerModel("untrained"))
    examples: list[Example] = []
    for folder in folders:
        data = PlantData.from_folder(folder)
        examples.extend(label_candidates(engine.candidates(data, compute_norms(data)), folder.labels()))
    return examples


def examples_from_decisions(decisions: Iterable[tuple[Finding, bool]]) -> list[Example]:
    """Supervisors' approve (True) / reject (False) verdicts on findings, as weighted examples."""
    out = []
    for finding, approved in decisions:
        features = finding.evidence.get("features", {})
        family = family_of(features)
        out.append(Example(family, finding.anomaly_type.value, dict(features), approved, DECISION_WEIGHT))
    return out


def fit_scorer(
    examples: list[Example],
    trained_on: dict | None = None,
    review_cuts: Mapping[str, float] | None = None,
    own_models: Iterable[str] = (),
) -> ScorerModel:
    """Fit one logistic model per learned family and measure each rule type's precision.

    `review_cuts` (early/late type -> probability): those offset types get a model of their own (their
    normal spread differs: people often come early and stay late, seldom the reverse), whose intercept is
    moved by logit(review) - logit(cut), so that the engine's one review threshold sends the type to review
    from that probability on: a cut chosen on development plants to keep false findings on normal days
    within budget. The cuts are kept in `trained_on["review_cuts"]`. `own_models`: offset types that get a
    model of their own without a cut (sent to review from the engine's review threshold as fitted), e.g. a
    plant's types its supervisors decided both ways (`learning.promotion.fit_candidate`).
    """
    priors: dict[str, float] = {}
    counts: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    one_class = {family for family in LEARNED_FAMILIES if len({e.positive for e in examples if e.family == family}) < 2}
    for example in examples:  # rule types, and learned families the data cannot split, score by precision
        if example.family == RULE or example.family in one_class:
            counts[example.anomaly_type][0] += example.weight * example.positive
            counts[example.anomaly_type][1] += example.weight
    for anomaly, (true, total) in counts.items():
        priors[anomaly] = round((true + 1) / (total + 2), 4)  # Laplace: never 0 or 1 on little data
    families: dict[str, Logistic] = {}
    for family in LEARNED_FAMILIES:
        members = [e for e in examples if e.family == family]
        if not members or family in one_class:
            continue
        families[family] = _logistic(members)
    review = _review_threshold()
    for anomaly, cut in sorted({**dict.fromkeys(own_models, review), **(review_cuts or {})}.items()):
        members = [e for e in examples if e.family == OFFSET and e.anomaly_type == anomaly]
        if len({e.positive for e in members}) < 2:
            raise ValueError(f"review_cuts: no positive and negative {anomaly} examples to fit its model on")
        fitted = _logistic(members)
        shift = math.log(review / (1 - review)) - math.log(cut / (1 - cut))
        families[type_family(OFFSET, anomaly)] = replace(fitted, intercept=fitted.intercept + shift)
    version = content_version(priors, families)
    if review_cuts:
        trained_on = {**(trained_on or {}), "review_cuts": dict(sorted(review_cuts.items()))}
    return ScorerModel(version, priors, families, trained_on or {})


def _logistic(members: list[Example]) -> Logistic:
    """A standardised logistic regression over the union of the features the members' family's model reads."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    read = [scored_features(e.family, e.features) for e in members]
    names = sorted({name for features in read for name in features})
    x = np.array([[features.get(n, 0.0) for n in names] for features in read])
    y = np.array([e.positive for e in members])
    w = np.array([e.weight for e in members])
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=1.0, max_iter=2000).fit(scaler.transform(x), y, sample_weight=w)
    return Logistic(
        tuple(names),
        tuple(float(v) for v in scaler.mean_),
        tuple(float(v) or 1.0 for v in scaler.scale_),
        tuple(float(v) for v in model.coef_[0]),
        float(model.intercept_[0]),
    )


def _review_threshold() -> float:
    from plexlabor.validation.engine import EngineSettings  # the engine imports the scorer, not this module

    return EngineSettings().review_threshold
