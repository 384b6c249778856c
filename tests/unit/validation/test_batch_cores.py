"""The batch on two cores (`validation.cores`): a plant folder read by kind in two processes indexes as one
process reads it, names or skips the same bad records in the same order, the norms made from two runs of people
are the plant's, and the checks cut in two runs of employees give the same findings in the same order as one
process (golden and labelled plants)."""

from __future__ import annotations

import json
import tarfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from plexlabor.plant import BadRecordError, PlantFolder
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.validation import cores
from plexlabor.validation.clocks import ClockOffsets
from plexlabor.validation.cores import READ_THERE, Forked, Link, WorkerError, forked, read_plant_folder
from plexlabor.validation.data import PlantData
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.norms import (
    MIN_HISTORY,
    Norm,
    Norms,
    compute_norms,
    fitted_spreads,
    normed_employees,
    personal_habits,
    plant_norms,
)
from plexlabor.validation.source import plant_windows, read_plant_data

GOLDEN = Path(__file__).parent / "golden" / "plant.tar.xz"
INDEXED = ("schedules", "punches", "labor", "swipes", "downtime", "sessions", "wc_sessions", "runs", "first_labor")


def _golden(into: Path) -> PlantFolder:
    with tarfile.open(GOLDEN) as archive:
        archive.extractall(into, filter="data")
    return PlantFolder(into)


def _read(folder: PlantFolder, processes: int, *, skip: bool = True) -> tuple[PlantData, PlantFolderSource]:
    meta = folder.meta()
    source = PlantFolderSource(folder, skip_bad_records=skip)
    read = read_plant_folder if processes > 1 else read_plant_data
    return read(source, meta.start, meta.end, meta.timezone), source


def _index(data: PlantData) -> dict[str, Any]:
    reference = (data.employees, data.rates, data.operations, data.certifications, data.devices, data.shift_windows)
    return {name: dict(getattr(data, name)) for name in INDEXED} | {"reference": reference, "tz": data.tz}


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> PlantFolder:
    return _golden(tmp_path_factory.mktemp("golden"))


def test_each_process_reads_some_kinds_of_transaction() -> None:
    kinds = set(plant_windows(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)))
    assert set(READ_THERE) < kinds


@pytest.mark.parametrize("plant", ["golden", "labelled_plant"])
def test_two_processes_read_index_and_find_what_one_process_does_in_the_same_order(
    plant: str, request: pytest.FixtureRequest
) -> None:
    folder: PlantFolder = request.getfixturevalue(plant)
    one, _ = _read(folder, 1)
    two, _ = _read(folder, 2)
    assert sum(map(len, one.labor.values())) > 100 and sum(map(len, one.sessions.values())) > 100
    assert _index(two) == _index(one)
    engine = ValidationEngine()
    norms = compute_norms(one)
    reference = engine.batch(one, norms)
    assert len({f.anomaly_type for f in reference}) >= 10 and any(f.route == "review" for f in reference)
    assert engine.batch(two, compute_norms(two), processes=2) == reference
    assert engine.batch(two, processes=2) == reference  # the norms made on the way, in both processes
    since, until = one.as_of - 14 * 86400, one.as_of - 7 * 86400
    ranged = engine.batch(one, norms, since=since, until=until)
    assert 0 < len(ranged) < len(reference)
    assert engine.batch(one, norms, since=since, until=until, processes=2) == ranged
    assert engine.batch(two, since=since, until=until, processes=2) == ranged


