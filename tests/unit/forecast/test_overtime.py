"""Overtime projection on a plant small enough to check by hand, and its backtest on the shared plant."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from plexlabor.audit.events import AuditStatus
from plexlabor.forecast.alerts import overtime_event
from plexlabor.forecast.data import ForecastData
from plexlabor.forecast.overtime import (
    Habit,
    Intervals,
    PersonWeek,
    backtest_overtime,
    habits,
    project_overtime,
    week_workloads,
)
from plexlabor.forecast.records import OperationForecast
from plexlabor.forecast.settings import ForecastSettings
from plexlabor.models.types import format_plex_datetime
from tests.unit.forecast.conftest import make_forecast

DETROIT = ZoneInfo("America/Detroit")
MONDAY = date(2026, 11, 16)
AS_OF = datetime(2026, 11, 18, tzinfo=DETROIT)  # Wednesday 00:00: Monday and Tuesday are punched


def _iso(day: date, hour: int, minute: int = 0) -> str:
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=DETROIT)
    return format_plex_datetime(local)


def _plant(as_of: datetime = AS_OF) -> dict[str, list[dict[str, Any]]]:
    """A1 (ASSY): Monday to Saturday. A2 (ASSY): on vacation Thursday and Friday. A3 (ASSY): part time,
    Monday to Wednesday. B1 (MACH): clocks in 20 minutes early every day. Three weeks of history behind
    the habits, then this week."""
    rows: dict[str, list[dict[str, Any]]] = {
        "shifts": [
            {
                "shiftId": "SH1",
                "shiftCode": "1",
                "name": "1st",
                "startLocal": "06:00",
                "endLocal": "14:30",
                "breakMinutes": 30,
            }
        ],
        "employees": [
            {"id": e, "employeeNo": e, "firstName": "x", "lastName": "y", "departmentCode": d, "payRate": 20.0}
            for e, d in (("A1", "ASSY"), ("A2", "ASSY"), ("A3", "ASSY"), ("B1", "MACH"))
        ],
        "shift-assignments": [],
        "time-clock-entries": [],
    }
    n = 0
    for week in range(-3, 1):
        monday = MONDAY + timedelta(weeks=week)
        for offset in range(6):
            day = monday + timedelta(days=offset)
            for employee in ("A1", "A2", "A3", "B1"):
                if offset == 5 and not (employee == "A1" and week == 0):
                    continue
                if employee == "A3" and offset > 2:
                    continue
                leave = employee == "A2" and week == 0 and offset in (3, 4)
                n += 1
                rows["shift-assignments"].append(
                    {
                        "id": f"s{n}",
                        "employeeId": employee,
                        "shiftId": "SH1",
                        "workDate": day.isoformat(),
                        "scheduledStart": _iso(day, 6),
                        "scheduledEnd": _iso(day, 14, 30),
                        "workcenterId": "WC1",
                        "status": "Leave" if leave else "Scheduled",
                        "leaveType": "Vacation" if leave else None,
                    }
                )
                if leave or datetime.fromisoformat(_iso(day, 6)) >= as_of:
                    continue
                early = 20 if employee == "B1" else 0
                for k, (a, b) in enumerate((((6, 0), (10, 15)), ((10, 45), (14, 30)))):
                    start = _iso(day, 5, 40) if k == 0 and early else _iso(day, *a)
                    rows["time-clock-entries"].append(
                        {"id": f"t{n}-{k}", "employeeId": employee, "clockinTime": start, "clockoutTime": _iso(day, *b)}
                    )
    return rows


@pytest.fixture(scope="module")
def projections() -> dict[str, Any]:
    data = ForecastData.build(_plant(), "America/Detroit", AS_OF)
    monday = datetime(2026, 11, 16, tzinfo=DETROIT).timestamp()
    return {p.department: p for p in project_overtime(data, ForecastSettings(), weeks=[monday])}


def test_the_projection_adds_the_rest_of_the_schedule_to_the_punches_so_far(projections: dict[str, Any]) -> None:
    assy, mach = projections["ASSY"], projections["MACH"]
    # ASSY: A1 16 h punched + 4 shifts x 8 h = 48 h (8 h overtime); A2 16 h + 1 shift = 24 h (Thu-Fri on
    # leave); A3 16 h + 1 shift = 24 h
    assert assy.worked_hours == pytest.approx(48.0, abs=0.01)
    assert assy.projected_hours == pytest.approx(96.0, abs=0.01)
    assert assy.projected_overtime_hours == pytest.approx(8.0, abs=0.01)
    assert assy.employees == 3 and assy.employees_over_threshold == 1 and assy.employees_over_limit == 0
    # MACH: B1 works 8 h 20 min a day, his habit: 5 x 8.33 = 41.67 h
    assert mach.projected_overtime_hours == pytest.approx(5 / 3, abs=0.01)
    assert mach.overtime_cost == pytest.approx(5 / 3 * 20 * 1.5, abs=0.05)


def test_causes_and_suggestions_follow_the_main_driver(projections: dict[str, Any]) -> None:
    assy, mach = projections["ASSY"], projections["MACH"]
    assert assy.causes[0] == "weekend shifts: 1 person scheduled for 8 h (8 h of the overtime)"
    assert "absences: 1 person on leave (16 h)" in assy.causes
    # A3 has 16 spare hours; A2 is on vacation, so not asked
    assert assy.suggestion == "Move about 8 h of weekend work to weekday shifts of 1 colleague under 40 h this week"
    assert mach.causes == ["punching beyond the schedule (early clock-ins, late clock-outs): 2 h"]
    assert mach.suggestion is not None and mach.suggestion.startswith("Hold punches to the shift window")


def _week_at(as_of: datetime) -> dict[str, Any]:
    """This week's projections as the nightly run sees them at `as_of`, punched up to then."""
    data = ForecastData.build(_plant(as_of), "America/Detroit", as_of)
    monday = datetime(2026, 11, 16, tzinfo=DETROIT).timestamp()
    return {p.department: p for p in project_overtime(data, ForecastSettings(), weeks=[monday])}


