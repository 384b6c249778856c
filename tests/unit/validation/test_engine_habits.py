"""A habit that moved for good (issue 11): read against the person's recent shifts, not only their history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from plant_builder import PlantBuilder

from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.norms import compute_norms

A = AnomalyType
MOVED = date(2026, 11, 2)  # from this Monday on, E1 arrives 15 min after the shift start
LAST_WEEK = [date(2026, 11, 16) + timedelta(days=n) for n in range(5)]


@pytest.fixture(scope="module")
def engine() -> ValidationEngine:
    return ValidationEngine()


def moved_plant(last_friday: float = 15) -> tuple[PlantBuilder, dict[date, str]]:
    """16 weeks about 2 min early, then three weeks 14-16 min late; the last Friday at `last_friday`."""
    plant = PlantBuilder(weeks=16).employee("E1")
    keys = {}
    for n in range(19):
        day = MOVED + timedelta(days=n)
        if day.weekday() < 5:
            late = last_friday if day == LAST_WEEK[-1] else 14 + n % 3
            keys[day] = plant.work_day("E1", day, clock_in=late).first_key
    return plant, keys


def late_days(plant: PlantBuilder, keys: dict[date, str], engine: ValidationEngine) -> set[date]:
    data = plant.build()
    flagged = {f.record_key for f in engine.batch(data, compute_norms(data)) if f.anomaly_type == A.LATE_CLOCK_IN}
    return {day for day, key in keys.items() if key in flagged}


def test_a_habit_moved_for_good_is_not_late_once_the_recent_shifts_show_it(engine: ValidationEngine) -> None:
    plant, keys = moved_plant()
    flagged = late_days(plant, keys, engine)
    # The first days of the new habit are still late against the history; after seven shifts, none is
    assert flagged and max(flagged) < MOVED + timedelta(days=9)
    assert not flagged & set(LAST_WEEK)


def test_a_moved_habit_does_not_hide_a_day_far_from_it(engine: ValidationEngine) -> None:
    plant, keys = moved_plant(last_friday=40)  # 25 min later than the new habit
    assert LAST_WEEK[-1] in late_days(plant, keys, engine)
