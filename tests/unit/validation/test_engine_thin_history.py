"""Thin history (issue 11): confidence grows with the person's own evidence (never a high-confidence history
finding on days of history), thin norms lean on the department's, the role's or the plant's by hierarchical
shrinkage, and the note says what the comparison was based on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from plant_builder import TUESDAY, PlantBuilder, local

from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.norms import MIN_PEOPLE, EmployeeNorms, Norm, Norms, compute_norms

A = AnomalyType


def late_on_tuesday(shifts_before: int | None, colleagues: int = 1) -> tuple[PlantBuilder, str]:
    """E9 hired `shifts_before` working days before Tuesday (None: eight weeks before), 30 min late on Tuesday."""
    plant = PlantBuilder(weeks=8)
    for number in range(1, colleagues + 1):
        plant.employee(f"E{number}")
    plant.employee("E9", history=shifts_before is None)
    day = TUESDAY
    for _ in range(shifts_before or 0):
        day -= timedelta(days=3 if day.weekday() == 0 else 1)
        plant.work_day("E9", day)
    return plant, plant.work_day("E9", TUESDAY, clock_in=30).first_key


@pytest.mark.parametrize(("shifts_before", "route"), [(3, "trend"), (None, "review")], ids=["3-shifts", "8-weeks"])
def test_a_late_clock_in_on_days_of_history_is_not_a_high_confidence_finding(
    engine: ValidationEngine, shifts_before: int | None, route: str
) -> None:
    # Given E9, 30 min late on Tuesday after three days of history (or eight weeks of it)
    plant, key = late_on_tuesday(shifts_before)
    data = plant.build()
    # When the engine validates the plant
    (finding,) = [f for f in engine.batch(data, compute_norms(data)) if f.record_key == key]
    # Then it is late either way, but on days of history only a trend (confidence under review), saying
    # the habit it was compared with is mostly the plant's
    assert finding.anomaly_type == A.LATE_CLOCK_IN and finding.route == route
    if shifts_before:
        assert finding.confidence <= 0.6
        assert "(4 shifts of their own, leaning on the plant's habit)" in finding.note
        assert finding.evidence["compared_with"] == "plant"
    else:
        assert "(median of 40 shifts)" in finding.note and "compared_with" not in finding.evidence


def test_a_new_hires_note_names_the_department_whose_habit_it_used(engine: ValidationEngine) -> None:
    # Given a department of six (E1-E5 and the new hire), E9 30 min late on the first day
    plant, key = late_on_tuesday(shifts_before=0, colleagues=5)
    data = plant.build()
    # When the engine validates the plant with last night's norms
    norms = compute_norms(data, until=local(TUESDAY, "00:00").timestamp())
    (finding,) = [f for f in engine.batch(data, norms) if f.record_key == key]
    # Then the note says it is the MOLD department's habit, not E9's
    assert "vs. the MOLD department's usual 2 min early (no history of their own yet)" in finding.note


def _norm(median: float, count: int) -> Norm:
    return Norm(median, 2.0, count)


@pytest.mark.parametrize(
    ("department_people", "expected"),
    [(MIN_PEOPLE, 10.0), (2, 2 / MIN_PEOPLE * 10.0 + (1 - 2 / MIN_PEOPLE) * 4.0)],
    ids=["department-of-five", "department-of-two"],
)
def test_a_thin_department_leans_on_the_role_and_the_role_on_the_plant(department_people: int, expected: float) -> None:
    # Given a department whose people start 10 min late, an Operator role of many at 4 min late, and the plant
    norms = Norms(
        "n",
        employees={},
        departments={"D": EmployeeNorms(start=_norm(10.0, department_people))},
        roles={"Operator": EmployeeNorms(start=_norm(4.0, 50))},
        plant=EmployeeNorms(start=_norm(0.0, 200)),
    )
    # When a new hire's norm is asked for
    start = norms.for_employee("NEW", "D", "Operator").start
    # Then a department of five stands on its own; one of two is weighted with the role's habit
    assert start is not None and start.count == 0 and start.median == pytest.approx(expected)
    assert Norms.from_json(norms.to_json()).for_employee("NEW", "D", "Operator").start == start
