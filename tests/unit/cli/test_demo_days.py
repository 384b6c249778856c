"""The demo plans crews for a day ahead that its plant has schedules and jobs for, whatever weekday it runs on."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from plexlabor_dev.demo import DEMO_ANOMALY_RATE, crew_day, demo_end_date, demo_spec


@pytest.mark.parametrize("today", [date(2026, 12, 5) + timedelta(days=n) for n in range(7)])
def test_the_crew_day_is_a_weekday_ahead_inside_the_plants_scheduled_days(today: date) -> None:
    spec = demo_spec(20, 4, 7, today)
    end, day = demo_end_date(today), crew_day(today)
    assert spec.end_date == end < today and end.weekday() == 4  # a Friday, as the generator's default end
    assert spec.anomaly_rate == DEMO_ANOMALY_RATE
    assert today < day <= end + timedelta(days=spec.future_days) and day.weekday() < 5
