"""Attendance: shifts, schedules, time clock punches and badge swipes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from plexlabor.models.base import PlexModel
from plexlabor.models.types import (
    BuildingCode,
    DeviceId,
    EmployeeId,
    PlexDate,
    RecordId,
    ShiftId,
    UtcDatetime,
    WorkcenterId,
)


class Shift(PlexModel):
    """A shift definition in the plant's local time (from a data source)."""

    resource = "shifts"

    shift_id: ShiftId
    shift_code: str
    name: str
    start_local: str = Field(pattern=r"^\d{2}:\d{2}$")
    end_local: str = Field(pattern=r"^\d{2}:\d{2}$")
    break_minutes: int = Field(default=30, ge=0)


class ShiftAssignment(PlexModel):
    """One employee scheduled on one shift on one date, or on leave (from a data source)."""

    resource = "shift-assignments"

    id: RecordId
    employee_id: EmployeeId
    shift_id: ShiftId
    work_date: PlexDate
    scheduled_start: UtcDatetime
    scheduled_end: UtcDatetime
    workcenter_id: WorkcenterId | None = None
    status: Literal["Scheduled", "Leave"] = "Scheduled"
    leave_type: str | None = None


class TimeClockEntry(PlexModel):
    """`GET /hcm/v1/time-clock-entries`: one punch pair, open while `clockoutTime` is null."""

    resource = "time-clock-entries"

    id: RecordId
    employee_id: EmployeeId
    clockin_time: UtcDatetime
    clockout_time: UtcDatetime | None = None
    clockin_device_id: DeviceId | None = None
    clockout_device_id: DeviceId | None = None
    clockin_latitude: float | None = None
    clockin_longitude: float | None = None
    biometric_score: float | None = Field(default=None, ge=0, le=1)
    source: Literal["Device", "Mobile", "Manual"] = "Device"
    created_date: UtcDatetime | None = None
    modified_date: UtcDatetime | None = None
    modified_by: str | None = None

    @property
    def is_open(self) -> bool:
        """True while the employee has not clocked out."""
        return self.clockout_time is None


class BadgeSwipe(PlexModel):
    """A door-reader badge swipe (from a data source). Badge numbers are never stored."""

    resource = "badge-swipes"

    id: RecordId
    employee_id: EmployeeId
    device_id: DeviceId
    building_code: BuildingCode
    swipe_time: UtcDatetime
    direction: Literal["In", "Out"]
    latitude: float | None = None
    longitude: float | None = None
