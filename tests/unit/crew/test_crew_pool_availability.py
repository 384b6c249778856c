"""Compiling a problem checks each job's availability rules over the whole pool at once (`pairs._refusals`, NumPy,
issue 16); it must decide every pair as `pairs._availability` does one by one: the same pairs, the same hours outside
the shift, the same reasons counted (in the same order) for the empty seats, under loose and tight rules."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from plexlabor.crew import pairs
from plexlabor.crew.build import build_problem
from plexlabor.crew.models import CrewPolicy
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant

PLANT = PlantSpec(employees=240, weeks=2, seed=301)
DAY = date(2026, 11, 23)  # Monday after the history
POLICIES: dict[str, dict[str, Any]] = {
    "default": {},
    "call-ins off": {"allow_call_in": False},
    "tight": {"min_rest_hours": 12.0, "max_hours_per_day": 9.0, "max_hours_7_days": 40.0, "max_consecutive_days": 4},
}


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pool-availability") / "plant"
    generate_plant(PLANT, folder)
    return folder


def _each_pair_alone(schedules: Any, pool: Any, *_: Any) -> tuple[Any, Any]:
    """`_refusals` leaving every operator to `_availability`: the check of one pair at a time."""
    return np.full(len(pool), pairs._ALONE), np.zeros(len(pool))


@pytest.mark.parametrize("rules", POLICIES, ids=list(POLICIES))
def test_the_check_over_whole_pools_decides_every_pair_as_the_check_of_each(
    plant: Path, rules: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the whole day of a generated plant (three shifts and their neighbours) under the rules
    problem = build_problem(plant, DAY, policy=CrewPolicy(**POLICIES[rules]))
    # When it is compiled with the check over whole pools, and with every pair checked alone
    pooled = pairs.compile_problem(problem)
    monkeypatch.setattr(pairs, "_refusals", _each_pair_alone)
    alone = pairs.compile_problem(problem)
    # Then the pairs, their prices and hours, and every job's reasons (their order too) are the same
    turned = [list(stat.turned_away.items()) for stat in alone.stats]
    assert sum(count for reasons in turned for _, count in reasons) > 0
    assert [list(stat.turned_away.items()) for stat in pooled.stats] == turned
    for field in dataclasses.fields(alone):
        before, after = getattr(alone, field.name), getattr(pooled, field.name)
        if isinstance(before, np.ndarray):
            assert before.dtype == after.dtype and before.tobytes() == after.tobytes(), field.name
        elif field.name != "problem":
            assert before == after, field.name
