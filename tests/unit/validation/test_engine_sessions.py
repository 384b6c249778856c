"""Workcenter logins never logged out (issue 11): closed by the next login, the shift's end or the longest
session the policy allows, never "logged in until the extract"; every number a note prints stays bounded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from plant_builder import TUESDAY, PlantBuilder, local, minutes

from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.norms import compute_norms

A = AnomalyType
WEDNESDAY = TUESDAY + timedelta(days=1)


@pytest.fixture
def plant() -> PlantBuilder:
    return PlantBuilder(weeks=8).employee("E1")


def test_an_active_job_never_logged_out_counts_to_the_end_of_the_shift_not_to_the_extract(
    plant: PlantBuilder, engine: ValidationEngine
) -> None:
    # Given a clock-out at 12:00 on Tuesday while logged in at WC1, whose logout (15:20) never reached Plex
    day = plant.work_day("E1", TUESDAY, clock_out=-150, logout_gap=-200)
    plant.forget_logout("E1", local(TUESDAY, "15:20"))
    data = plant.build()
    # When the engine validates the plant (extract: Saturday 00:00, three and a half days later)
    findings = [f for f in engine.batch(data, compute_norms(data)) if f.record_key == day.last_key]
    # Then the active job counts 150 min, to the shift end, not the 5,040 min to the extract
    assert [f.anomaly_type for f in findings] == [A.EARLY_CLOCK_OUT_ACTIVE_JOB]
    finding = findings[0]
    assert finding.evidence["still_logged_in_min"] == 150.0 and finding.evidence["logged_out"] is False
    assert "150 more min (no logout; counted until the next login, the shift end or 12 h" in finding.note


def test_a_login_never_logged_out_is_not_a_login_on_the_next_day(plant: PlantBuilder, engine: ValidationEngine) -> None:
    # Given Tuesday's last login was never logged out, and on Wednesday E1 never logs in at a workcenter
    tuesday = plant.work_day("E1", TUESDAY)
    assert tuesday.clock_out is not None
    plant.forget_logout("E1", tuesday.clock_out - minutes(3))
    wednesday = plant.work_day("E1", WEDNESDAY, login_gap=None)
    data = plant.build()
    # When the checks run
    candidates = engine.candidates(data, compute_norms(data))
    # Then Wednesday shows no workcenter login (Tuesday's stays Tuesday's) ...
    buddy = [c for c in candidates if c.record_key == wednesday.first_key and c.anomaly == A.BUDDY_PUNCH]
    assert buddy and buddy[0].evidence["no_workcenter_login"] == 1.0
    # ... and Tuesday itself, closed at its shift's end, shows no signal at all
    assert not [c for c in candidates if c.record_key in tuesday.entry_keys]