def test_a_suggestion_claims_only_the_hours_still_to_come_or_says_they_are_worked(projections: dict[str, Any]) -> None:
    # Wednesday 00:00: B1's early clock-ins of Wednesday to Friday are still to come (3 x 20 min), Monday's and
    # Tuesday's are worked (ux164 #17: "early and late punches add about 55 h" with one day of the week left)
    assert projections["MACH"].suggestion == (
        "Hold punches to the shift window (clock in no earlier than the grace allows): early and late punches in "
        "the shifts still to come add about 1 h of overtime"
    )
    # Saturday 00:00: B1 works no weekend, so his early punches are all worked; A1's Saturday is still to come
    saturday = _week_at(datetime(2026, 11, 21, tzinfo=DETROIT))
    assert saturday["MACH"].projected_overtime_hours == pytest.approx(5 / 3, abs=0.01)
    assert saturday["MACH"].suggestion == (
        "Early and late punches added about 2 h of overtime, already worked: no shift is left this week to hold "
        "them in; hold punches to the shift window from next week"
    )
    assert saturday["ASSY"].suggestion is not None and saturday["ASSY"].suggestion.startswith("Move about 8 h")
    # Sunday 00:00: A1's Saturday is worked too: nothing left to move
    sunday = _week_at(datetime(2026, 11, 22, tzinfo=DETROIT))
    assert sunday["ASSY"].projected_overtime_hours == pytest.approx(8.0, abs=0.01)
    assert sunday["ASSY"].suggestion == (
        "The 8 h of overtime of the scheduled extra shifts are already worked: no extra shift is left this week to "
        "move or cover"
    )


