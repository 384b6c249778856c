"""MACHINE_LOGIN_MISMATCH: the first workcenter login comes well after the clock-in.

At `easy` 5–60 min past the policy's login window (20–75 min after the punch), closer to the
window at `realistic` and `hard` (`GAP_PAST_WINDOW`); labelled on the shift's first entry. Normal days
have login gaps of 1–9 min, and 10–13.5 min on a slow walk.
"""

from __future__ import annotations

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.anomalies.base import EdgeLabelled
from plexlabor_dev.simulator.context import Sim
from plexlabor_dev.simulator.difficulty import Difficulty

GAP_PAST_WINDOW: dict[Difficulty, tuple[float, float]] = {"easy": (5, 60), "realistic": (2, 25), "hard": (0.5, 8)}
"""Minutes past the policy's login window (15 min) that the first login comes after the clock-in."""


class MachineLoginMismatch(EdgeLabelled):
    direct_only = True
    needs_login = True

    def first_login_gap(self, sim: Sim, gap: float) -> float:
        low, high = GAP_PAST_WINDOW[sim.difficulty]
        window = sim.policy.machine_login_window_minutes
        return sim.rng.uniform(window + low, window + high)


MACHINE_LOGIN_MISMATCH = MachineLoginMismatch(AnomalyType.MACHINE_LOGIN_MISMATCH, 0.09, "first")
