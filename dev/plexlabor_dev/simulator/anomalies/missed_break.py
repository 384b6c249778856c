"""MISSED_BREAK, by definition: one continuous entry longer than `break_required_after_hours`.

The injector makes such days by working the whole shift without punching the break; the rule labels
every entry that breaks the policy on any day (a very late clock-out on a long shift does too).
Natural break timing keeps each stretch within the rule less 0.2 h.
"""

from __future__ import annotations

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.anomalies.base import DayInjector
from plexlabor_dev.simulator.context import HOUR, Sim
from plexlabor_dev.simulator.world import ShiftDay

# Entries whose times were corrupted cannot be measured: no break label on them.
UNMEASURABLE = (AnomalyType.DUPLICATE_PUNCH, AnomalyType.OUT_BEFORE_IN)


class MissedBreak(DayInjector):
    kind = "MISSED_BREAK"
    weight = 0.06
    labels = frozenset({AnomalyType.MISSED_BREAK})
    skips_break = True


def label_long_entries(sim: Sim, day: ShiftDay) -> None:
    """The rule, applied to every worked day once its records are final."""
    limit = sim.policy.break_required_after_hours * HOUR
    unmeasurable = {id(record) for record, anomaly, _ in day.labelled if anomaly in UNMEASURABLE}
    for index, (pin, pout) in enumerate(day.pairs):
        entry = day.records[index] if index < len(day.records) else None
        if entry and id(entry) not in unmeasurable and entry["clockoutTime"] and pout - pin > limit:
            day.label(entry, AnomalyType.MISSED_BREAK, "worked longer than the rule allows without a break")


MISSED_BREAK = MissedBreak()
