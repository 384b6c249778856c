"""Would a better base classifier, a learned correctness model or abstaining per division reach the selective
target (97 % on >= 70 % auto-coded)? Measured on the TRAINING part only (issue 13): the same eight expanding
time-ordered folds as `bench_incidents_selective` (each fold coded by models of every older training report;
the evaluation split is never read).

Base classifiers (the division's probability as shipped: the mean of the division model's and its groups'
sum): the shipped one; word n-grams over Snowball stems; the employer's NAICS sector (2 and 3 digits) as
features beside the text; the OIICS code tree's event titles as extra training documents; a third model of
the three-digit event code in the mean; training reports weighed by recency (half-life 365 days); stacking
(a multinomial logistic regression over inner cross-validated probabilities of word, character and
combined SVMs, the groups' sum and complement naive Bayes). On the shipped model's fold outputs: a learned
correctness model (logistic regression or shallow gradient boosting on the confidence, margin, entropy,
predicted division, the hierarchy's agreement, the group's confidence and the text's length), trained and
its threshold chosen strictly on earlier folds; and never auto-coding a division whose earlier folds'
precision above the threshold is under 97 %.

Printed per variant: accuracy, the CV curve, the errors among the most confident 70 %, that share's accuracy
per fold (the spread), and for folds 4-8 the share / accuracy at the threshold chosen on all earlier folds
(aiming at 97 %, as `train` does). Run by `make bench` (34 minutes on 2 shared cores at load 4-17).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest
import Stemmer
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.naive_bayes import ComplementNB
from sklearn.preprocessing import OneHotEncoder
from sklearn.svm import LinearSVC

from plexlabor.incidents.classifier import ClassifierSettings, _FieldModel, choose_threshold, selective_curve
from plexlabor.incidents.oiics import EVENT_DIVISION_TITLES, Field
from plexlabor.incidents.reports import CodedReport, read_coded_reports, time_split
from tests.bench.bench_incidents import EVALUATION_SHARE, OSHA
from tests.bench.bench_incidents_selective import CURVE_SHARES, EIGHT_FOLD_STARTS, SHARE, _nested

DIVISIONS = tuple(EVENT_DIVISION_TITLES)
SETTINGS = ClassifierSettings()
HALF_LIFE_DAYS = 365
TARGET = 0.97
Labels = Sequence[str] | np.ndarray
Probabilities = Callable[[int, int], np.ndarray]
"""A variant: the division probabilities (columns `DIVISIONS`) of training reports start..end from models
of the reports before `start`."""


class _Part:
    """The bench's training part with what the variants read: texts, codes and the CSV's NAICS column."""

    def __init__(self, reports: list[CodedReport], path: Path) -> None:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = {row["id"]: row for row in csv.DictReader(handle)}
        self.texts = [" ".join(report.narrative.split()) for report in reports]
        self.divisions = np.array([report.codes[Field.EVENT_DIVISION] for report in reports])
        self.groups = [report.codes[Field.EVENT_GROUP] for report in reports]
        self.codes = [rows[report.report_id]["event_code"] for report in reports]
        self.naics = [rows[report.report_id]["naics"] for report in reports]
        self.days = np.array([report.event_date.toordinal() for report in reports])
        stemmer, token = Stemmer.Stemmer("english"), re.compile(r"(?u)\b\w\w+\b")
        self.stemmed = [" ".join(stemmer.stemWords(token.findall(text.lower()))) for text in self.texts]


def _vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    """The shipped text representation's two halves (word 1-2 grams, character 2-5 grams within words)."""
    words = TfidfVectorizer(ngram_range=SETTINGS.word_ngrams, sublinear_tf=True)
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=SETTINGS.char_ngrams, min_df=SETTINGS.char_min_df, sublinear_tf=True
    )
    return words, chars


def _widened(classes: Sequence[str], probabilities: np.ndarray) -> np.ndarray:
    """Probabilities over `classes` as columns `DIVISIONS` (a class's column sums its codes by first digit)."""
    inside = np.array([[code[0] == division for division in DIVISIONS] for code in classes], dtype=float)
    return probabilities @ inside


def _hierarchy(older: csr_matrix, fold: csr_matrix, divisions: Labels, *finer: Labels) -> np.ndarray:
    """The shipped rule: the mean of the division model's probabilities and each finer model's summed per division."""
    models = [_FieldModel(older, list(labels), SETTINGS) for labels in (divisions, *finer)]
    return np.mean([_widened(model.classes, model.probabilities(fold)) for model in models], axis=0)


