"""Concurrent punches of the person's department as context (issue 11 §3): a deviation the whole shift shared
(a late bus, a jammed gate, snow) is a trend, not a review item; one the person made alone is still found."""

from __future__ import annotations

from datetime import date

from plant_builder import PlantBuilder

from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.findings import Finding
from plexlabor.validation.norms import compute_norms

A = AnomalyType
PEOPLE = [f"E{n}" for n in range(1, 7)]  # the MOLD department's 1st shift
SNOW_DAY = date(2026, 11, 18)


def late_on(engine: ValidationEngine, minutes: dict[str, float], department: str = "MOLD") -> list[Finding]:
    """E1's LATE_CLOCK_IN findings on SNOW_DAY, when each person in `minutes` clocked in that late (the
    others in E1's department on time); everyone's usual is about 2 min early."""
    plant = PlantBuilder(weeks=8)
    for person in PEOPLE:
        plant.employee(person, department=department if person != "E1" else "MOLD")
    keys = {person: plant.work_day(person, SNOW_DAY, clock_in=minutes.get(person, -2)).first_key for person in PEOPLE}
    data = plant.build()
    return [
        f
        for f in engine.batch(data, compute_norms(data))
        if f.record_key == keys["E1"] and f.anomaly_type == A.LATE_CLOCK_IN
    ]


def test_a_lateness_the_whole_shift_shared_is_a_trend_not_a_review_item(engine: ValidationEngine) -> None:
    # Given snow: E1 and four of the five colleagues on the shift 20-24 min late
    (finding,) = late_on(engine, {"E1": 22, "E2": 20, "E3": 24, "E4": 21, "E5": 23})
    # Then E1's late clock-in is logged as a trend, naming the shared cause
    assert finding.route == "trend" and finding.confidence <= 0.5
    assert finding.evidence["colleagues"] == {"same_way": 4, "of": 5, "median_min": 23.0}
    assert "4 of 5 in the MOLD department on that shift were off the same way" in finding.note


def test_a_lateness_the_person_made_alone_is_still_for_review(engine: ValidationEngine) -> None:
    # near miss: only E1 late, the colleagues on time
    (finding,) = late_on(engine, {"E1": 22})
    assert finding.route == "review" and "colleagues" not in finding.evidence


def test_far_later_than_a_late_shift_is_still_for_review(engine: ValidationEngine) -> None:
    # near miss: the shift 20-24 min late, E1 45 min late: beyond what the others shared
    (finding,) = late_on(engine, {"E1": 45, "E2": 20, "E3": 24, "E4": 21, "E5": 23})
    assert finding.route == "review" and "colleagues" not in finding.evidence


def test_colleagues_of_another_department_are_no_context(engine: ValidationEngine) -> None:
    # near miss: the late colleagues belong to WELD, not E1's MOLD
    (finding,) = late_on(engine, {"E1": 22, "E2": 20, "E3": 24, "E4": 21, "E5": 23}, department="WELD")
    assert finding.route == "review"