@pytest.mark.parametrize(
    ("spare", "suggestion"),
    [
        (16.0, "Move about 8 h of weekend work to weekday shifts of 2 colleagues under 40 h this week"),
        (
            0.0,
            "Nobody in ASSY has spare weekday hours: cover about 8 h of the scheduled extra shifts with temporary "
            "labor (1 eight-hour shift) instead of overtime",
        ),
    ],
)
def test_punches_all_worked_give_way_to_a_weekend_shift_still_to_come(spare: float, suggestion: str) -> None:
    """ux_s17 M4: 9 h of early and late punches, all worked, and a weekend shift of 8 h still to come read "no shift
    is left this week to hold them in"; the weekend shift is what can still be acted on."""
    from plexlabor.forecast.overtime import _Split

    split = _Split(weekend=8.0, weekend_ahead=8.0, habit=9.0, habit_ahead=0.0)
    assert split.suggestion(9.0, "ASSY", 40.0, 2 if spare else 0, spare) == (
        suggestion + "; early and late punches added about 9 h more, already worked"
    )


def test_extra_shifts_all_worked_give_way_to_punches_still_to_come() -> None:
    from plexlabor.forecast.overtime import _Split

    split = _Split(weekend=8.0, weekend_ahead=0.0, habit=3.0, habit_ahead=2.0)
    assert split.suggestion(8.0, "ASSY", 40.0, 0, 0.0) == (
        "Hold punches to the shift window (clock in no earlier than the grace allows): early and late punches in the "
        "shifts still to come add about 2 h of overtime; 1 h more are already worked; the 8 h of overtime of the "
        "scheduled extra shifts are already worked"
    )


def test_last_week_is_the_baseline(projections: dict[str, Any]) -> None:
    assert projections["ASSY"].last_week_overtime_hours == 0
    assert projections["MACH"].last_week_overtime_hours == pytest.approx(5 / 3, abs=0.01)


def test_an_overtime_projection_becomes_a_recommendation(projections: dict[str, Any]) -> None:
    event = overtime_event(projections["ASSY"], "overtime-projection-1", AS_OF, AuditStatus.LOGGED)
    assert event.record_key == "departments:ASSY" and event.payload["iso_week"] == "2026-W47"
    assert event.payload["kind"] == "overtime_projection"  # the review queue's kind, for planners
    assert "Move about 8 h of weekend work" in event.payload["note"]
    # the hours as the forecasts page says them (one decimal), the causes a sentence of their own
    hours = projections["ASSY"].projected_overtime_hours
    assert event.payload["note"].startswith(f"ASSY 2026-W47: {hours:.1f} h overtime projected (")
    assert "into overtime). Weekend shifts: " in event.payload["note"]


def test_the_overtime_backtest_beats_same_as_last_week_on_the_shared_plant(plant_data: ForecastData) -> None:
    result = backtest_overtime(plant_data, ForecastSettings())
    start = result.scores["week start (Mon 00:00)"]
    assert start.department_weeks >= 10
    assert start.mae_projection < start.mae_last_week
    mid = result.scores["mid-week (Wed 00:00)"]
    assert mid.mae_projection <= start.mae_projection * 1.2


def test_without_spare_colleagues_the_suggestion_is_temporary_labor() -> None:
    rows = _plant()
    rows["shift-assignments"] = [s for s in rows["shift-assignments"] if s["employeeId"] != "A3"]
    rows["time-clock-entries"] = [t for t in rows["time-clock-entries"] if t["employeeId"] != "A3"]
    data = ForecastData.build(rows, "America/Detroit", AS_OF)
    monday = datetime(2026, 11, 16, tzinfo=DETROIT).timestamp()
    assy = next(p for p in project_overtime(data, ForecastSettings(), weeks=[monday]) if p.department == "ASSY")
    assert assy.suggestion == (
        "Nobody in ASSY has spare weekday hours: cover about 8 h of the scheduled extra shifts with temporary "
        "labor (1 eight-hour shift) instead of overtime"
    )


