"""Why the selective target (97 % on >= 70 % auto-coded) is missed, measured on the TRAINING part only (issue
13, item 5): the bench's training part (the oldest 70 % of the OSHA file) is split in time again, its
oldest 75 % fit, its newest 25 % ("dev") measured; the evaluation split is never read.

Printed: the shipped method's dev figures (thresholds chosen on its own inner validation split), and for
each way of scoring the division's confidence the accuracy of the most confident 70 % of dev: an upper
bound for any threshold that auto-codes 70 %; other models, confidences that gate on a second model's or
the hierarchy's agreement, isotonic calibration and thresholds with a safety margin on expanding
time-ordered folds; margins, diverse models' agreement (word and character n-gram logistic regressions,
complement naive Bayes, bootstrap SVMs), consistency with the part-of-body model and calibration or
thresholds per predicted division on eight such folds; and the shipped model on shuffled 10-fold
cross-validation of the training part. Run by `make bench` (about 22 minutes on 2 shared cores).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from scipy.sparse import csr_matrix, hstack
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

from plexlabor.incidents.classifier import ClassifierSettings, IncidentClassifier, choose_threshold, selective_curve
from plexlabor.incidents.oiics import Field
from plexlabor.incidents.reports import CodedReport, read_coded_reports, time_split
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


def _division_probabilities(model: IncidentClassifier, matrix: csr_matrix) -> np.ndarray:
    """The shipped division probabilities: the mean of the division model's and the sum of its groups'."""
    divisions = model.models[Field.EVENT_DIVISION].classes
    groups = model.models[Field.EVENT_GROUP].classes
    inside = np.array([[group[0] == d for d in divisions] for group in groups], dtype=float)
    return (
        model.models[Field.EVENT_DIVISION].probabilities(matrix)
        + model.models[Field.EVENT_GROUP].probabilities(matrix) @ inside
    ) / 2


def _ranked(right: np.ndarray, confidence: np.ndarray, share: float) -> float:
    """Accuracy of the most confident `share` of the reports."""
    order = np.argsort(-confidence, kind="stable")
    return float(right[order[: round(share * len(right))]].mean())


def _training_part_with_vectors() -> tuple[list[CodedReport], list[str], np.ndarray, np.ndarray | None]:
    """The bench's training part (the evaluation split unread), its texts, its event divisions and, when the
    copilot's encoder is installed, its all-MiniLM-L6-v2 sentence vectors."""
    train, _ = time_split(read_coded_reports(OSHA), EVALUATION_SHARE)
    texts = [" ".join(report.narrative.split()) for report in train]
    truth = np.array([report.codes[Field.EVENT_DIVISION] for report in train])
    try:
        from plexlabor.copilot.encoder import EncoderUnavailable, load_encoder
    except ImportError:
        return train, texts, truth, None
    try:
        return train, texts, truth, load_encoder().encode(texts)
    except EncoderUnavailable:
        return train, texts, truth, None


def test_other_models_on_expanding_folds_of_the_training_part() -> None:
    """Would another model rank its own errors better? The shipped model against class-balanced logistic
    regression on the same features, their mean, and (when the copilot's encoder is installed) logistic
    regression on all-MiniLM-L6-v2 sentence vectors and its mean with the shipped model; pooled over four
    expanding time-ordered folds of the training part (532 reports coded in all; the evaluation split unread)."""
    if not OSHA.is_file():
        pytest.skip(f"no OSHA reports file at {OSHA} (set PLEXLABOR_OSHA_TRAIN)")
    train, texts, truth, vectors = _training_part_with_vectors()
    pooled: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for start, end in zip(FOLD_STARTS, (*FOLD_STARTS[1:], len(train)), strict=True):
        model = IncidentClassifier.fit(train[:start], ClassifierSettings())
        older, fold = model.features.transform(texts[:start]), model.features.transform(texts[start:end])
        divisions = model.models[Field.EVENT_DIVISION].classes
        shipped = _division_probabilities(model, fold)
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


