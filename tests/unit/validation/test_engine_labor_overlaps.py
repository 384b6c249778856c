"""Labor entries of one operator that overlap on two workcenters (issue 11): found as time-clock overlaps are."""

from __future__ import annotations

import pytest
from plant_builder import TUESDAY, PlantBuilder, local

from plexlabor.models import record_key
from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.norms import compute_norms

A = AnomalyType


@pytest.mark.parametrize(("start", "overlap"), [("09:30", 43.0), ("10:14", None)], ids=["43-min", "after-it"])
def test_labor_at_a_second_workcenter_during_the_first_is_overlapping(
    engine: ValidationEngine, start: str, overlap: float | None
) -> None:
    # Given E1's labor at WC1 06:04-10:13 on Tuesday, and an entry keyed at WC2 from 09:30 (or 10:14) to 10:40
    plant = PlantBuilder(weeks=8).employee("E1")
    day = plant.work_day("E1", TUESDAY, clock_in=0, clock_out=0)
    entry = plant.labor("E1", local(TUESDAY, start), local(TUESDAY, "10:40"), 60, workcenter="WC2")
    assert entry is not None
    data = plant.build()
    # When the engine validates the plant
    found = [f for f in engine.batch(data, compute_norms(data)) if f.anomaly_type == A.OVERLAPPING_ENTRIES]
    # Then the WC2 entry overlaps the WC1 one by 43 min, named by workcenter codes; the one after it is fine
    if overlap is None:
        assert found == []
        return
    (finding,) = found
    assert finding.record_key == record_key("labor-entries", entry) and finding.route == "review"
    assert finding.evidence["overlaps"] == day.labor_keys[0] and finding.evidence["overlap_minutes"] == overlap
    assert finding.note == "Labor at WC2 from 09:30 overlaps labor at WC1 06:04–10:13 by 43 min"
