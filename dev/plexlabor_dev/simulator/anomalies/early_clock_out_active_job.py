"""EARLY_CLOCK_OUT_ACTIVE_JOB: clocked out 20–80 min early, still logged in and running at the workcenter.

Work goes on at least 20 min past the clock-out (policy: 10 min); labelled on the shift's last entry,
and it takes precedence over EARLY_CLOCK_OUT.
"""

from __future__ import annotations

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.anomalies.base import EdgeLabelled
from plexlabor_dev.simulator.context import MINUTE, Sim
from plexlabor_dev.simulator.world import ShiftDay


class EarlyClockOutActiveJob(EdgeLabelled):
    direct_only = True
    needs_login = True

    def shape_day(self, sim: Sim, day: ShiftDay) -> None:
        day.clock_out = day.end + sim.rng.uniform(-80, -20) * MINUTE
        day.work_until = max(day.end + day.off_out * MINUTE, day.clock_out + 20 * MINUTE)


EARLY_CLOCK_OUT_ACTIVE_JOB = EarlyClockOutActiveJob(AnomalyType.EARLY_CLOCK_OUT_ACTIVE_JOB, 0.06, "last")
