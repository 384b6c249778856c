"""EARLY_CLOCK_IN, LATE_CLOCK_IN, EARLY_CLOCK_OUT, LATE_CLOCK_OUT: a punch far off the shift edge.

One rule for the four types: the offset from the shift's start (or end) is beyond the grace and more
than 3.5 personal standard deviations (and 7 min) plus some minutes away from the person's own
habit, so early birds and habitual late-comers stay normal. Labelled on the shift's first entry
(clock-in types) or last entry (clock-out types).
"""

from __future__ import annotations

from typing import Literal

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.anomalies.base import EdgeLabelled
from plexlabor_dev.simulator.context import Sim
from plexlabor_dev.simulator.world import ShiftDay


class PunchOffset(EdgeLabelled):
    def __init__(self, anomaly: AnomalyType, edge: Literal["in", "out"], sign: float, reach: float, weight: float):
        super().__init__(anomaly, weight, "first" if edge == "in" else "last")
        self.edge = edge
        self.sign = sign  # -1 early, +1 late
        self.reach = reach  # at most this many minutes beyond the habit's spread

    def shift_offsets(self, sim: Sim, day: ShiftDay) -> None:
        person, rng, sign = day.person, sim.rng, self.sign
        mu, sd = (person.mu_in, person.sd_in) if self.edge == "in" else (person.mu_out, person.sd_out)
        beyond_habit = mu + sign * max(3.5 * sd, 7) + sign * rng.uniform(2, self.reach)
        beyond_grace = sign * sim.policy.grace_minutes + sign * rng.uniform(2, 25)
        offset = min(beyond_habit, beyond_grace) if sign < 0 else max(beyond_habit, beyond_grace)
        if self.edge == "in":
            day.off_in = offset
        else:
            day.off_out = offset


EARLY_CLOCK_IN = PunchOffset(AnomalyType.EARLY_CLOCK_IN, "in", -1.0, 50, weight=0.08)
LATE_CLOCK_IN = PunchOffset(AnomalyType.LATE_CLOCK_IN, "in", 1.0, 60, weight=0.11)
EARLY_CLOCK_OUT = PunchOffset(AnomalyType.EARLY_CLOCK_OUT, "out", -1.0, 90, weight=0.08)
LATE_CLOCK_OUT = PunchOffset(AnomalyType.LATE_CLOCK_OUT, "out", 1.0, 90, weight=0.08)
