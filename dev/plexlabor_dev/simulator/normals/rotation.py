"""Rotating crews: a share of hourly employees work a different shift each week, so they cross midnight
one week in three and their punches move by eight hours from week to week. Crews rotate backwards
(1st, 3rd, 2nd, 1st, ...): a night shift worked on Sunday ends on Monday morning before the 2nd shift."""

from __future__ import annotations

from datetime import date

from plexlabor_dev.simulator import catalog
from plexlabor_dev.simulator.context import Sim
from plexlabor_dev.simulator.normals.base import NormalPattern
from plexlabor_dev.simulator.world import Person

ROTATING_SHARE = 0.3
"""Of hourly employees."""


class Rotation(NormalPattern):
    name = "rotation"

    def rotating(self, sim: Sim) -> frozenset[str]:
        """The employees on a rotating crew, drawn once for the plant."""
        if sim.world.rotating is None:
            draws = [(person.id, sim.normals_rng.random()) for person in sim.world.hourly]
            sim.world.rotating = frozenset(pid for pid, draw in draws if draw < ROTATING_SHARE)
        return sim.world.rotating

    def shift(self, sim: Sim, person: Person, monday: date) -> catalog.ShiftDef:
        """The shift the person works in the week of `monday` (their own unless they rotate)."""
        if not self.on(sim) or person.id not in self.rotating(sim):
            return person.shift
        week = (monday - sim.start_date).days // 7
        home = catalog.SHIFTS.index(person.shift)
        return catalog.SHIFTS[(home - week) % len(catalog.SHIFTS)]


ROTATION = Rotation()
