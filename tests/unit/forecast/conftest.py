"""Fixtures of the forecasting tests: the shared labelled plant as ForecastData, a tiny plant builder, and one
operation's forecast (make_forecast)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from plexlabor.forecast.data import RESOURCES, ForecastData
from plexlabor.forecast.records import OperationForecast
from plexlabor.forecast.settings import ForecastSettings
from plexlabor.plant import PlantFolder

FAST = ForecastSettings(max_iter=60, min_training_operations=50)
"""Small models: the tests check behaviour, not accuracy (the bench does that)."""
AS_OF = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def make_forecast(**fields: Any) -> OperationForecast:
    """A model's forecast for one operation as of AS_OF: job J-4711 operation 20 at CNC-03 (MACH), 12.5 h
    (P10-P90 11-14 h) against 10 h standard, +25%; `fields` replace any of its fields."""
    data: dict[str, Any] = {
        "as_of": AS_OF,
        "job_operation_id": "5b0e1a85-f8a9-4c1e-9d2b-0b5e1a85f8a9",
        "job_id": "0cc41299-6475-4a9a",
        "job_no": "J-4711",
        "part_id": "569908f6-c030-4b21",
        "part_family": "Brackets",
        "operation_no": 20,
        "operation_code": "20",
        "workcenter_id": "9474031b-7f26-444b",
        "workcenter_code": "CNC-03",
        "department": "MACH",
        "scheduled_start": None,
        "quantity": 500,
        "standard_hours": 10.0,
        "p10_hours": 11.0,
        "p50_hours": 12.5,
        "p90_hours": 14.0,
        "labor_rate": None,
        "cost_p10": None,
        "cost_p50": None,
        "cost_p90": None,
        "variance_pct": 0.25,
        "crew_source": "scheduled",
        "method": "model",
        "model_version": "forecast-1",
    }
    return OperationForecast(**(data | fields))


def plant_rows(folder: PlantFolder) -> dict[str, list[dict[str, Any]]]:
    return {resource: list(folder.iter_raw(resource)) for resource in RESOURCES}


@pytest.fixture(scope="session")
def labelled_rows(labelled_plant: PlantFolder) -> dict[str, list[dict[str, Any]]]:
    return plant_rows(labelled_plant)


@pytest.fixture(scope="session")
def plant_data(labelled_plant: PlantFolder, labelled_rows: dict[str, list[dict[str, Any]]]) -> ForecastData:
    meta = labelled_plant.meta()
    return ForecastData.build(labelled_rows, meta.timezone, meta.end)
