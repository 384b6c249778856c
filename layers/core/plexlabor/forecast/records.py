"""What the forecasts produce: one record per upcoming job operation, per alert, per department-week.

Written as JSON lines by the CLI and the nightly job. Ids and codes only: never names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Method = Literal["model", "standard"]


class _Record(BaseModel):
    """A forecast record: never changed once made."""

    model_config = ConfigDict(frozen=True)


class OperationForecast(_Record):
    """P10 / P50 / P90 labor hours and cost of one upcoming job operation."""

    kind: Literal["operation"] = "operation"
    as_of: AwareDatetime
    job_operation_id: str
    job_id: str
    job_no: str | None
    part_id: str
    part_family: str | None
    operation_no: int
    operation_code: str
    workcenter_id: str
    workcenter_code: str | None
    department: str | None
    scheduled_start: datetime | None
    quantity: float
    standard_hours: float
    p10_hours: float
    p50_hours: float
    p90_hours: float
    labor_rate: float | None = Field(description="mean pay rate of the planned crew (else department, plant)")
    cost_p10: float | None
    cost_p50: float | None
    cost_p90: float | None
    variance_pct: float = Field(description="P50 over standard, e.g. 0.18 = 18% over")
    crew_source: str = Field(description="whose pace and pay: 'scheduled' crew, 'home staff', or 'none'")
    method: Method
    model_version: str


class Driver(_Record):
    """One reason a forecast exceeds standard, in plain words, with the hours it adds to the P50."""

    factor: str
    hours: float
    text: str


class VarianceAlert(_Record):
    kind: Literal["variance_alert"] = "variance_alert"
    forecast: OperationForecast
    over_hours: float
    over_pct: float
    drivers: list[Driver]
    supervisor_id: str | None
    note: str


class OvertimeProjection(_Record):
    """Projected overtime of one department in one pay week, with its causes and a suggestion."""

    kind: Literal["overtime"] = "overtime"
    as_of: AwareDatetime
    department: str
    iso_week: str  # the pay week: ISO 2026-W47, or its first day 2026-11-29 where pay weeks start on another day
    week_start: AwareDatetime
    employees: int
    worked_hours: float = Field(description="hours punched this week before as_of")
    scheduled_hours: float = Field(description="hours still scheduled after as_of, as each person usually works them")
    projected_hours: float
    projected_overtime_hours: float
    employees_over_threshold: int
    employees_over_limit: int
    overtime_after_hours: float | None = Field(
        default=None,
        description="the weekly hours overtime is counted after, the plant's `overtime_after_hours`; None: a "
        "projection stored before it was recorded",
    )
    overtime_cost: float | None
    last_week_overtime_hours: float | None = Field(description="the 'same as last week' baseline")
    forecast_labor_hours: float | None = Field(
        description="P50 hours of the department's job operations in that week (each by the share of its "
        "scheduled span in the week)"
    )
    causes: list[str]
    suggestion: str | None