def _habits(data: ForecastData) -> dict[str, Habit]:
    habit = habits(data, Intervals.of(data), ForecastSettings())
    return {employee: habit[data.employee_index[employee]] for employee in ("A1", "A2", "A3", "B1")}


def test_shifts_before_the_punches_were_read_say_nothing_of_attendance() -> None:
    # Given punches read only from two Mondays ago, as the nightly run reads them (its habit weeks) and
    # an earlier backtest did at every cut-off (issue 20)
    since = datetime(2026, 11, 2, tzinfo=DETROIT)
    rows = _plant()
    rows["time-clock-entries"] = [
        t for t in rows["time-clock-entries"] if datetime.fromisoformat(t["clockinTime"]) >= since
    ]
    data = ForecastData.build(rows, "America/Detroit", AS_OF)
    # When the data knows where its punches begin
    read = _habits(replace(data, punches_since=since.timestamp()))
    # Then the shifts scheduled before are no absences: everyone who always came still always comes
    assert {e: h.attendance for e, h in read.items()} == {"A1": 1.0, "A2": 1.0, "A3": 1.0, "B1": 1.0}
    # (not knowing it, the week with no punches read looks like a week off: A1 at 12 of 17 shifts)
    assert _habits(data)["A1"].attendance == pytest.approx(12 / 17)


def test_a_past_sick_day_is_an_absence() -> None:
    # Given A1 off sick on the Tuesday of last week (recorded on the day, no punches)
    rows = _plant()
    tuesday = (MONDAY - timedelta(weeks=1) + timedelta(days=1)).isoformat()
    sick = next(a for a in rows["shift-assignments"] if a["employeeId"] == "A1" and a["workDate"] == tuesday)
    sick.update(status="Leave", leaveType="Sick")
    rows["time-clock-entries"] = [
        t for t in rows["time-clock-entries"] if not (t["employeeId"] == "A1" and t["clockinTime"][:10] == tuesday)
    ]
    # Then A1's attendance counts it (16 of 17 shifts since the habit weeks began), as a sick day to come
    # cannot be seen when a shift is projected; planned leave (A2's vacation) is no absence
    habit = _habits(ForecastData.build(rows, "America/Detroit", AS_OF))
    assert habit["A1"].attendance == pytest.approx(16 / 17)
    assert habit["A2"].attendance == 1.0


def test_overtime_is_expected_over_every_way_the_shifts_to_come_are_worked_or_missed() -> None:
    # Given 16 h punched and three 8.5 h shifts to come, each worked with a 98% chance
    week = PersonWeek(worked=16.0, remaining=0.98 * 3 * 8.5, attendance=0.98, upcoming=[8.5, 8.5, 8.5])
    # Then 41.5 h if all are worked (0.98^3 of the time), under 40 h otherwise: 1.41 h expected, not the
    # 0.99 h above 40 of the expected 40.99 h
    assert week.projected == pytest.approx(40.99)
    assert week.overtime(40.0) == pytest.approx(0.98**3 * 1.5)
    # and someone who always comes, or who cannot reach 40 h, is simple
    assert PersonWeek(worked=16.0, remaining=25.5, upcoming=[8.5] * 3).overtime(40.0) == pytest.approx(1.5)
    assert PersonWeek(worked=8.0, remaining=0.9 * 17, attendance=0.9, upcoming=[8.5, 8.5]).overtime(40.0) == 0


def test_causes_count_people_and_shifts_in_words() -> None:
    from plexlabor.forecast.overtime import _plural

    assert [_plural(1, "person"), _plural(3, "person"), _plural(2, "eight-hour shift")] == [
        "1 person",
        "3 people",
        "2 eight-hour shifts",
    ]


def _forecast(op: str, workcenter: str, start: datetime, p50: float) -> OperationForecast:
    """Operation `op` of ASSY at `workcenter`, scheduled at `start`: `p50` hours, its standard and every quantile."""
    hours = dict.fromkeys(("standard_hours", "p10_hours", "p50_hours", "p90_hours"), p50)
    return make_forecast(
        as_of=AS_OF, job_operation_id=op, workcenter_id=workcenter, department="ASSY", scheduled_start=start, **hours
    )