def _text(part: _Part, start: int, end: int, stemmed: bool = False) -> tuple[csr_matrix, csr_matrix]:
    words, chars = _vectorizers()
    word_texts = part.stemmed if stemmed else part.texts
    older = hstack([words.fit_transform(word_texts[:start]), chars.fit_transform(part.texts[:start])]).tocsr()
    fold = hstack([words.transform(word_texts[start:end]), chars.transform(part.texts[start:end])]).tocsr()
    return older, fold


def _shipped(part: _Part, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
    """The shipped division probabilities, and the division model's own (for the hierarchy's agreement)."""
    older, fold = _text(part, start, end)
    division = _FieldModel(older, list(part.divisions[:start]), SETTINGS)
    group = _FieldModel(older, part.groups[:start], SETTINGS)
    alone = _widened(division.classes, division.probabilities(fold))
    return (alone + _widened(group.classes, group.probabilities(fold))) / 2, alone


def _variants(part: _Part, titles: list[tuple[str, str]]) -> dict[str, Probabilities]:
    def stemmed(start: int, end: int) -> np.ndarray:
        older, fold = _text(part, start, end, stemmed=True)
        return _hierarchy(older, fold, part.divisions[:start], part.groups[:start])

    def naics(start: int, end: int) -> np.ndarray:
        older, fold = _text(part, start, end)
        sectors = OneHotEncoder(handle_unknown="ignore")
        codes = [[code[:2], code[:3]] for code in part.naics]
        older = hstack([older, sectors.fit_transform(codes[:start]) * 0.5]).tocsr()
        fold = hstack([fold, sectors.transform(codes[start:end]) * 0.5]).tocsr()
        return _hierarchy(older, fold, part.divisions[:start], part.groups[:start])

    def code_titles(start: int, end: int) -> np.ndarray:
        words, chars = _vectorizers()
        older = hstack([words.fit_transform(part.texts[:start]), chars.fit_transform(part.texts[:start])])
        known = set(part.groups[:start])
        documents = [(code, title) for code, title in titles if code[:2] in known]
        extra = hstack([words.transform([t for _, t in documents]), chars.transform([t for _, t in documents])])
        fold = hstack([words.transform(part.texts[start:end]), chars.transform(part.texts[start:end])]).tocsr()
        return _hierarchy(
            vstack([older, extra]).tocsr(),
            fold,
            [*part.divisions[:start], *(code[0] for code, _ in documents)],
            [*part.groups[:start], *(code[:2] for code, _ in documents)],
        )

    def three_digits(start: int, end: int) -> np.ndarray:
        older, fold = _text(part, start, end)
        return _hierarchy(
            older, fold, part.divisions[:start], part.groups[:start], [code[:3] for code in part.codes[:start]]
        )

    def recency(start: int, end: int) -> np.ndarray:
        older, fold = _text(part, start, end)
        weights = 0.5 ** ((part.days[start - 1] - part.days[:start]) / HALF_LIFE_DAYS)
        columns = []
        for labels in (part.divisions[:start], np.array(part.groups[:start])):
            counts = Counter(labels.tolist())
            kept = np.array([counts[label] >= SETTINGS.calibration_folds for label in labels])
            model = CalibratedClassifierCV(
                LinearSVC(C=SETTINGS.svm_c), method="sigmoid", cv=SETTINGS.calibration_folds, ensemble=False
            ).fit(older[kept], labels[kept], sample_weight=weights[kept])
            columns.append(_widened(list(model.classes_), model.predict_proba(fold)))
        return (columns[0] + columns[1]) / 2

    return {
        "shipped": lambda start, end: _shipped(part, start, end)[0],
        "word n-grams over Snowball stems": stemmed,
        "+ NAICS sector (2 and 3 digits) features": naics,
        "+ OIICS event titles as training documents": code_titles,
        "mean with a three-digit event code model": three_digits,
        f"reports weighed by recency (half-life {HALF_LIFE_DAYS} d)": recency,
        "stacking (LR over inner-CV probabilities of 5 models)": lambda start, end: _stacked(part, start, end),
    }


def _stack_inputs(part: _Part, older: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Log-probabilities of five models of the `older` reports for `rows`: word, character and combined
    calibrated SVMs of the division, the combined groups' SVM summed per division, complement naive Bayes."""
    words, chars = _vectorizers()
    word_older = words.fit_transform([part.texts[i] for i in older]).tocsr()
    char_older = chars.fit_transform([part.texts[i] for i in older]).tocsr()
    word_rows = words.transform([part.texts[i] for i in rows]).tocsr()
    char_rows = chars.transform([part.texts[i] for i in rows]).tocsr()
    both_older, both_rows = hstack([word_older, char_older]).tocsr(), hstack([word_rows, char_rows]).tocsr()
    divisions, groups = [part.divisions[i] for i in older], [part.groups[i] for i in older]
    columns = []
    for fit, score in ((word_older, word_rows), (char_older, char_rows), (both_older, both_rows)):
        model = _FieldModel(fit, divisions, SETTINGS)
        columns.append(_widened(model.classes, model.probabilities(score)))
    group_model = _FieldModel(both_older, groups, SETTINGS)
    columns.append(_widened(group_model.classes, group_model.probabilities(both_rows)))
    bayes = ComplementNB(alpha=0.3).fit(word_older, divisions)
    columns.append(_widened(list(bayes.classes_), bayes.predict_proba(word_rows)))
    return np.hstack([np.log(np.clip(column, 1e-4, 1)) for column in columns])


def _stacked(part: _Part, start: int, end: int) -> np.ndarray:
    older = np.arange(start)
    inputs = np.zeros((start, 5 * len(DIVISIONS)))
    for fit, held in KFold(5, shuffle=True, random_state=0).split(older):
        inputs[held] = _stack_inputs(part, older[fit], older[held])
    meta = LogisticRegression(C=1.0, max_iter=5000).fit(inputs, part.divisions[:start])
    return _widened(list(meta.classes_), meta.predict_proba(_stack_inputs(part, older, np.arange(start, end))))


def _print(name: str, right: list[np.ndarray], confidence: list[np.ndarray]) -> None:
    rights, confidences = np.concatenate(right), np.concatenate(confidence)
    top = round(SHARE * len(rights))
    wrong = int((~rights[np.argsort(-confidences, kind="stable")[:top]]).sum())
    per_fold = [
        float(r[np.argsort(-c, kind="stable")[: round(SHARE * len(r))]].mean())
        for r, c in zip(right, confidence, strict=True)
    ]
    later, chosen = np.concatenate(right[3:]), _nested(right, confidence, TARGET, len(right))
    curve = " ".join(f"{a:.3f}" for _, a in selective_curve(confidences, rights, CURVE_SHARES))
    print(
        f"{name:55s} accuracy {rights.mean():.3f}; curve {curve}; wrong in the top 70 %: {wrong}; per fold "
        f"{' '.join(f'{a:.2f}' for a in per_fold)} (sd {np.std(per_fold):.3f}); folds 4-8 at the CV threshold "
        f"{chosen.mean():.3f} / {later[chosen].mean():.3f} ({int((~later[chosen]).sum())} wrong)",
        flush=True,
    )


def _correctness_inputs(probabilities: np.ndarray, part: _Part, rows: slice, division_alone: np.ndarray) -> np.ndarray:
    """What a correctness model reads: confidence, margin, entropy, the hierarchy's agreement (division model
    alone against the mean), the text's length and the predicted division."""
    ranked = np.sort(probabilities, 1)
    label = probabilities.argmax(1)
    entropy = -(probabilities * np.log(np.clip(probabilities, 1e-12, None))).sum(1)
    length = np.log([len(text.split()) for text in part.texts[rows]])
    predicted = np.eye(len(DIVISIONS))[label]
    agrees = division_alone.argmax(1) == label
    return np.column_stack([ranked[:, -1], ranked[:, -1] - ranked[:, -2], entropy, agrees, length, predicted])


def _learned_correctness(inputs: np.ndarray, right: np.ndarray, fold: np.ndarray, kind: str) -> tuple[np.ndarray, ...]:
    """For folds 4..: the score of a correctness model trained on the earlier folds, and which reports its
    threshold (chosen on its own time-ordered out-of-fold scores of the earlier folds, aiming at 97 %) codes."""

    def scores(fit: np.ndarray, score: np.ndarray) -> np.ndarray:
        model = (
            LogisticRegression(max_iter=5000)
            if kind == "logistic regression"
            else HistGradientBoostingClassifier(max_depth=2, max_iter=60, learning_rate=0.05, min_samples_leaf=20)
        )
        return np.asarray(model.fit(inputs[fit], right[fit]).predict_proba(inputs[score])[:, 1])

    ranked, chosen = [], []
    for k in range(3, fold.max() + 1):
        own = np.concatenate([scores(fold < j, fold == j) for j in range(1, k)])
        threshold = choose_threshold(own, right[(fold >= 1) & (fold < k)], TARGET)
        value = scores(fold < k, fold == k)
        ranked.append(value)
        chosen.append(value >= threshold)
    return np.concatenate(ranked), np.concatenate(chosen)


def test_base_classifiers_and_correctness_models_on_eight_expanding_folds_of_the_training_part() -> None:
    if not OSHA.is_file():
        pytest.skip(f"no OSHA reports file at {OSHA} (set PLEXLABOR_OSHA_TRAIN)")
    train, _ = time_split(read_coded_reports(OSHA), EVALUATION_SHARE)  # the evaluation split stays unread
    part = _Part(train, OSHA)
    with open(OSHA.parent / "oiics_event_codes.csv", newline="", encoding="utf-8") as handle:
        titles = [(row["code"], row["title"].lower()) for row in csv.DictReader(handle) if int(row["level"]) >= 2]
    bounds = list(zip(EIGHT_FOLD_STARTS, (*EIGHT_FOLD_STARTS[1:], len(train)), strict=True))
    print(f"\neight expanding folds of the training part from {EIGHT_FOLD_STARTS}: {len(train) - 400} reports coded")
    shipped = [_shipped(part, start, end) for start, end in bounds]
    for name, variant in _variants(part, titles).items():
        outputs = [mean for mean, _ in shipped] if name == "shipped" else [variant(s, e) for s, e in bounds]
        right = [
            np.array(DIVISIONS)[p.argmax(1)] == part.divisions[s:e] for p, (s, e) in zip(outputs, bounds, strict=True)
        ]
        _print(name, right, [p.max(1) for p in outputs])
    # the correctness models and the abstention read the shipped model's fold outputs
    probabilities, alone = np.vstack([mean for mean, _ in shipped]), np.vstack([own for _, own in shipped])
    fold = np.concatenate([np.full(end - start, k) for k, (start, end) in enumerate(bounds)])
    rows = slice(EIGHT_FOLD_STARTS[0], len(train))
    label = np.array(DIVISIONS)[probabilities.argmax(1)]
    right, confidence = label == part.divisions[rows], probabilities.max(1)
    inputs = _correctness_inputs(probabilities, part, rows, alone)
    later = right[fold >= 3]
    top = round(SHARE * len(later))
    wrong = int((~later[np.argsort(-confidence[fold >= 3], kind="stable")[:top]]).sum())
    print(f"folds 4-8, shipped confidence: most confident 70 % {1 - wrong / top:.3f} ({wrong} wrong of {top})")
    for kind in ("logistic regression", "gradient boosting (depth 2)"):
        score, chosen = _learned_correctness(inputs, right, fold, kind)
        wrong = int((~later[np.argsort(-score, kind="stable")[:top]]).sum())
        print(
            f"folds 4-8, correctness model ({kind}): most confident 70 % {1 - wrong / top:.3f} ({wrong} wrong); "
            f"at its own CV threshold {chosen.mean():.3f} / {later[chosen].mean():.3f} "
            f"({int((~later[chosen]).sum())} wrong)"
        )
    abstaining = []
    for k in range(3, len(bounds)):
        earlier, here = fold < k, fold == k
        threshold = choose_threshold(confidence[earlier], right[earlier], TARGET)
        sure = earlier & (confidence >= threshold)
        allowed = [
            d for d in DIVISIONS if (sure & (label == d)).sum() >= 10 and right[sure & (label == d)].mean() >= TARGET
        ]
        abstaining.append((confidence[here] >= threshold) & np.isin(label[here], allowed))
    picked = np.concatenate(abstaining)
    print(
        f"folds 4-8, abstaining on divisions under 97 % above the threshold on the earlier folds: "
        f"{picked.mean():.3f} / {later[picked].mean():.3f} ({int((~later[picked]).sum())} wrong)"
    )
    print(
        "CV precision per predicted division (all folds): "
        + ", ".join(
            f"{d} {right[label == d].mean():.3f} of {(label == d).sum()}" for d in DIVISIONS if (label == d).any()
        )
    )
    assert len(right) == len(train) - EIGHT_FOLD_STARTS[0]
