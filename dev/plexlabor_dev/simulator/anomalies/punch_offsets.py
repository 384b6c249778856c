"""EARLY_CLOCK_IN, LATE_CLOCK_IN, EARLY_CLOCK_OUT, LATE_CLOCK_OUT: a punch far off the shift edge.

One rule for the four types: the offset from the shift's start (or end) is beyond the grace and, at
`easy`, more than 3.5 personal standard deviations (and 7 min) plus some minutes away from the
person's own habit, so early birds and habitual late-comers stay normal. `realistic` and `hard` come
closer to the habit and the grace (`BEYOND`), inside the tail of normal days (habit +- 2.5 sd).
Labelled on the shift's first entry (clock-in types) or last entry (clock-out types).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.anomalies.base import EdgeLabelled
from plexlabor_dev.simulator.context import Sim
from plexlabor_dev.simulator.difficulty import Difficulty
from plexlabor_dev.simulator.world import ShiftDay


@dataclass(frozen=True)
class Beyond:
    """How far an injected offset lies past the person's habit and past the grace, in minutes."""

    habit_sds: float  # at least this many personal standard deviations past the habit
    habit_floor: float  # and at least this many minutes
    past_habit: tuple[float, float] | None  # then this many more (None: 2 to the type's reach)
    past_grace: tuple[float, float]  # or this many past the grace, whichever is further


BEYOND: dict[Difficulty, Beyond] = {
    "easy": Beyond(3.5, 7, None, (2, 25)),
    "realistic": Beyond(2.0, 4, (0, 10), (1, 10)),
    "hard": Beyond(1.5, 3, (0, 5), (0, 4)),
}


class PunchOffset(EdgeLabelled):
    def __init__(self, anomaly: AnomalyType, edge: Literal["in", "out"], sign: float, reach: float, weight: float):
        super().__init__(anomaly, weight, "first" if edge == "in" else "last")
        self.edge = edge
        self.sign = sign  # -1 early, +1 late
        self.reach = reach  # at most this many minutes beyond the habit's spread (easy)

    def shift_offsets(self, sim: Sim, day: ShiftDay) -> None:
        person, rng, sign, beyond = day.person, sim.rng, self.sign, BEYOND[sim.difficulty]
        mu, sd = (person.mu_in, person.sd_in) if self.edge == "in" else (person.mu_out, person.sd_out)
        past_habit = rng.uniform(*(beyond.past_habit or (2, self.reach)))
        beyond_habit = mu + sign * max(beyond.habit_sds * sd, beyond.habit_floor) + sign * past_habit
        beyond_grace = sign * sim.policy.grace_minutes + sign * rng.uniform(*beyond.past_grace)
        offset = min(beyond_habit, beyond_grace) if sign < 0 else max(beyond_habit, beyond_grace)
        if self.edge == "in":
            day.off_in = offset
        else:
            day.off_out = offset


EARLY_CLOCK_IN = PunchOffset(AnomalyType.EARLY_CLOCK_IN, "in", -1.0, 50, weight=0.08)
LATE_CLOCK_IN = PunchOffset(AnomalyType.LATE_CLOCK_IN, "in", 1.0, 60, weight=0.11)
EARLY_CLOCK_OUT = PunchOffset(AnomalyType.EARLY_CLOCK_OUT, "out", -1.0, 90, weight=0.08)
LATE_CLOCK_OUT = PunchOffset(AnomalyType.LATE_CLOCK_OUT, "out", 1.0, 90, weight=0.08)
