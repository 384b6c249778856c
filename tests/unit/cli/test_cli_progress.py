"""Long commands show what they are doing on a terminal (stderr, rich), and nothing with --quiet or off a terminal."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from plexlabor_dev import progress
from plexlabor_dev.cli import COMMANDS, build_parser, main
from plexlabor_dev.simulator.generator import PlantSpec
from tests.support import generated_plant

LONG = {
    "validate": ["--plant", "p", "--out", "f"],
    "skills": ["--plant", "p"],
    "crew plan": ["--plant", "p", "--date", "2026-11-21", "--out", "f"],
    "forecast": ["--plant", "p"],
    "plant generate": ["--out", "p"],
    "analytics scores": ["--plant", "p"],
    "incidents train": ["--osha", "f", "--out", "m"],
    "copilot index": ["--procedures", "f", "--out", "d"],
    "assess": ["--plant", "p"],
    "allocation run": ["--plant", "p", "--day", "2026-11-20"],
    "backfill": ["--plant", "p"],
}


def test_in_a_terminal_a_live_line_says_what_the_command_does_and_is_gone_at_the_end() -> None:
    stream = io.StringIO()
    with progress.Progress("validate", stream=stream, terminal=True) as running:
        progress.step("reading the plant")
        time.sleep(0.2)
        shown = stream.getvalue()
    assert running.shown and running.steps == ["starting", "reading the plant"]
    assert "validate: reading the plant" in shown and "0:00:00" in shown
    assert stream.getvalue().endswith("\x1b[2K"), "the live line is erased when the command ends"
    progress.step("after the run")  # no command running: nothing happens
    assert running.steps[-1] == "reading the plant"


@pytest.mark.parametrize("terminal, quiet", [(False, False), (True, True)])
def test_nothing_is_printed_outside_a_terminal_or_with_quiet(terminal: bool, quiet: bool) -> None:
    stream = io.StringIO()
    with progress.Progress("skills", quiet=quiet, stream=stream, terminal=terminal) as running:
        progress.step("assessing")
        time.sleep(0.1)
    assert stream.getvalue() == "" and not running.shown
    assert running.steps == ["starting", "assessing"]


def test_the_long_commands_take_quiet() -> None:
    assert {c.path for c in COMMANDS if c.progress} == set(LONG)
    parser = build_parser()
    for path, required in LONG.items():
        assert parser.parse_args([*path.split(), *required, "--quiet"]).quiet is True
        assert parser.parse_args([*path.split(), *required]).quiet is False


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_plant(tmp_path_factory, "progress", PlantSpec(employees=8, weeks=2, seed=4))


@pytest.mark.parametrize("quiet", [False, True])
def test_validate_shows_its_steps_in_a_terminal(
    plant: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, quiet: bool
) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("TTY_INTERACTIVE", "1")
    argv = ["validate", "--plant", str(plant), "--out", str(tmp_path / "f.jsonl")]
    assert main(argv + (["--quiet"] if quiet else [])) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    if quiet:
        assert "validate: " not in captured.err
    else:
        assert "validate: writing" in captured.err


def test_validate_prints_no_progress_when_stderr_is_not_a_terminal(
    plant: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_INTERACTIVE", raising=False)
    assert main(["validate", "--plant", str(plant), "--out", str(tmp_path / "f.jsonl")]) == 0
    assert "validate: " not in capsys.readouterr().err
