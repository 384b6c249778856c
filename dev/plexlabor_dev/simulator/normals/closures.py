"""Days the plant is closed, and the days back after them:

- `holidays`: the plant's paid holidays (New Year's Day, Good Friday, Memorial Day, Independence Day,
  Labor Day, Thanksgiving and the Friday after, Christmas Eve and Day; a holiday on a Saturday is
  taken the Friday before, on a Sunday the Monday after). Nobody works; every hourly employee's
  assignment that day is `Leave` with `leaveType` "Holiday".
- `shutdown_weeks`: one week in every 26 of history (at least one, never the first two weeks, drawn
  from the patterns' stream) the plant shuts down for retooling: production is on `Leave`
  ("Shutdown") Monday to Sunday; maintenance works as scheduled.

Both record, in `normal-patterns.jsonl`, each employee's first day worked after the closure (the days
closed hold no records): a week short of hours, and a return after days away.
"""

from __future__ import annotations

from datetime import date, timedelta

from plexlabor_dev.simulator.context import Sim
from plexlabor_dev.simulator.normals.base import NormalPattern
from plexlabor_dev.simulator.world import Person

WORKS_THROUGH_SHUTDOWN = frozenset({"MAINT"})
"""Departments that work through a shutdown week (they do its work)."""
WEEKS_PER_SHUTDOWN = 26


def easter(year: int) -> date:
    """Easter Sunday (Gregorian; the anonymous algorithm). No library in the stack computes it."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th `weekday` (Monday 0) of the month; n = -1: the last."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    """A fixed-date holiday on a weekend is taken the Friday before or the Monday after."""
    return day - timedelta(days=1) if day.weekday() == 5 else day + timedelta(days=1) if day.weekday() == 6 else day


def plant_holidays(year: int) -> frozenset[date]:
    thanksgiving = _nth_weekday(year, 11, 3, 4)
    return frozenset(
        {
            _observed(date(year, 1, 1)),
            easter(year) - timedelta(days=2),
            _nth_weekday(year, 5, 0, -1),
            _observed(date(year, 7, 4)),
            _nth_weekday(year, 9, 0, 1),
            thanksgiving,
            thanksgiving + timedelta(days=1),
            _observed(date(year, 12, 24)),
            _observed(date(year, 12, 25)),
        }
    )


class Holidays(NormalPattern):
    name = "holidays"

    def closed(self, sim: Sim, day: date) -> bool:
        return self.on(sim) and day in plant_holidays(day.year)


class ShutdownWeeks(NormalPattern):
    name = "shutdown_weeks"

    def mondays(self, sim: Sim) -> frozenset[date]:
        """The Mondays the shutdown weeks start (drawn once per plant)."""
        if sim.world.shutdown_mondays is None:
            first = sim.start_date + timedelta(days=(7 - sim.start_date.weekday()) % 7 + 14)
            weeks = (sim.spec.end_date - first).days // 7
            count = max(1, sim.spec.weeks // WEEKS_PER_SHUTDOWN) if self.on(sim) and weeks > 0 else 0
            drawn = sim.normals_rng.sample(range(weeks), min(count, weeks)) if count else []
            sim.world.shutdown_mondays = frozenset(first + timedelta(weeks=w) for w in drawn)
        return sim.world.shutdown_mondays

    def closed(self, sim: Sim, person: Person, day: date) -> bool:
        monday = day - timedelta(days=day.weekday())
        return person.dept.code not in WORKS_THROUGH_SHUTDOWN and monday in self.mondays(sim)


HOLIDAYS = Holidays()
SHUTDOWN_WEEKS = ShutdownWeeks()


def closure(sim: Sim, person: Person, day: date) -> str | None:
    """The leave type of a day the plant is closed to `person` ("Holiday", "Shutdown"), or None."""
    if HOLIDAYS.closed(sim, day):
        sim.world.back_from_closure[person.id] = HOLIDAYS.name
        return "Holiday"
    if SHUTDOWN_WEEKS.closed(sim, person, day):
        sim.world.back_from_closure[person.id] = SHUTDOWN_WEEKS.name
        return "Shutdown"
    return None


def note_back(sim: Sim, person: Person, day: date, start: float, end: float) -> None:
    """Record the first day the person worked after a closure."""
    pattern = sim.world.back_from_closure.pop(person.id, None)
    if pattern == HOLIDAYS.name:
        HOLIDAYS.record(sim, person, day, start, end)
    elif pattern == SHUTDOWN_WEEKS.name:
        SHUTDOWN_WEEKS.record(sim, person, day, start, end)
