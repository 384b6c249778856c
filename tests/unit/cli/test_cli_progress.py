"""Long commands say every few seconds what they are doing (stderr), bounded, and nothing with --quiet."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from plexlabor_dev import progress
from plexlabor_dev.cli import COMMANDS, build_parser, main
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant

LONG = {
    "validate": ["--plant", "p", "--out", "f"],
    "skills": ["--plant", "p"],
    "crew plan": ["--plant", "p", "--date", "2026-11-21", "--out", "f"],
    "forecast": ["--plant", "p"],
    "plant generate": ["--out", "p"],
    "analytics scores": ["--plant", "p"],
    "incidents train": ["--osha", "f", "--out", "m"],
    "copilot index": ["--procedures", "f", "--out", "d"],
}


def test_a_line_says_what_the_command_does_and_lines_are_bounded() -> None:
    stream = io.StringIO()
    with progress.Progress("validate", interval_s=0.02, max_lines=3, stream=stream) as running:
        progress.step("reading the plant")
        time.sleep(0.3)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3 == running.lines
    assert all(line.startswith("validate: reading the plant (") and line.endswith(" s)") for line in lines)
    progress.step("after the run")  # no command running: nothing happens


def test_quiet_prints_nothing() -> None:
    stream = io.StringIO()
    with progress.Progress("skills", interval_s=0.01, quiet=True, stream=stream):
        time.sleep(0.1)
    assert stream.getvalue() == ""


def test_the_long_commands_take_quiet() -> None:
    assert {c.path for c in COMMANDS if c.progress} == set(LONG)
    parser = build_parser()
    for path, required in LONG.items():
        assert parser.parse_args([*path.split(), *required, "--quiet"]).quiet is True
        assert parser.parse_args([*path.split(), *required]).quiet is False


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("progress") / "plant"
    generate_plant(PlantSpec(employees=8, weeks=2, seed=4), path)
    return path


@pytest.mark.parametrize("quiet", [False, True])
def test_validate_reports_progress_on_stderr(
    plant: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, quiet: bool
) -> None:
    monkeypatch.setattr(progress, "INTERVAL_S", 0.001)
    argv = ["validate", "--plant", str(plant), "--out", str(tmp_path / "f.jsonl")]
    assert main(argv + (["--quiet"] if quiet else [])) == 0
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.startswith("validate: ")]
    assert captured.out == ""
    if quiet:
        assert lines == []
    else:
        assert lines and any("reading the plant's records" in line or "validating" in line for line in lines)
