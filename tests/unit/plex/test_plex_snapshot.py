"""read_snapshot: one windowed read of a port, typed; what is not asked for is not read."""

from __future__ import annotations

import dataclasses
import gc
from datetime import timedelta
from pathlib import Path

import pytest

from plexlabor.models import PLANT_MODELS, Employee, JobOperation, PlexDataError
from plexlabor.plant import PlantFolder
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.port import LaborDataPort
from plexlabor.plex.snapshot import CLOSED_JOBS, REFERENCE, WINDOWED, PlexSnapshot, collector_paused, read_snapshot
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant
from tests.support import generated_plant


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> PlantFolder:
    return PlantFolder(generated_plant(tmp_path_factory, "snapshot", PlantSpec(employees=20, weeks=1, seed=11)))


def test_only_the_kinds_asked_for_are_read_each_in_its_window(plant: PlantFolder) -> None:
    # Given the plant's last two days
    meta = plant.meta()
    window = (meta.end - timedelta(days=2), meta.end)
    # When employees and labor entries are asked for
    snapshot = read_snapshot(PlantFolderSource(plant), reference=["employees"], windows={"labor-entries": window})
    # Then those come back, labor only from the window, and nothing else is read
    assert len(snapshot.employees) == meta.counts["employees"]
    assert snapshot.labor_entries and all(window[0] <= e.start_time < window[1] for e in snapshot.labor_entries)
    assert len(snapshot.labor_entries) < meta.counts["labor-entries"]
    assert snapshot.windows == {"labor-entries": window}
    empty = {name for name, rows in snapshot.rows().items() if not rows}
    assert empty == set(REFERENCE + WINDOWED) - {"employees", "labor-entries"}


def test_every_kind_is_read_through_the_port_method_of_its_name(plant: PlantFolder) -> None:
    # Given every kind asked for, the windowed ones over the whole extract
    meta = plant.meta()
    windows = dict.fromkeys(WINDOWED, (meta.start, meta.end))
    # When the snapshot is read
    snapshot = read_snapshot(PlantFolderSource(plant), reference=REFERENCE, windows=windows)
    # Then each kind has a LaborDataPort method of its name, and came back as that port's records
    for name in REFERENCE + WINDOWED:
        method = name.replace("-", "_")
        assert callable(getattr(LaborDataPort, method, None)), name
        assert {type(row) for row in snapshot.rows()[name]} <= {PLANT_MODELS[name]}
    assert len(snapshot.employees) == meta.counts["employees"]


def test_the_time_zone_is_the_ports_unless_given(plant: PlantFolder) -> None:
    source = PlantFolderSource(plant)
    assert read_snapshot(source).timezone == plant.meta().timezone == source.timezone()
    assert read_snapshot(source, timezone="Europe/Berlin").timezone == "Europe/Berlin"


def test_open_jobs_only_asks_for_the_operations_of_open_jobs(tmp_path: Path) -> None:
    # Given a plant where two more jobs are closed
    generate_plant(PlantSpec(employees=20, weeks=1, seed=12), tmp_path)
    folder = PlantFolder(tmp_path)
    jobs = list(folder.iter_raw("jobs"))
    closing = {jobs[0]["id"]: "Complete", jobs[1]["id"]: "Cancelled"}
    jobs = [row | {"status": closing.get(row["id"], row["status"])} for row in jobs]
    folder.write_raw("jobs", jobs)
    closed = {row["id"] for row in jobs if row["status"] in CLOSED_JOBS}  # and those the generator closed
    asked: list[str | None] = []

    class Counting(PlantFolderSource):
        def job_operations(self, job_id: str | None = None) -> list[JobOperation]:
            asked.append(job_id)
            return super().job_operations(job_id)

    # When the operations of open jobs are read
    snapshot = read_snapshot(Counting(folder), reference=["job-operations"], open_jobs_only=True)
    # Then none of the closed jobs' operations come back, and the port was asked job by job
    every = PlantFolderSource(folder).job_operations()
    assert {op.id for op in snapshot.job_operations} == {op.id for op in every if op.job_id not in closed}
    assert None not in asked and not set(asked) & set(closed)
    assert snapshot.jobs == ()  # read to choose, not asked for


def test_an_empty_window_is_refused(plant: PlantFolder) -> None:
    end = plant.meta().end
    with pytest.raises(ValueError, match="empty date window"):
        read_snapshot(PlantFolderSource(plant), windows={"badge-swipes": (end, end)})


def test_rows_in_hand_make_the_same_snapshot(plant: PlantFolder) -> None:
    # Given everything in the plant, read through the port
    meta = plant.meta()
    everything = (meta.start - timedelta(days=1), meta.end + timedelta(days=30))
    read = read_snapshot(PlantFolderSource(plant), reference=REFERENCE, windows=dict.fromkeys(WINDOWED, everything))
    # When the same rows are given as camelCase dicts, and as the models themselves
    as_dicts = {name: [row.to_plex() for row in rows] for name, rows in read.rows().items()}
    # Then both make the snapshot that was read (without its windows)
    expected = dataclasses.replace(read, windows={})
    assert PlexSnapshot.from_rows(as_dicts, meta.timezone) == expected
    assert PlexSnapshot.from_rows(read.rows(), meta.timezone) == expected


def test_a_row_that_does_not_parse_names_its_resource_and_field() -> None:
    good = Employee(id="E1", employee_no="1", first_name="A", last_name="B")
    with pytest.raises(PlexDataError, match="employees: field 'employeeNo' is missing"):
        PlexSnapshot.from_rows({"employees": [good, {"id": "E2", "firstName": "C", "lastName": "D"}]}, "UTC")


def test_the_collector_is_paused_during_a_read_and_resumes_as_it_was() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: the outer one resumes it
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("a read that fails")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # paused by someone else: left paused
    finally:
        gc.enable()
    assert gc.get_freeze_count() == 0
