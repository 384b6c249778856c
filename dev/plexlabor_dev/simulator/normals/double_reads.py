"""Kiosk double reads: the wall clock reads the badge (or finger) twice, seconds apart, at the clock-in,
and records both: an entry a few seconds long, then the day's entry from the second read on. No time
is paid twice (the two touch, they do not overlap); a duplicate punch (an anomaly) repeats a whole pair.
"""

from __future__ import annotations

from datetime import datetime

from plexlabor_dev.simulator.context import Sim, iso, uuid_from
from plexlabor_dev.simulator.normals.base import NormalPattern
from plexlabor_dev.simulator.world import ShiftDay

DOUBLE_READ_SHARE = 0.03
"""Of worked shift-days with no injected anomaly, punched at a wall clock."""
SECONDS_APART = (2, 20)


class DoubleReads(NormalPattern):
    name = "double_reads"

    def echo(self, sim: Sim, day: ShiftDay) -> None:
        """Split the day's first entry at a second read; the seconds-long entry goes last in `day.records`
        (the others stay aligned with `day.pairs`)."""
        rng = sim.normals_rng
        if not self.on(sim) or day.person.mobile or not day.records or rng.random() >= DOUBLE_READ_SHARE:
            return
        first = day.records[0]
        if first["clockoutTime"] is None or first["source"] != "Device":
            return
        read = _epoch(first["clockinTime"])
        second = read + rng.uniform(*SECONDS_APART)
        echo = {**first, "id": uuid_from(rng), "clockoutTime": iso(second), "modifiedDate": iso(second)}
        first["clockinTime"] = first["createdDate"] = iso(second)
        day.records.append(echo)
        self.record(sim, day.person, day.day, read, day.pairs[-1][1])


def _epoch(text: str) -> float:
    """An instant as the generator writes it (seven fractional digits and Z)."""
    return datetime.fromisoformat(text[:26] + "+00:00").timestamp()


DOUBLE_READS = DoubleReads()
