"""Scoring findings against labels: per-type and overall precision/recall/F1, shares, the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from plexlabor.models.anomalies import AnomalyLabel, AnomalyType
from plexlabor.plant import PlantFolder, PlantMeta
from plexlabor.validation.findings import Finding, Route, finding_id_for, write_findings
from plexlabor.validation.scoring import label_bearing_record_count, score
from plexlabor_dev.cli import main

A = AnomalyType


def finding(key: str, anomaly: AnomalyType, confidence: float = 0.9, route: Route = "trend") -> Finding:
    return Finding(
        finding_id=finding_id_for(key, anomaly),
        record_key=key,
        employee_id="E1",
        anomaly_type=anomaly,
        confidence=confidence,
        severity="medium",
        note="test finding",
        model_version="test",
        route=route,
    )


def label(key: str, anomaly: AnomalyType) -> AnomalyLabel:
    return AnomalyLabel(record_key=key, anomaly_type=anomaly, employee_id="E1")


LABELS = [
    label("time-clock-entries:a", A.LATE_CLOCK_IN),
    label("time-clock-entries:b", A.DUPLICATE_PUNCH),
    label("labor-entries:c", A.JOB_CODE_MISMATCH),
]


def test_perfect_findings_score_one_everywhere() -> None:
    # Given findings that match every label exactly
    findings = [finding(lb.record_key, lb.anomaly_type) for lb in LABELS]
    # When scored
    report = score(findings, LABELS, total_records=100)
    # Then every type, present or not, scores 1 and the overall figures are perfect
    assert set(report.per_type) == set(AnomalyType)
    assert all(s.precision == s.recall == s.f1 == 1.0 for s in report.per_type.values())
    assert report.overall.tp == 3 and report.overall.fp == report.overall.fn == 0
    assert report.per_type[A.LATE_CLOCK_IN].support == 1
    assert report.per_type[A.BUDDY_PUNCH].support == 0
    assert report.flagged_share == report.true_share == pytest.approx(0.03)


def test_all_wrong_findings_score_zero() -> None:
    # Given findings on other records, and of a type with no labels
    findings = [finding("time-clock-entries:x", A.LATE_CLOCK_IN), finding("badge-swipes:y", A.BUDDY_PUNCH)]
    # When scored
    report = score(findings, LABELS, total_records=None)
    # Then a labelled type that was only missed and an unlabelled type that only raised alarms both score 0
    late = report.per_type[A.LATE_CLOCK_IN]
    assert (late.tp, late.fp, late.fn, late.precision, late.recall, late.f1) == (0, 1, 1, 0.0, 0.0, 0.0)
    buddy = report.per_type[A.BUDDY_PUNCH]
    assert (buddy.support, buddy.flagged, buddy.precision, buddy.recall, buddy.f1) == (0, 1, 0.0, 0.0, 0.0)
    missed = report.per_type[A.JOB_CODE_MISMATCH]  # labelled, never flagged
    assert (missed.precision, missed.recall, missed.f1) == (0.0, 0.0, 0.0)
    assert report.overall.precision == report.overall.recall == 0.0
    # And the shares are unknown without a record count
    assert report.flagged_share is None and report.true_share is None


def test_partial_findings_micro_average_over_types() -> None:
    # Given one hit, one miss, one false alarm and one repeated finding
    findings = [
        finding("time-clock-entries:a", A.LATE_CLOCK_IN),
        finding("time-clock-entries:a", A.LATE_CLOCK_IN),  # same pair twice counts once
        finding("time-clock-entries:b", A.OVERLAPPING_ENTRIES),  # right record, wrong type
    ]
    # When scored
    report = score(findings, LABELS, total_records=10)
    # Then per type and overall follow from the sets of pairs
    assert report.per_type[A.LATE_CLOCK_IN].f1 == 1.0
    assert report.per_type[A.DUPLICATE_PUNCH].recall == 0.0
    overlap = report.per_type[A.OVERLAPPING_ENTRIES]
    assert (overlap.fp, overlap.precision) == (1, 0.0)
    assert (report.overall.tp, report.overall.fp, report.overall.fn) == (1, 1, 2)
    assert report.overall.precision == pytest.approx(0.5)
    assert report.overall.recall == pytest.approx(1 / 3)
    assert report.overall.f1 == pytest.approx(2 * 0.5 * (1 / 3) / (0.5 + 1 / 3))
    assert report.findings_used == 3
    # And the flagged share counts distinct records (a and b), not findings
    assert report.flagged_records == 2 and report.flagged_share == pytest.approx(0.2)


def test_a_record_with_several_labels_is_scored_per_type() -> None:
    # Given one time-clock entry labelled both missed-break and excessive-overtime, found only as one of them
    labels = [label("time-clock-entries:m", A.MISSED_BREAK), label("time-clock-entries:m", A.EXCESSIVE_OVERTIME)]
    findings = [finding("time-clock-entries:m", A.MISSED_BREAK)]
    # When scored
    report = score(findings, labels, total_records=4)
    # Then one type is found and the other missed, and the record counts once in the true share
    assert report.per_type[A.MISSED_BREAK].tp == 1
    assert report.per_type[A.EXCESSIVE_OVERTIME].fn == 1
    assert report.labelled_records == 1 and report.true_share == pytest.approx(0.25)


def test_min_confidence_ignores_low_confidence_findings() -> None:
    # Given a confident hit and an unsure false alarm
    findings = [
        finding("time-clock-entries:a", A.LATE_CLOCK_IN, confidence=0.9),
        finding("time-clock-entries:z", A.LATE_CLOCK_IN, confidence=0.3),
    ]
    # When scored with and without a confidence floor
    loose = score(findings, LABELS, total_records=10)
    strict = score(findings, LABELS, total_records=10, min_confidence=0.5)
    # Then the floor removes the false alarm (a finding exactly at the floor is kept)
    assert loose.per_type[A.LATE_CLOCK_IN].precision == pytest.approx(0.5)
    assert strict.per_type[A.LATE_CLOCK_IN].precision == 1.0
    assert (strict.findings_used, strict.findings_ignored) == (1, 1)
    assert score(findings, LABELS, 10, min_confidence=0.3).findings_used == 2


def test_nothing_on_either_side_is_a_perfect_empty_match() -> None:
    report = score([], [], total_records=0)
    assert report.overall.precision == report.overall.recall == report.overall.f1 == 1.0
    assert report.flagged_share is None  # zero records: no share


def test_label_bearing_record_count_counts_the_four_resources(tmp_path: Path) -> None:
    # Given a plant with rows in label-bearing and other resources
    plant = PlantFolder(tmp_path)
    plant.write_raw("time-clock-entries", [{"id": "1"}, {"id": "2"}])
    plant.write_raw("labor-entries", [{"id": "3"}])
    plant.write_raw("badge-swipes", [{"id": "4"}])
    plant.write_raw("employees", [{"id": "E"}] * 5)
    # When counted / Then only the label-bearing ones count, and a missing file counts zero
    assert label_bearing_record_count(plant) == 4


def test_label_bearing_count_of_the_labelled_plant_matches_its_metadata(labelled_plant: PlantFolder) -> None:
    counts = labelled_plant.meta().counts
    expected = sum(
        counts.get(r, 0) for r in ("time-clock-entries", "labor-entries", "workcenter-events", "badge-swipes")
    )
    assert label_bearing_record_count(labelled_plant) == expected


# ---- CLI ----------------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    plant = PlantFolder(tmp_path / "plant")
    plant.write_raw("time-clock-entries", [{"id": "a"}, {"id": "b"}, {"id": "z"}])
    plant.write_raw("labor-entries", [{"id": "c"}])
    plant.write_labels(LABELS)
    findings = tmp_path / "findings.jsonl"
    write_findings(
        findings,
        [
            finding("time-clock-entries:a", A.LATE_CLOCK_IN, route="review"),
            finding("time-clock-entries:z", A.LATE_CLOCK_IN, 0.2, route="review"),
            finding("time-clock-entries:y", A.EARLY_CLOCK_IN),  # a false alarm of the trend log: nobody was sent it
        ],
    )
    return findings, plant.path / "labels.jsonl", plant.path


def test_score_cli_prints_a_table(files: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    findings, labels, plant = files
    # When scoring with the plant for the shares
    code = main(["score", "--findings", str(findings), "--labels", str(labels), "--plant", str(plant)])
    out = capsys.readouterr().out
    # Then a fixed-width table lists every type, the overall row and the shares
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["type", "support", "TP", "FP", "FN", "P", "R", "F1"]
    late = next(line for line in lines if line.startswith("LATE_CLOCK_IN"))
    assert late.split() == ["LATE_CLOCK_IN", "1", "1", "1", "0", "0.500", "1.000", "0.667"]
    assert all(any(line.startswith(t.value) for line in lines) for t in AnomalyType)
    # a type with neither findings nor labels has no ratio to show, not a perfect score
    untouched = next(line for line in lines if line.startswith("BUDDY_PUNCH"))
    assert untouched.split() == ["BUDDY_PUNCH", "0", "0", "0", "0", "n/a", "n/a", "n/a"]
    assert "flagged share:  50.00% (2 records)" in out
    assert "true share:     75.00% (3 records)" in out


def test_score_cli_scores_what_was_sent_for_review_and_says_the_trend_logs_figures_too(
    files: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a findings file whose one false alarm went only to the trend log (ux_s16 #4)
    findings, labels, plant = files
    # When scored
    assert main(["score", "--findings", str(findings), "--labels", str(labels), "--plant", str(plant)]) == 0
    lines = capsys.readouterr().out.splitlines()
    # Then the table and its headline are the findings sent for review; a second line counts the trend log too
    early = next(line for line in lines if line.startswith("EARLY_CLOCK_IN"))
    assert early.split() == ["EARLY_CLOCK_IN", "0", "0", "0", "0", "n/a", "n/a", "n/a"]
    review = next(line for line in lines if line.startswith("sent for review (micro)"))
    assert review.split()[-7:] == ["3", "1", "1", "2", "0.500", "0.333", "0.400"]
    everything = next(line for line in lines if line.startswith("all, incl. the trend log"))
    assert everything.split()[-7:] == ["3", "1", "2", "2", "0.333", "0.333", "0.333"]
    assert "findings used:  2 sent for review (the table), 1 trend log only" in lines


def test_score_cli_json_with_min_confidence(files: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    findings, labels, plant = files
    args = ["--findings", str(findings), "--labels", str(labels), "--plant", str(plant)]
    code = main(["score", *args, "--json", "--min-confidence", "0.5"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["per_type"]["LATE_CLOCK_IN"] == {
        "support": 1, "flagged": 1, "tp": 1, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0
    }  # fmt: skip
    assert data["findings_ignored"] == 1 and data["trend_log_only"] == 1
    assert data["overall_incl_trend_log"]["fp"] == 1 and data["overall"]["fp"] == 0
    assert data["total_records"] == 4 and data["flagged_share"] == pytest.approx(0.25)


def test_score_cli_finds_the_plant_next_to_its_labels(
    files: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a labels file inside a plant folder (plant.json present) and no --plant
    findings, labels, plant = files
    PlantFolder(plant).write_meta(_meta())
    # When scored / Then the shares use that plant's records
    assert main(["score", "--findings", str(findings), "--labels", str(labels), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total_records"] == 4


def test_score_cli_names_a_missing_file(files: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _, labels, _ = files
    code = main(["score", "--findings", "nowhere.jsonl", "--labels", str(labels)])
    assert code == 2
    assert "--findings" in capsys.readouterr().err
    code = main(["score", "--findings", str(labels), "--labels", "missing/labels.jsonl"])
    assert code == 2
    assert "--labels" in capsys.readouterr().err
    assert main(["score", "--findings", str(labels.parent), "--labels", str(labels)]) == 2  # a folder
    assert "--findings: " in capsys.readouterr().err


def test_score_cli_names_the_malformed_line(
    files: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    findings, labels, _ = files
    broken = tmp_path / "broken.jsonl"
    broken.write_text(findings.read_text().splitlines()[0] + "\n{not json\n")
    assert main(["score", "--findings", str(broken), "--labels", str(labels)]) == 2
    assert f"{broken} line 2: not valid JSON" in capsys.readouterr().err
    bad_labels = tmp_path / "labels.jsonl"
    bad_labels.write_text('{"record_key": "time-clock-entries:a", "anomaly_type": "NOT_A_TYPE"}\n')
    assert main(["score", "--findings", str(findings), "--labels", str(bad_labels)]) == 2
    assert f"{bad_labels} line 1: field 'anomaly_type' is invalid" in capsys.readouterr().err


def _meta() -> PlantMeta:
    moment = datetime(2026, 11, 21, 5, tzinfo=UTC)
    return PlantMeta(
        name="tiny",
        seed=0,
        timezone="America/Detroit",
        start=moment,
        end=moment,
        generated_at=moment,
        counts={},
        anomaly_rate=0.0,
        anomaly_counts={},
    )
