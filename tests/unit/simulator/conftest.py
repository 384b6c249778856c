"""A small plant built up to its first day, for tests of one part of the generator at a time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from plexlabor.plant import PlantFolder
from plexlabor_dev.simulator.context import Sim
from plexlabor_dev.simulator.generator import PlantSpec, build_plant
from plexlabor_dev.simulator.world import Person
from plexlabor_dev.simulator.writer import PlantWriter

SMALL_PLANT = PlantSpec(employees=30, weeks=2, seed=42, anomaly_rate=0.5)


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[Sim]:
    """Sites, workcenters, parts and people built; no day simulated yet; files open in `tmp_path`."""
    with PlantWriter(PlantFolder(tmp_path)) as out:
        built = Sim(SMALL_PLANT, out)
        build_plant(built)
        yield built


@pytest.fixture
def machinist(sim: Sim) -> Person:
    """An hourly operator of a certified department (Machining) at a wall clock, with a home workcenter."""
    return next(p for p in sim.world.hourly if p.home_wc and p.dept.code == "MACH" and not p.mobile)
