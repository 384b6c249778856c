"""A clock-in followed by a second clock-in with no clock-out between (issue 11): the suggested clock-out
and the week's hours never pay the same time twice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from plant_builder import TUESDAY, PlantBuilder, local, plex_time, validate

from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.engine import ValidationEngine

A = AnomalyType
MONDAY_W46 = date(2026, 11, 9)


def morning_left_open(plant: PlantBuilder, day: date) -> str:
    """The day's first entry (06:00 to the 10:15 break) loses its clock-out; the entry after the break stays."""
    records = plant.work_day("E1", day, clock_in=0, clock_out=0)
    plant.edit("time-clock-entries", records.entries[0], clockoutTime=None, clockoutDeviceId=None)
    return records.first_key


@pytest.mark.parametrize(
    ("workcenter", "likely", "basis"),
    [("WC1", "10:16", "workcenter logout"), (None, "10:45", "the next clock-in")],
    ids=["operator-logged-out-for-the-break", "indirect-no-evidence-before-the-next-clock-in"],
)
def test_an_entry_left_open_before_a_second_clock_in_is_corrected_to_before_it(
    engine: ValidationEngine, workcenter: str | None, likely: str, basis: str
) -> None:
    # Given Tuesday's morning entry has no clock-out and E1 clocked in again at 10:45 (badge-out 14:32)
    plant = PlantBuilder(weeks=8).employee("E1", workcenter=workcenter)
    open_key = morning_left_open(plant, TUESDAY)
    # When the engine validates the plant
    finding = next(f for f in validate(plant, engine) if f.record_key == open_key)
    # Then the likely clock-out is not the day's badge-out (14:29 would pay 10:45-14:29 twice)
    assert finding.anomaly_type == A.MISSED_PUNCH
    assert finding.suggested_correction == {"clockoutTime": plex_time(local(TUESDAY, likely))}
    assert finding.evidence["correction_basis"] == basis


def test_the_last_entry_left_open_is_still_corrected_to_the_badge_out(engine: ValidationEngine) -> None:
    # Given the near miss: the afternoon entry is the one left open, and no clock-in follows that day
    plant = PlantBuilder(weeks=8).employee("E1")
    day = plant.work_day("E1", TUESDAY, clock_in=0, clock_out=0, missed_clock_out=True)
    # When / Then the badge-out (14:32, less the walk to the clock) is the likely clock-out, as before
    finding = next(f for f in validate(plant, engine) if f.record_key == day.last_key)
    assert finding.suggested_correction == {"clockoutTime": plex_time(local(TUESDAY, "14:29"))}


@pytest.mark.parametrize(("saturday_out", "excessive"), [(-60, False), (60, True)])
def test_an_entry_left_open_before_a_break_counts_to_the_next_clock_in_in_the_weeks_hours(
    engine: ValidationEngine, saturday_out: float, excessive: bool
) -> None:
    # Given week 46: five 10-h days (Monday's morning entry left open) and a Saturday of 4 h (or 6 h)
    plant = PlantBuilder(weeks=8).employee("E1")
    days = [
        plant.work_day("E1", MONDAY_W46 + timedelta(days=i), shift="10h", clock_in=0, clock_out=0) for i in range(5)
    ]
    plant.edit("time-clock-entries", days[0].entries[0], clockoutTime=None, clockoutDeviceId=None)
    plant.work_day("E1", MONDAY_W46 + timedelta(days=5), shift="5h", breaks=False, clock_in=0, clock_out=saturday_out)
    # When the engine validates the plant
    weeks = [f for f in validate(plant, engine) if f.anomaly_type == A.EXCESSIVE_OVERTIME]
    # Then the open entry counts 06:00-11:30 (5.5 h), not to the shift end (10.5 h, with the afternoon twice):
    # 54.5 h with the 4-h Saturday is within the limit; 56.5 h with the 6-h one is over it
    assert bool(weeks) is excessive
    if excessive:
        assert weeks[0].evidence["punched_hours"] == 56.5
