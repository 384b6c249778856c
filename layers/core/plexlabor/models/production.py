"""Production: routings, jobs, labor (direct and indirect), workcenter events, scrap, downtime and nonconformances."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from plexlabor.models.base import PlexModel
from plexlabor.models.types import (
    EmployeeId,
    JobId,
    JobOperationId,
    PartId,
    RecordId,
    UtcDatetime,
    WorkcenterId,
)


class ApprovedWorkcenter(PlexModel):
    """`GET /production/v1/production-definitions/approved-workcenters`: where a part operation may run."""

    resource = "approved-workcenters"

    part_id: PartId
    operation_code: str
    workcenter_id: WorkcenterId
    crew_size: float = Field(gt=0)
    standard_production_rate: float = Field(gt=0, description="pieces per hour")
    setup_hours: float = Field(default=0, ge=0)


class Job(PlexModel):
    """`GET /scheduling/v1/jobs`."""

    resource = "jobs"

    id: JobId
    job_no: str
    part_id: PartId
    part_family: str | None = None
    quantity: float = Field(ge=0)
    status: Literal["Scheduled", "Released", "InProcess", "Complete", "Cancelled"] = "Scheduled"
    due_date: UtcDatetime | None = None


class JobOperation(PlexModel):
    """`GET /scheduling/v1/jobs/{id}/operations`: one routed, scheduled step of a job."""

    resource = "job-operations"

    id: JobOperationId
    job_id: JobId
    part_id: PartId
    operation_no: int = Field(ge=0)
    operation_code: str
    workcenter_id: WorkcenterId
    quantity: float = Field(ge=0)
    standard_hours: float = Field(ge=0, description="setup plus run hours at the standard rate")
    scheduled_start: UtcDatetime | None = None
    scheduled_end: UtcDatetime | None = None
    status: Literal["Scheduled", "InProcess", "Complete"] = "Scheduled"
    actual_start: UtcDatetime | None = Field(default=None, description="when production on it began")
    actual_end: UtcDatetime | None = Field(default=None, description="when it was completed (None while open)")


class LaborEntry(PlexModel):
    """`GET /production/v1/production-history/labor-entries`: an operator's time on a job operation."""

    resource = "labor-entries"

    id: RecordId
    employee_id: EmployeeId
    workcenter_id: WorkcenterId
    job_id: JobId
    job_operation_id: JobOperationId
    start_time: UtcDatetime
    end_time: UtcDatetime | None = None
    quantity: float = Field(default=0, ge=0)
    modified_date: UtcDatetime | None = None


class WorkcenterEvent(PlexModel):
    """An operator login/logout or a machine run start/stop at a workcenter (from a data source)."""

    resource = "workcenter-events"

    id: RecordId
    workcenter_id: WorkcenterId
    event_type: Literal["OperatorLogin", "OperatorLogout", "RunStart", "RunStop"]
    event_time: UtcDatetime
    employee_id: EmployeeId | None = None
    job_operation_id: JobOperationId | None = None


class ScrapEntry(PlexModel):
    """Scrap recorded at a workcenter."""

    resource = "scrap-entries"

    id: RecordId
    workcenter_id: WorkcenterId
    job_operation_id: JobOperationId | None = None
    employee_id: EmployeeId | None = None
    scrap_time: UtcDatetime
    quantity: float = Field(gt=0)
    reason_code: str


class DowntimeEntry(PlexModel):
    """A downtime interval at a workcenter."""

    resource = "downtime-entries"

    id: RecordId
    workcenter_id: WorkcenterId
    start_time: UtcDatetime
    end_time: UtcDatetime | None = None
    reason_code: str
    employee_id: EmployeeId | None = None


class IndirectLaborEntry(PlexModel):
    """Time an employee charged to an indirect code (training, meeting, waiting, maintenance), not a job
    (from a data source, where the tenant records it)."""

    resource = "indirect-labor-entries"

    id: RecordId
    employee_id: EmployeeId
    indirect_code: str = Field(min_length=1, description="e.g. TRAINING, MEETING, WAITING")
    start_time: UtcDatetime
    end_time: UtcDatetime | None = None
    workcenter_id: WorkcenterId | None = None


class Nonconformance(PlexModel):
    """A quality audit or inspection finding charged to the operator whose work it concerns (from a data source)."""

    resource = "nonconformances"

    id: RecordId
    workcenter_id: WorkcenterId
    employee_id: EmployeeId | None = None
    job_operation_id: JobOperationId | None = None
    found_time: UtcDatetime
    source: str = Field(description="how it was found, e.g. LAYERED_AUDIT or INSPECTION")
    category: str
    severity: Literal["Minor", "Major"] = "Minor"
