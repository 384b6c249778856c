"""The anomaly codes shared by the plant generator's labels and the validation engine's findings."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class AnomalyType(StrEnum):
    OUT_BEFORE_IN = "OUT_BEFORE_IN"
    DUPLICATE_PUNCH = "DUPLICATE_PUNCH"
    OVERLAPPING_ENTRIES = "OVERLAPPING_ENTRIES"
    MISSED_PUNCH = "MISSED_PUNCH"
    EARLY_CLOCK_IN = "EARLY_CLOCK_IN"
    LATE_CLOCK_IN = "LATE_CLOCK_IN"
    EARLY_CLOCK_OUT = "EARLY_CLOCK_OUT"
    LATE_CLOCK_OUT = "LATE_CLOCK_OUT"
    EXCESSIVE_OVERTIME = "EXCESSIVE_OVERTIME"
    MISSED_BREAK = "MISSED_BREAK"
    IMPROBABLE_DURATION = "IMPROBABLE_DURATION"
    JOB_CODE_MISMATCH = "JOB_CODE_MISMATCH"
    UNCERTIFIED_OPERATOR = "UNCERTIFIED_OPERATOR"
    MACHINE_LOGIN_MISMATCH = "MACHINE_LOGIN_MISMATCH"
    UNATTENDED_MACHINE = "UNATTENDED_MACHINE"
    EARLY_CLOCK_OUT_ACTIVE_JOB = "EARLY_CLOCK_OUT_ACTIVE_JOB"
    BUDDY_PUNCH = "BUDDY_PUNCH"
    LABOR_OUTSIDE_OPERATION = "LABOR_OUTSIDE_OPERATION"


class AnomalyLabel(BaseModel):
    """One line of a plant's `labels.jsonl`: the ground truth for one anomaly on one record."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    record_key: str = Field(min_length=3)
    anomaly_type: AnomalyType
    employee_id: str | None = None
    detail: str | None = None
