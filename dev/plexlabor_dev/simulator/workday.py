"""One worked shift-day of one employee: punches, break, badges, workcenter sessions, time-clock entries.

The day is drawn in a fixed order (see `anomalies.base` for where a day-level injector may act):
clock-in and clock-out offsets from the person's habits, the break, badge swipes at their building's
door, the hours as punched for the week, the sessions at the workcenter (`production.work_segment`),
the time-clock entries with the day's anomaly or an ordinary supervisor correction, then the labels.
"""

from __future__ import annotations

import random
from datetime import date

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator import catalog, indirect, production, records
from plexlabor_dev.simulator.anomalies import NO_INJECTION, DayInjector, draw_day_injection
from plexlabor_dev.simulator.anomalies.missed_break import label_long_entries
from plexlabor_dev.simulator.context import HOUR, MINUTE, Sim
from plexlabor_dev.simulator.normals import DOUBLE_READS, HABIT_DRIFT, REST_BREAKS
from plexlabor_dev.simulator.world import IsoWeek, Person, ShiftDay

NO_BREAK_UP_TO_HOURS = 5.0
"""A day worked this long or shorter (an early release, half a day on leave) has no meal break."""


def work_day(
    sim: Sim, person: Person, day: date, start: float, end: float, workcenter: str | None, normal_change: bool = False
) -> None:
    """Simulate the day the person works from `start` to `end`, at `workcenter` if direct; a day a hard
    normal pattern changed (`normal_change`: a swap, an edit, partial leave) gets no injected anomaly."""
    injector = NO_INJECTION if normal_change else draw_day_injection(sim, person, end)
    run_day(sim, injector, ShiftDay(person, day, start, end, workcenter))


def run_day(sim: Sim, injector: DayInjector, shift_day: ShiftDay) -> None:
    """The day with a given day-level injector (`NO_INJECTION` for a normal day)."""
    person = shift_day.person
    injector.choose_workcenter(sim, shift_day)
    _draw_times(sim, injector, shift_day)
    _badge(sim, injector, shift_day)
    _count_hours(sim, injector, shift_day)
    _work_at_workcenter(sim, injector, shift_day)
    if injector is NO_INJECTION:
        REST_BREAKS.split(sim, shift_day)
    shift_day.records = [records.clock_entry(sim, person, pin, pout) for pin, pout in shift_day.pairs]
    if not injector.corrupt(sim, shift_day):
        _ordinary_correction(sim, shift_day)
    if injector is NO_INJECTION:
        DOUBLE_READS.echo(sim, shift_day)
    _write_entries(sim, shift_day)
    label_long_entries(sim, shift_day)
    for record, anomaly, detail in shift_day.labelled:
        sim.label("time-clock-entries", record["id"], anomaly, person.id, detail)
    if injector is NO_INJECTION and shift_day.records:
        _mislabel(sim, shift_day)


def _habitual(rng: random.Random, mu: float, sd: float) -> float:
    """A day's offset from the person's habit: normal, clipped at 2.5 standard deviations."""
    return mu + max(-2.5, min(2.5, rng.gauss(0, 1))) * sd


def _draw_times(sim: Sim, injector: DayInjector, d: ShiftDay) -> None:
    rng, person = sim.rng, d.person
    d.off_in = _habitual(rng, HABIT_DRIFT.arrival(person, d.day), person.sd_in)
    d.off_out = _habitual(rng, person.mu_out, person.sd_out)
    injector.shift_offsets(sim, d)
    d.clock_in = d.start + d.off_in * MINUTE + rng.uniform(0, 59)
    d.clock_out = d.end + d.off_out * MINUTE + rng.uniform(0, 59)
    shift_mid = (d.start + d.end) / 2
    break_length = (catalog.BREAK_MINUTES + abs(rng.gauss(0, 2.5))) * MINUTE
    longest = (sim.policy.break_required_after_hours - 0.2) * HOUR  # natural stretches keep to the rule
    break_out = shift_mid + rng.uniform(-60, 45) * MINUTE + rng.uniform(0, 59)
    d.break_out = max(min(break_out, d.clock_in + longest), d.clock_out - longest - break_length)
    d.break_in = d.break_out + break_length
    d.work_until = d.clock_out
    injector.shape_day(sim, d)
    if injector.skips_break or d.end - d.start <= NO_BREAK_UP_TO_HOURS * HOUR:
        d.pairs = [(d.clock_in, d.clock_out)]
    else:
        d.pairs = [(d.clock_in, d.break_out), (d.break_in, d.clock_out)]


