"""Days worked other than first scheduled, none of them an anomaly (at most one per shift-day):

- `shift_swaps`: the employee swapped shifts with a colleague and works the hours of the shift before
  or after their own (never one that would overlap their shifts of the day before or after, nor start
  less than 6 hours after the last day they worked); the swap
  never reaches the schedule, which still shows the shift first planned;
- `approved_overtime`: asked to stay 1-2 hours longer; the supervisor's edit reaches the schedule,
  whose end is the one worked;
- `early_release`: sent home 3.5-4.5 hours early (no work, a machine down); the schedule shows the end
  as edited, and a stretch that short has no meal break;
- `partial_leave`: the first or second half of the shift taken as leave: the day's assignment is split
  into the half worked (`Scheduled`) and the half on leave (`Leave`, `leaveType` "Personal");
- `split_shifts`: a day shift (1st or 2nd) worked in two halves with 2-4 unpaid hours between (the
  second half ends that much later); the schedule shows both halves, two `Scheduled` assignments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from plexlabor_dev.simulator import catalog
from plexlabor_dev.simulator.context import HOUR, Sim
from plexlabor_dev.simulator.normals.base import NormalPattern

SHARES = {
    "shift_swaps": 0.02,
    "approved_overtime": 0.03,
    "early_release": 0.02,
    "partial_leave": 0.015,
    "split_shifts": 0.015,
}
"""Of scheduled working days (not leave, not past the end of history, not in an excessive week). A new
pattern goes last: the draw of the ones before it keeps its meaning."""
SPLIT_GAP_HOURS = (2, 4)
MIN_REST = 6 * HOUR
"""A swap never starts sooner than this after the person's last day worked ended (23:00 to 06:00 is 7 h:
a quick return some plants allow)."""


def swappable(shift: catalog.ShiftDef) -> list[catalog.ShiftDef]:
    """The shifts next to `shift` in the day (1st-2nd, 2nd-3rd): a 1st-shift worker on the night shift
    would still be punched in when their next morning starts."""
    index = catalog.SHIFTS.index(shift)
    return [catalog.SHIFTS[i] for i in (index - 1, index + 1) if 0 <= i < len(catalog.SHIFTS)]


@dataclass
class DayPlan:
    """What a scheduled day becomes: the assignment as Plex shows it, the window worked, any leave."""

    scheduled: tuple[float, float]
    worked: tuple[float, float]
    leave: tuple[float, float] | None = None
    pattern: str | None = None
    second: tuple[float, float] | None = None
    """A split shift's second half, scheduled and worked."""

    @property
    def span(self) -> tuple[float, float]:
        """From the first punch-in to the last punch-out planned."""
        return self.worked[0], (self.second or self.worked)[1]


class DayChanges(NormalPattern):
    """The four day-level patterns, drawn together so a day gets at most one."""

    def on(self, sim: Sim) -> bool:
        return any(name in sim.spec.hard_normals for name in SHARES)

    def plan(
        self, sim: Sim, day: date, day_shift: catalog.ShiftDef, start: float, end: float, rested_from: float
    ) -> DayPlan:
        """The plan of a working day scheduled on `day_shift` from `start` to `end`; `rested_from` is the end
        of the person's last day worked (a swap that would leave less than `MIN_REST` is not made)."""
        plan = DayPlan((start, end), (start, end))
        if not self.on(sim):
            return plan
        rng = sim.normals_rng
        draw, acc = rng.random(), 0.0
        chosen = None
        for name, share in SHARES.items():
            acc += share
            if draw < acc:
                chosen = name
                break
        if chosen is None or chosen not in sim.spec.hard_normals:
            return plan
        plan.pattern = chosen
        if chosen == "shift_swaps":
            other = rng.choice(swappable(day_shift))
            plan.worked = sim.shift_window(day, other)
            if plan.worked[0] - rested_from < MIN_REST:
                return DayPlan((start, end), (start, end))
        elif chosen == "approved_overtime":
            plan.worked = plan.scheduled = (start, end + rng.uniform(1, 2) * HOUR)
        elif chosen == "early_release":
            plan.worked = plan.scheduled = (start, end - rng.uniform(3.5, 4.5) * HOUR)
        elif chosen == "split_shifts":
            if day_shift is catalog.SHIFTS[-1]:
                return DayPlan((start, end), (start, end))  # nights are not split
            middle = (start + end) / 2
            gap = rng.uniform(*SPLIT_GAP_HOURS) * HOUR
            plan.worked = plan.scheduled = (start, middle)
            plan.second = (middle + gap, end + gap)
        else:
            middle = (start + end) / 2
            first_half = rng.random() < 0.5
            plan.worked = plan.scheduled = (start, middle) if first_half else (middle, end)
            plan.leave = (middle, end) if first_half else (start, middle)
        return plan


DAY_CHANGES = DayChanges()
