"""Hard normal patterns of the generator (issue 11): each behind its switch, none labelled, each as documented."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from plexlabor.plant import PlantFolder
from plexlabor_dev.simulator import catalog
from plexlabor_dev.simulator.context import HOUR, PlantSpec, Sim
from plexlabor_dev.simulator.generator import build_plant, generate_plant
from plexlabor_dev.simulator.normals import (
    CLOCK_DRIFT,
    DAY_CHANGES,
    HABIT_DRIFT,
    NORMAL_PATTERNS,
    NORMALS_FILE,
    NormalDay,
    read_truth,
)
from plexlabor_dev.simulator.normals.dst_nights import change_nights, wall_hours
from plexlabor_dev.simulator.writer import PlantWriter
from tests.support import generated_plant

APART = frozenset({"clock_drift", "holidays", "shutdown_weeks"})
HARD_PLANT = PlantSpec(
    employees=40, weeks=5, seed=1001, anomaly_rate=0.0, hard_normals=frozenset(NORMAL_PATTERNS) - APART
)
"""Covers the autumn DST night (2026-11-01); no injected anomaly, so every label would be a pattern's.
Clocks keep time here (a drifting one would blur the minutes the tests read), and the plant is never
closed (a shutdown week could take the DST night); those are tested on their own."""


class Plant:
    def __init__(self, path: Path) -> None:
        self.folder = PlantFolder(path)
        self.truth = read_truth(path)
        self.assignments: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for row in self.folder.iter_raw("shift-assignments"):
            self.assignments[(row["employeeId"], row["workDate"])].append(row)
        self.entries: dict[str, list[tuple[float, float | None]]] = defaultdict(list)
        for row in self.folder.iter_raw("time-clock-entries"):
            out = row["clockoutTime"]
            self.entries[row["employeeId"]].append((_t(row["clockinTime"]), _t(out) if out else None))
        self.employees = {row["id"]: row for row in self.folder.iter_raw("employees")}

    def days(self, pattern: str) -> list[NormalDay]:
        return [day for day in self.truth if day.pattern == pattern]

    def punches(self, day: NormalDay) -> list[tuple[float, float | None]]:
        """The day's entries: clock-ins within 2 h of the window worked."""
        return sorted(e for e in self.entries[day.employee_id] if day.start - 2 * HOUR <= e[0] <= day.end + 2 * HOUR)


def _gap_minutes(punches: list[tuple[float, float | None]]) -> list[float]:
    """Minutes between one entry's clock-out and the next one's clock-in."""
    return [(b[0] - a[1]) / 60 for a, b in pairwise(punches) if a[1] is not None]


def _t(text: str) -> float:
    return datetime.fromisoformat(text.replace("0Z", "+00:00")).timestamp()


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Plant:
    return Plant(generated_plant(tmp_path_factory, "hard", HARD_PLANT))


def test_patterns_are_off_by_default_and_unknown_switches_are_refused(tmp_path: Path) -> None:
    generate_plant(PlantSpec(employees=10, weeks=1, seed=3), tmp_path)
    assert not (tmp_path / NORMALS_FILE).exists()
    with pytest.raises(ValueError, match="hard_normals: unknown night_owls"):
        PlantSpec(hard_normals=frozenset({"night_owls"}))


def test_every_pattern_acts_and_none_is_labelled(plant: Plant) -> None:
    assert {day.pattern for day in plant.truth} == HARD_PLANT.hard_normals
    assert list(plant.folder.labels()) == []


def test_the_night_shift_lasts_an_hour_less_or_more_on_the_two_dst_nights(tmp_path: Path) -> None:
    with PlantWriter(PlantFolder(tmp_path)) as out:
        sim = Sim(PlantSpec(), out)
        night = catalog.SHIFTS[-1]
        assert change_nights(sim, date(2026, 1, 1), 365) == [date(2026, 3, 7), date(2026, 10, 31)]
        lengths = {
            day: (lambda w: (w[1] - w[0]) / HOUR)(sim.shift_window(day, night))
            for day in (date(2026, 3, 7), date(2026, 10, 31), date(2026, 10, 24))
        }
    assert wall_hours(night) == 8.5
    assert lengths == {date(2026, 3, 7): 7.5, date(2026, 10, 31): 9.5, date(2026, 10, 24): 8.5}