def _badge(sim: Sim, injector: DayInjector, d: ShiftDay) -> None:
    """Badge in a little before the clock-in and out after work, at the person's door (4% tailgate)."""
    rng, person = sim.rng, d.person
    badge_in = d.clock_in - rng.uniform(2, 12) * MINUTE
    badge_out = max(d.work_until, d.clock_out) + rng.uniform(1, 8) * MINUTE
    if injector.absent:
        return
    doors = sim.world.doors_by_building[person.building]
    door = doors[person.no % len(doors)]
    first_swipe_id = None
    if injector.no_clock_in or rng.random() > 0.04:  # 4% tailgate through an open door
        first_swipe_id = records.swipe(sim, person, door, person.building, badge_in, "In")
    if badge_out < sim.as_of and rng.random() > 0.08:
        records.swipe(sim, person, door, person.building, badge_out, "Out")
    injector.badged_in(sim, d, first_swipe_id)


def _week(sim: Sim, d: ShiftDay) -> IsoWeek:
    year, week, _ = sim.local_date(d.clock_in).isocalendar()
    return year, week


def _count_hours(sim: Sim, injector: DayInjector, d: ShiftDay) -> None:
    """Hours as punched (before duplicates, overlaps and typos corrupt the records), for weekly hours."""
    if injector.no_clock_in:
        return  # hours nobody punched cannot count
    key = (d.person.id, _week(sim, d))
    for pin, pout in d.pairs:
        sim.world.week_hours[key] += (pout - pin) / HOUR


def _work_at_workcenter(sim: Sim, injector: DayInjector, d: ShiftDay) -> None:
    """Log in at the workcenter after each punch-in and work until the break or the end (3%: training)."""
    rng, person = sim.rng, d.person
    if not (person.home_wc and d.workcenter) or injector.absent:
        return
    if not injector.needs_login and rng.random() <= 0.03:
        indirect.training_day(sim, d)
        return
    segments = list(d.pairs)
    segments[-1] = (segments[-1][0], d.work_until)
    for index, (seg_start, seg_end) in enumerate(segments):
        login_gap = rng.uniform(1, 9) if index == 0 else rng.uniform(1, 5)
        if index == 0:
            if rng.random() < 0.04:
                login_gap = rng.uniform(10, 13.5)  # slow walk to the machine: still inside the window
            login_gap = injector.first_login_gap(sim, login_gap)
        login = seg_start + login_gap * MINUTE
        logout = seg_end - rng.uniform(1, 6) * MINUTE
        if logout - login > 20 * MINUTE:
            production.work_segment(sim, person, d.workcenter, login, logout)


def _ordinary_correction(sim: Sim, d: ShiftDay) -> None:
    """Not an anomaly: a supervisor's correction (2% of days) or a forgotten punch keyed the next day (1%)."""
    rng, last, punched_out = sim.rng, d.records[-1], d.pairs[-1][1]
    if rng.random() < 0.02:
        records.manual_edit(sim, d.person, last, punched_out)
        if last["clockoutTime"] is not None:
            last["clockoutTime"] = sim.iso(punched_out + rng.uniform(-10, 10) * MINUTE)
    elif rng.random() < 0.01 and last["clockoutTime"] is not None:
        records.manual_edit(sim, d.person, last, punched_out, added=True)


def _mislabel(sim: Sim, d: ShiftDay) -> None:
    """Label noise (`difficulty`): now and then a normal day marked as an early or late punch."""
    noise = sim.out.noise
    if noise is None or d.end > sim.as_of - 6 * HOUR:
        return
    anomaly = noise.wrong_type(sim.scale)
    if anomaly is not None:
        clock_in = anomaly in (AnomalyType.EARLY_CLOCK_IN, AnomalyType.LATE_CLOCK_IN)
        record = d.records[0] if clock_in else d.records[len(d.pairs) - 1]  # a double read's echo goes last
        sim.out.mislabel("time-clock-entries", record["id"], anomaly, d.person.id)


def _write_entries(sim: Sim, d: ShiftDay) -> None:
    """Write the entries punched before the extract; remember the week's first (for overtime labels)."""
    extract = sim.iso(sim.as_of)
    key = (d.person.id, _week(sim, d))
    first_of_week = sim.world.week_first_tce
    for record in d.records:
        if record["clockinTime"] <= extract:
            sim.emit("time-clock-entries", record)
            candidate = (record["clockinTime"], record["id"])
            if key not in first_of_week or candidate < first_of_week[key]:
                first_of_week[key] = candidate
