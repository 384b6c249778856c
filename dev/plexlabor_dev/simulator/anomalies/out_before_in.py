"""OUT_BEFORE_IN: a supervisor keys the clock-out 12 or 24 h early (an AM/PM or date slip)."""

from __future__ import annotations

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.anomalies.base import DayInjector
from plexlabor_dev.simulator.context import HOUR, Sim
from plexlabor_dev.simulator.records import manual_edit
from plexlabor_dev.simulator.world import ShiftDay


class OutBeforeIn(DayInjector):
    kind = "OUT_BEFORE_IN"
    weight = 0.05
    labels = frozenset({AnomalyType.OUT_BEFORE_IN})

    def corrupt(self, sim: Sim, day: ShiftDay) -> bool:
        last = day.records[-1]
        pin, pout = day.pairs[-1]
        out = pout - 12 * HOUR
        if out >= pin:
            out -= 12 * HOUR
        manual_edit(sim, day.person, last, pout)
        last["clockoutTime"] = sim.iso(out)
        day.label(last, AnomalyType.OUT_BEFORE_IN, "clock-out keyed before the clock-in")
        return True


OUT_BEFORE_IN = OutBeforeIn()
