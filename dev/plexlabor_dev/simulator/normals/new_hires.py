"""New hires: a share of hourly employees joined days before the extract, so they have days, not months,
of history (their hire date says so, and they work no day before it)."""

from __future__ import annotations

from datetime import date, timedelta

from plexlabor_dev.simulator.context import Sim
from plexlabor_dev.simulator.normals.base import NormalPattern
from plexlabor_dev.simulator.world import Person

NEW_HIRE_SHARE = 0.05
"""Of hourly employees."""
HIRED_DAYS_BEFORE_END = (3, 20)


class NewHires(NormalPattern):
    name = "new_hires"

    def choose(self, sim: Sim) -> None:
        """Give the new hires their hire date (before the employee records are written)."""
        if not self.on(sim):
            return
        rng = sim.normals_rng
        for person in sim.world.hourly:
            if rng.random() < NEW_HIRE_SHARE:
                person.hired = sim.spec.end_date - timedelta(days=rng.randint(*HIRED_DAYS_BEFORE_END))

    def working(self, person: Person, day: date) -> bool:
        """False before the person's hire date."""
        return person.hired is None or day >= person.hired

    def note(self, sim: Sim, person: Person, day: date, start: float, end: float) -> None:
        if person.hired is not None:
            self.record(sim, person, day, start, end)


NEW_HIRES = NewHires()
