"""`plexlabor skills`: a readable summary, the JSON report, the report file, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plexlabor.plant import PlantFolder
from plexlabor.skills.report import SkillsReport
from plexlabor_dev.cli import main


def test_the_summary_names_gaps_alerts_and_training(labelled_plant: PlantFolder, capsys, tmp_path: Path) -> None:
    out = tmp_path / "skills.json"
    assert main(["skills", "--plant", str(labelled_plant.path), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Skills and certification compliance, 2026-11-21 to 2026-12-04 (14 days")
    for heading in ("gaps:", "expiring:", "lapsed and still needed:", "Bottlenecks", "Cross-training"):
        assert heading in text
    assert f"full report: {out}" in text
    report = SkillsReport.model_validate_json(out.read_text(encoding="utf-8"))
    assert report.as_of.isoformat() == "2026-11-21" and report.totals.gaps == len(report.gaps)


def test_json_and_as_of(labelled_plant: PlantFolder, capsys) -> None:
    assert (
        main(["skills", "--plant", str(labelled_plant.path), "--as-of", "2026-11-10", "--horizon-days", "3", "--json"])
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert (report["as_of"], report["horizon_days"]) == ("2026-11-10", 3)
    assert {row["work_date"] for row in report["coverage"]} <= {"2026-11-10", "2026-11-11", "2026-11-12"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--as-of", "11/21/2026"], "--as-of: '11/21/2026' is not a date"),
        (["--horizon-days", "0"], "--horizon-days: must be between 1 and 60, not 0"),
    ],
)
def test_bad_arguments_are_reported(labelled_plant: PlantFolder, capsys, argv: list[str], message: str) -> None:
    assert main(["skills", "--plant", str(labelled_plant.path), *argv]) == 2
    assert message in capsys.readouterr().err


def test_a_missing_plant_is_reported(tmp_path: Path, capsys) -> None:
    assert main(["skills", "--plant", str(tmp_path / "nowhere")]) == 2
    assert "no such folder" in capsys.readouterr().err
