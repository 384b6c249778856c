"""EXCESSIVE_OVERTIME, by definition: an employee's hours in an ISO week exceed `weekly_hours_limit`.

Hours punched that week (before duplicates, overlaps and typos corrupt the records), plus the shifts
still scheduled that week after the extract. The injector plans whole weeks of overtime (every day,
with long Tuesdays to Thursdays); the rule labels the employee's first time-clock entry of the week.
"""

from __future__ import annotations

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.anomalies.base import Injector
from plexlabor_dev.simulator.context import HOUR, Sim


class ExcessiveWeeks(Injector):
    labels = frozenset({AnomalyType.EXCESSIVE_OVERTIME})
    rate = 0.2  # per employee-week, at anomaly rate 1.0
    plan = "excessive"  # the week plan it gives (see `schedules.WORKDAYS`)
    long_days = (1, 2, 3)  # Tuesday to Thursday
    extra_hours = 2.5

    def chosen(self, sim: Sim, draw: float, future: bool) -> bool:
        """Whether the week (drawn `draw` by the week plan) is one of excessive overtime."""
        return not future and draw < self.rate * sim.scale

    def shift_end(self, weekday: int, end: float) -> float:
        return end + self.extra_hours * HOUR if weekday in self.long_days else end

    def label_weeks(self, sim: Sim) -> None:
        """The rule, applied once every week's hours are known."""
        limit = sim.policy.weekly_hours_limit
        for (employee_id, week), hours in sorted(sim.world.week_hours.items()):
            first = sim.world.week_first_tce.get((employee_id, week))
            if hours > limit and first:
                sim.label(
                    "time-clock-entries",
                    first[1],
                    AnomalyType.EXCESSIVE_OVERTIME,
                    employee_id,
                    f"{hours:.1f} h worked in ISO week {week[0]}-W{week[1]:02d}",
                )


EXCESSIVE_WEEKS = ExcessiveWeeks()