def test_the_night_crew_works_the_autumn_change_night_and_it_lasts_nine_and_a_half_hours(plant: Plant) -> None:
    nights = plant.days("dst_nights")
    assert nights and {day.work_date for day in nights} == {date(2026, 10, 31)}
    whole = [day for day in nights if day.end - day.start == 9.5 * HOUR]  # others: half a night on leave
    assert whole
    for day in whole:
        punches = plant.punches(day)
        assert punches[-1][1] is not None and punches[-1][1] - punches[0][0] > 9 * HOUR


def test_rotating_crews_change_shift_week_by_week(plant: Plant) -> None:
    rotating = {day.employee_id for day in plant.days("rotation")}
    assert rotating
    for employee in rotating:
        shifts = {row["shiftId"] for (e, _), rows in plant.assignments.items() if e == employee for row in rows}
        assert len(shifts) == 3, "a rotating employee works all three shifts in five weeks"
    steady = next(e for e in plant.employees if e not in rotating and any(k[0] == e for k in plant.assignments))
    assert len({r["shiftId"] for (e, _), rows in plant.assignments.items() if e == steady for r in rows}) == 1


def test_a_rest_break_is_a_short_punch_pair_gap_besides_the_meal_break(plant: Plant) -> None:
    double_read = {(day.employee_id, day.work_date) for day in plant.days("double_reads")}
    for day in plant.days("rest_breaks"):
        if day.work_date == HARD_PLANT.end_date:
            continue  # punched after the extract
        punches = plant.punches(day)
        gaps = _gap_minutes(punches)
        assert any(10 <= gap <= 15 for gap in gaps), (day, gaps)
        echo = (day.employee_id, day.work_date) in double_read  # one entry more, of seconds
        assert len(punches) - echo in (2, 3)  # 2: the rest on a short day with no meal break


def test_a_swapped_shift_is_worked_at_another_shifts_hours_the_schedule_unchanged(plant: Plant) -> None:
    swaps = plant.days("shift_swaps")
    assert swaps
    for day in swaps:
        (assignment,) = plant.assignments[(day.employee_id, day.work_date.isoformat())]
        assert abs(_t(assignment["scheduledStart"]) - day.start) >= 8 * HOUR  # 8 h or 8.5 h away
        assert abs(plant.punches(day)[0][0] - day.start) < HOUR


def test_overtime_and_early_release_reach_the_schedule_and_a_short_day_has_no_meal_break(plant: Plant) -> None:
    # 8.5 h shifts, 9.5 h on the autumn DST night: 1-2 h more, or 3.5-4.5 h less
    for pattern, hours in (("approved_overtime", (9.5, 11.5)), ("early_release", (4.0, 6.0))):
        days = plant.days(pattern)
        assert days
        for day in days:
            (assignment,) = plant.assignments[(day.employee_id, day.work_date.isoformat())]
            assert _t(assignment["scheduledEnd"]) == pytest.approx(day.end, abs=1)
            assert hours[0] <= (day.end - day.start) / HOUR <= hours[1]
            punches = plant.punches(day)
            if pattern == "early_release":
                assert all(gap < 20 for gap in _gap_minutes(punches)), "no meal break (a rest break may remain)"


def test_partial_leave_splits_the_assignment_into_the_half_worked_and_the_half_on_leave(plant: Plant) -> None:
    days = plant.days("partial_leave")
    assert days
    for day in days:
        rows = plant.assignments[(day.employee_id, day.work_date.isoformat())]
        assert sorted(row["status"] for row in rows) == ["Leave", "Scheduled"]
        leave = next(row for row in rows if row["status"] == "Leave")
        assert leave["leaveType"] == "Personal"
        leave_hours = (_t(leave["scheduledEnd"]) - _t(leave["scheduledStart"])) / HOUR
        assert leave_hours == pytest.approx((day.end - day.start) / HOUR, abs=0.01)  # half the shift each


