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
from plexlabor_dev.simulator.normals import DAY_CHANGES, DST_NIGHTS, HABIT_DRIFT, NEW_HIRES, ROTATION, DayPlan
from plexlabor_dev.simulator.normals.closures import closure, note_back
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
            shift = ROTATION.shift(sim, person, monday)
            scheduled = day.weekday() < WORKDAYS[plan] or DST_NIGHTS.staffs(sim, shift, day)
            if scheduled and NEW_HIRES.working(person, day):
                _schedule_day(sim, person, day, plan, shift, leave_days[person.id], future)


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


def _schedule_day(
    sim: Sim, person: Person, day: date, plan: str, shift: catalog.ShiftDef, vacation: set[date], future: bool
) -> None:
    rng = sim.rng
    start, end = sim.shift_window(day, shift)
    if plan == EXCESSIVE_WEEKS.plan:
        end = EXCESSIVE_WEEKS.shift_end(day.weekday(), end)
    closed = closure(sim, person, day)  # a holiday or shutdown week (hard normal patterns)
    on_leave = closed is not None or day in vacation or (not future and rng.random() < SICK_RATE)
    workcenter = person.home_wc
    if person.home_wc and not on_leave and rng.random() < COVER_RATE:
        cover = [w for w in sim.world.wc_by_dept[person.dept.code] if sim.world.qualified(person, w, day)]
        workcenter = rng.choice(cover) if cover else person.home_wc
    ordinary = on_leave or future or plan == EXCESSIVE_WEEKS.plan
    rested_from = sim.world.last_worked_end.get(person.id, float("-inf"))
    day_plan = (
        DayPlan((start, end), (start, end)) if ordinary else DAY_CHANGES.plan(sim, day, shift, start, end, rested_from)
    )
    assignment = {"employeeId": person.id, "shiftId": f"SH{shift.code}", "workDate": day.isoformat()}
    sim.emit(
        "shift-assignments",
        {
            "id": sim.uuid(),
            **assignment,
            "scheduledStart": sim.iso(day_plan.scheduled[0]),
            "scheduledEnd": sim.iso(day_plan.scheduled[1]),
            "workcenterId": workcenter,
            "status": "Leave" if on_leave else "Scheduled",
            "leaveType": (closed or ("Vacation" if day in vacation else "Sick")) if on_leave else None,
        },
    )
    if day_plan.leave is not None:  # partial-day leave: the hours off as a leave assignment of their own
        _emit_part(sim, assignment, day_plan.leave, workcenter, "Personal")
    if day_plan.second is not None:  # a split shift's second half
        _emit_part(sim, assignment, day_plan.second, workcenter, None)
    if future:
        if not on_leave:  # weekly hours are projected over the rest of the week's schedule
            week = sim.local_date(start).isocalendar()[:2]
            paid = (end - start) / HOUR - catalog.BREAK_MINUTES / 60
            sim.world.week_hours[(person.id, (week[0], week[1]))] += paid
        return
    worked_start, worked_end = day_plan.worked
    if on_leave or worked_start >= sim.as_of or rng.random() < NO_SHOW_RATE:  # leave, not yet started, no-show
        return
    workday.work_day(sim, person, day, worked_start, worked_end, workcenter, normal_change=bool(day_plan.pattern))
    if day_plan.second is not None:
        workday.work_day(sim, person, day, *day_plan.second, workcenter, normal_change=True)
    sim.world.last_worked_end[person.id] = day_plan.span[1]
    _note_patterns(sim, person, day, shift, (start, end), day_plan)


def _emit_part(
    sim: Sim, assignment: dict[str, str], window: tuple[float, float], workcenter: str | None, leave: str | None
) -> None:
    """A second assignment the same day: hours on leave (`leave` its type) or a split shift's second half."""
    sim.emit(
        "shift-assignments",
        {
            "id": sim.uuid(),
            **assignment,
            "scheduledStart": sim.iso(window[0]),
            "scheduledEnd": sim.iso(window[1]),
            "workcenterId": workcenter,
            "status": "Scheduled" if leave is None else "Leave",
            "leaveType": leave,
        },
    )


def _note_patterns(
    sim: Sim, person: Person, day: date, shift: catalog.ShiftDef, scheduled: tuple[float, float], plan: DayPlan
) -> None:
    """Record the hard normal patterns this worked day shows (nothing when they are off)."""
    if plan.pattern:
        DAY_CHANGES.record(sim, person, day, *plan.span, name=plan.pattern)
    if shift != person.shift:
        ROTATION.record(sim, person, day, *plan.span)
    DST_NIGHTS.note(sim, person, day, shift, scheduled, plan.worked)
    NEW_HIRES.note(sim, person, day, *plan.span)
    HABIT_DRIFT.note(sim, person, day, *plan.span)
    note_back(sim, person, day, *plan.span)
