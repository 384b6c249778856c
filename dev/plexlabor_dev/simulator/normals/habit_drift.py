"""Habit drift: a share of hourly employees change their usual arrival for good, by 12-18 minutes
earlier or later, on a day in the middle of history (a new bus, a child's school, a car pool)."""

from __future__ import annotations

from datetime import date, timedelta

from plexlabor_dev.simulator.context import Sim
from plexlabor_dev.simulator.normals.base import NormalPattern
from plexlabor_dev.simulator.world import Person

DRIFTING_SHARE = 0.1
"""Of hourly employees."""
DRIFT_MINUTES = (12, 18)
DRIFT_WITHIN = (0.25, 0.9)
"""The day the habit moves, as a share of the history."""


class HabitDrift(NormalPattern):
    name = "habit_drift"

    def choose(self, sim: Sim) -> None:
        """Give the drifting employees the day their arrival moves and by how much."""
        if not self.on(sim):
            return
        rng, days = sim.normals_rng, 7 * sim.spec.weeks
        for person in sim.world.hourly:
            if rng.random() < DRIFTING_SHARE:
                when = sim.start_date + timedelta(days=int(days * rng.uniform(*DRIFT_WITHIN)))
                person.drift = (when, rng.choice((-1, 1)) * rng.uniform(*DRIFT_MINUTES))

    def arrival(self, person: Person, day: date) -> float:
        """The person's usual arrival offset (minutes from the shift start) on `day`."""
        if person.drift is None or day < person.drift[0]:
            return person.mu_in
        return person.mu_in + person.drift[1]

    def note(self, sim: Sim, person: Person, day: date, start: float, end: float) -> None:
        if person.drift is not None and day >= person.drift[0]:
            self.record(sim, person, day, start, end)


HABIT_DRIFT = HabitDrift()
