"""Shift swaps that never reach the schedule (issue 11): read against the plant's shift really worked."""

from __future__ import annotations

import pytest
from plant_builder import TUESDAY, PlantBuilder, local, plex_time

from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.norms import compute_norms

A = AnomalyType


@pytest.fixture
def plant() -> PlantBuilder:
    """E1 on the 1st shift and E2 on the 2nd, eight weeks each: the plant runs both shifts."""
    return PlantBuilder(weeks=8).employee("E1").employee("E2", shift="2nd")


def e1_findings(plant: PlantBuilder, engine: ValidationEngine) -> set[tuple[str, AnomalyType]]:
    data = plant.build()
    return {(f.record_key, f.anomaly_type) for f in engine.batch(data, compute_norms(data)) if f.employee_id == "E1"}


def test_the_plants_usual_shifts_come_from_the_schedules_without_one_off_edits(plant: PlantBuilder) -> None:
    plant.work_day("E1", TUESDAY, shift="10h")  # one long day: not one of the plant's shifts
    assert plant.build().shift_windows == ((6 * 60, 14 * 60 + 30), (14 * 60 + 30, 23 * 60))


def test_a_day_worked_at_the_2nd_shifts_hours_while_scheduled_on_the_1st_is_a_swap_not_late(
    plant: PlantBuilder, engine: ValidationEngine
) -> None:
    # Given E1, scheduled on the 1st shift on Tuesday, who worked the 2nd shift's hours as usual
    plant.work_day("E1", TUESDAY, shift="2nd", schedule=False)
    plant.schedule("E1", TUESDAY, "1st")
    # When / Then nothing is flagged: no 510-minute late clock-in, no unscheduled day
    assert e1_findings(plant, engine) == set()


def test_a_swap_does_not_hide_a_late_clock_in_against_the_shift_worked(
    plant: PlantBuilder, engine: ValidationEngine
) -> None:
    # Given the same swap, but E1 clocks in 25 min after the 2nd shift's start
    day = plant.work_day("E1", TUESDAY, shift="2nd", schedule=False, clock_in=25)
    plant.schedule("E1", TUESDAY, "1st")
    data = plant.build()
    findings = [f for f in engine.batch(data, compute_norms(data)) if f.employee_id == "E1"]
    # Then the clock-in is late against 14:30, the shift worked, and the note says it was a swap
    assert {(f.record_key, f.anomaly_type) for f in findings} == {(day.first_key, A.LATE_CLOCK_IN)}
    assert findings[0].evidence["scheduled"] == plex_time(local(TUESDAY, "14:30"))
    assert findings[0].evidence["swapped_from"] == plex_time(local(TUESDAY, "06:00"))
    assert findings[0].note.endswith("shift start 14:30 (worked instead of the 06:00 shift scheduled)")


def test_a_clock_in_90_min_late_near_no_other_shift_is_late_against_the_schedule(
    plant: PlantBuilder, engine: ValidationEngine
) -> None:
    # Given E1 clocking in at 07:30 on a 1st-shift day (no shift of the plant starts near it)
    day = plant.work_day("E1", TUESDAY, clock_in=90)
    # Then it is a late clock-in against 06:00, not a swap
    assert (day.first_key, A.LATE_CLOCK_IN) in e1_findings(plant, engine)


@pytest.mark.parametrize(("late_out", "flagged"), [(0, set()), (40, {"last"})], ids=["on-time", "40-min-late"])
def test_a_split_shifts_second_half_is_read_against_its_own_assignment_not_as_a_swap(
    plant: PlantBuilder, engine: ValidationEngine, late_out: float, flagged: set[str]
) -> None:
    # Given E1's Tuesday split in two scheduled halves, 06:00-10:15 and 12:14-16:29, worked without a break;
    # the second clock-in comes 1 h 59 min after the first clock-out (one stretch of work to the swap reading)
    plant.work_day("E1", TUESDAY, shift="split-am", breaks=False, clock_in=0, clock_out=6)
    second = plant.work_day("E1", TUESDAY, shift="split-pm", breaks=False, clock_in=0, clock_out=late_out)
    # When the engine validates the plant
    found = e1_findings(plant, engine)
    # Then the second half is on time against 16:29 (not 6 h late against 10:15), or 40 min late against it
    assert found == ({(second.last_key, A.LATE_CLOCK_OUT)} if flagged else set())


def test_the_return_from_a_rest_break_in_a_split_shifts_first_half_belongs_to_that_half(
    plant: PlantBuilder, engine: ValidationEngine
) -> None:
    # Given E1's Tuesday split in two halves, 06:00-10:15 and 12:14-16:29, with a rest break in the first
    # half, 09:00-09:12 (the return is nearer the second half's start than the first's)
    plant.work_day("E1", TUESDAY, shift="split-am", break_at=("09:00", "09:12"), clock_in=0, clock_out=0)
    plant.work_day("E1", TUESDAY, shift="split-pm", breaks=False, clock_in=0, clock_out=0)
    # When the engine validates the plant
    # Then the return is the first half's, not a clock-in 3 h early for the second
    assert e1_findings(plant, engine) == set()


def test_a_double_shifts_second_clock_in_minutes_before_the_first_ends_is_the_seconds(
    plant: PlantBuilder, engine: ValidationEngine
) -> None:
    # near miss: E1 works the 1st shift to 14:20 and the 2nd from 14:22 (inside the 1st, 8 min before its end)
    plant.work_day("E1", TUESDAY, shift="1st", clock_in=0, clock_out=-10)
    plant.work_day("E1", TUESDAY, shift="2nd", clock_in="14:22", clock_out=0, badge_in=False)
    # Then the 14:22 clock-in starts the 2nd shift: not an 8.5-h late clock-out of the 1st, nor a 2nd shift
    # started at its break (it is judged against the 2nd shift's start: 8 min early, 6 min before E1's usual)
    found = {anomaly for _, anomaly in e1_findings(plant, engine)}
    assert found == {A.EARLY_CLOCK_OUT, A.EARLY_CLOCK_IN}  # 14:20 is 12 min before E1's usual: the 1st shift ended
