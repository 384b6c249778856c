"""The batch on several cores: reading shared out among processes and the checks cut by employee give
the same plant index and the same findings, in the same order, as one process (the reference path)."""

from __future__ import annotations

import pickle
from dataclasses import fields
from pathlib import Path

import pytest

from plexlabor.plant import BadRecord, BadRecordError, PlantFolder
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.validation.data import PlantData
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.norms import compute_norms
from plexlabor.validation.source import READ_COST, _read_there, _shares
from plexlabor.validation.workers import WorkerError, fork_map

INDEXED = ("schedules", "punches", "labor", "swipes", "downtime", "sessions", "wc_sessions", "runs", "first_labor")


@pytest.fixture(scope="module")
def one_and_two(labelled_plant: PlantFolder) -> tuple[PlantData, PlantData]:
    return PlantData.from_folder(labelled_plant), PlantData.from_folder(labelled_plant, workers=2)


def test_two_readers_index_the_plant_as_one_does(one_and_two: tuple[PlantData, PlantData]) -> None:
    one, two = one_and_two
    assert sum(map(len, one.punches.values())) > 1000 and sum(map(len, one.sessions.values())) > 1000
    for name in INDEXED:
        assert getattr(two, name) == getattr(one, name), name
    assert (two.employees, two.rates, two.operations, two.shift_windows, two.tz, two.as_of) == (
        one.employees,
        one.rates,
        one.operations,
        one.shift_windows,
        one.tz,
        one.as_of,
    )


@pytest.mark.parametrize("workers", [2, 3])
def test_checks_in_processes_find_what_one_process_finds_in_the_same_order(
    one_and_two: tuple[PlantData, PlantData], workers: int
) -> None:
    one, two = one_and_two
    engine = ValidationEngine()
    norms = compute_norms(one)
    reference = engine.batch(one, norms)
    assert len({f.anomaly_type for f in reference}) >= 10 and any(f.route == "review" for f in reference)
    assert engine.batch(two, compute_norms(two), workers=workers) == reference


def test_a_date_range_keeps_the_same_findings_in_processes(one_and_two: tuple[PlantData, PlantData]) -> None:
    one, _ = one_and_two
    engine, norms = ValidationEngine(), compute_norms(one)
    since, until = one.as_of - 21 * 86400, one.as_of - 7 * 86400
    reference = engine.batch(one, norms, since=since, until=until)
    assert 0 < len(reference) < len(engine.batch(one, norms))
    assert engine.batch(one, norms, since=since, until=until, workers=2) == reference


def test_transactions_travel_between_processes_unchanged(labelled_plant: PlantFolder) -> None:
    meta = labelled_plant.meta()
    transactions = _read_there(
        PlantFolderSource(labelled_plant), {kind: (meta.start, meta.end) for kind in READ_COST}, meta.end.timestamp()
    )
    assert all(getattr(transactions, f.name) for f in fields(transactions))  # every kind has records
    assert any(p.t_out is None for p in transactions.punches)  # None travels as None
    moved = pickle.loads(pickle.dumps(transactions))
    assert moved == transactions
    assert [type(e) for e in moved.events] == [type(e) for e in transactions.events]


def test_every_kind_is_read_by_exactly_one_process() -> None:
    for workers in (1, 2, 3, 8):
        shares = _shares(list(READ_COST), workers)
        assert len(shares) == workers
        assert sorted(kind for share in shares for kind in share) == sorted(READ_COST)
    assert _shares(list(READ_COST), 2)[0] != []  # the first process reads some besides the reference data


def _fails() -> int:
    raise ValueError("bad value in a worker")


def _fails_unpicklably() -> int:
    raise BadRecordError(BadRecord(Path("time-clock-entries.jsonl"), 7, "TC-9", "clockinTime", "not a time"))


def test_a_task_that_fails_in_another_process_raises_here_with_its_traceback() -> None:
    assert fork_map([lambda: 1, lambda: 2, lambda: 3]) == [1, 2, 3]
    with pytest.raises(ValueError, match="bad value in a worker") as raised:
        fork_map([lambda: 1, _fails])
    assert isinstance(raised.value.__cause__, WorkerError) and "_fails" in str(raised.value.__cause__)
    with pytest.raises(WorkerError, match=r"BadRecordError: .*line 7.*clockinTime"):
        fork_map([lambda: 1, _fails_unpicklably])  # its own type does not survive pickling: its text does
    with pytest.raises(ValueError, match="bad value in a worker"):
        fork_map([_fails, lambda: 2])
