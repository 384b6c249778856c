"""UNCERTIFIED_OPERATOR, by definition: a labor entry by an operator without a valid certification.

On the entry's local date the operator lacks a valid certification at the level a
certification-required requirement of the workcenter sets. Two injectors make such entries: unplanned
cover at a workcenter of the department the operator is not qualified for (a day-level draw), and
certifications renewed 3–15 days late (per renewal inside the history). The rule labels every entry.
"""

from __future__ import annotations

from datetime import date, timedelta

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.anomalies.base import DayInjector, Injector
from plexlabor_dev.simulator.context import Sim
from plexlabor_dev.simulator.world import Person, ShiftDay

LABELS = frozenset({AnomalyType.UNCERTIFIED_OPERATOR})


class UncertifiedCover(DayInjector):
    kind = "UNCERTIFIED_COVER"
    weight = 0.04
    labels = LABELS
    direct_only = True

    def choose_workcenter(self, sim: Sim, day: ShiftDay) -> None:
        person = day.person
        unqualified = [w for w in sim.world.wc_by_dept[person.dept.code] if not sim.world.qualified(person, w, day.day)]
        if unqualified:
            day.workcenter = sim.rng.choice(unqualified)


class LateRenewal(Injector):
    labels = LABELS
    rate = 2.0  # per certification renewal inside the history, at anomaly rate 1.0

    def renewal(self, sim: Sim, expires: date) -> date | None:
        """A late renewal date for a certification expiring inside the history, or None (on time)."""
        if sim.start_date <= expires <= sim.spec.end_date and sim.chance(self.rate):
            return expires + timedelta(days=sim.rng.randint(3, 15))  # lapsed, renewed late
        return None


def label_entry(sim: Sim, person: Person, wc_id: str, start: float, entry_id: str) -> None:
    """The rule, applied to every labor entry."""
    if not sim.world.qualified(person, wc_id, sim.local_date(start), certified_only=True):
        sim.label(
            "labor-entries",
            entry_id,
            AnomalyType.UNCERTIFIED_OPERATOR,
            person.id,
            "required certification missing or expired that day",
        )


UNCERTIFIED_COVER = UncertifiedCover()
LATE_RENEWAL = LateRenewal()
