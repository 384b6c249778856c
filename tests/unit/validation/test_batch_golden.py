"""The engine's findings on a stored plant, against a fingerprint of them made before the batch was
sped up: a change that makes the engine faster must not change one finding (field, number or order).

The plant (`golden/plant.tar.xz`: 20 employees x 4 weeks, seed 11, anomaly rate 0.2, the files the
validation reads) is stored, not generated, so that changes to the generator do not move the fingerprint.
A change meant to alter findings (a new rule, a new note) rewrites the fingerprint on purpose:
`.venv/bin/python -m tests.unit.validation.test_batch_golden` (and says so in its commit).
"""

from __future__ import annotations

import hashlib
import json
import tarfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from plexlabor.models import LaborEntry, TimeClockEntry
from plexlabor.plant import PlantFolder
from plexlabor.validation.data import PlantData
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.findings import Finding
from plexlabor.validation.norms import compute_norms

GOLDEN = Path(__file__).parent / "golden"
FINGERPRINT = GOLDEN / "findings.json"
REALTIME_EVERY = 7  # every 7th punch and labor entry is also validated on its own, as the Lambda does


def _digest(findings: list[Finding]) -> str:
    return hashlib.sha256("\n".join(f.model_dump_json() for f in findings).encode()).hexdigest()


def fingerprint(folder: PlantFolder) -> dict[str, Any]:
    """Per anomaly type: how many findings and a hash of them in batch order; the same for a date range
    and for the real-time path over a sample of records."""
    data = PlantData.from_folder(folder)
    norms = compute_norms(data)
    engine = ValidationEngine()
    found = engine.batch(data, norms)
    per_type: dict[str, list[Finding]] = defaultdict(list)
    for finding in found:
        per_type[finding.anomaly_type.value].append(finding)
    since, until = data.as_of - 14 * 86400, data.as_of - 7 * 86400
    records: list[TimeClockEntry | LaborEntry] = [*folder.load(TimeClockEntry), *folder.load(LaborEntry)]
    sample = records[::REALTIME_EVERY]
    realtime = []
    for record in sample:
        t = (record.clockin_time if isinstance(record, TimeClockEntry) else record.start_time).timestamp()
        realtime.extend(engine.realtime(record, data.slice_for(record.employee_id, t), norms))
    ranged = engine.batch(data, norms, since=since, until=until)
    return {
        "batch": {"count": len(found), "sha256": _digest(found)},
        "per_type": {kind: {"count": len(f), "sha256": _digest(f)} for kind, f in sorted(per_type.items())},
        "date_range": {"count": len(ranged), "sha256": _digest(ranged)},
        "realtime": {"records": len(sample), "count": len(realtime), "sha256": _digest(realtime)},
    }


def _plant(into: Path) -> PlantFolder:
    with tarfile.open(GOLDEN / "plant.tar.xz") as archive:
        archive.extractall(into, filter="data")
    return PlantFolder(into)


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return fingerprint(_plant(tmp_path_factory.mktemp("golden")))


def test_the_stored_plant_exercises_most_rules(measured: dict[str, Any]) -> None:
    assert len(measured["per_type"]) >= 15 and measured["realtime"]["count"] > 0
    assert 0 < measured["date_range"]["count"] < measured["batch"]["count"]


@pytest.mark.parametrize("part", ["per_type", "batch", "date_range", "realtime"])
def test_findings_are_those_of_the_fingerprint(measured: dict[str, Any], part: str) -> None:
    assert measured[part] == json.loads(FINGERPRINT.read_text())[part]


if __name__ == "__main__":  # rewrite the fingerprint (only for a change meant to alter findings)
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        FINGERPRINT.write_text(json.dumps(fingerprint(_plant(Path(folder))), indent=1) + "\n")
    print(f"wrote {FINGERPRINT}")
