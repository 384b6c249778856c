"""Every approved time-clock correction the engine suggests can be located in Plex by the write-back."""

from __future__ import annotations

from plexlabor.approval.corrections import FieldUpdate, plan_correction
from plexlabor.approval.messages import Decision
from plexlabor.approval.writeback import _time_hints
from plexlabor.plant import PlantFolder
from plexlabor.validation.data import PlantData
from plexlabor.validation.engine import ValidationEngine


def test_every_field_update_the_engine_suggests_carries_the_times_to_find_its_record(
    labelled_plant: PlantFolder,
) -> None:
    # Given every finding the engine makes on a labelled plant, approved by a supervisor
    findings = ValidationEngine().batch(PlantData.from_folder(labelled_plant))
    approve = Decision(action="approve", reason=None, supervisor_id="S1")
    updates = [(f, plan_correction(f, approve)) for f in findings]
    field_updates = [(f, plan) for f, plan in updates if isinstance(plan, FieldUpdate)]
    # Then some are field updates of time-clock entries, and each names a time to look its record up by
    assert {f.anomaly_type.value for f, _ in field_updates} >= {"MISSED_BREAK", "MISSED_PUNCH", "LATE_CLOCK_OUT"}
    assert all(_time_hints(finding) for finding, _ in field_updates)
