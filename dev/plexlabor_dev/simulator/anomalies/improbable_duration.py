"""IMPROBABLE_DURATION: the quantity reported for the time worked is far off what it produced.

0.15–0.6× or 1.8–5× the pieces the operation's rate and the operator's efficiency gave, so hours per
piece are far from the operator's history. Drawn per finished labor entry.
"""

from __future__ import annotations

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.anomalies.base import LaborDraft, LaborEntryInjector
from plexlabor_dev.simulator.context import Sim


class ImprobableDuration(LaborEntryInjector):
    anomaly = AnomalyType.IMPROBABLE_DURATION
    labels = frozenset({AnomalyType.IMPROBABLE_DURATION})
    rate = 0.12

    def apply(self, sim: Sim, draft: LaborDraft) -> bool:
        rng = sim.rng
        factor = rng.uniform(0.15, 0.6) if rng.random() < 0.5 else rng.uniform(1.8, 5)
        draft.reported = max(1.0, round(draft.produced * factor))
        return True


IMPROBABLE_DURATION = ImprobableDuration()
