"""What an anomaly injector is, and the points of a worked day where a day-level one may act.

A day-level injector is drawn at most once per worked shift-day (`DayInjector.weight` at anomaly rate
1.0). The normal day (`simulator.workday`) calls its hooks in this order, each after the draws named:

1. `choose_workcenter`: before any time of the day is drawn;
2. `shift_offsets`: after the person's habitual clock-in and clock-out offsets are drawn;
3. `shape_day`: after the clock and break times are drawn;
4. `badged_in`: after the day's badge swipes (with the id of the badge-in, if any);
5. `first_login_gap`: when the first workcenter login of the day is placed;
6. `corrupt`: once the day's time-clock entries exist; it labels the records it made odd.

The class flags say what the day looks like without drawing anything. A hook that draws changes the
random stream after it: keep the draws of an existing injector in their order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.context import Sim
from plexlabor_dev.simulator.world import OpState, Person, ShiftDay


class Injector:
    """Puts one kind of anomaly into the plant; `labels` are the types it (or its rule) labels."""

    labels: frozenset[AnomalyType] = frozenset()


class DayInjector(Injector):
    """A day-level anomaly. The base class is the normal day: every hook leaves the day as it is."""

    kind: str = "NONE"  # the key of its weight in `DAY_TYPE_WEIGHTS`
    weight: float = 0.0
    direct_only: bool = False  # only for operators with a home workcenter
    absent: bool = False  # the employee is not there: no badge, no workcenter activity
    no_clock_in: bool = False  # at work with nobody punching: the hours do not count
    needs_login: bool = False  # the day must show a workcenter login (no training day)
    skips_break: bool = False  # one continuous entry instead of two around the break

    def choose_workcenter(self, sim: Sim, day: ShiftDay) -> None:
        return None

    def shift_offsets(self, sim: Sim, day: ShiftDay) -> None:
        return None

    def shape_day(self, sim: Sim, day: ShiftDay) -> None:
        return None

    def badged_in(self, sim: Sim, day: ShiftDay, swipe_id: str | None) -> None:
        return None

    def first_login_gap(self, sim: Sim, gap: float) -> float:
        return gap

    def corrupt(self, sim: Sim, day: ShiftDay) -> bool:
        """Bend and label the day's records; False if they were left as punched (room for a normal edit)."""
        return False


NO_INJECTION = DayInjector()


class EdgeLabelled(DayInjector):
    """A day-level anomaly of one type whose records stay as punched: `corrupt` labels the shift's
    first or last time-clock entry with it."""

    def __init__(self, anomaly: AnomalyType, weight: float, entry: Literal["first", "last"]) -> None:
        self.anomaly = anomaly
        self.kind = anomaly.value
        self.weight = weight
        self.labels = frozenset({anomaly})
        self.entry = entry

    def corrupt(self, sim: Sim, day: ShiftDay) -> bool:
        day.label(day.records[0] if self.entry == "first" else day.records[-1], self.anomaly, "injected")
        return True


@dataclass
class LaborDraft:
    """A labor entry before it is written: what was produced, what is reported, the operation charged."""

    person: Person
    wc_id: str
    produced: float
    reported: float
    charged: OpState
    worked: OpState | None = None
    """The operation really worked, when an injector charged another (the truth allocation is measured on)."""
    overrun: float = 0.0
    """Seconds the entry stayed charged after its work ended (LABOR_OUTSIDE_OPERATION)."""


class LaborEntryInjector(Injector):
    """An anomaly drawn per finished labor entry (`rate` at anomaly rate 1.0)."""

    anomaly: AnomalyType
    rate: float

    def apply(self, sim: Sim, draft: LaborDraft) -> bool:
        """Bend the draft; False if this entry offers no way to (nothing is labelled)."""
        raise NotImplementedError

    def label(self, sim: Sim, draft: LaborDraft, entry_id: str) -> None:
        sim.label("labor-entries", entry_id, self.anomaly, draft.person.id, "injected")