def _candidates(fit: list[CodedReport], texts: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each candidate confidence's division and confidence for `texts`, from models of `fit` only."""
    model = IncidentClassifier.fit(fit, ClassifierSettings())
    fit_texts = [" ".join(report.narrative.split()) for report in fit]
    matrix, coded = model.features.transform(fit_texts), model.features.transform(texts)
    divisions = np.array(model.models[Field.EVENT_DIVISION].classes)
    truth = np.array([report.codes[Field.EVENT_DIVISION] for report in fit])
    kept = np.isin(truth, divisions)  # the classes the shipped model has
    shipped = _division_probabilities(model, coded)
    label, confidence = divisions[shipped.argmax(1)], shipped.max(1)
    characters = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True),
        LogisticRegression(C=10, max_iter=5000),
    )
    second_opinion = characters.fit(np.array(fit_texts)[kept], truth[kept]).predict(texts)
    division_alone = divisions[model.models[Field.EVENT_DIVISION].probabilities(coded).argmax(1)]
    groups = model.models[Field.EVENT_GROUP].classes
    top_group = np.array([groups[index][0] for index in model.models[Field.EVENT_GROUP].probabilities(coded).argmax(1)])
    isotonic = CalibratedClassifierCV(LinearSVC(), method="isotonic", cv=5).fit(matrix[kept], truth[kept])
    assert list(isotonic.classes_) == list(divisions)
    per_class = isotonic.predict_proba(coded)
    mean = (shipped + per_class) / 2
    return {
        "shipped": (label, confidence),
        "shipped if char-LR agrees": (label, confidence * (second_opinion == label)),
        "shipped if hierarchy agrees": (label, confidence * ((division_alone == label) & (top_group == label))),
        "isotonic per class": (divisions[per_class.argmax(1)], per_class.max(1)),
        "mean shipped+isotonic": (divisions[mean.argmax(1)], mean.max(1)),
    }


MARGIN_TARGETS = (0.97, 0.975, 0.98)
SINGLE_SPLIT_SHARE = 0.2
"""The newest share of the training reports `train` chose its thresholds on before 2026-12-05 (one split)."""


def _auto_coded(
    label: np.ndarray, confidence: np.ndarray, dev_label: np.ndarray, dev_confidence: np.ndarray, dev_right: np.ndarray
) -> dict[str, np.ndarray]:
    """Which reports each threshold rule auto-codes; every threshold chosen on the dev reports only."""
    chosen = {
        f"aim {target:.1%}": confidence >= choose_threshold(dev_confidence, dev_right, target)
        for target in MARGIN_TARGETS
    }
    per_class = np.zeros(len(label), dtype=bool)
    for division in set(label.tolist()):
        of = dev_label == division
        threshold = choose_threshold(dev_confidence[of], dev_right[of], 0.97) if of.any() else np.inf
        per_class |= (label == division) & (confidence >= threshold)
    chosen["97 % per division"] = per_class
    return chosen


