"""Why the selective target (97 % on >= 70 % auto-coded) is missed, measured on the TRAINING part only (issue
13, item 5): the bench's training part (the oldest 70 % of the OSHA file) is split in time again, its
oldest 75 % fit, its newest 25 % ("dev") measured; the evaluation split is never read.

Printed: the shipped method's dev figures (thresholds chosen on its own inner validation split), and for
each way of scoring the division's confidence the accuracy of the most confident 70 % of dev: an upper
bound for any threshold that auto-codes 70 %. Run by `make bench` (about 2 minutes on 2 cores).
"""

from __future__ import annotations

import numpy as np
import pytest

from plexlabor.incidents.classifier import ClassifierSettings, IncidentClassifier
from plexlabor.incidents.oiics import Field
from plexlabor.incidents.reports import read_coded_reports, time_split
from tests.bench.bench_incidents import EVALUATION_SHARE, OSHA

DEV_SHARE = 0.25
SHARE = 0.7


def test_selective_coding_on_a_dev_split_of_the_training_part() -> None:
    if not OSHA.is_file():
        pytest.skip(f"no OSHA reports file at {OSHA} (set PLEXLABOR_OSHA_TRAIN)")
    train, _ = time_split(read_coded_reports(OSHA), EVALUATION_SHARE)  # the evaluation part stays unread
    fit, dev = time_split(train, DEV_SHARE)
    model = IncidentClassifier.train(fit, ClassifierSettings())
    results = model.classify_many([report.narrative for report in dev])
    truth = np.array([report.codes[Field.EVENT_DIVISION] for report in dev])
    auto = np.array([result.auto_coded for result in results])
    right = np.array([result.code(Field.EVENT_DIVISION) for result in results]) == truth
    print(
        f"\ntraining part {len(train)}: fit {len(fit)}, dev {len(dev)} ({dev[0].event_date} to {dev[-1].event_date})"
        f"\nshipped method: threshold {model.thresholds[Field.EVENT_DIVISION]:.3f} -> dev auto-coded "
        f"{auto.mean():.3f} at {right[auto].mean():.3f} (all {right.mean():.3f})"
    )
    matrix = model.features.transform([" ".join(report.narrative.split()) for report in dev])
    division = model.models[Field.EVENT_DIVISION].probabilities(matrix)
    divisions = model.models[Field.EVENT_DIVISION].classes
    groups = model.models[Field.EVENT_GROUP].classes
    inside = np.array([[group[0] == d for d in divisions] for group in groups], dtype=float)
    group_sum = model.models[Field.EVENT_GROUP].probabilities(matrix) @ inside
    top = round(SHARE * len(dev))
    variants = {
        "mean (shipped)": (division + group_sum) / 2,
        "division model": division,
        "sum of groups": group_sum,
        "geometric mean": np.sqrt(division * group_sum),
    }
    for name, p in variants.items():
        correct = np.array(divisions)[p.argmax(1)] == truth
        order = np.argsort(-p.max(1), kind="stable")
        print(
            f"{name:16s}: accuracy {correct.mean():.3f}; most confident {SHARE:.0%}: {correct[order[:top]].mean():.3f}"
        )
    assert 0.0 < auto.mean() <= 1.0


FOLD_STARTS = (400, 533, 666, 799)
"""Expanding time-ordered folds of the training part: each fold's reports are coded by a model of all older ones."""


def _ranked(right: np.ndarray, confidence: np.ndarray, share: float) -> float:
    """Accuracy of the most confident `share` of the reports."""
    order = np.argsort(-confidence, kind="stable")
    return float(right[order[: round(share * len(right))]].mean())


def test_other_models_on_expanding_folds_of_the_training_part() -> None:
    """Would another model rank its own errors better? The shipped model against class-balanced logistic
    regression on the same features, their mean, and (when the copilot's encoder is installed) logistic
    regression on all-MiniLM-L6-v2 sentence vectors and its mean with the shipped model; pooled over four
    expanding time-ordered folds of the training part (532 reports coded in all; the evaluation split unread)."""
    from sklearn.linear_model import LogisticRegression

    if not OSHA.is_file():
        pytest.skip(f"no OSHA reports file at {OSHA} (set PLEXLABOR_OSHA_TRAIN)")
    train, _ = time_split(read_coded_reports(OSHA), EVALUATION_SHARE)
    texts = [" ".join(report.narrative.split()) for report in train]
    truth = np.array([report.codes[Field.EVENT_DIVISION] for report in train])
    try:
        from plexlabor.copilot.encoder import load_encoder

        vectors: np.ndarray | None = load_encoder().encode(texts)
    except ImportError:
        vectors = None
    pooled: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for start, end in zip(FOLD_STARTS, (*FOLD_STARTS[1:], len(train)), strict=True):
        model = IncidentClassifier.fit(train[:start], ClassifierSettings())
        older, fold = model.features.transform(texts[:start]), model.features.transform(texts[start:end])
        divisions = model.models[Field.EVENT_DIVISION].classes
        groups = model.models[Field.EVENT_GROUP].classes
        inside = np.array([[group[0] == d for d in divisions] for group in groups], dtype=float)
        shipped = (
            model.models[Field.EVENT_DIVISION].probabilities(fold)
            + model.models[Field.EVENT_GROUP].probabilities(fold) @ inside
        ) / 2
        kept = np.isin(truth[:start], divisions)  # the classes the shipped model has
        balanced = LogisticRegression(C=10, max_iter=5000, class_weight="balanced")
        words = balanced.fit(older[kept], truth[:start][kept]).predict_proba(fold)
        variants = {"shipped": shipped, "balanced LR": words, "mean of both": (shipped + words) / 2}
        if vectors is not None:
            sentences = LogisticRegression(C=10, max_iter=5000).fit(vectors[:start][kept], truth[:start][kept])
            variants["MiniLM LR"] = sentences.predict_proba(vectors[start:end])
            variants["shipped + MiniLM"] = (shipped + variants["MiniLM LR"]) / 2
        for name, p in variants.items():
            pooled.setdefault(name, []).append((np.array(divisions)[p.argmax(1)] == truth[start:end], p.max(1)))
    print(f"\nexpanding folds of the training part from {FOLD_STARTS}: {len(train) - FOLD_STARTS[0]} reports coded")
    for name, folds in pooled.items():
        right, confidence = np.concatenate([r for r, _ in folds]), np.concatenate([c for _, c in folds])
        per_fold = " ".join(f"{_ranked(r, c, SHARE):.3f}" for r, c in folds)
        print(
            f"{name:16s}: accuracy {right.mean():.3f}; most confident 60 % {_ranked(right, confidence, 0.6):.3f}, "
            f"{SHARE:.0%} {_ranked(right, confidence, SHARE):.3f} (per fold {per_fold})"
        )
    assert set(pooled) >= {"shipped", "balanced LR", "mean of both"}
