"""The generator's true operator effects: written once per operator, acted on in the records, off on a null plant."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from plexlabor.plant import PlantFolder
from plexlabor.plex import PlantFolderSource
from plexlabor_dev.simulator import catalog
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant
from plexlabor_dev.simulator.operators import MEAN_STOP_SHARE, read_truth

SPEC = PlantSpec(employees=40, weeks=3, seed=17)


def _rows(folder: Path, resource: str) -> list[dict[str, object]]:
    with (folder / f"{resource}.jsonl").open() as lines:
        return [json.loads(line) for line in lines]


def test_every_hourly_operator_has_true_effects_and_the_records_follow_them(tmp_path: Path) -> None:
    # Given a generated plant
    generate_plant(SPEC, tmp_path)
    truth = read_truth(tmp_path)
    hourly = {row["id"] for row in _rows(tmp_path, "employees") if row["positionTitle"] in ("Operator", "Technician")}
    # Then every hourly operator has one line of truth, with values in their documented ranges
    assert set(truth) == hourly
    assert all(0.7 <= t.efficiency <= 1.3 and 0 < t.scrap_share < 0.1 for t in truth.values())
    assert len({t.scrap_share for t in truth.values()}) > len(truth) // 2  # they differ
    # And stops with an operator reason, and nonconformances, are charged to operators who have the truth
    operator_stops = [
        row for row in _rows(tmp_path, "downtime-entries") if row["reasonCode"] in catalog.OPERATOR_DOWNTIME_REASONS
    ]
    assert operator_stops and {row["employeeId"] for row in operator_stops} <= set(truth)
    meta = PlantFolder(tmp_path).meta()
    found = PlantFolderSource(PlantFolder(tmp_path)).nonconformances(meta.start, meta.end)
    assert found and {row.employee_id for row in found} <= set(truth)


def test_a_null_plant_gives_every_operator_the_same_effects(tmp_path: Path) -> None:
    # Given a plant generated without operator differences
    generate_plant(PlantSpec(employees=40, weeks=3, seed=17, operator_effects=False), tmp_path)
    truth = read_truth(tmp_path).values()
    # Then every operator has the same true effects
    assert {(t.efficiency, t.scrap_share, t.nonconformances_per_entry) for t in truth} == {
        (1.0, next(iter(truth)).scrap_share, 0.02)
    }
    assert Counter(t.caused_stops_per_entry for t in truth) == {round(0.05 * MEAN_STOP_SHARE, 6): len(truth)}


def test_a_folder_without_the_truth_file_has_no_truth(tmp_path: Path) -> None:
    assert read_truth(tmp_path) == {}
