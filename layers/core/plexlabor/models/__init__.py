"""Pydantic models of Plex objects and of plexlabor's own records."""

from plexlabor.models.attendance import BadgeSwipe, Shift, ShiftAssignment, TimeClockEntry
from plexlabor.models.base import PlexDataError, PlexModel
from plexlabor.models.organization import Building, ClockDevice, Employee, UserAccount, Workcenter
from plexlabor.models.production import (
    ApprovedWorkcenter,
    DowntimeEntry,
    IndirectLaborEntry,
    Job,
    JobOperation,
    LaborEntry,
    Nonconformance,
    ScrapEntry,
    WorkcenterEvent,
)
from plexlabor.models.skills import Certification, Skill, WorkcenterRequirement

PLANT_MODELS: dict[str, type[PlexModel]] = {
    model.resource: model
    for model in (
        Employee,
        UserAccount,
        Building,
        ClockDevice,
        Workcenter,
        Shift,
        ShiftAssignment,
        TimeClockEntry,
        BadgeSwipe,
        ApprovedWorkcenter,
        Job,
        JobOperation,
        LaborEntry,
        IndirectLaborEntry,
        WorkcenterEvent,
        ScrapEntry,
        DowntimeEntry,
        Nonconformance,
        Skill,
        Certification,
        WorkcenterRequirement,
    )
}
"""Every kind of record a plant holds, by resource name (also its file name in a plant folder)."""


def record_key(resource: str, record_id: str) -> str:
    """The stable key of one record, used by labels, findings and the audit table."""
    return f"{resource}:{record_id}"


__all__ = [
    "PLANT_MODELS",
    "ApprovedWorkcenter",
    "BadgeSwipe",
    "Building",
    "Certification",
    "ClockDevice",
    "DowntimeEntry",
    "Employee",
    "IndirectLaborEntry",
    "Job",
    "JobOperation",
    "LaborEntry",
    "Nonconformance",
    "PlexDataError",
    "PlexModel",
    "ScrapEntry",
    "Shift",
    "ShiftAssignment",
    "Skill",
    "TimeClockEntry",
    "UserAccount",
    "Workcenter",
    "WorkcenterEvent",
    "WorkcenterRequirement",
    "record_key",
]
