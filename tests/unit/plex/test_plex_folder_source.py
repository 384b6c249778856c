"""PlantFolderSource: the labor-data port over a plant folder, with the client's window semantics."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from plexlabor.plant import BadRecordError
from plexlabor.plex import LaborDataPort, PlantFolderSource, PlexLaborClient
from plexlabor.plex.port import operations_by_job
from plexlabor.plex.windows import modified_marker
from plexlabor_dev.simulator.sample_plant import DEFAULT_START, write_sample_plant


@pytest.fixture(scope="module")
def edge_folder(tmp_path_factory: pytest.TempPathFactory) -> PlantFolderSource:
    path: Path = tmp_path_factory.mktemp("folder-source")
    write_sample_plant(path, employees=2, days=10, clockin_offset=timedelta(0), jitter_minutes=0)
    return PlantFolderSource(path)


def test_both_sources_implement_the_port(edge_folder: PlantFolderSource) -> None:
    assert isinstance(edge_folder, LaborDataPort)
    assert issubclass(PlexLaborClient, LaborDataPort)


def test_windows_are_half_open(edge_folder: PlantFolderSource) -> None:
    # Given punches exactly at midnight each day
    begin, end = DEFAULT_START + timedelta(days=2), DEFAULT_START + timedelta(days=5)
    # When [day 2, day 5) is read / Then days 2, 3, 4 come back and day 5 does not
    entries = edge_folder.time_clock_entries(begin, end)
    assert sorted({entry.clockin_time for entry in entries}) == [begin + timedelta(days=n) for n in range(3)]
    assert len(entries) == 6


def test_the_employee_filter(edge_folder: PlantFolderSource) -> None:
    entries = edge_folder.time_clock_entries(DEFAULT_START, DEFAULT_START + timedelta(days=10), employee_id="E0001")
    assert len(entries) == 10 and {entry.employee_id for entry in entries} == {"E0001"}


def test_modified_polling_uses_the_fallback_chain(edge_folder: PlantFolderSource) -> None:
    every = edge_folder.time_clock_entries(DEFAULT_START, DEFAULT_START + timedelta(days=10))
    markers = {entry.id: modified_marker(entry) for entry in every}
    kinds = {
        "modified": sum(entry.modified_date is not None for entry in every),
        "created only": sum(entry.modified_date is None and entry.created_date is not None for entry in every),
        "neither": sum(entry.modified_date is None and entry.created_date is None for entry in every),
    }
    assert all(kinds.values())
    window = (DEFAULT_START + timedelta(days=3), DEFAULT_START + timedelta(days=4))
    polled = edge_folder.time_clock_entries_modified(*window)
    assert {entry.id for entry in polled} == {key for key, when in markers.items() if window[0] <= when < window[1]}


def test_job_operations_filter_by_job(edge_folder: PlantFolderSource) -> None:
    assert {op.job_id for op in edge_folder.job_operations("J3")} == {"J3"}
    assert len(edge_folder.job_operations()) == 6


def test_an_empty_window_is_refused(edge_folder: PlantFolderSource) -> None:
    with pytest.raises(ValueError):
        edge_folder.labor_entries(DEFAULT_START, DEFAULT_START)


def test_a_jobs_operations_read_alone_are_those_of_every_operation_read(edge_folder: PlantFolderSource) -> None:
    asked = ["J3", "nobody's", "J1"]
    fresh = PlantFolderSource(edge_folder.plant.path)  # nothing parsed yet: only the asked jobs' lines are parsed
    every = operations_by_job(edge_folder.job_operations())
    assert [fresh.job_operations(job) for job in asked] == [every.get(job, []) for job in asked]
    assert [op.job_id for op in fresh.job_operations_of(asked)] == ["J3", "J3", "J1", "J1"]
    assert fresh.job_operations_of(asked) == edge_folder.job_operations_of(asked)


def _rewrite(source: PlantFolderSource, job: bytes, old: bytes, new: bytes) -> None:
    path = source.plant.file_for("job-operations")
    lines = path.read_bytes().splitlines()
    at = next(n for n, line in enumerate(lines) if b'"' + job + b'"' in line)
    lines[at] = lines[at].replace(old, new, 1)
    path.write_bytes(b"\n".join(lines) + b"\n")


def test_a_bad_operation_of_another_job_does_not_stop_the_read_of_a_job(tmp_path: Path) -> None:
    write_sample_plant(tmp_path, employees=2, days=3)
    _rewrite(PlantFolderSource(tmp_path), b"J2", b'"quantity":', b'"quantity":"many","was":')  # not a number
    assert {op.job_id for op in PlantFolderSource(tmp_path).job_operations_of(["J1", "J3"])} == {"J1", "J3"}
    with pytest.raises(BadRecordError, match="job-operations"):
        PlantFolderSource(tmp_path).job_operations("J2")  # the job's own bad line is named, as before


def test_a_job_id_written_with_an_escape_is_read_by_the_model(tmp_path: Path) -> None:
    write_sample_plant(tmp_path, employees=2, days=3)
    source = PlantFolderSource(tmp_path)
    _rewrite(source, b"J2", b'"jobId":"J2"', b'"jobId":"\\u004a2"')  # "J2", escaped: its bytes do not say J2
    assert [op.job_id for op in source.job_operations("J2")] == ["J2", "J2"]
