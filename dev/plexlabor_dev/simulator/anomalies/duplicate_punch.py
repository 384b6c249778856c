"""DUPLICATE_PUNCH: the same pair recorded again (a device re-sync), labelled on the later copy."""

from __future__ import annotations

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.anomalies.base import DayInjector
from plexlabor_dev.simulator.context import Sim
from plexlabor_dev.simulator.world import ShiftDay


class DuplicatePunch(DayInjector):
    kind = "DUPLICATE_PUNCH"
    weight = 0.07
    labels = frozenset({AnomalyType.DUPLICATE_PUNCH})

    def corrupt(self, sim: Sim, day: ShiftDay) -> bool:
        original = sim.rng.choice(day.records)
        copy = dict(original)
        copy["id"] = sim.uuid()
        created = day.pairs[day.records.index(original)][0] + sim.rng.uniform(60, 900)
        copy["createdDate"] = sim.iso(created)
        copy["modifiedDate"] = copy["createdDate"] if original["clockoutTime"] is None else original["modifiedDate"]
        day.records.append(copy)
        day.label(copy, AnomalyType.DUPLICATE_PUNCH, "same punch recorded twice")
        return True


DUPLICATE_PUNCH = DuplicatePunch()
