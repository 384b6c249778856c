"""The snapshot reader over both adapters: a plant folder on disk, and Plex (the simulator serving the same
folder over HTTP) give the same snapshot for the same windows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from plexlabor.plant import PlantFolder
from plexlabor.plex import PlantFolderSource, PlexLaborClient
from plexlabor.plex.snapshot import (
    CLOSED_JOBS,
    REFERENCE,
    WINDOWED,
    PlexSnapshot,
    Reference,
    Window,
    Windowed,
    read_snapshot,
)
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant
from plexlabor_dev.simulator.server import SimulatorServer
from tests.support import generated_plant


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> PlantFolder:
    return PlantFolder(generated_plant(tmp_path_factory, "snapshot-http", PlantSpec(employees=20, weeks=2, seed=11)))


@pytest.fixture
def served(plant: PlantFolder) -> Iterator[SimulatorServer]:
    with SimulatorServer(plant.path, rate_limit=0) as server:
        yield server


def _windows(plant: PlantFolder) -> dict[Windowed, Window]:
    """History from mid-way (a boundary that cuts through records) to the extract; the schedule beyond."""
    meta = plant.meta()
    history = (meta.start + timedelta(days=4, hours=7), meta.end)
    return {kind: history for kind in WINDOWED} | {"shift-assignments": (history[0], meta.end + timedelta(days=14))}


def _plex(server: SimulatorServer, fast: dict[str, Any]) -> PlexLaborClient:
    return PlexLaborClient(server.settings(**fast, date_chunk_days=3))


def test_the_folder_and_plex_give_the_same_snapshot(
    plant: PlantFolder, served: SimulatorServer, plex_fast_retries: dict[str, Any]
) -> None:
    # Given the same windows over the same plant
    windows = _windows(plant)
    # When both adapters are read (Plex in 3-day chunks)
    with _plex(served, plex_fast_retries) as plex:
        from_plex = read_snapshot(plex, reference=REFERENCE, windows=windows)
    from_folder = read_snapshot(PlantFolderSource(plant), reference=REFERENCE, windows=windows)
    # Then the snapshots are equal, every kind has records, and the zone is the plant's on both
    assert from_folder == from_plex
    assert all(from_folder.rows().values())
    assert from_plex.timezone == plant.meta().timezone
    labor_calls = [r for r in served.requests() if r["path"].endswith("/labor-entries")]
    assert len(labor_calls) > 1  # chunked, yet each record once
    assert len({e.id for e in from_plex.labor_entries}) == len(from_plex.labor_entries)


def test_open_jobs_only_reads_the_same_operations_from_both(tmp_path: Path, plex_fast_retries: dict[str, Any]) -> None:
    # Given a plant where two more jobs are closed
    generate_plant(PlantSpec(employees=20, weeks=1, seed=12), tmp_path)
    folder = PlantFolder(tmp_path)
    jobs = list(folder.iter_raw("jobs"))
    closing = {jobs[0]["id"]: "Complete", jobs[-1]["id"]: "Cancelled"}
    jobs = [row | {"status": closing.get(row["id"], row["status"])} for row in jobs]
    folder.write_raw("jobs", jobs)
    closed = {row["id"] for row in jobs if row["status"] in CLOSED_JOBS}  # and those the generator closed
    # When the operations of open jobs are read from both adapters
    kinds: tuple[Reference, ...] = ("jobs", "job-operations")
    with SimulatorServer(tmp_path, rate_limit=0) as server, _plex(server, plex_fast_retries) as plex:
        from_plex = read_snapshot(plex, reference=kinds, open_jobs_only=True)
        asked = {r["path"].split("/")[-2] for r in server.requests() if r["path"].endswith("/operations")}
    from_folder = read_snapshot(PlantFolderSource(folder), reference=kinds, open_jobs_only=True)
    # Then they agree, without the closed jobs' operations, which Plex was never asked for
    assert from_folder == from_plex and from_folder.job_operations
    assert not {op.job_id for op in from_folder.job_operations} & set(closed)
    assert asked == {row["id"] for row in jobs} - set(closed)


def test_only_a_frozen_extract_says_what_it_covers(
    plant: PlantFolder, served: SimulatorServer, plex_fast_retries: dict[str, Any]
) -> None:
    meta = plant.meta()
    with _plex(served, plex_fast_retries) as plex:
        assert plex.extract() is None
        assert plex.timezone() == meta.timezone
    extract = PlantFolderSource(plant).extract()
    assert (extract.name, extract.start, extract.end) == (meta.name, meta.start, meta.end)


def test_a_snapshot_is_typed_and_holds_its_windows(plant: PlantFolder) -> None:
    windows = _windows(plant)
    snapshot = read_snapshot(PlantFolderSource(plant), windows=windows, timezone="UTC")
    assert isinstance(snapshot, PlexSnapshot) and snapshot.windows == windows and snapshot.timezone == "UTC"