def test_new_hires_have_days_of_history_and_no_punch_before_their_hire_date(plant: Plant) -> None:
    hires = {day.employee_id for day in plant.days("new_hires")}
    assert hires
    for employee in hires:
        hired = date.fromisoformat(plant.employees[employee]["hireDate"])
        assert timedelta(days=3) <= HARD_PLANT.end_date - hired <= timedelta(days=20)
        first = min(t for t, _ in plant.entries[employee])
        assert first >= datetime(hired.year, hired.month, hired.day).timestamp() - 24 * HOUR


def _built(tmp_path: Path, *patterns: str) -> Iterator[Sim]:
    with PlantWriter(PlantFolder(tmp_path)) as out:
        sim = Sim(PlantSpec(employees=200, weeks=12, seed=5, hard_normals=frozenset(patterns)), out)
        build_plant(sim)
        yield sim


def test_a_drifting_habit_moves_the_usual_arrival_by_12_to_18_minutes_for_good(tmp_path: Path) -> None:
    for sim in _built(tmp_path, "habit_drift"):
        drifting = [p for p in sim.world.hourly if p.drift is not None]
        assert 0.04 <= len(drifting) / len(sim.world.hourly) <= 0.2
        for person in drifting:
            assert person.drift is not None
            day, minutes = person.drift
            assert sim.start_date < day <= sim.spec.end_date and 12 <= abs(minutes) <= 18
            assert HABIT_DRIFT.arrival(person, day - timedelta(days=1)) == person.mu_in
            assert HABIT_DRIFT.arrival(person, day + timedelta(days=30)) == person.mu_in + minutes


def test_a_drifting_clock_is_off_by_2_to_6_minutes_for_two_to_four_weeks_and_the_app_never(tmp_path: Path) -> None:
    for sim in _built(tmp_path, "clock_drift"):
        clocks = [f"CLK-B9-{n:02d}" for n in range(1, 41)]  # more clocks than a small plant has
        middle = sim.local(sim.start_date + timedelta(days=40), "12:00")
        for device in clocks:
            CLOCK_DRIFT.error(sim, device, middle)
        drifts = [d for d in sim.world.clock_drift.values() if d is not None]
        assert drifts and len(drifts) < len(clocks)
        for start, end, seconds in drifts:
            assert 14 * 24 * HOUR <= end - start <= 28 * 24 * HOUR and 120 <= abs(seconds) <= 360
        device = next(d for d, drift in sim.world.clock_drift.items() if drift is not None)
        start, end, seconds = sim.world.clock_drift[device] or (0.0, 0.0, 0.0)
        assert CLOCK_DRIFT.error(sim, device, start + HOUR) == seconds
        assert CLOCK_DRIFT.error(sim, device, end + HOUR) == 0.0
        assert CLOCK_DRIFT.error(sim, "MOBILE-APP", start + HOUR) == 0.0


def test_no_pattern_makes_anyone_punch_in_while_still_on_their_last_shift(plant: Plant) -> None:
    for entries in plant.entries.values():
        closed = sorted((t_in, t_out) for t_in, t_out in entries if t_out is not None)
        assert all(b[0] >= a[1] - 60 for a, b in pairwise(closed))


def test_a_swap_is_not_made_when_it_would_leave_less_than_six_hours_rest(tmp_path: Path) -> None:
    with PlantWriter(PlantFolder(tmp_path)) as out:
        sim = Sim(PlantSpec(hard_normals=frozenset({"shift_swaps"})), out)
        day, first = date(2026, 11, 17), catalog.SHIFTS[0]
        start, end = sim.shift_window(day, first)  # a 1st-shift day: the swap would be to the 2nd (14:30)
        rested = [DAY_CHANGES.plan(sim, day, first, start, end, float("-inf")).pattern for _ in range(1000)]
        tired = [DAY_CHANGES.plan(sim, day, first, start, end, start + 7 * HOUR).pattern for _ in range(1000)]
    assert "shift_swaps" in rested and "shift_swaps" not in tired