def test_candidate_confidences_and_threshold_margins_on_expanding_folds_of_the_training_part() -> None:
    """The issue's candidates for a better selective confidence, each fold coded by models of every older
    training report: the shipped confidence gated on a character n-gram logistic regression agreeing, or on
    the division model, the groups' sum and the likeliest group agreeing; isotonic calibration per class
    (CalibratedClassifierCV, 5 folds) alone and averaged with the shipped confidence. Each candidate's
    thresholds (aiming at 97 %, 97.5 %, 98 %, and 97 % per predicted division) are chosen as `train` did
    before 2026-12-05, on the newest 20 % of the fold's older reports with a model of the rest; the
    evaluation split is unread."""
    if not OSHA.is_file():
        pytest.skip(f"no OSHA reports file at {OSHA} (set PLEXLABOR_OSHA_TRAIN)")
    train, _ = time_split(read_coded_reports(OSHA), EVALUATION_SHARE)
    texts = [" ".join(report.narrative.split()) for report in train]
    truth = np.array([report.codes[Field.EVENT_DIVISION] for report in train])
    right: dict[str, list[np.ndarray]] = {}
    confidences: dict[str, list[np.ndarray]] = {}
    auto: dict[tuple[str, str], list[np.ndarray]] = {}
    for start, end in zip(FOLD_STARTS, (*FOLD_STARTS[1:], len(train)), strict=True):
        fit, _ = time_split(train[:start], SINGLE_SPLIT_SHARE)
        coded, checked = _candidates(train[:start], texts[start:end]), _candidates(fit, texts[len(fit) : start])
        for name, (label, confidence) in coded.items():
            dev_label, dev_confidence = checked[name]
            right.setdefault(name, []).append(label == truth[start:end])
            confidences.setdefault(name, []).append(confidence)
            rules = _auto_coded(label, confidence, dev_label, dev_confidence, dev_label == truth[len(fit) : start])
            for rule, chosen in rules.items():
                auto.setdefault((name, rule), []).append(chosen)
    print(
        f"\ncandidates on expanding folds of the training part from {FOLD_STARTS}: {len(train) - FOLD_STARTS[0]} coded"
    )
    for name in right:
        rights, confidence = np.concatenate(right[name]), np.concatenate(confidences[name])
        per_fold = " ".join(f"{_ranked(r, c, SHARE):.3f}" for r, c in zip(right[name], confidences[name], strict=True))
        print(
            f"{name:28s}: accuracy {rights.mean():.3f}; most confident 70 % {_ranked(rights, confidence, SHARE):.3f} "
            f"(per fold {per_fold})"
        )
        applied = [(rule, np.concatenate(chosen)) for (of, rule), chosen in auto.items() if of == name]
        print(
            "    thresholds from each fold's dev, auto-coded share / accuracy: "
            + "; ".join(f"{rule} {chosen.mean():.3f} / {rights[chosen].mean():.3f}" for rule, chosen in applied)
        )
    assert set(right) >= {"shipped", "isotonic per class"}


def test_shipped_model_on_shuffled_folds_of_the_training_part() -> None:
    """The shipped model on 10 shuffled folds of the training part, three shuffles (each fold coded by a
    model of the other nine: more reports per fit than the time-ordered folds and no drift, so an
    optimistic view): the accuracy of the most confident shares and the largest share with 97 % accuracy.
    The spread between shuffles shows how much of a 70 % share's accuracy is chance."""
    if not OSHA.is_file():
        pytest.skip(f"no OSHA reports file at {OSHA} (set PLEXLABOR_OSHA_TRAIN)")
    train, _ = time_split(read_coded_reports(OSHA), EVALUATION_SHARE)
    truth = np.array([report.codes[Field.EVENT_DIVISION] for report in train])
    print(f"\nshuffled 10-fold CV of the training part ({len(train)} reports)")
    for shuffle in range(3):
        right, confidence = np.zeros(len(train), dtype=bool), np.zeros(len(train))
        for fit, coded in KFold(10, shuffle=True, random_state=shuffle).split(train):
            results = IncidentClassifier.fit([train[i] for i in fit], ClassifierSettings()).classify_many(
                [train[i].narrative for i in coded]
            )
            right[coded] = [result.code(Field.EVENT_DIVISION) for result in results] == truth[coded]
            confidence[coded] = [result.codings[Field.EVENT_DIVISION].confidence for result in results]
        order = np.argsort(-confidence, kind="stable")
        reaching = np.flatnonzero(np.cumsum(right[order]) / np.arange(1, len(order) + 1) >= 0.97)
        largest = (reaching.max() + 1) / len(order) if len(reaching) else 0.0
        print(
            f"shuffle {shuffle}: accuracy {right.mean():.3f}; most confident "
            + ", ".join(f"{share:.0%} {_ranked(right, confidence, share):.3f}" for share in (0.5, 0.6, 0.7, 0.8))
            + f"; largest share at >= 97 %: {largest:.3f}"
        )
        assert 0.0 < right.mean() <= 1.0


