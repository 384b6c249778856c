"""`plexlabor local up` lets crews be decided: its built-in plant has scheduled work on the crew day it names (a
weekday ahead of today, whose seats can still be accepted), and `--crew-approval` reaches crew_planner."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path
from typing import Any, get_args
from zoneinfo import ZoneInfo

import pytest

from plexlabor.crew.publish import Approval
from plexlabor.plant import PlantFolder
from plexlabor_dev.cli import build_parser
from plexlabor_dev.demo import crew_day
from plexlabor_dev.local import cli as local_cli
from plexlabor_dev.simulator.generator import PlantSpec


class StackStarted(Exception):
    """Raised by the stand-in for `LocalStack`: what `local up` would start is recorded, nothing runs."""


def up_until_the_stack(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run `plexlabor local up ARGV` up to starting its local stack: the days its plant schedules shifts on and
    the stack's options."""
    seen: dict[str, Any] = {}

    def stack(plant: Path, **options: Any) -> None:
        seen.update(options=options, days=_scheduled_days(plant))  # read now: the plant is deleted on exit
        raise StackStarted

    monkeypatch.setattr(local_cli, "LocalStack", stack)
    args: argparse.Namespace = build_parser().parse_args(["local", "up", *argv])
    with pytest.raises(StackStarted):
        local_cli.up_command(args)
    return seen


def _scheduled_days(plant: Path) -> set[date]:
    return {date.fromisoformat(row["workDate"]) for row in PlantFolder(plant).iter_raw("shift-assignments")}


@pytest.fixture(autouse=True)
def _state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_cli, "state_path", lambda: tmp_path / "state.json")


def test_the_built_in_plant_has_shifts_scheduled_on_a_weekday_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    # Before: the built-in plant ended on 2026-11-20 (its 14 days ahead too): every seat had ended, none decidable
    today = datetime.now(ZoneInfo(PlantSpec.timezone)).date()

    seen = up_until_the_stack([], monkeypatch)

    day = crew_day(today)
    assert today < day and day.weekday() < 5
    assert day in seen["days"]


@pytest.mark.parametrize(("argv", "approval"), [([], "all"), (["--crew-approval", "changes"], "changes")])
def test_the_crew_approval_reaches_crew_planner(
    argv: list[str], approval: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = up_until_the_stack(argv, monkeypatch)

    assert seen["options"]["function_environment"] == {"crew_planner": {"CREW_APPROVAL": approval}}


def test_the_crew_approval_choices_are_crew_planners() -> None:
    action = next(a for a in _local_up_parser()._actions if a.dest == "crew_approval")
    assert set(action.choices or ()) == set(get_args(Approval))


def test_an_unknown_crew_approval_is_refused_naming_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["local", "up", "--crew-approval", "some"])
    assert exit_.value.code == 2
    assert "--crew-approval" in capsys.readouterr().err


def _local_up_parser() -> argparse.ArgumentParser:
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    local = commands.choices["local"]
    actions = next(a for a in local._actions if isinstance(a, argparse._SubParsersAction))
    parser: argparse.ArgumentParser = actions.choices["up"]
    return parser
