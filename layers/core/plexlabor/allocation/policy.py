"""How a plant allocates paid time: the split between machines run at once, the indirect codes, overtime."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from plexlabor.validation.policy import Weekday


class Split(StrEnum):
    """How a moment is shared when an operator runs several job operations at once."""

    EQUAL = "equal"
    """Equal shares."""
    STANDARD_HOURS = "standard_hours"
    """In proportion to each operation's standard hours (the bigger job carries more)."""
    CYCLES = "cycles"
    """In proportion to the pieces per hour each labor entry reports (the busier machine carries more)."""


WAITING = "WAITING"
"""The indirect code of time logged in at a workcenter with no job operation scanned."""


class AllocationPolicy(BaseModel):
    """A plant's allocation rules; the defaults suit the generated plants (`docs/analytics.md`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    split: Split = Split.EQUAL
    indirect_by_department: dict[str, str] = Field(
        default_factory=lambda: {"MAINT": "MAINTENANCE", "SHIP": "MATERIAL_HANDLING"}
    )
    """Departments whose people work on no job: their paid time outside job scans goes to this code."""
    indirect_codes: tuple[str, ...] = ("TRAINING", "MEETING", WAITING)
    """The plant's indirect codes a reviewer may code unallocated time to (`allocation.coding`), beside those of
    `indirect_by_department` and any Plex recorded that day (`ALLOCATION_INDIRECT_CODES`)."""
    weekly_overtime_hours: float = Field(default=40.0, gt=0)
    """Paid hours in a plant-local pay week beyond which time is overtime: the plant's `overtime_after_hours`
    (`plexlabor:validationPolicy`; allocation_nightly's `VALIDATION_POLICY`), not a setting of allocation's own."""
    pay_week_starts: Weekday = "monday"
    """The pay week's first day: the plant's `pay_week_starts` (`plexlabor:validationPolicy`, as validation
    counts weekly hours; allocation_nightly's `VALIDATION_POLICY`), not a setting of allocation's own."""
    overtime_premium: float = Field(default=1.5, ge=1)
    """Overtime is paid at this multiple of the employee's rate."""
    infer_misapplied: bool = True
    """Charge a scan whose job code cannot run at its workcenter to the operation the workcenter ran
    (`allocation.scans`); False: every scan stands as keyed."""
    suggest_min_minutes: int = Field(default=15, ge=1)
    """An unallocated stretch at least this long is suggested to its likely job (the review queue)."""
    suggest_within_minutes: int = Field(default=120, ge=0)
    """A stretch's likely job is the employee's nearest job operation that day within this many minutes."""

    def codes(self, recorded: Iterable[str] = ()) -> list[str]:
        """The indirect codes unallocated time may be coded to: the configured ones, the departments' and those
        Plex recorded (`recorded`), each once, in that order."""
        return list(dict.fromkeys([*self.indirect_codes, *self.indirect_by_department.values(), *recorded]))
