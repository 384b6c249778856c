"""OVERLAPPING_ENTRIES: a manual entry keyed the next day that partly overlaps recorded time.

The entry starts 1–3 h into the day; at `easy` it lasts 2–5 h, shorter at `realistic` and `hard`
(`HOURS`), so it overlaps less.
"""

from __future__ import annotations

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.anomalies.base import DayInjector
from plexlabor_dev.simulator.context import HOUR, MINUTE, Sim
from plexlabor_dev.simulator.difficulty import Difficulty
from plexlabor_dev.simulator.records import clock_entry, manual_edit
from plexlabor_dev.simulator.world import ShiftDay

HOURS: dict[Difficulty, tuple[float, float]] = {"easy": (2, 5), "realistic": (0.75, 3), "hard": (0.25, 1.5)}


class OverlappingEntries(DayInjector):
    kind = "OVERLAPPING_ENTRIES"
    weight = 0.05
    labels = frozenset({AnomalyType.OVERLAPPING_ENTRIES})

    def corrupt(self, sim: Sim, day: ShiftDay) -> bool:
        extra_in = day.pairs[0][0] + sim.rng.uniform(60, 180) * MINUTE
        extra_out = extra_in + sim.rng.uniform(*HOURS[sim.difficulty]) * HOUR
        extra = clock_entry(sim, day.person, extra_in, extra_out)
        manual_edit(sim, day.person, extra, extra_out, added=True)
        day.records.append(extra)
        day.label(extra, AnomalyType.OVERLAPPING_ENTRIES, "manual entry overlaps recorded time")
        return True


OVERLAPPING_ENTRIES = OverlappingEntries()
