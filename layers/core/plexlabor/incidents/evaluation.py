"""Quality of an incident classifier on coded reports it did not see, and the yardstick beside it.

The yardstick is the benchmark's: TF-IDF of word 1-2 grams (sublinear tf) with a logistic regression
(C = 10), trained on the same reports, coding the event division only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import make_pipeline

from plexlabor.incidents.classifier import IncidentClassifier
from plexlabor.incidents.oiics import Field
from plexlabor.incidents.reports import CodedReport

SCORED_FIELDS = (
    Field.EVENT_DIVISION,
    Field.EVENT_GROUP,
    Field.NATURE_DIVISION,
    Field.PART_DIVISION,
    Field.SOURCE_DIVISION,
)


@dataclass(frozen=True)
class Yardstick:
    """The yardstick's event-division figures on the same evaluation reports."""

    event_division_accuracy: float
    event_division_macro_f1: float


def _scores(truth: Sequence[str], predicted: Sequence[str]) -> tuple[float, float]:
    return float(accuracy_score(truth, predicted)), float(f1_score(truth, predicted, average="macro", zero_division=0))


def evaluate(classifier: IncidentClassifier, reports: Sequence[CodedReport]) -> dict[str, float | int]:
    """Accuracy and macro-F1 per coded field, and the selective figures: the share auto-coded at the
    model's threshold and the event-division (and group) accuracy on that share."""
    results = classifier.classify_many([report.narrative for report in reports])
    figures: dict[str, float | int] = {"reports": len(reports)}
    for of in SCORED_FIELDS:
        accuracy, macro_f1 = _scores([r.codes[of] for r in reports], [c.code(of) for c in results])
        figures[f"{of.value}_accuracy"], figures[f"{of.value}_macro_f1"] = accuracy, macro_f1
    auto = np.array([result.auto_coded for result in results])
    figures["auto_coded_share"] = float(auto.mean())
    for of, key in ((Field.EVENT_DIVISION, "auto_coded_accuracy"), (Field.EVENT_GROUP, "auto_coded_group_accuracy")):
        right = np.array([c.code(of) == r.codes[of] for c, r in zip(results, reports, strict=True)])
        figures[key] = float(right[auto].mean()) if auto.any() else 0.0
    threshold = classifier.thresholds[Field.EVENT_DIVISION]
    figures["auto_code_threshold"] = threshold
    return figures


def yardstick(train: Sequence[CodedReport], test: Sequence[CodedReport]) -> Yardstick:
    """The benchmark's yardstick trained on `train`, scored on `test` (event division)."""
    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), LogisticRegression(C=10, max_iter=5000)
    )
    model.fit([r.narrative for r in train], [r.codes[Field.EVENT_DIVISION] for r in train])
    predicted = model.predict([r.narrative for r in test])
    return Yardstick(*_scores([r.codes[Field.EVENT_DIVISION] for r in test], list(predicted)))
