"""Clock drift: half of the wall clocks run 2-6 minutes fast or slow for two to four weeks before
they are set right again, so the punches they record are off by that much (badge readers keep
network time, so badges show the true time)."""

from __future__ import annotations

from datetime import timedelta

from plexlabor_dev.simulator.context import HOUR, MINUTE, Sim
from plexlabor_dev.simulator.normals.base import NormalPattern
from plexlabor_dev.simulator.world import Person

DRIFTING_SHARE = 0.5
"""Of wall clocks."""
DRIFT_MINUTES = (2, 6)
DRIFT_DAYS = (14, 28)


class ClockDrift(NormalPattern):
    name = "clock_drift"

    def error(self, sim: Sim, device: str, t: float) -> float:
        """Seconds the clock `device` is off at `t` (0 for the mobile app and clocks keeping time)."""
        if not self.on(sim) or not device.startswith("CLK"):
            return 0.0
        if device not in sim.world.clock_drift:
            rng = sim.normals_rng
            drift = None
            if rng.random() < DRIFTING_SHARE:
                first = sim.start_date + timedelta(days=rng.randrange(7 * sim.spec.weeks))
                start = sim.local(first, "00:00")
                seconds = rng.choice((-1, 1)) * rng.uniform(*DRIFT_MINUTES) * MINUTE
                drift = (start, start + rng.randint(*DRIFT_DAYS) * 24 * HOUR, seconds)
            sim.world.clock_drift[device] = drift
        drift = sim.world.clock_drift[device]
        return drift[2] if drift is not None and drift[0] <= t < drift[1] else 0.0

    def note(self, sim: Sim, person: Person, start: float, end: float) -> None:
        """Record a time-clock entry recorded by a drifting clock (once per shift-day)."""
        day = sim.local_date(start)
        seen = sim.world.normal_days[-1] if sim.world.normal_days else None
        if seen is None or (seen.pattern, seen.employee_id, seen.work_date) != (self.name, person.id, day):
            self.record(sim, person, day, start, end)


CLOCK_DRIFT = ClockDrift()