def test_norms_made_in_two_runs_of_people_are_the_plant_s(golden: PlantFolder) -> None:
    """Each person's habits are theirs alone; the spread prior and the groups are the whole plant's."""
    reference = compute_norms(_read(golden, 1)[0])
    data, _ = _read(golden, 1)
    clocks = ClockOffsets.measure(data, data.as_of)
    assert clocks.runs  # a clock ran off: the habits are made at true time, by the plant's clocks
    people = sorted(normed_employees(data))
    first, later = people[: len(people) // 2], people[len(people) // 2 :]
    habits = personal_habits(data, data.as_of, clocks, later) | personal_habits(data, data.as_of, clocks, first)
    # a prior fitted to one run alone
    alone = fitted_spreads({e: habits[e].spread_evidence[0] for e in first if _enough(habits[e].norms.start)})
    assert any(max(alone[e], 1.0) != _sigma(reference.employees[e].start) for e in alone)
    assert plant_norms(data, data.as_of, clocks, habits) == reference
    assert Norms.from_json(reference.to_json()) == reference  # as they are sent to the other process


def _enough(norm: Norm | None) -> bool:
    return norm is not None and norm.count >= MIN_HISTORY


def _sigma(norm: Norm | None) -> float:
    assert norm is not None
    return norm.sigma


def _spoil(folder: PlantFolder, resources: tuple[str, ...]) -> None:
    """A line that is not JSON and a record with a bad value in each file named."""
    bad_values = {
        "shift-assignments": {"status": "Sideways"},
        "time-clock-entries": {"biometricScore": 7.0},
        "labor-entries": {"quantity": -1},
        "workcenter-events": {"eventType": "Coffee"},
        "badge-swipes": {"direction": "Sideways"},
        "downtime-entries": {"startTime": "yesterday"},
    }
    for resource in resources:
        path = folder.file_for(resource)
        lines = path.read_text().splitlines()
        lines[3] = json.dumps(json.loads(lines[3]) | bad_values[resource])
        lines.insert(20, "{not json")
        path.write_text("\n".join(lines) + "\n")


def test_bad_records_are_skipped_in_the_order_one_process_skips_them(tmp_path: Path) -> None:
    """The events and the badge swipes are read in the other process, between kinds read here."""
    folder = _golden(tmp_path / "plant")
    spoiled = (
        "shift-assignments",
        "time-clock-entries",
        "labor-entries",
        "workcenter-events",
        "badge-swipes",
        "downtime-entries",
    )
    _spoil(folder, spoiled)
    one, one_source = _read(folder, 1)
    two, two_source = _read(folder, 2)
    assert [bad.file.stem for bad in one_source.skipped] == [kind for kind in spoiled for _ in range(2)]
    assert two_source.skipped == one_source.skipped
    assert _index(two) == _index(one)


@pytest.mark.parametrize(
    "spoiled",
    [
        ("workcenter-events", "downtime-entries"),  # the events, read in the other process, come first: named
        ("time-clock-entries", "badge-swipes"),  # the punches, read here, come before the swipes read there
    ],
)
def test_a_bad_record_not_skipped_is_the_one_a_single_process_names(tmp_path: Path, spoiled: tuple[str, str]) -> None:
    folder = _golden(tmp_path / "plant")
    _spoil(folder, spoiled)
    with pytest.raises(BadRecordError) as one:
        _read(folder, 1, skip=False)
    with pytest.raises(BadRecordError) as two:
        _read(folder, 2, skip=False)
    assert str(two.value) == str(one.value) and one.value.resource == spoiled[0]


def _fails(_: Link) -> int:
    raise ValueError("bad value in the other process")


def _doubles(link: Link) -> int:
    link.send("ready")
    return 2 * int(link.receive())


def test_the_other_process_sends_and_receives_on_the_way() -> None:
    with forked(_doubles) as other:
        assert other.receive() == "ready"
        other.send(21)
        assert other.result() == 42
    with pytest.raises(WorkerError, match="ValueError: bad value"), forked(_fails) as failed:
        failed.receive()  # it failed before sending: its failure, not a wait


def test_a_failure_in_the_other_process_is_raised_here_with_its_traceback() -> None:
    with forked(lambda _: 2) as other:
        assert other.result() == 2
    with (
        pytest.raises(WorkerError, match=r"(?s)_fails.*ValueError: bad value in the other process"),
        forked(_fails) as failed,
    ):
        failed.result()


def test_where_the_machine_cannot_fork_the_batch_runs_in_this_process(
    golden: PlantFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, _ = _read(golden, 1)
    reference = ValidationEngine().batch(data)
    monkeypatch.setattr(cores, "FORKS", False)
    assert ValidationEngine().batch(data, processes=2) == reference
    alone = Forked(_doubles)
    with pytest.raises(WorkerError, match="cannot fork"):
        alone.receive()
