"""Configured punch policy: the thresholds the rules apply. Defaults follow common plant practice.

A plant sets its own as one JSON object of `ValidationPolicy` fields (`read_policy`): the CDK context
key `plexlabor:validationPolicy` gives it to the functions that validate punches (`VALIDATION_POLICY`,
read by `PolicySettings`), and `plexlabor validate --policy FILE` reads the same object, so a plant can try a
policy on its own records before deploying it. A field not given keeps its default; an unknown field or a bad
value is refused, naming the field.

Some of its fields are plant facts other capabilities read too, from the same variable, so the product agrees
with itself: `pay_week_starts` (the week weekly overtime is counted in: allocation, the forecast's overtime, the
crew plan's week hours; `pay_week_start`), `overtime_after_hours` (the weekly hours after which time is overtime:
the same three, and incident trends) and `certification_expiry` (whether a certification is valid on its
expiry date: skills, the crew plan's qualification check; `plexlabor.models.skills.last_valid_day`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, Literal, Self, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from plexlabor.models.skills import CertificationExpiry
from plexlabor.platform import env
from plexlabor.platform.settings import EnvSettings, json_object

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[str, ...] = get_args(Weekday)


def pay_week_start(day: date, starts: Weekday = "monday") -> date:
    """The first day of the pay week holding `day`, for pay weeks starting on `starts` (monday: the ISO week)."""
    return day - timedelta(days=(day.weekday() - WEEKDAYS.index(starts)) % 7)


def pay_week_label(day: date, starts: Weekday = "monday") -> str:
    """The pay week holding `day` as findings and projections name it: ISO "2026-W47" for weeks from Monday, else
    its first day, "2026-11-15" (`plexlabor.approval.effects.week_start` reads either back)."""
    if starts == "monday":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return pay_week_start(day, starts).isoformat()


MAX_RECENT_HABIT_SHIFTS = 9
"""The most `PunchPolicy.recent_habit_shifts` may be: the check reads 3 x that many worked days back, and the
norms keep the worked days real time needs for it (`norms.RECENT_DAYS_KEPT`)."""


class PunchPolicy(BaseModel):
    """Thresholds for rule-based checks. Every value can be set per plant (`ValidationPolicy`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    grace_minutes: float = Field(default=7, ge=0, description="shift-start/end grace, as UKG and HRMS apply it")
    machine_login_window_minutes: float = Field(
        default=15, gt=0, description="max gap between a clock-in and the operator's workcenter login"
    )
    weekly_hours_limit: float = Field(
        default=55,
        gt=0,
        description="weekly hours that count as excessive (the forecast counts the people projected over it)",
    )
    overtime_after_hours: float = Field(
        default=40,
        gt=0,
        le=168,
        description="paid hours in a pay week after which time is overtime (allocation's overtime cost, the "
        "forecast's overtime projection, the crew plan's straight time, the overtime beside incident trends)",
    )
    break_required_after_hours: float = Field(default=6, gt=0, description="work longer than this needs a break")
    min_break_minutes: float = Field(default=30, gt=0, description="break deducted when a missed break is corrected")
    active_job_minutes: float = Field(
        default=10, gt=0, description="still logged in at the workcenter this long after clocking out"
    )
    unattended_minutes: float = Field(default=30, gt=0, description="machine running with nobody logged in")
    missed_clockout_hours: float = Field(
        default=4, gt=0, description="an entry still open this long after its shift ended is a missed punch"
    )
    missing_clockin_hours: float = Field(
        default=4, gt=0, description="a badge-in this old with no clock-in around it is a missed punch"
    )
    default_shift_hours: float = Field(
        default=8.5, gt=0, description="an open entry with no scheduled shift is expected to end this long after it"
    )
    scheduled_break_minutes: float = Field(
        default=30, ge=0, description="unpaid break in each scheduled shift, when projecting a week's hours"
    )
    overtime_high_margin_hours: float = Field(
        default=8, ge=0, description="weekly hours this far over the limit make excessive overtime high severity"
    )
    habit_min_minutes: float = Field(
        default=5, ge=0, description="an early/late punch must differ from the person's usual offset by this much"
    )
    habit_min_sigmas: float = Field(
        default=2, ge=0, description="... and by this many of their usual spreads (robust standard deviations)"
    )
    recent_habit_shifts: int = Field(
        default=7,
        ge=1,
        le=MAX_RECENT_HABIT_SHIFTS,
        description="a punch within habit_min_minutes of the median of the person's last this many shifts fits "
        "their habit as it is now (moved for good, or a clock running off), whatever their longer history says",
    )
    moved_habit_shifts: int = Field(
        default=3,
        ge=1,
        description="... and so does a punch within habit_min_minutes of the median of the person's latest shifts "
        "when at least this many in a row were all off their usual the same way by habit_min_minutes (a habit that "
        "moved lately, read days before the median of the last recent_habit_shifts follows it)",
    )
    offset_high_minutes: float = Field(
        default=30, gt=0, description="an early/late punch this far from the shift is high severity, else medium"
    )
    productivity_ratio: float = Field(
        default=1.5, gt=1, description="output this many times above or below the operator's usual is improbable"
    )
    max_session_hours: float = Field(
        default=12,
        gt=0,
        description="a workcenter login never logged out ends at the next login there or of the operator, at the "
        "end of the operator's shift, or this long after it began, whichever comes first",
    )
    max_entry_hours: float = Field(
        default=16,
        gt=0,
        le=48,
        description="the longest a time-clock entry may be (a double shift): a supervisor's edit of a suggested "
        "correction that makes an entry longer is refused as a slip (a date a day off makes a 28-h punch)",
    )
    certification_expiry: CertificationExpiry = Field(
        default="last_valid_day",
        description="what a certification's expiry date is: the last day it is valid (work that day is "
        "certified), or the first day it no longer is (work that day is uncertified)",
    )
    decisive_geofence_ratio: float = Field(
        default=10,
        gt=1,
        description="a punch located this many geofence radii from every building the person works in is a "
        "buddy-punch suspect on its own",
    )
    walking_speed_mps: float = Field(
        default=2.0, gt=0, description="fastest walk between a badge reader and a clock (meters per second)"
    )
    driving_speed_mps: float = Field(
        default=25.0, gt=0, description="fastest drive between buildings, after 5 minutes to and from the car"
    )
    building_share: float = Field(
        default=0.1,
        gt=0,
        le=1,
        description="a building where a person (or their role) badges in on this share of days is one they work in",
    )
    pay_week_starts: Weekday = Field(
        default="monday",
        description="the first day of the pay week weekly hours are counted in (monday: ISO weeks; many plants "
        "pay sunday to saturday)",
    )
    hours_date: Literal["clock_in", "shift_work_date"] = Field(
        default="clock_in",
        description="which day an entry's hours count on for the pay week: the local date of its clock-in, or "
        "the work date of the shift it belongs to (a night shift counts wholly to the day it started)",
    )
    dst_hours: Literal["elapsed", "wall_clock"] = Field(
        default="elapsed",
        description="how an entry across a DST change counts in the pay week's hours: the time that passed "
        "(the autumn night shift's extra hour counts, the spring night's lost hour does not), or as the wall "
        "clock shows it (an 8-hour night is 8 hours either way); durations the body feels (the break rule) are "
        "always elapsed time",
    )
    setup_in_labor: bool = Field(
        default=False,
        description="the plant logs setup inside the first labor entry of a job operation, not apart: that "
        "entry's output is judged with the routing's setup hours left out as well",
    )


class ValidationPolicy(PunchPolicy):
    """What a plant configures for validation: the punch policy, and the confidences that route a finding."""

    review_threshold: float = Field(
        default=0.7, gt=0, le=1, description="a finding at least this confident goes to a supervisor's review"
    )
    trend_threshold: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="a finding at least this confident (and below review_threshold) is logged as a trend; "
        "below it nothing is kept",
    )

    @model_validator(mode="after")
    def _trend_below_review(self) -> Self:
        if self.trend_threshold > self.review_threshold:
            raise ValueError(
                f"trend_threshold {self.trend_threshold} is above review_threshold {self.review_threshold}"
            )
        return self

    @property
    def punch(self) -> PunchPolicy:
        """The thresholds the checks apply (every field but the two routing ones)."""
        return PunchPolicy(**self.model_dump(exclude={"review_threshold", "trend_threshold"}))


