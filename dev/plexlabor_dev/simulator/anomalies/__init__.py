"""The anomaly injectors of the plant generator, one module per anomaly type, each with its label rule.

Where a type has a crisp definition (missed break, uncertified operator, excessive overtime) the module
also holds the rule that labels it from the true, uncorrupted activity, so labels and data cannot
drift apart. The order of `DAY_INJECTORS` is the order of the day-level draw: changing it changes
every plant.
"""

from __future__ import annotations

from plexlabor.models.anomalies import AnomalyType
from plexlabor_dev.simulator.anomalies.base import (
    NO_INJECTION,
    DayInjector,
    Injector,
    LaborDraft,
    LaborEntryInjector,
)
from plexlabor_dev.simulator.anomalies.buddy_punch import BUDDY_PUNCH
from plexlabor_dev.simulator.anomalies.duplicate_punch import DUPLICATE_PUNCH
from plexlabor_dev.simulator.anomalies.early_clock_out_active_job import EARLY_CLOCK_OUT_ACTIVE_JOB
from plexlabor_dev.simulator.anomalies.excessive_overtime import EXCESSIVE_WEEKS
from plexlabor_dev.simulator.anomalies.improbable_duration import IMPROBABLE_DURATION
from plexlabor_dev.simulator.anomalies.job_code_mismatch import JOB_CODE_MISMATCH
from plexlabor_dev.simulator.anomalies.labor_outside_operation import LABOR_OUTSIDE_OPERATION
from plexlabor_dev.simulator.anomalies.machine_login_mismatch import MACHINE_LOGIN_MISMATCH
from plexlabor_dev.simulator.anomalies.missed_break import MISSED_BREAK
from plexlabor_dev.simulator.anomalies.missed_punch import MISSED_CLOCK_IN, MISSED_CLOCK_OUT
from plexlabor_dev.simulator.anomalies.out_before_in import OUT_BEFORE_IN
from plexlabor_dev.simulator.anomalies.overlapping_entries import OVERLAPPING_ENTRIES
from plexlabor_dev.simulator.anomalies.punch_offsets import (
    EARLY_CLOCK_IN,
    EARLY_CLOCK_OUT,
    LATE_CLOCK_IN,
    LATE_CLOCK_OUT,
)
from plexlabor_dev.simulator.anomalies.unattended_machine import UNATTENDED_RUNS
from plexlabor_dev.simulator.anomalies.uncertified_operator import LATE_RENEWAL, UNCERTIFIED_COVER
from plexlabor_dev.simulator.context import HOUR, Sim
from plexlabor_dev.simulator.world import Person

# At most one per worked shift-day, so their weights (at anomaly rate 1.0) add up to at most 1.
DAY_INJECTORS: tuple[DayInjector, ...] = (
    OUT_BEFORE_IN,
    DUPLICATE_PUNCH,
    OVERLAPPING_ENTRIES,
    MISSED_CLOCK_OUT,
    MISSED_CLOCK_IN,
    EARLY_CLOCK_IN,
    LATE_CLOCK_IN,
    EARLY_CLOCK_OUT,
    LATE_CLOCK_OUT,
    MISSED_BREAK,
    MACHINE_LOGIN_MISMATCH,
    EARLY_CLOCK_OUT_ACTIVE_JOB,
    BUDDY_PUNCH,
    UNCERTIFIED_COVER,
)
# Per finished labor entry, tried in this order; the first drawn applies.
LABOR_ENTRY_INJECTORS: tuple[LaborEntryInjector, ...] = (IMPROBABLE_DURATION, JOB_CODE_MISMATCH)
INJECTORS: tuple[Injector, ...] = (
    *DAY_INJECTORS,
    *LABOR_ENTRY_INJECTORS,
    LABOR_OUTSIDE_OPERATION,  # per finished labor entry no other took, from a stream of its own
    EXCESSIVE_WEEKS,  # per employee-week
    UNATTENDED_RUNS,  # per workcenter-week
    LATE_RENEWAL,  # per certification renewal
)
DAY_TYPE_WEIGHTS: dict[str, float] = {injector.kind: injector.weight for injector in DAY_INJECTORS}


def labelled_types() -> frozenset[AnomalyType]:
    """Every anomaly type some injector (or its rule) labels."""
    return frozenset().union(*(injector.labels for injector in INJECTORS))


def draw_day_injection(sim: Sim, person: Person, end: float) -> DayInjector:
    """The day-level anomaly of one worked shift-day, or `NO_INJECTION` (most days)."""
    if end > sim.as_of - 6 * HOUR:
        return NO_INJECTION  # too close to the extract: the day is not over yet
    draw = sim.rng.random()
    acc = 0.0
    for injector in DAY_INJECTORS:
        acc += injector.weight * sim.scale
        if draw < acc:
            return NO_INJECTION if injector.direct_only and not person.home_wc else injector
    return NO_INJECTION


__all__ = [
    "DAY_INJECTORS",
    "DAY_TYPE_WEIGHTS",
    "EXCESSIVE_WEEKS",
    "INJECTORS",
    "LABOR_ENTRY_INJECTORS",
    "LABOR_OUTSIDE_OPERATION",
    "LATE_RENEWAL",
    "NO_INJECTION",
    "UNATTENDED_RUNS",
    "DayInjector",
    "Injector",
    "LaborDraft",
    "LaborEntryInjector",
    "draw_day_injection",
    "labelled_types",
]
