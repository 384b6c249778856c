"""`plexlabor incidents train|evaluate` on CSV files in the OSHA layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plexlabor_dev.cli import main
from tests.unit.incidents.conftest import coded_rows, write_csv


def test_train_then_evaluate_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    train = write_csv(tmp_path / "train.csv", coded_rows(150))
    test = write_csv(tmp_path / "test.csv", coded_rows(40, seed=8))
    model = tmp_path / "model.pkl"
    assert main(["incidents", "train", "--osha", str(train), "--out", str(model), "--quiet"]) == 0
    assert "trained on 150 reports" in capsys.readouterr().out
    assert main(["incidents", "evaluate", "--model", str(model), "--osha", str(test), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["reports"] == 40
    assert figures["event_division_accuracy"] >= 0.9
    assert {"event_division_macro_f1", "event_group_accuracy", "auto_coded_share", "auto_coded_accuracy"} <= set(
        figures
    )
    assert main(["incidents", "evaluate", "--model", str(model), "--osha", str(test)]) == 0
    assert "auto-coded" in capsys.readouterr().out


def test_bad_training_file_names_line_and_column_and_writes_no_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = coded_rows(20)
    rows[6]["event_group"] = "7"
    model = tmp_path / "model.pkl"
    code = main(
        ["incidents", "train", "--osha", str(write_csv(tmp_path / "t.csv", rows)), "--out", str(model), "--quiet"]
    )
    assert code == 2
    assert "t.csv, line 8, column 'event_group': expected 2 digit(s), got '7'" in capsys.readouterr().err
    assert not model.exists()


def test_evaluate_refuses_a_file_that_is_not_a_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "model.pkl"
    bogus.write_text("hello")
    test = write_csv(tmp_path / "test.csv", coded_rows(5))
    assert main(["incidents", "evaluate", "--model", str(bogus), "--osha", str(test)]) == 2
    assert "not an incident model" in capsys.readouterr().err
