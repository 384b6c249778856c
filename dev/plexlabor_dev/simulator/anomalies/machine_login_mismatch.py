"""MACHINE_LOGIN_MISMATCH: the first workcenter login comes well after the clock-in.

More than the policy's login window plus 5 min (up to 75 min) after the punch; labelled on the
shift's first entry. Normal days have login gaps of 1–9 min, and 10–13.5 min on a slow walk.
"""

from __future__ import annotations

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.anomalies.base import EdgeLabelled
from plexlabor_dev.simulator.context import Sim


class MachineLoginMismatch(EdgeLabelled):
    direct_only = True
    needs_login = True

    def first_login_gap(self, sim: Sim, gap: float) -> float:
        return sim.rng.uniform(sim.policy.machine_login_window_minutes + 5, 75)


MACHINE_LOGIN_MISMATCH = MachineLoginMismatch(AnomalyType.MACHINE_LOGIN_MISMATCH, 0.09, "first")
