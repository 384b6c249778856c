"""The OIICS classifier on a small fixture: codes, calibrated confidences, hierarchy, thresholds, files."""

from __future__ import annotations

import copy
import gzip
import pickle
from dataclasses import replace
from itertools import chain
from pathlib import Path

import numpy as np
import pytest

from plexlabor.incidents.classifier import (
    MODEL_FORMAT,
    NEVER,
    Classification,
    ClassifierSettings,
    IncidentClassifier,
    choose_threshold,
    selective_curve,
)
from plexlabor.incidents.errors import IncidentModelError
from plexlabor.incidents.evaluation import evaluate, yardstick
from plexlabor.incidents.oiics import Field
from plexlabor.incidents.reports import CodedReport
from tests.unit.incidents.conftest import as_reports, coded_rows


@pytest.fixture(scope="module")
def unseen() -> list[CodedReport]:
    return as_reports(coded_rows(60, seed=99))


def test_codes_unseen_narratives_of_each_group(trained: IncidentClassifier, unseen: list[CodedReport]) -> None:
    results = trained.classify_many([r.narrative for r in unseen])
    right = [c.code(Field.EVENT_GROUP) == r.codes[Field.EVENT_GROUP] for c, r in zip(results, unseen, strict=True)]
    assert np.mean(right) >= 0.95
    press = trained.classify("The operator's hand was caught in the press rollers and a finger was amputated.")
    assert press.codings[Field.EVENT_GROUP].code == "64"
    assert press.codings[Field.EVENT_GROUP].title == "Caught in or compressed by equipment or objects"
    assert press.codings[Field.PART_DIVISION].title == "Upper extremities"


def test_group_always_inside_the_division_and_confidences_are_probabilities(
    trained: IncidentClassifier, unseen: list[CodedReport]
) -> None:
    for result in trained.classify_many([r.narrative for r in unseen] + ["", "zzz qqq", "fell " * 50]):
        division, group = result.codings[Field.EVENT_DIVISION], result.codings[Field.EVENT_GROUP]
        assert group.code.startswith(division.code)
        assert 0.0 <= group.confidence <= division.confidence <= 1.0
        assert all(0.0 <= coding.confidence <= 1.0 for coding in result.codings.values())


def test_vague_text_is_less_confident_than_a_clear_one(trained: IncidentClassifier) -> None:
    vague = trained.classify("An employee was injured while working the second shift.")
    clear = trained.classify("An employee fell 12 feet from a ladder while loading parts and fractured his leg.")
    assert clear.code(Field.EVENT_GROUP) == "43"
    assert vague.codings[Field.EVENT_DIVISION].confidence < clear.codings[Field.EVENT_DIVISION].confidence
    assert clear.auto_coded and clear.codings[Field.EVENT_DIVISION].confident


def test_thresholds_come_from_time_ordered_folds_of_the_newest_training_reports(
    trained: IncidentClassifier, fixture_reports: list[CodedReport]
) -> None:
    card = trained.card
    assert card is not None
    assert (card.reports, card.validation_reports) == (200, 100)  # the newest half, in six folds
    assert card.last_date == max(r.event_date for r in fixture_reports).isoformat()
    assert card.validation_auto_coded_accuracy >= 0.97
    assert trained.thresholds[Field.EVENT_DIVISION] == card.thresholds["event_division"] <= 1.0
    shares = [share for share, _ in card.validation_curve]
    assert shares[0] == 0.5 and shares[-1] == 1.0
    assert card.validation_curve[-1][1] == card.validation_accuracy["event_division"]