EIGHT_FOLD_STARTS = (400, 466, 533, 599, 666, 732, 799, 865)
"""Eight expanding time-ordered folds of the training part (about 66 reports each, 532 coded in all)."""
CURVE_SHARES = (0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9, 1.0)
OTHER_DIVISION_CUES = {
    "1": r"assault\w*|attack\w*|punch\w*|altercation|fight\w*|stabb\w*|gunshot|robber\w*|bitten|bite|dog|horse|"
    r"cow|bull|animal|insect|stung|snake",
    "3": r"fire|explo\w*|blast|ignit\w*|flame\w*|burst",
    "5": r"electric\w*|electrocut\w*|shock\w*|volt\w*|power line|arc flash|heat|chemical|ammonia|chlorine|fume\w*|"
    r"inhal\w*|gas|scald\w*|burn\w*|steam|drown\w*|infect\w*|needle|exposed|exposure|asphyxia\w*|oxygen",
    "7": r"lift(?:ing|ed)?|pull(?:ing|ed)|push(?:ing|ed)|twist\w*|strain\w*|pop|popped|felt (?:a )?(?:sharp )?pain|"
    r"hernia|bent over|bending|overexert\w*",
}
"""Words of the rarer OIICS event divisions (violence and animals, fires and explosions, exposure, overexertion),
written from the OIICS division definitions AFTER reading the confident errors of these folds: their
figures below are optimistic."""


def _cue_divisions(text: str) -> set[str]:
    return {division for division, words in OTHER_DIVISION_CUES.items() if re.search(rf"\b(?:{words})\b", text, re.I)}