def _with_operations(spans: dict[str, tuple[str, datetime, datetime]]) -> ForecastData:
    rows = _plant()
    rows["job-operations"] = [
        {
            "id": op,
            "jobId": f"J-{op}",
            "partId": "P",
            "operationNo": 10,
            "operationCode": "10",
            "workcenterId": workcenter,
            "quantity": 1,
            "standardHours": 1,
            "scheduledStart": format_plex_datetime(start),
            "scheduledEnd": format_plex_datetime(end),
        }
        for op, (workcenter, start, end) in spans.items()
    ]
    return ForecastData.build(rows, "America/Detroit", AS_OF)


def test_the_workload_counts_each_operation_by_its_share_in_the_week_and_what_can_run_at_once() -> None:
    # Given, at WC1, two 40 h operations scheduled over the same Thursday-Friday, and at WC2 one of 60 h
    # from Saturday to next Tuesday (half of its span in this week)
    thursday, saturday = datetime(2026, 11, 19, 6, tzinfo=DETROIT), datetime(2026, 11, 21, 0, tzinfo=DETROIT)
    spans = {
        "O1": ("WC1", thursday, thursday + timedelta(hours=40)),
        "O2": ("WC1", thursday, thursday + timedelta(hours=40)),
        "O3": ("WC2", saturday, saturday + timedelta(hours=96)),
    }
    data = _with_operations(spans)
    forecasts = [_forecast("O1", "WC1", thursday, 40), _forecast("O2", "WC1", thursday, 40)]
    forecasts.append(_forecast("O3", "WC2", saturday, 60))
    # When the week of Monday 16 November is measured
    monday = datetime(2026, 11, 16, tzinfo=DETROIT).timestamp()
    workload = week_workloads(data, forecasts, monday)["ASSY"]
    # Then O3 counts by the 48 of its 96 scheduled hours in the week (before: all 60 h, as it starts in it),
    # and only one of the two overlapping operations at WC1 can run at a time
    assert workload.hours == pytest.approx(40 + 40 + 30)
    assert workload.runnable == pytest.approx(40 + 30) and workload.overlapping == pytest.approx(40)


def test_a_workload_beyond_the_shifts_is_named_with_its_overlap_and_does_not_pass_for_overtime() -> None:
    thursday = datetime(2026, 11, 19, 6, tzinfo=DETROIT)
    spans = {f"O{i}": ("WC1", thursday, thursday + timedelta(hours=30)) for i in range(4)}
    data = _with_operations(spans)
    forecasts = [_forecast(op, "WC1", thursday, 30) for op in spans]
    monday = datetime(2026, 11, 16, tzinfo=DETROIT).timestamp()
    assy = next(
        p for p in project_overtime(data, ForecastSettings(), forecasts, weeks=[monday]) if p.department == "ASSY"
    )
    without = next(p for p in project_overtime(data, ForecastSettings(), weeks=[monday]) if p.department == "ASSY")
    assert assy.forecast_labor_hours == pytest.approx(120)
    assert assy.causes[-1] == (
        "workload: the job operations scheduled this week need 120 h (P50) against 96 h of shifts scheduled at "
        "workcenters; 90 h of it is scheduled at the same time as other work at the same workcenter, so at most "
        "30 h can run. The overtime projected counts the shifts scheduled, not this work: work beyond them runs "
        "late unless shifts are added"
    )
    assert assy.projected_overtime_hours == without.projected_overtime_hours  # the workload is a cause, not a figure
    mach = next(
        p for p in project_overtime(data, ForecastSettings(), forecasts, weeks=[monday]) if p.department == "MACH"
    )
    assert mach.forecast_labor_hours is None  # no operation of MACH forecast: no workload, not 0 h
