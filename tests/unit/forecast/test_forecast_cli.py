"""`plexlabor forecast` and `plexlabor forecast backtest` on the shared plant; the backtest's metrics."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from plexlabor.forecast.backtest import pinball, score
from plexlabor.plant import PlantFolder
from plexlabor_dev.cli import main


def test_forecast_writes_operations_alerts_and_overtime(labelled_plant: PlantFolder, tmp_path: Path, capsys) -> None:
    out = tmp_path / "forecasts.jsonl"
    assert main(["forecast", "--plant", str(labelled_plant.path), "--as-of", "2026-11-14", "--out", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    kinds = {line["kind"] for line in lines}
    assert {"operation", "overtime"} <= kinds
    first = next(line for line in lines if line["kind"] == "operation")
    assert first["as_of"].startswith("2026-11-14T05:00:00")
    assert first["scheduled_start"] >= "2026-11-14T05:00:00"
    assert first["p10_hours"] <= first["p50_hours"] <= first["p90_hours"]
    printed = capsys.readouterr().out
    assert "upcoming job operations" in printed and "Overtime by department" in printed


def test_forecast_json_summary_and_argument_errors(labelled_plant: PlantFolder, tmp_path: Path, capsys) -> None:
    out = tmp_path / "f.jsonl"
    assert main(["forecast", "--plant", str(labelled_plant.path), "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["method"] == "model" and summary["forecasts"] > 0
    assert main(["forecast", "--plant", str(labelled_plant.path)]) == 2
    assert "--out" in capsys.readouterr().err
    assert main(["forecast", "--plant", str(labelled_plant.path), "--as-of", "14/11/2026", "--out", str(out)]) == 2
    assert "--as-of" in capsys.readouterr().err
    assert main(["forecast", "--plant", str(labelled_plant.path), "--as-of", "2027-01-01", "--out", str(out)]) == 2


def test_backtest_prints_every_method(labelled_plant: PlantFolder, capsys) -> None:
    assert main(["forecast", "backtest", "--plant", str(labelled_plant.path)]) == 0
    printed = capsys.readouterr().out
    for method in ("model", "standard", "operation_median", "seasonal_naive"):
        assert f"\n{method} " in printed
    assert "MAPE P50" in printed and "P10-P90 cov" in printed and "same as last week" in printed


def test_the_metrics() -> None:
    actual = np.array([10.0, 20.0])
    hours = np.array([[8.0, 11.0, 12.0], [21.0, 22.0, 25.0]])
    s = score("m", actual, hours, interval=True)
    assert s.mape == pytest.approx((0.1 + 0.1) / 2)
    assert s.coverage == 0.5 and s.mae_hours == pytest.approx(1.5)
    # pinball at P90 of a forecast 2 h above the actual: 0.1 x 2
    assert pinball(np.array([10.0]), np.array([12.0]), 0.9) == pytest.approx(0.2)
    assert pinball(np.array([10.0]), np.array([8.0]), 0.9) == pytest.approx(1.8)
    assert score("p", actual, hours, interval=False).coverage is None
