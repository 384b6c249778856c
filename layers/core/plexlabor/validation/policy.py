"""Configured punch policy: the thresholds the rules apply. Defaults follow common plant practice."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PunchPolicy(BaseModel):
    """Thresholds for rule-based checks. Every value can be overridden per tenant."""

    model_config = ConfigDict(frozen=True)

    grace_minutes: float = Field(default=7, ge=0, description="shift-start/end grace, as UKG and HRMS apply it")
    machine_login_window_minutes: float = Field(
        default=15, gt=0, description="max gap between a clock-in and the operator's workcenter login"
    )
    weekly_hours_limit: float = Field(default=55, gt=0, description="weekly hours that count as excessive")
    break_required_after_hours: float = Field(default=6, gt=0, description="work longer than this needs a break")
    min_break_minutes: float = Field(default=30, gt=0)
    active_job_minutes: float = Field(
        default=10, gt=0, description="still logged in at the workcenter this long after clocking out"
    )
    unattended_minutes: float = Field(default=30, gt=0, description="machine running with nobody logged in")
    missed_clockout_hours: float = Field(
        default=4, gt=0, description="an entry still open this long after its shift ended is a missed punch"
    )
