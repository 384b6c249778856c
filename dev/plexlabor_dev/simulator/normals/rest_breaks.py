"""Paid rest breaks: on a share of days the employee punches out and in again for a 10-15 minute rest
in one half of the shift, besides the unpaid meal break. Operators stay logged in at their machine
through the rest (it keeps running), so the workcenter session spans the gap between the punches."""

from __future__ import annotations

from plexlabor_dev.simulator.context import HOUR, MINUTE, Sim
from plexlabor_dev.simulator.normals.base import NormalPattern
from plexlabor_dev.simulator.world import ShiftDay

REST_BREAK_SHARE = 0.4
"""Of worked shift-days with no injected anomaly."""
REST_MINUTES = (10, 15)
MIN_STRETCH = 2.5 * HOUR
"""A stretch of work this long or longer can hold a rest, at least an hour from either end."""


class RestBreaks(NormalPattern):
    name = "rest_breaks"

    def split(self, sim: Sim, day: ShiftDay) -> None:
        """Split one stretch of the day's punches around a rest break (after the workcenter sessions)."""
        rng = sim.normals_rng
        if not self.on(sim) or rng.random() >= REST_BREAK_SHARE:
            return
        stretches = [i for i, (pin, pout) in enumerate(day.pairs) if pout - pin >= MIN_STRETCH]
        if not stretches:
            return
        index = rng.choice(stretches)
        pin, pout = day.pairs[index]
        rest_out = rng.uniform(pin + HOUR, pout - HOUR - REST_MINUTES[1] * MINUTE)
        rest_in = rest_out + rng.uniform(*REST_MINUTES) * MINUTE
        day.pairs[index : index + 1] = [(pin, rest_out), (rest_in, pout)]
        self.record(sim, day.person, day.day, day.pairs[0][0], day.pairs[-1][1])


REST_BREAKS = RestBreaks()