def test_each_fold_is_coded_by_a_model_of_every_older_report(
    fixture_reports: list[CodedReport], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The thresholds' folds: the newest half in six folds in time, each coded by a model of exactly the
    reports before it; then one model of every report."""
    fitted: list[list[str]] = []
    coded: list[list[str]] = []
    real_fit, real_classify = IncidentClassifier.fit.__func__, IncidentClassifier.classify_many  # type: ignore[attr-defined]

    def fit(
        cls: type[IncidentClassifier], reports: list[CodedReport], settings: ClassifierSettings
    ) -> IncidentClassifier:
        fitted.append([report.report_id for report in reports])
        return real_fit(cls, reports, settings)

    def classify_many(self: IncidentClassifier, narratives: list[str]) -> list[Classification]:
        coded.append([by_narrative[narrative] for narrative in narratives])
        return real_classify(self, narratives)

    reports = [
        replace(report, narrative=f"{report.narrative} Report {report.report_id}.") for report in fixture_reports
    ]
    by_narrative = {report.narrative: report.report_id for report in reports}
    monkeypatch.setattr(IncidentClassifier, "fit", classmethod(fit))
    monkeypatch.setattr(IncidentClassifier, "classify_many", classify_many)
    IncidentClassifier.train(list(reversed(reports)), ClassifierSettings(calibration_folds=3))
    ordered = [r.report_id for r in sorted(fixture_reports, key=lambda report: (report.event_date, report.report_id))]
    assert len(coded) == 6 and fitted[-1] == ordered
    assert [len(fold) for fold in coded] == [17, 16, 17, 17, 16, 17]
    for older, fold in zip(fitted, coded, strict=False):
        assert older + fold == ordered[: len(older) + len(fold)]
    assert list(chain.from_iterable(coded)) == ordered[100:]


def test_selective_curve_is_the_accuracy_of_the_most_confident_share() -> None:
    confidences = np.array([0.6, 0.99, 0.7, 0.95])
    correct = np.array([False, True, False, True])
    assert selective_curve(confidences, correct, (0.5, 0.75, 1.0)) == ((0.5, 1.0), (0.75, 2 / 3), (1.0, 0.5))


def test_choose_threshold_is_the_lowest_confidence_reaching_the_target() -> None:
    confidences = np.array([0.99, 0.95, 0.9, 0.8, 0.7, 0.6])
    correct = np.array([True, True, True, True, False, False])
    assert choose_threshold(confidences, correct, 0.97) == 0.8
    assert choose_threshold(confidences, correct, 0.6) == 0.6
    assert choose_threshold(np.array([0.9]), np.array([False]), 0.97) == NEVER


def test_evaluate_reports_the_issue_keys(trained: IncidentClassifier, unseen: list[CodedReport]) -> None:
    figures = evaluate(trained, unseen)
    for key in (
        "event_division_accuracy",
        "event_division_macro_f1",
        "event_group_accuracy",
        "auto_coded_share",
        "auto_coded_accuracy",
    ):
        assert 0.0 <= figures[key] <= 1.0
    assert figures["event_group_accuracy"] >= 0.95 and figures["auto_coded_share"] > 0.5
    stick = yardstick(as_reports(coded_rows(100)), unseen)
    assert stick.event_division_accuracy >= 0.9 and 0.0 < stick.event_division_macro_f1 <= 1.0


def test_saved_model_classifies_the_same(trained: IncidentClassifier, tmp_path: Path) -> None:
    path = tmp_path / "model.pkl"
    trained.save(path)
    loaded = IncidentClassifier.load(path)
    text = "A worker slipped on a wet floor while moving material and broke his wrist."
    assert loaded.classify(text) == trained.classify(text)
    assert loaded.thresholds == trained.thresholds


def test_a_model_saved_before_the_curve_was_kept_still_loads(trained: IncidentClassifier) -> None:
    """Models stored by incident_retrain before 2026-12-05 have cards without `validation_curve`."""
    old = copy.deepcopy(trained)
    assert old.card is not None
    del old.card.__dict__["validation_curve"]
    loaded = IncidentClassifier.from_bytes(old.to_bytes(), "old.pkl.gz")
    assert loaded.card is not None and loaded.card.validation_curve == ()
    assert loaded.thresholds == trained.thresholds


@pytest.mark.parametrize(
    ("blob", "problem"),
    [
        (b"not a pickle", "not an incident model"),
        (pickle.dumps({"format": "other"}), "not an incident model"),
        (gzip.compress(pickle.dumps({"format": "other"}), mtime=0), "not an incident model of format"),
        (
            gzip.compress(pickle.dumps({"format": MODEL_FORMAT, "sklearn": "0.1"}), mtime=0),
            "trained with scikit-learn 0.1",
        ),
    ],
    ids=["not-a-pickle", "plain-pickle", "other-format", "other-sklearn"],  # the same in every xdist worker
)
def test_other_files_are_refused_by_name(tmp_path: Path, blob: bytes, problem: str) -> None:
    path = tmp_path / "m.pkl"
    path.write_bytes(blob)
    with pytest.raises(IncidentModelError, match=problem) as caught:
        IncidentClassifier.load(path)
    assert str(path) in str(caught.value)
