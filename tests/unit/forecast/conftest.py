"""Fixtures of the forecasting tests: the shared labelled plant as ForecastData, and a tiny plant builder."""

from __future__ import annotations

from typing import Any

import pytest

from plexlabor.forecast.data import RESOURCES, ForecastData
from plexlabor.forecast.settings import ForecastSettings
from plexlabor.plant import PlantFolder

FAST = ForecastSettings(max_iter=60, min_training_operations=50)
"""Small models: the tests check behaviour, not accuracy (the bench does that)."""


def plant_rows(folder: PlantFolder) -> dict[str, list[dict[str, Any]]]:
    return {resource: list(folder.iter_raw(resource)) for resource in RESOURCES}


@pytest.fixture(scope="session")
def labelled_rows(labelled_plant: PlantFolder) -> dict[str, list[dict[str, Any]]]:
    return plant_rows(labelled_plant)


@pytest.fixture(scope="session")
def plant_data(labelled_plant: PlantFolder, labelled_rows: dict[str, list[dict[str, Any]]]) -> ForecastData:
    meta = labelled_plant.meta()
    return ForecastData.build(labelled_rows, meta.timezone, meta.end)
