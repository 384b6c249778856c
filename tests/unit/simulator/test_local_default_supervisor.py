"""The local stack's default supervisor: approvals are on locally, so DEFAULT_SUPERVISOR_ID is required
(issue 17); a local run takes the plant's top manager unless told otherwise."""

from __future__ import annotations

import json
from pathlib import Path

from plexlabor.plant import PlantFolder
from plexlabor_dev.local.stack import LocalStack, plant_default_supervisor
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant


def _employees(plant: Path, rows: list[dict]) -> None:
    path = PlantFolder(plant).file_for("employees")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def test_the_default_is_the_manager_others_report_to_who_reports_to_nobody(tmp_path: Path) -> None:
    _employees(
        tmp_path,
        [
            {"id": "E3", "employeeNo": "300", "supervisorId": "S1"},
            {"id": "S1", "employeeNo": "200", "supervisorId": "M1"},
            {"id": "M1", "employeeNo": "100"},
            {"id": "X9", "employeeNo": "050"},  # reports to nobody, but nobody reports to them either
        ],
    )
    assert plant_default_supervisor(tmp_path) == "M1"


def test_a_plant_without_supervisors_has_no_default(tmp_path: Path) -> None:
    _employees(tmp_path, [{"id": "E1", "employeeNo": "1"}])
    assert plant_default_supervisor(tmp_path) is None


def test_a_generated_plant_has_one_and_the_local_stack_uses_it(tmp_path: Path) -> None:
    generate_plant(PlantSpec(employees=20, weeks=1, seed=7, anomaly_rate=0.1), tmp_path)
    default = plant_default_supervisor(tmp_path)
    rows = {row["id"]: row for row in PlantFolder(tmp_path).iter_raw("employees")}
    assert default in rows and not rows[default].get("supervisorId")
    assert LocalStack(tmp_path)._runtime_options["default_supervisor_id"] == default
    assert LocalStack(tmp_path, default_supervisor_id="E42")._runtime_options["default_supervisor_id"] == "E42"