def test_a_split_shift_is_two_scheduled_halves_worked_with_two_to_four_hours_between(plant: Plant) -> None:
    days = plant.days("split_shifts")
    assert days
    for day in days:
        rows = sorted(
            plant.assignments[(day.employee_id, day.work_date.isoformat())], key=lambda r: r["scheduledStart"]
        )
        assert [row["status"] for row in rows] == ["Scheduled", "Scheduled"]
        gap = (_t(rows[1]["scheduledStart"]) - _t(rows[0]["scheduledEnd"])) / HOUR
        assert 2 <= gap <= 4
        punches = plant.punches(day)
        assert len(punches) >= 2  # one entry per half (no meal break in 4 h); rest breaks and double reads add
        assert max(_gap_minutes(punches)) >= 100  # the unpaid hours between the halves, less the punch offsets


CLOSED_PLANT = PlantSpec(
    employees=60,
    weeks=6,
    seed=1002,
    anomaly_rate=0.0,
    end_date=date(2026, 12, 4),
    hard_normals=frozenset({"holidays", "shutdown_weeks"}),
)
"""Holds Thanksgiving and the Friday after (2026-11-26/27) and one shutdown week."""


@pytest.fixture(scope="module")
def closed_plant(tmp_path_factory: pytest.TempPathFactory) -> Plant:
    return Plant(generated_plant(tmp_path_factory, "closed", CLOSED_PLANT))


def _worked_on(plant: Plant, employee_id: str, days: set[date]) -> bool:
    """Whether the employee clocked in on one of `days` after 08:00 (earlier: the night shift before)."""
    tz = ZoneInfo(CLOSED_PLANT.timezone)
    clock_ins = (datetime.fromtimestamp(t, tz) for t, _ in plant.entries[employee_id])
    return any(t.date() in days and t.hour >= 8 for t in clock_ins)


def test_nobody_works_a_holiday_and_the_schedule_says_holiday(closed_plant: Plant) -> None:
    holidays = {date(2026, 11, 26), date(2026, 11, 27)}
    assert all(not _worked_on(closed_plant, employee, holidays) for employee in closed_plant.entries)
    rows = [
        row
        for (_, day), rows in closed_plant.assignments.items()
        if date.fromisoformat(day) in holidays
        for row in rows
    ]
    assert rows and {(row["status"], row["leaveType"]) for row in rows} == {("Leave", "Holiday")}
    back = closed_plant.days("holidays")
    assert back and all(day.work_date > date(2026, 11, 27) for day in back)  # the first day back
    assert list(closed_plant.folder.labels()) == []


def test_production_is_on_leave_in_a_shutdown_week_and_maintenance_works_it(closed_plant: Plant) -> None:
    shutdown = {
        date.fromisoformat(day)
        for (_, day), rows in closed_plant.assignments.items()
        if any(row["leaveType"] == "Shutdown" for row in rows)
    }
    assert shutdown and len({day - timedelta(days=day.weekday()) for day in shutdown}) == 1  # one week
    departments = {employee: row["departmentCode"] for employee, row in closed_plant.employees.items()}
    production = [e for e in closed_plant.entries if departments[e] != "MAINT"]
    maintenance = [e for e in closed_plant.entries if departments[e] == "MAINT"]
    assert production and maintenance
    assert all(not _worked_on(closed_plant, employee, shutdown) for employee in production)
    assert any(_worked_on(closed_plant, employee, shutdown) for employee in maintenance)
    assert closed_plant.days("shutdown_weeks")


def test_a_double_read_is_an_entry_of_seconds_that_the_days_first_entry_continues(plant: Plant) -> None:
    days = plant.days("double_reads")
    assert days
    for day in days:
        punches = plant.punches(day)
        echoes = [(a, b) for a, b in pairwise(punches) if a[1] is not None and a[1] - a[0] <= 20]
        assert len(echoes) == 1, punches
        (read, second), (next_in, _) = echoes[0]
        assert second is not None  # an echo is a closed entry
        assert 2 <= second - read <= 20
        assert next_in == pytest.approx(second, abs=1e-3)  # they touch: no time paid twice
