"""EARLY_CLOCK_OUT_ACTIVE_JOB: clocked out early, still logged in and running at the workcenter.

At `easy` 20–80 min early, work going on at least 20 min past the clock-out (policy: 10 min); closer to
the shift end and to the policy at `realistic` and `hard` (`EARLY`). Labelled on the shift's last
entry, and it takes precedence over EARLY_CLOCK_OUT.
"""

from __future__ import annotations

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.anomalies.base import EdgeLabelled
from plexlabor_dev.simulator.context import MINUTE, Sim
from plexlabor_dev.simulator.difficulty import Difficulty
from plexlabor_dev.simulator.world import ShiftDay

EARLY: dict[Difficulty, tuple[tuple[float, float], float]] = {
    "easy": ((20, 80), 20),
    "realistic": ((12, 45), 14),
    "hard": ((8, 25), 11),
}
"""Minutes clocked out before the shift end, and the least minutes worked on after the clock-out."""


class EarlyClockOutActiveJob(EdgeLabelled):
    direct_only = True
    needs_login = True

    def shape_day(self, sim: Sim, day: ShiftDay) -> None:
        (least, most), works_on = EARLY[sim.difficulty]
        day.clock_out = day.end + sim.rng.uniform(-most, -least) * MINUTE
        day.work_until = max(day.end + day.off_out * MINUTE, day.clock_out + works_on * MINUTE)


EARLY_CLOCK_OUT_ACTIVE_JOB = EarlyClockOutActiveJob(AnomalyType.EARLY_CLOCK_OUT_ACTIVE_JOB, 0.06, "last")
