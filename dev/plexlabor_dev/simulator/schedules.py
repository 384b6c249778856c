"""Schedules and leave: week plans, shift assignments, vacations, sick days, cover and no-shows.

Days run from the start of history to 14 days past its end; past the end only the schedule is
written (and its hours projected into the week), before it every scheduled day that is not leave is
worked (`workday.work_day`).
"""

from __future__ import annotations

from datetime import date, timedelta

from plexlabor_dev.progress import step
from plexlabor_dev.simulator import catalog, workday
from plexlabor_dev.simulator.anomalies import EXCESSIVE_WEEKS
from plexlabor_dev.simulator.context import HOUR, Sim
from plexlabor_dev.simulator.world import Person

# Days worked per week plan (Monday = 0): a normal week, planned Saturday overtime, an excessive week.
WORKDAYS = {"normal": 5, "saturday": 6, EXCESSIVE_WEEKS.plan: 7}
SATURDAY_RATE = 0.12  # of employee-weeks
SICK_RATE = 0.015  # of scheduled days
COVER_RATE = 0.04  # of scheduled days: cover at another workcenter the operator is qualified for
NO_SHOW_RATE = 0.005


def simulate_days(sim: Sim) -> None:
    """Every scheduled day of every hourly employee, day by day."""
    spec, hourly = sim.spec, sim.world.hourly
    total_days = 7 * spec.weeks + spec.future_days
    leave_days = draw_leave(sim, total_days)
    week_plan: dict[tuple[str, date], str] = {}
    for offset in range(total_days):
        day = sim.start_date + timedelta(days=offset)
        step(f"simulating day {offset + 1} of {total_days} ({day.isoformat()})")
        future = day > spec.end_date
        monday = day - timedelta(days=day.weekday())
        if day.weekday() == 0 or offset == 0:
            for person in hourly:
                week_plan[(person.id, monday)] = _plan_week(sim, future)
        for person in hourly:
            plan = week_plan[(person.id, monday)]
            if day.weekday() < WORKDAYS[plan]:
                _schedule_day(sim, person, day, plan, leave_days[person.id], future)


def draw_leave(sim: Sim, total_days: int) -> dict[str, set[date]]:
    """Vacations: 0–2 blocks of 2–5 days per employee per quarter of history."""
    rng = sim.rng
    leave_days: dict[str, set[date]] = {}
    for person in sim.world.hourly:
        days: set[date] = set()
        for _ in range(rng.choice((0, 1, 1, 2)) * max(1, sim.spec.weeks // 13)):
            first = sim.start_date + timedelta(days=rng.randrange(total_days))
            days.update(first + timedelta(days=i) for i in range(rng.randint(2, 5)))
        leave_days[person.id] = days
    return leave_days


def _plan_week(sim: Sim, future: bool) -> str:
    draw = sim.rng.random()
    if EXCESSIVE_WEEKS.chosen(sim, draw, future):
        return EXCESSIVE_WEEKS.plan
    return "saturday" if draw < SATURDAY_RATE else "normal"


def _schedule_day(sim: Sim, person: Person, day: date, plan: str, vacation: set[date], future: bool) -> None:
    rng = sim.rng
    start, end = sim.shift_window(day, person.shift)
    if plan == EXCESSIVE_WEEKS.plan:
        end = EXCESSIVE_WEEKS.shift_end(day.weekday(), end)
    on_leave = day in vacation or (not future and rng.random() < SICK_RATE)
    workcenter = person.home_wc
    if person.home_wc and not on_leave and rng.random() < COVER_RATE:
        cover = [w for w in sim.world.wc_by_dept[person.dept.code] if sim.world.qualified(person, w, day)]
        workcenter = rng.choice(cover) if cover else person.home_wc
    sim.emit(
        "shift-assignments",
        {
            "id": sim.uuid(),
            "employeeId": person.id,
            "shiftId": f"SH{person.shift.code}",
            "workDate": day.isoformat(),
            "scheduledStart": sim.iso(start),
            "scheduledEnd": sim.iso(end),
            "workcenterId": workcenter,
            "status": "Leave" if on_leave else "Scheduled",
            "leaveType": ("Vacation" if day in vacation else "Sick") if on_leave else None,
        },
    )
    if future:
        if not on_leave:  # weekly hours are projected over the rest of the week's schedule
            week = sim.local_date(start).isocalendar()[:2]
            paid = (end - start) / HOUR - catalog.BREAK_MINUTES / 60
            sim.world.week_hours[(person.id, (week[0], week[1]))] += paid
        return
    if on_leave or start >= sim.as_of or rng.random() < NO_SHOW_RATE:  # leave, not yet started, no-show
        return
    workday.work_day(sim, person, day, start, end, workcenter)
