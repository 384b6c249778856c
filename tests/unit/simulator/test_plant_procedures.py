"""A generated plant's SOPs and process data read as a plant's own: the copilot's readers accept them."""

from __future__ import annotations

import json

from plexlabor.copilot import PROCEDURES_KEY, PROCESS_KEY
from plexlabor.copilot.parameters import ProcessData
from plexlabor.copilot.procedures import read_procedures
from plexlabor.plant import PlantFolder
from plexlabor_dev.simulator.procedures import MOLDING_OPERATION, SOPS, procedure_files


def test_the_files_are_the_plants_departments_procedures_and_its_molding_runs(labelled_plant: PlantFolder) -> None:
    departments = {row["departmentCode"] for row in labelled_plant.iter_raw("workcenters")}
    files = procedure_files(labelled_plant)

    procedures = read_procedures(files[PROCEDURES_KEY].decode().splitlines())
    expected = [sop.title for sop in SOPS if not sop.department or sop.department in departments]
    assert [p.title for p in procedures] == expected
    assert "Lockout/tagout before reaching into a machine" in expected  # plant-wide
    assert all(p.tools for p in procedures)
    process = ProcessData.model_validate(json.loads(files[PROCESS_KEY]))
    assert process.operations[MOLDING_OPERATION].runs and process.lots
    assert files == procedure_files(labelled_plant)  # the same plant, the same files
