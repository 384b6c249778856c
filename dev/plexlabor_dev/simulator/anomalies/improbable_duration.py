"""IMPROBABLE_DURATION: the quantity reported for the time worked is far off what it produced.

At `easy`, 0.15–0.6× or 1.8–5× the pieces the operation's rate and the operator's efficiency gave, so
hours per piece are far from the operator's history; `realistic` and `hard` come closer (`FACTORS`),
where downtime (5 % of entries) and the operator's pace also move the pieces made. Drawn per
finished labor entry.
"""

from __future__ import annotations

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.anomalies.base import LaborDraft, LaborEntryInjector
from plexlabor_dev.simulator.context import Sim
from plexlabor_dev.simulator.difficulty import Difficulty

FACTORS: dict[Difficulty, tuple[tuple[float, float], tuple[float, float]]] = {
    "easy": ((0.15, 0.6), (1.8, 5)),
    "realistic": ((0.4, 0.72), (1.4, 2.5)),
    "hard": ((0.62, 0.8), (1.25, 1.6)),
}
"""Reported over produced pieces: too few (the entry took longer per piece), or too many."""


class ImprobableDuration(LaborEntryInjector):
    anomaly = AnomalyType.IMPROBABLE_DURATION
    labels = frozenset({AnomalyType.IMPROBABLE_DURATION})
    rate = 0.12

    def apply(self, sim: Sim, draft: LaborDraft) -> bool:
        rng, (fewer, more) = sim.rng, FACTORS[sim.difficulty]
        factor = rng.uniform(*fewer) if rng.random() < 0.5 else rng.uniform(*more)
        draft.reported = max(1.0, round(draft.produced * factor))
        return True


IMPROBABLE_DURATION = ImprobableDuration()
