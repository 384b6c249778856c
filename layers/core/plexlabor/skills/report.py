"""The skills report: pydantic models, JSON in and out (`SkillsReport.model_dump_json`).

Ids are Plex ids (pseudonymous keys); the report carries no names, e-mail addresses or badges.
Hours are standard hours of scheduled job operations (setup + run at the standard rate, crew-hours), each
operation's spread over the shifts its scheduled span runs in (`coverage`).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class SkillCell(_Model):
    """One (employee, skill) of the skill matrix on `SkillsReport.as_of`."""

    employee_id: str
    skill_id: str
    skill_code: str
    status: Literal["valid", "lapsed", "not_yet_valid"]
    level: int | None = Field(description="level of the valid certification; None unless status is valid")
    certification_id: str = Field(description="the valid certification, else the latest one")
    issued: date
    expires: date | None
    days_to_expiry: int | None = None


class Unqualified(_Model):
    employee_id: str
    missing_skills: list[str]
    lapsed_certification_ids: list[str] = Field(
        default_factory=list, description="the lapsed or expired certifications behind the missing skills"
    )


class CellPeople(_Model):
    """Who is planned at one workcenter shift, by employee id."""

    qualified: list[str] = Field(default_factory=list, description="planned, not on leave, qualified there")
    on_leave: list[str] = Field(default_factory=list)
    unqualified: list[Unqualified] = Field(
        default_factory=list, description="planned but missing skills there, with the certifications that lapsed"
    )
    cover: list[str] = Field(default_factory=list, description="spare qualified operators handed to the shift")


class CoverageRow(_Model):
    """Demand against planned, qualified operators at one workcenter in one shift."""

    workcenter_id: str
    work_date: date
    shift_id: str
    operations: int
    standard_hours: float = Field(description="the operations' hours worked in this shift, at most its seats' hours")
    hours_beyond_seats: float = Field(
        default=0.0,
        description="hours scheduled here at the same time beyond what its seats can work in the shift (crew "
        "needed x shift length), not in standard_hours",
    )
    crew_needed: int
    planned: int = Field(description="operators scheduled there, not on leave")
    qualified: int
    shortfall: int
    hours_at_risk: float
    hours_at_risk_after_cover: float = 0.0
    people: CellPeople = Field(default_factory=CellPeople)


class WorkcenterShift(_Model):
    """One workcenter in one shift, and the job operations scheduled there."""

    workcenter_id: str
    workcenter_code: str
    work_date: date
    shift_id: str
    shift_code: str
    operation_ids: list[str]
    standard_hours: float


class Gap(WorkcenterShift):
    """A workcenter shift with fewer qualified operators planned than its operations need."""

    crew_needed: int
    planned: int
    on_leave: list[str] = Field(description="employees planned there but on leave")
    qualified: list[str]
    unqualified: list[Unqualified]
    shortfall: int
    hours_at_risk: float = Field(description="hours of operations whose crew the qualified operators cannot fill")
    cause: Literal["lapsed_certification", "not_certified", "leave", "not_planned"]
    cover: list[str] = Field(description="spare qualified operators on the same shift and building, assigned greedily")
    hours_at_risk_after_cover: float


class Bottleneck(_Model):
    """A workcenter's gaps over the horizon, summed."""

    workcenter_id: str
    workcenter_code: str
    required: list[str] = Field(description="certification-required skills as CODE:Lmin")
    gap_shifts: int
    hours_at_risk: float
    hours_at_risk_after_cover: float
    causes: dict[str, int]


class SkillBottleneck(_Model):
    """A required skill (at a minimum level) whose workcenters keep work at risk after cover."""

    skill_id: str
    skill_code: str
    min_level: int
    workcenters: int
    hours_at_risk_after_cover: float
    holders: int = Field(description="active employees holding it at that level on as_of")


class BlockedShift(WorkcenterShift):
    """A planned shift an operator cannot work because a certification lapsed."""

    shortfall: int = Field(description="the shift's shortfall of qualified operators, as planned")
    hours_secured_by_renewal: float = Field(
        description="hours at risk there that renewing (with any other lapsed certification the operator "
        "needs there) would secure"
    )


class HeldCertification(_Model):
    """A certification someone holds (or held): whose, under which supervisor, of which skill and level."""

    certification_id: str
    employee_id: str
    supervisor_id: str | None
    skill_id: str
    skill_code: str
    level: int


class LapseUse(HeldCertification):
    """Work done at workcenters requiring a certification while it was lapsed (look-back window)."""

    expired: date
    still_lapsed: bool
    renewed_by: str | None = None
    renewed_on: date | None = None
    workcenter_ids: list[str]
    workcenter_codes: list[str] = Field(default_factory=list, description="the same workcenters' codes")
    labor_entry_ids: list[str]
    labor_hours: float
    logins: int
    first_day: date
    last_day: date


class UncertifiedUse(_Model):
    """Work at a workcenter by an employee who never held the required certification at that level."""

    employee_id: str
    supervisor_id: str | None
    workcenter_id: str
    skill_id: str
    skill_code: str
    min_level: int
    labor_entry_ids: list[str]
    labor_hours: float
    logins: int
    first_day: date
    last_day: date


class CertificationAlert(HeldCertification):
    """A certification expiring within the alert windows, or lapsed and still needed."""

    kind: Literal["expiring", "lapsed"]
    issued: date
    expires: date
    days_to_expiry: int = Field(description="negative once lapsed")
    window_days: int | None = Field(description="30, 60 or 90 for expiring ones")
    required_at: list[str] = Field(
        description="workcenters requiring it where the employee is home, planned or has worked"
    )
    required_at_codes: list[str] = Field(default_factory=list, description="the same workcenters' codes")
    blocked: list[BlockedShift]
    hours_blocked: float
    hours_at_risk: float
    in_use: bool = Field(description="worked at a workcenter requiring it while lapsed (look-back)")


class TrainingCandidate(_Model):
    employee_id: str
    supervisor_id: str | None
    training: list[str] = Field(description="what to train: CODE:Lfrom->Lto, 'new' or 'renew'")
    effort_levels: float
    adjacent: bool = Field(description="every skill to learn is in a skill group the employee already holds")
    history_hours_here: float
    history_hours_similar: float
    scrap_rate: float | None
    coverage_gain_hours: float = Field(description="hours of at-risk work this person would cover once trained")
    score: float
    reason: str


class TrainingRecommendation(_Model):
    workcenter_id: str
    workcenter_code: str
    required: list[str]
    hours_at_risk_after_cover: float
    candidates: list[TrainingCandidate]


class SkillsTotals(_Model):
    employees: int
    certifications: int
    coverage_rows: int
    gaps: int
    hours_scheduled: float
    hours_beyond_seats: float = 0.0
    hours_at_risk: float
    hours_at_risk_after_cover: float
    expiring: dict[str, int]
    expiring_blocking: int
    lapsed: int
    lapsed_blocking: int
    lapse_uses: int
    uncertified_uses: int
    training_recommendations: int


class SkillsReport(_Model):
    as_of: date
    horizon_days: int
    lookback_days: int
    timezone: str
    totals: SkillsTotals
    matrix: list[SkillCell]
    coverage: list[CoverageRow]
    gaps: list[Gap]
    bottlenecks: list[Bottleneck]
    skill_bottlenecks: list[SkillBottleneck]
    expiring: list[CertificationAlert]
    lapsed: list[CertificationAlert]
    lapse_uses: list[LapseUse]
    uncertified_uses: list[UncertifiedUse]
    training: list[TrainingRecommendation]
