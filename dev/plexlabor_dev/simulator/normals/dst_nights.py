"""The two DST nights: the night crew works the weekend night on which the clocks change, so an 8.5-hour
shift (22:30-07:00 on the wall) lasts 7.5 hours in spring and 9.5 hours in autumn.

Times come from `Sim.local`, which converts wall-clock times with `zoneinfo`, so the scheduled start and
end are the right instants on either side of the change; the pattern only staffs those nights (most
weeks have no Saturday shift) and records every worked day whose length differs from the wall clock's.
"""

from __future__ import annotations

from datetime import date, timedelta

from plexlabor_dev.simulator import catalog
from plexlabor_dev.simulator.context import HOUR, Sim
from plexlabor_dev.simulator.normals.base import NormalPattern
from plexlabor_dev.simulator.world import Person


def wall_hours(shift: catalog.ShiftDef) -> float:
    """How long a shift is on the wall clock."""
    start_h, start_m = (int(x) for x in shift.start.split(":"))
    end_h, end_m = (int(x) for x in shift.end.split(":"))
    minutes = (end_h * 60 + end_m) - (start_h * 60 + start_m)
    return (minutes % (24 * 60)) / 60


class DstNights(NormalPattern):
    name = "dst_nights"

    def staffs(self, sim: Sim, shift: catalog.ShiftDef, day: date) -> bool:
        """True if `shift` starting on `day` is a night across a clock change (worked whatever the plan)."""
        if not self.on(sim) or shift.end >= shift.start:
            return False
        start, end = sim.shift_window(day, shift)
        return abs((end - start) / HOUR - wall_hours(shift)) > 0.01

    def note(
        self,
        sim: Sim,
        person: Person,
        day: date,
        shift: catalog.ShiftDef,
        scheduled: tuple[float, float],
        worked: tuple[float, float],
    ) -> None:
        """Record a day worked (`worked`) on a shift across a clock change (`scheduled` is not as long as
        the wall clock says)."""
        start, end = scheduled
        if self.on(sim) and abs((end - start) / HOUR - wall_hours(shift)) > 0.01:
            self.record(sim, person, day, *worked)


def change_nights(sim: Sim, first: date, days: int) -> list[date]:
    """The days from `first` whose night crosses a clock change in the plant's zone."""
    night = catalog.SHIFTS[-1]
    found = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        start, end = sim.shift_window(day, night)
        if abs((end - start) / HOUR - wall_hours(night)) > 0.01:
            found.append(day)
    return found


DST_NIGHTS = DstNights()
