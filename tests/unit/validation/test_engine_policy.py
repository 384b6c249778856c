"""Plant policy as configuration (issue 11): what a certification's expiry date means, tested at the boundary."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from plant_builder import SKILL, TUESDAY, PlantBuilder

from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.engine import EngineSettings, ValidationEngine
from plexlabor.validation.norms import RECENT_DAYS_KEPT, compute_norms
from plexlabor.validation.policy import MAX_RECENT_HABIT_SHIFTS, PunchPolicy

A = AnomalyType


@pytest.mark.parametrize(
    ("meaning", "worked", "uncertified"),
    [
        ("last_valid_day", TUESDAY, False),
        ("first_invalid_day", TUESDAY, True),
        ("first_invalid_day", TUESDAY - timedelta(days=1), False),
        ("last_valid_day", TUESDAY + timedelta(days=1), True),
    ],
    ids=["last-valid-on-the-day", "first-invalid-on-the-day", "first-invalid-the-day-before", "last-valid-day-after"],
)
def test_the_expiry_dates_meaning_decides_whether_work_on_that_day_is_certified(
    meaning: str, worked: date, uncertified: bool
) -> None:
    # Given E1's certification for WC1 expires on Tuesday and is renewed a week later
    plant = PlantBuilder(weeks=8).employee("E1", certified_until=TUESDAY)
    plant.certification("E1", SKILL, 2, TUESDAY + timedelta(days=7), date(2028, 12, 31))
    day = plant.work_day("E1", worked)
    data = plant.build()
    policy = PunchPolicy(certification_expiry=meaning)  # type: ignore[arg-type]
    engine = ValidationEngine(settings=EngineSettings(policy=policy))
    # When the engine validates the plant
    findings = engine.batch(data, compute_norms(data))
    flagged = {f.record_key for f in findings if f.anomaly_type == A.UNCERTIFIED_OPERATOR}
    # Then that day's labor is uncertified exactly when the policy says the certification had lapsed
    assert flagged & set(day.labor_keys) == (set(day.labor_keys) if uncertified else set())


def test_an_unknown_expiry_meaning_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="certification_expiry"):
        PunchPolicy(certification_expiry="end_of_month")  # type: ignore[arg-type]


def sunday_to_saturday_week(plant: PlantBuilder) -> list:
    """Sun 2026-11-08 06:00-11:00 (5 h) and Mon-Fri 9-12 Nov 10-h days (50 h): 55 h from Sunday to Saturday,
    the Sunday counting to ISO week 45 and the weekdays to week 46."""
    days = [plant.work_day("E1", date(2026, 11, 8), shift="5h", breaks=False, clock_in=0, clock_out=6)]
    days += [plant.work_day("E1", date(2026, 11, 9 + i), shift="10h", clock_in=0, clock_out=0) for i in range(5)]
    return days


def test_more_recent_shifts_than_the_norms_keep_for_real_time_is_refused_naming_the_field() -> None:
    # The check reads 3 x recent_habit_shifts worked days back; the norms keep 28 for the real-time path
    assert 3 * PunchPolicy(recent_habit_shifts=MAX_RECENT_HABIT_SHIFTS).recent_habit_shifts < RECENT_DAYS_KEPT
    with pytest.raises(ValueError, match="recent_habit_shifts"):
        PunchPolicy(recent_habit_shifts=MAX_RECENT_HABIT_SHIFTS + 1)


@pytest.mark.parametrize(("starts", "week"), [("sunday", "2026-11-08"), ("monday", None)])
def test_the_pay_weeks_first_day_decides_which_hours_make_a_week(starts: str, week: str | None) -> None:
    # Given 55.1 h from Sunday 8 to Friday 13 November
    plant = PlantBuilder(weeks=8).employee("E1")
    days = sunday_to_saturday_week(plant)
    data = plant.build()
    engine = ValidationEngine(settings=EngineSettings(policy=PunchPolicy(pay_week_starts=starts)))  # type: ignore[arg-type]
    # When the engine validates the plant with pay weeks from Sunday (or ISO weeks from Monday)
    found = [f for f in engine.batch(data, compute_norms(data)) if f.anomaly_type == A.EXCESSIVE_OVERTIME]
    # Then the Sunday-to-Saturday week is over 55 h, on its first entry; ISO weeks split it (5.1 h + 50 h)
    if week is None:
        assert found == []
        return
    (finding,) = found
    assert finding.record_key == days[0].first_key and finding.evidence["week"] == week
    assert finding.note.startswith("55.1 h in the pay week Sun 2026-11-08 – Sat 2026-11-14 (55.1 h punched)")


@pytest.mark.parametrize(("hours_date", "excessive"), [("clock_in", True), ("shift_work_date", False)])
def test_a_night_shift_counts_to_the_week_of_its_work_date_when_the_policy_says_so(
    hours_date: str, excessive: bool
) -> None:
    # Given a 3rd-shift worker's nights from Sunday 8 to Friday 13 Nov (22:30-07:00, 8 h in two entries
    # around a 02:30 break) and Sunday 15's night worked straight to 10:00 (11.5 h); weekly limit 53 h
    plant = PlantBuilder(weeks=8).employee("E1", shift="3rd")
    for day in range(8, 14):
        plant.work_day("E1", date(2026, 11, day), clock_in=0, clock_out=0)
    plant.work_day("E1", date(2026, 11, 15), clock_in=0, clock_out="10:00", breaks=False)
    data = plant.build()
    policy = PunchPolicy(hours_date=hours_date, weekly_hours_limit=53)  # type: ignore[arg-type]
    engine = ValidationEngine(settings=EngineSettings(policy=policy))
    # When the engine validates the plant
    found = [f for f in engine.batch(data, compute_norms(data)) if f.anomaly_type == A.EXCESSIVE_OVERTIME]
    # Then by clock-in date ISO week 46 holds Sunday 8's second entry (Mon 03:00-07:00) and the whole of
    # Sunday 15's night: 4 + 40 + 11.5 = 55.5 h; by the shifts' work dates 40 + 11.5 = 51.5 h
    assert ("2026-W46" in {f.evidence["week"] for f in found}) is excessive


@pytest.mark.parametrize(
    ("dst_hours", "night", "end", "breaks", "hours"),
    [
        ("elapsed", date(2026, 10, 31), date(2026, 11, 6), ("02:30", "03:00"), 49.0),
        ("wall_clock", date(2026, 10, 31), date(2026, 11, 6), ("02:30", "03:00"), 48.0),
        ("elapsed", date(2026, 3, 7), date(2026, 3, 13), ("01:00", "01:30"), 47.0),
        ("wall_clock", date(2026, 3, 7), date(2026, 3, 13), ("01:00", "01:30"), 48.0),
    ],
    ids=["autumn-elapsed", "autumn-wall-clock", "spring-elapsed", "spring-wall-clock"],
)
def test_whether_the_dst_hour_counts_as_worked_is_the_policys(
    dst_hours: str, night: date, end: date, breaks: tuple[str, str], hours: float
) -> None:
    # Given a 3rd-shift worker's five week nights (8 h each) and the Saturday night the clocks change,
    # 22:30-07:00 on the wall with a 30-min break: 9 h passed in autumn, 7 h in spring, 8 h on the wall
    plant = PlantBuilder(weeks=4, end=end).employee("E1", shift="3rd")
    monday = night - timedelta(days=5)
    for offset in range(5):
        plant.work_day("E1", monday + timedelta(days=offset), clock_in=0, clock_out=0)
    plant.work_day("E1", night, clock_in=0, clock_out=0, break_at=breaks)
    data = plant.build()
    policy = PunchPolicy(dst_hours=dst_hours, weekly_hours_limit=40)  # type: ignore[arg-type]
    engine = ValidationEngine(settings=EngineSettings(policy=policy))
    # When the engine validates the plant (a low limit, so the week's hours show)
    found = [f for f in engine.batch(data, compute_norms(data)) if f.anomaly_type == A.EXCESSIVE_OVERTIME]
    # Then the week counts the changed night's hour or not, as the policy says
    (week,) = [f for f in found if f.evidence["week"] == f"{monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}"]
    assert week.evidence["punched_hours"] == hours


def test_an_unknown_dst_hours_rule_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="dst_hours"):
        PunchPolicy(dst_hours="paid")  # type: ignore[arg-type]
