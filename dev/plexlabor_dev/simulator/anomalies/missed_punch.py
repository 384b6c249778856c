"""MISSED_PUNCH, two ways: no clock-out long after the shift, or a day at work with no punch at all.

The first is labelled on the open time-clock entry; the second on the day's first badge-in swipe
(there is no entry to label). Entries still open because the shift runs at the extract are normal.
"""

from __future__ import annotations

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.anomalies.base import DayInjector
from plexlabor_dev.simulator.context import Sim
from plexlabor_dev.simulator.world import ShiftDay


class MissedClockOut(DayInjector):
    kind = "MISSED_PUNCH_OPEN"
    weight = 0.07
    labels = frozenset({AnomalyType.MISSED_PUNCH})

    def corrupt(self, sim: Sim, day: ShiftDay) -> bool:
        last = day.records[-1]
        last["clockoutTime"] = None
        last["clockoutDeviceId"] = None
        last["modifiedDate"] = last["createdDate"]
        day.label(last, AnomalyType.MISSED_PUNCH, "no clock-out after the shift ended")
        return True


class MissedClockIn(DayInjector):
    """At work, badged in and logged in at the workcenter, but no time-clock entry at all."""

    kind = "MISSED_PUNCH_NO_CLOCKIN"
    weight = 0.05
    labels = frozenset({AnomalyType.MISSED_PUNCH})
    no_clock_in = True

    def badged_in(self, sim: Sim, day: ShiftDay, swipe_id: str | None) -> None:
        if swipe_id:
            sim.label(
                "badge-swipes",
                swipe_id,
                AnomalyType.MISSED_PUNCH,
                day.person.id,
                "badge and workcenter activity with no clock-in",
            )

    def corrupt(self, sim: Sim, day: ShiftDay) -> bool:
        day.records = []
        return True


MISSED_CLOCK_OUT = MissedClockOut()
MISSED_CLOCK_IN = MissedClockIn()