def _fold_views(
    train: list[CodedReport], texts: list[str], vectors: np.ndarray | None, start: int, end: int
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Division and confidence of each view for reports start..end, from models of the reports before `start`."""
    model = IncidentClassifier.fit(train[:start], ClassifierSettings())
    truth = np.array([report.codes[Field.EVENT_DIVISION] for report in train[:start]])
    older, fold = model.features.transform(texts[:start]), model.features.transform(texts[start:end])
    divisions = np.array(model.models[Field.EVENT_DIVISION].classes)
    kept = np.isin(truth, divisions)  # the classes the shipped model has
    shipped = _division_probabilities(model, fold)
    label, rows = shipped.argmax(1), np.arange(end - start)
    cues = [_cue_divisions(text) - {divisions[index]} for text, index in zip(texts[start:end], label, strict=True)]
    views = {
        "shipped": (divisions[label], shipped.max(1)),
        "shipped x 0.9 when another division's words": (
            divisions[label],
            shipped.max(1) * [1 - 0.1 * bool(c) for c in cues],
        ),
    }
    if vectors is not None:
        sentences = LogisticRegression(C=10, max_iter=5000).fit(vectors[:start][kept], truth[kept])
        minilm = sentences.predict_proba(vectors[start:end])
        both = CalibratedClassifierCV(LinearSVC(), method="sigmoid", cv=5, ensemble=False).fit(
            hstack([older[kept], csr_matrix(vectors[:start][kept])]).tocsr(), truth[kept]
        )
        joined = both.predict_proba(hstack([fold, csr_matrix(vectors[start:end])]).tocsr())
        agree = divisions[minilm.argmax(1)] == divisions[label]
        views |= {
            "MiniLM LR": (divisions[minilm.argmax(1)], minilm.max(1)),
            "shipped if MiniLM agrees": (divisions[label], shipped.max(1) * agree),
            "min(shipped, MiniLM's p of it)": (divisions[label], np.minimum(shipped.max(1), minilm[rows, label])),
            "SVM on TF-IDF + MiniLM": (divisions[joined.argmax(1)], joined.max(1)),
            "mean shipped, TF-IDF + MiniLM": (divisions[(joined + shipped).argmax(1)], (joined + shipped).max(1) / 2),
        }
    return views


def _nested(right: list[np.ndarray], confidence: list[np.ndarray], target: float, window: int) -> np.ndarray:
    """Which reports of folds 3.. are auto-coded when each fold's threshold is chosen on the `window` folds
    before it (pooled), as `train` chooses it."""
    chosen = []
    for k in range(3, len(right)):
        earlier = slice(max(0, k - window), k)
        threshold = choose_threshold(np.concatenate(confidence[earlier]), np.concatenate(right[earlier]), target)
        chosen.append(confidence[k] >= threshold)
    return np.concatenate(chosen)


def test_views_and_threshold_windows_on_eight_expanding_folds_of_the_training_part() -> None:
    """The CV curve (share auto-coded against accuracy) of the shipped confidence and of the views the issue
    proposed (MiniLM sentence vectors alone, as a gate on the shipped division, concatenated with the TF-IDF
    features; OIICS keyword evidence), on eight expanding time-ordered folds of the training part; and the
    thresholds chosen for folds 4-8 on the pooled folds before each (all of them, as `train` now does, or
    the last two, about the single newest-20 % split it used before), aiming at 97 %, 97.5 % and 98 %."""
    if not OSHA.is_file():
        pytest.skip(f"no OSHA reports file at {OSHA} (set PLEXLABOR_OSHA_TRAIN)")
    train, texts, truth, vectors = _training_part_with_vectors()
    right: dict[str, list[np.ndarray]] = {}
    confidence: dict[str, list[np.ndarray]] = {}
    for start, end in zip(EIGHT_FOLD_STARTS, (*EIGHT_FOLD_STARTS[1:], len(train)), strict=True):
        for name, (label, confident) in _fold_views(train, texts, vectors, start, end).items():
            right.setdefault(name, []).append(label == truth[start:end])
            confidence.setdefault(name, []).append(confident)
    print(f"\neight expanding folds of the training part from {EIGHT_FOLD_STARTS}: {len(train) - 400} reports coded")
    for name in right:
        rights, confidences = np.concatenate(right[name]), np.concatenate(confidence[name])
        curve = " ".join(
            f"{share:.0%} {accuracy:.3f}" for share, accuracy in selective_curve(confidences, rights, CURVE_SHARES)
        )
        print(f"{name:44s} most confident {curve}")
        later = np.concatenate(right[name][3:])
        for window in (8, 2):
            rules = []
            for target in MARGIN_TARGETS:
                chosen = _nested(right[name], confidence[name], target, window)
                wrong = int((~later[chosen]).sum())
                rules.append(f"aim {target:.1%} {chosen.mean():.3f} / {later[chosen].mean():.3f} ({wrong} wrong)")
            print(
                f"    folds 4-8, threshold from {'all earlier folds' if window == 8 else 'the 2 folds before'}: "
                + "; ".join(rules)
            )
    assert set(right) >= {"shipped"}


BAGS = 10
"""Bootstrap refits of the division SVM whose votes make one candidate confidence."""


def _diverse_views(train: list[CodedReport], texts: list[str], start: int, end: int) -> dict[str, Any]:
    """For reports start..end, from models of the reports before `start` only: each candidate's division and
    confidence (`views`), and the shipped division, confidence and part-division probabilities (for the
    candidates that need the earlier folds: per-division maps and the part-of-body consistency)."""
    model = IncidentClassifier.fit(train[:start], ClassifierSettings())
    truth = np.array([report.codes[Field.EVENT_DIVISION] for report in train[:start]])
    older, fold = model.features.transform(texts[:start]), model.features.transform(texts[start:end])
    divisions = np.array(model.models[Field.EVENT_DIVISION].classes)
    kept = np.isin(truth, divisions)  # the classes the shipped model has
    words = len(model.features.transformer_list[0][1].vocabulary_)  # the union's word columns come first
    rows = np.arange(end - start)
    shipped = _division_probabilities(model, fold)
    label = shipped.argmax(1)
    ranked = np.sort(shipped, 1)
    others = {
        "word LR": LogisticRegression(C=10, max_iter=5000).fit(older[kept][:, :words], truth[kept]),
        "char LR": LogisticRegression(C=10, max_iter=5000).fit(older[kept][:, words:], truth[kept]),
        "complement NB": ComplementNB(alpha=0.3).fit(older[kept][:, :words], truth[kept]),
    }
    columns = {"word LR": slice(None, words), "char LR": slice(words, None), "complement NB": slice(None, words)}
    second = {name: other.predict_proba(fold[:, columns[name]]) for name, other in others.items()}
    agree = {name: divisions[p.argmax(1)] == divisions[label] for name, p in second.items()}
    generator = np.random.default_rng(0)
    votes = np.zeros(end - start)
    for _ in range(BAGS):
        drawn = generator.integers(0, int(kept.sum()), int(kept.sum()))
        votes += LinearSVC().fit(older[kept][drawn], truth[kept][drawn]).predict(fold) == divisions[label]
    groups = model.models[Field.EVENT_GROUP].classes
    inside = np.array([[group[0] == d for d in divisions] for group in groups], dtype=float)
    alone = model.models[Field.EVENT_DIVISION].probabilities(fold)
    group_probabilities = model.models[Field.EVENT_GROUP].probabilities(fold)
    top_group = np.array([groups[index][0] for index in group_probabilities.argmax(1)])
    mean = (shipped + sum(second.values())) / (1 + len(second))
    views = {
        "shipped (max probability)": shipped.max(1),
        "margin p1 - p2": ranked[:, -1] - ranked[:, -2],
        "minus entropy": (shipped * np.log(np.clip(shipped, 1e-12, None))).sum(1),
        **{f"shipped, 0 unless {name} agrees": shipped.max(1) * agreed for name, agreed in agree.items()},
        "shipped, 0 unless all three agree": shipped.max(1) * np.logical_and.reduce(list(agree.values())),
        f"shipped x share of {BAGS} bootstrap SVMs agreeing": shipped.max(1) * votes / BAGS,
        "shipped, 0 unless division model, groups' sum, likeliest group agree": shipped.max(1)
        * ((divisions[alone.argmax(1)] == divisions[label]) & (top_group == divisions[label])),
    }
    recombined = {
        f"division = {weight} x division model + {1 - weight} x groups' sum": weight * alone
        + (1 - weight) * group_probabilities @ inside
        for weight in (0.25, 0.75)
    } | {"mean of shipped, word LR, char LR, complement NB": mean}
    coded = {name: (divisions[label], confident) for name, confident in views.items()}
    coded |= {name: (divisions[p.argmax(1)], p.max(1)) for name, p in recombined.items()}
    parts = model.models[Field.PART_DIVISION]
    return {
        "views": coded,
        "label": divisions[label],
        "confidence": shipped.max(1),
        "shipped": shipped,
        "divisions": divisions,
        "parts": (parts.classes, parts.probabilities(fold)),
        "rows": rows,
    }


def _part_consistency(older: list[CodedReport], fold: dict[str, Any]) -> np.ndarray:
    """min(shipped confidence, the division's probability once weighed with the part-of-body model's
    probabilities by how often the older reports pair each event division with each part division)."""
    divisions, (parts, part_probabilities) = list(fold["divisions"]), fold["parts"]
    pairs = np.ones((len(divisions), len(parts)))  # add-one: a pair never seen is rare, not impossible
    for report in older:
        division, part = report.codes[Field.EVENT_DIVISION], report.codes[Field.PART_DIVISION]
        if division in divisions and part in parts:
            pairs[divisions.index(division), parts.index(part)] += 1
    lift = pairs * pairs.sum() / pairs.sum(1, keepdims=True) / pairs.sum(0, keepdims=True)
    joint = (fold["shipped"][:, :, None] * part_probabilities[:, None, :] * lift[None]).sum(2)
    joint /= joint.sum(1, keepdims=True)
    chosen = fold["shipped"].argmax(1)
    return np.minimum(fold["confidence"], joint[fold["rows"], chosen])


def _per_division(
    label: list[np.ndarray], confidence: list[np.ndarray], right: list[np.ndarray]
) -> tuple[list[np.ndarray], np.ndarray]:
    """For folds 4..: the confidence mapped by an isotonic fit per predicted division on the earlier folds
    (pooled; all divisions together for one with fewer than 20 reports), and which reports a threshold per
    predicted division aiming at 97 % on the earlier folds auto-codes (the pooled one below 30 reports)."""
    mapped, chosen = [], []
    for k in range(3, len(right)):
        labels, confidences = np.concatenate(label[:k]), np.concatenate(confidence[:k])
        rights = np.concatenate(right[:k])
        pooled = IsotonicRegression(out_of_bounds="clip").fit(confidences, rights)
        everyone = choose_threshold(confidences, rights, 0.97)
        values, picked = np.zeros(len(right[k])), np.zeros(len(right[k]), dtype=bool)
        for division in set(label[k].tolist()):
            of, here = labels == division, label[k] == division
            curve = (
                IsotonicRegression(out_of_bounds="clip").fit(confidences[of], rights[of]) if of.sum() >= 20 else pooled
            )
            values[here] = curve.predict(confidence[k][here]) + 1e-3 * confidence[k][here]  # ties by confidence
            threshold = choose_threshold(confidences[of], rights[of], 0.97) if of.sum() >= 30 else everyone
            picked |= here & (confidence[k] >= threshold)
        mapped.append(values)
        chosen.append(picked)
    return mapped, np.concatenate(chosen)


def test_diverse_models_margins_and_per_division_calibration_on_eight_expanding_folds_of_the_training_part() -> None:
    """The candidates of 2026-12-06 for a confidence that ranks the division's errors lower, on the eight
    expanding time-ordered folds (each coded by models of every older training report; the evaluation split
    unread): margin and entropy instead of the largest probability; gates on diverse models agreeing (word
    n-gram and character n-gram logistic regressions, complement naive Bayes, bootstrap SVMs); the mean of
    those models; the hierarchy's agreement and other weights of the division model against its groups'
    sum; consistency with the part-of-body model; and, from the earlier folds only, an isotonic map and a
    threshold per predicted division. Printed: the CV curve, the errors among the most confident 70 %, and
    for folds 4-8 the share and accuracy at the threshold chosen on all earlier folds (as `train` does)."""
    if not OSHA.is_file():
        pytest.skip(f"no OSHA reports file at {OSHA} (set PLEXLABOR_OSHA_TRAIN)")
    train, _ = time_split(read_coded_reports(OSHA), EVALUATION_SHARE)
    texts = [" ".join(report.narrative.split()) for report in train]
    truth = np.array([report.codes[Field.EVENT_DIVISION] for report in train])
    right: dict[str, list[np.ndarray]] = {}
    confidence: dict[str, list[np.ndarray]] = {}
    shipped_label: list[np.ndarray] = []
    for start, end in zip(EIGHT_FOLD_STARTS, (*EIGHT_FOLD_STARTS[1:], len(train)), strict=True):
        fold = _diverse_views(train, texts, start, end)
        views = fold["views"] | {
            "min(shipped, consistency with part of body)": (fold["label"], _part_consistency(train[:start], fold))
        }
        for name, (label, confident) in views.items():
            right.setdefault(name, []).append(label == truth[start:end])
            confidence.setdefault(name, []).append(confident)
        shipped_label.append(fold["label"])
    print(f"\ndiverse models on eight expanding folds from {EIGHT_FOLD_STARTS}: {len(train) - 400} reports coded")
    top = round(SHARE * (len(train) - EIGHT_FOLD_STARTS[0]))
    for name in right:
        rights, confidences = np.concatenate(right[name]), np.concatenate(confidence[name])
        curve = " ".join(f"{s:.0%} {a:.3f}" for s, a in selective_curve(confidences, rights, CURVE_SHARES))
        wrong = int((~rights[np.argsort(-confidences, kind="stable")[:top]]).sum())
        later = np.concatenate(right[name][3:])
        chosen = _nested(right[name], confidence[name], 0.97, len(EIGHT_FOLD_STARTS))
        print(
            f"{name:72s} {curve}; wrong in the top 70 %: {wrong}; folds 4-8 at the CV threshold "
            f"{chosen.mean():.3f} / {later[chosen].mean():.3f} ({int((~later[chosen]).sum())} wrong)"
        )
    shipped = "shipped (max probability)"
    later = np.concatenate(right[shipped][3:])
    later_top = round(SHARE * len(later))
    mapped, per_division = _per_division(shipped_label, confidence[shipped], right[shipped])
    for name, ranking in (
        ("shipped", np.concatenate(confidence[shipped][3:])),
        ("isotonic per division", np.concatenate(mapped)),
    ):
        wrong = int((~later[np.argsort(-ranking, kind="stable")[:later_top]]).sum())
        print(f"folds 4-8, {name}: most confident 70 % {1 - wrong / later_top:.3f} ({wrong} wrong of {later_top})")
    print(
        f"folds 4-8, a threshold per predicted division aiming at 97 %: {per_division.mean():.3f} / "
        f"{later[per_division].mean():.3f} ({int((~later[per_division]).sum())} wrong)"
    )
    assert set(right) >= {shipped, "margin p1 - p2"}