def read_policy(value: str | Mapping[str, Any] | None) -> ValidationPolicy:
    """A `ValidationPolicy` from its JSON object (text or already parsed; None or empty: the defaults). A
    ValueError names each field that is unknown or has a bad value: `pay_week_starts: Input should be ...`."""
    if value is None or value == "":
        return ValidationPolicy()
    try:
        return ValidationPolicy.model_validate(json_object(value))
    except ValidationError as error:
        raise ValueError("; ".join(_problem(e) for e in error.errors())) from None


class PolicySettings(EnvSettings):
    """A function that reads the plant's policy, `VALIDATION_POLICY` (a JSON object of `ValidationPolicy` fields;
    unset: the defaults): those that validate punches build their engine from it (`EngineSettings.of`); skills,
    crew, allocation, the forecast and incident trends read its plant facts (`pay_week_starts`, `overtime_after_hours`,
    `certification_expiry`)."""

    validation_policy: ValidationPolicy = Field(default_factory=ValidationPolicy, alias=env.VALIDATION_POLICY)

    @field_validator("validation_policy", mode="before")
    @classmethod
    def _read(cls, value: Any) -> ValidationPolicy:
        return value if isinstance(value, ValidationPolicy) else read_policy(value)


def policy_json(policy: ValidationPolicy) -> str:
    """The fields `policy` sets (the others keep their defaults), as compact JSON `read_policy` reads."""
    return json.dumps(policy.model_dump(mode="json", exclude_unset=True), separators=(",", ":"), sort_keys=True)


def _problem(error: Any) -> str:
    field = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"{field}: unknown field (fields: {', '.join(ValidationPolicy.model_fields)})"
    return f"{field}: {error['msg']}" if field else str(error["msg"]).removeprefix("Value error, ")
