"""Configured punch policy: the thresholds the rules apply. Defaults follow common plant practice."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[str, ...] = get_args(Weekday)


MAX_RECENT_HABIT_SHIFTS = 9
"""The most `PunchPolicy.recent_habit_shifts` may be: the check reads 3 x that many worked days back, and the
norms keep the worked days real time needs for it (`norms.RECENT_DAYS_KEPT`)."""


class PunchPolicy(BaseModel):
    """Thresholds for rule-based checks. Every value can be overridden per tenant."""

    model_config = ConfigDict(frozen=True)

    grace_minutes: float = Field(default=7, ge=0, description="shift-start/end grace, as UKG and HRMS apply it")
    machine_login_window_minutes: float = Field(
        default=15, gt=0, description="max gap between a clock-in and the operator's workcenter login"
    )
    weekly_hours_limit: float = Field(default=55, gt=0, description="weekly hours that count as excessive")
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
    certification_expiry: Literal["last_valid_day", "first_invalid_day"] = Field(
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
