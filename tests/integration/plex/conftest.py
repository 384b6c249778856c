"""Fixtures of the Plex client and simulator tests: small plant folders and a live simulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from plexlabor.plex import PlexLaborClient, PlexSettings
from plexlabor_dev.simulator.sample_plant import DEFAULT_START as PLANT_START
from plexlabor_dev.simulator.sample_plant import write_sample_plant
from plexlabor_dev.simulator.server import SimulatorServer

FAST_RETRIES: dict[str, Any] = {
    "backoff_factor": 0.01,
    "backoff_jitter_s": 0.01,
    "backoff_max_s": 0.05,
    "max_retries": 3,
    "timeout_s": 2.0,
    "connect_timeout_s": 1.0,
    "rate_limit_per_minute": 0,
}
"""Client settings that keep retry waits tiny in tests."""


@pytest.fixture
def plex_fast_retries() -> dict[str, Any]:
    """Client settings that keep retry waits tiny (a copy: tests may change it)."""
    return dict(FAST_RETRIES)


@pytest.fixture(scope="session")
def plex_sample_plant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """4 employees x 35 days, punches around 06:00 UTC."""
    path = tmp_path_factory.mktemp("plex-sample")
    write_sample_plant(path, employees=4, days=35, start=PLANT_START)
    return path


@pytest.fixture(scope="session")
def plex_edge_plant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 employees x 35 days, every punch exactly at midnight UTC: on every 7-day chunk edge."""
    path = tmp_path_factory.mktemp("plex-edge")
    write_sample_plant(path, employees=3, days=35, start=PLANT_START, clockin_offset=timedelta(0), jitter_minutes=0)
    return path


@pytest.fixture
def plex_sim(plex_sample_plant: Path) -> Iterator[SimulatorServer]:
    with SimulatorServer(plex_sample_plant, rate_limit=0) as server:
        yield server


@pytest.fixture
def plex_settings(plex_sim: SimulatorServer) -> Callable[..., PlexSettings]:
    """Build settings pointing at the live simulator, with fast retries; overrides win."""

    def build(**overrides: Any) -> PlexSettings:
        return plex_sim.settings(**{**FAST_RETRIES, **overrides})

    return build


@pytest.fixture
def plex_client(plex_settings: Callable[..., PlexSettings]) -> Iterator[PlexLaborClient]:
    with PlexLaborClient(plex_settings()) as client:
        yield client
