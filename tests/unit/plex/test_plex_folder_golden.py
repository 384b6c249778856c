"""Every model `PlantFolderSource` reads from a stored plant, against a fingerprint made before the reader
was sped up: a faster reader must not change one value (field, type, zone or order) of what it reads.

The plant is the validation's stored one (`tests/unit/validation/golden/plant.tar.xz`: 20 employees x
4 weeks, seed 11), so changes to the generator do not move the fingerprint. Each read is hashed from the
records' Python values (`repr` of `model_dump()`: datetimes with their zone), not from their JSON.
Rewrite on purpose only: `.venv/bin/python -m tests.unit.plex.test_plex_folder_golden`.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from plexlabor.plex import PlantFolderSource
from plexlabor.plex.snapshot import REFERENCE
from plexlabor.plex.windows import WINDOW_FIELDS

PLANT = Path(__file__).parents[1] / "validation" / "golden" / "plant.tar.xz"
FINGERPRINT = Path(__file__).parent / "golden" / "folder_reads.json"


def _digest(records: list[Any]) -> dict[str, Any]:
    text = "\n".join(f"{type(record).__name__}{record.model_dump()!r}" for record in records)
    return {"count": len(records), "sha256": hashlib.sha256(text.encode()).hexdigest()}


def _windows(start: datetime, end: datetime) -> dict[str, tuple[datetime, datetime]]:
    """The whole extract with the schedule's lookahead, a week, and a window with edges inside days."""
    return {
        "whole": (start, end + timedelta(days=8)),
        "week": (start + timedelta(days=7), start + timedelta(days=14)),
        "odd": (start + timedelta(days=3, hours=5, minutes=17), start + timedelta(days=10, hours=19, seconds=1)),
    }


def _reads(source: PlantFolderSource) -> Iterator[tuple[str, Callable[[], list[Any]]]]:
    extract = source.extract()
    employee = source.employees()[2].id
    for kind in REFERENCE:
        yield kind, getattr(source, kind.replace("-", "_"))
    for name, (begin, end) in _windows(extract.start, extract.end).items():
        for window_kind in sorted(WINDOW_FIELDS):
            method = getattr(source, window_kind.replace("-", "_"), None)
            if method is not None:
                yield f"{window_kind} {name}", partial(method, begin, end)
        yield f"modified {name}", partial(source.time_clock_entries_modified, begin, end)
        yield f"punches of one employee {name}", partial(source.time_clock_entries, begin, end, employee_id=employee)
    for job in source.jobs()[:3]:
        yield f"operations of {job.id}", partial(source.job_operations, job.id)


def fingerprint(folder: Path) -> dict[str, Any]:
    """Each read's count and hash; every read twice (the second from whatever the reader keeps)."""
    source = PlantFolderSource(folder)
    first = {name: _digest(read()) for name, read in _reads(source)}
    second = {name: _digest(read()) for name, read in _reads(source)}
    assert first == second, "a second read differs from the first"
    return first


def _plant(into: Path) -> Path:
    with tarfile.open(PLANT) as archive:
        archive.extractall(into, filter="data")
    return into


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return fingerprint(_plant(tmp_path_factory.mktemp("folder-golden")))


def test_the_fingerprint_covers_every_kind_with_records(measured: dict[str, Any]) -> None:
    stored = json.loads(FINGERPRINT.read_text())
    assert set(measured) == set(stored)
    assert sum(read["count"] > 0 for read in stored.values()) >= 35


def test_every_read_is_that_of_the_fingerprint(measured: dict[str, Any]) -> None:
    stored = json.loads(FINGERPRINT.read_text())
    assert {name: read for name, read in measured.items() if read != stored[name]} == {}


if __name__ == "__main__":  # rewrite the fingerprint (only for a change meant to alter what is read)
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        FINGERPRINT.write_text(json.dumps(fingerprint(_plant(Path(folder))), indent=1) + "\n")
    print(f"wrote {FINGERPRINT}")
