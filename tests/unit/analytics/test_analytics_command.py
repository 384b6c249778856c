"""`plexlabor analytics scores`: a summary, JSON per operator with the Spearman correlation, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plexlabor.plant import PlantFolder
from plexlabor_dev.cli import main


def test_json_gives_each_operator_estimate_interval_raw_and_entries_and_the_true_correlation(
    labelled_plant: PlantFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    # When the plant's last three weeks are scored as JSON
    assert main(["analytics", "scores", "--plant", str(labelled_plant.path), "--weeks", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    # Then each operator has entries and, per measure, an estimate inside its interval and a raw value
    assert out["operators"]
    for operator in out["operators"]:
        assert operator["entries"] > 0 and operator["employee"].startswith("E")
        low, high = operator["scrap_share"]["interval"]
        assert low <= operator["scrap_share"]["estimate"] <= high
        assert "raw" in operator["efficiency"]
    # And, the plant being generated, the Spearman correlation with the true effects per measure
    assert set(out["spearman_with_true_effects"]) == {
        "efficiency",
        "scrap_share",
        "caused_stops_per_entry",
        "nonconformances_per_entry",
    }
    # And the measure a plant folder cannot score is named with the reason, not given as zeros
    assert set(out["absent"]) == {"upheld_findings_per_day"} and out["absent"]["upheld_findings_per_day"]


def test_the_summary_names_a_measure_left_out_and_why(
    labelled_plant: PlantFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analytics", "scores", "--quiet", "--plant", str(labelled_plant.path), "--weeks", "3"]) == 0
    assert "not scored (" in capsys.readouterr().out


def test_a_missing_folder_and_a_bad_window_are_named(
    tmp_path: Path, labelled_plant: PlantFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analytics", "scores", "--plant", str(tmp_path / "none")]) == 2
    assert "--plant: no such folder" in capsys.readouterr().err
    assert main(["analytics", "scores", "--plant", str(labelled_plant.path), "--weeks", "0"]) == 2
    assert "--weeks: must be between 1 and 104" in capsys.readouterr().err
