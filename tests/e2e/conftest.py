"""End-to-end fixtures: everything on the local runtime, every server on 127.0.0.1.

Runtimes are module-scoped (never session-scoped): moto's state and the process environment are
process-wide, so only one runtime may run at a time in a process, and pytest tears a module's
fixtures down before the next module's start.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from toy_functions import write_toy_package

from plexlabor_dev.local.scenario import busiest_days
from plexlabor_dev.simulator.generator import PlantSpec
from tests.support import generated_plant

E2E_PLANT = PlantSpec(employees=20, weeks=4, seed=7, anomaly_rate=0.1)
"""Small (≈0.3 s to generate); its busiest days have 4-6 injected anomalies each."""


@pytest.fixture(scope="session")
def toy_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A temporary package of toy handlers, importable for the whole session."""
    root = tmp_path_factory.mktemp("toys")
    package = write_toy_package(root)
    sys.path.insert(0, str(root))
    yield package
    sys.path.remove(str(root))


@pytest.fixture(scope="session")
def e2e_plant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_plant(tmp_path_factory, "e2e", E2E_PLANT)


@pytest.fixture(scope="session")
def busy_days(e2e_plant: Path) -> list[date]:
    """The plant's days with the most injected anomalies, busiest first."""
    return [day for day, _ in busiest_days(e2e_plant)]
