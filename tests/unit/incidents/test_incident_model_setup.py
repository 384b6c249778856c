"""`make install` (the demo's and the local runtime's set-up) trains the incident model when the OSHA file is
there and goes on without it when it is not; read with `make -n` (nothing is run, nothing copied)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _dry_run(tmp_path: Path, osha: Path) -> str:
    model = tmp_path / "oiics_model.pkl"
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", "install", f"OSHA={osha}", f"INCIDENT_MODEL={model}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def test_install_trains_the_model_from_the_osha_file_where_it_is(tmp_path: Path) -> None:
    osha = tmp_path / "osha_train.csv"
    osha.write_text("header\n")
    out = _dry_run(tmp_path, osha)
    assert f"incidents train --osha {osha} --out {tmp_path / 'oiics_model.pkl'}" in out


def test_install_goes_on_without_the_osha_file(tmp_path: Path) -> None:
    out = _dry_run(tmp_path, tmp_path / "absent.csv")
    assert "incidents train" not in out
