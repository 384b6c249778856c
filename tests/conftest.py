"""Fixtures shared by every test tier."""

from __future__ import annotations

from pathlib import Path

import pytest

from plexlabor.plant import PlantFolder
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant

LABELLED_PLANT = PlantSpec(employees=60, weeks=8, seed=3, anomaly_rate=0.12)
"""Small enough to build in a second, large enough that every anomaly type occurs."""


@pytest.fixture(scope="session")
def labelled_plant(tmp_path_factory: pytest.TempPathFactory) -> PlantFolder:
    path: Path = tmp_path_factory.mktemp("plant")
    generate_plant(LABELLED_PLANT, path)
    return PlantFolder(path)
