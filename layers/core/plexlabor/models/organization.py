"""People, places and devices: employees, user accounts, buildings, clocks, workcenters."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from plexlabor.models.base import PlexModel
from plexlabor.models.types import BuildingCode, DeviceId, EmployeeId, PlexDate, WorkcenterId


class Employee(PlexModel):
    """`GET /mdm/v1/employees`."""

    resource = "employees"

    id: EmployeeId
    employee_no: str
    first_name: str
    last_name: str
    status: Literal["Active", "Inactive", "Terminated"] = "Active"
    department_code: str | None = None
    position_title: str | None = None
    supervisor_id: EmployeeId | None = None
    hire_date: PlexDate | None = None
    pay_rate: float | None = Field(default=None, ge=0)
    home_workcenter_id: WorkcenterId | None = None
    building_code: BuildingCode | None = None
    default_shift_code: str | None = None
    email: str | None = None


class UserAccount(PlexModel):
    """`GET /mdm/v1/user-accounts`: log-ins, linked to an employee, with roles."""

    resource = "user-accounts"

    id: str
    username: str
    employee_id: EmployeeId | None = None
    email: str | None = None
    roles: list[str] = Field(default_factory=list)
    active: bool = True


class Building(PlexModel):
    """A building with its geofence (from a data source: no REST resource exists)."""

    resource = "buildings"

    building_code: BuildingCode
    name: str
    site_code: str
    timezone: str = "UTC"
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    geofence_radius_m: float = Field(gt=0)


class ClockDevice(PlexModel):
    """A time clock, mobile punch app or door reader (from a data source)."""

    resource = "clock-devices"

    device_id: DeviceId
    building_code: BuildingCode | None = None
    device_type: Literal["WallClock", "BiometricClock", "Mobile", "DoorReader"]
    latitude: float | None = None
    longitude: float | None = None


class Workcenter(PlexModel):
    """`GET /production/v1/production-definitions/workcenters` (key `workcenterId`)."""

    resource = "workcenters"

    workcenter_id: WorkcenterId
    workcenter_code: str
    name: str | None = None
    department_code: str | None = None
    building_code: BuildingCode | None = None
    workcenter_type: str | None = None
    floor_x_m: float | None = None
    floor_y_m: float | None = None
    active: bool = True
