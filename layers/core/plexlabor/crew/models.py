"""The crew planning problem and the plan, as pydantic models (the plan is what `crew plan` writes).

A planning problem is a set of job-operation *segments* to staff (a job operation's part inside one
shift of the planning window, each needing `crew_size` operators) and the operators who could staff
them, with everything the hard rules and the objective need. It is built from Plex data by
`plexlabor.crew.build.build_problem`; tests also build small ones by hand.

Times are UTC; `day` and shift codes are the plant's local calendar.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from plexlabor.models.skills import CertificationExpiry
from plexlabor.validation.policy import Weekday


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CrewPolicy(_Frozen):
    """Weights of the objective (dollars) and the hard rules. Defaults are a plausible US plant."""

    value_per_earned_hour: float = Field(default=55.0, ge=0, description="value of one standard hour earned")
    overtime_premium: float = Field(default=0.5, ge=0, description="share of the pay rate added per overtime hour")
    overtime_penalty_per_hour: float = Field(default=8.0, ge=0, description="policy cost per overtime hour")
    weekly_straight_time_hours: float = Field(
        default=40.0,
        ge=0,
        description="hours per pay week before overtime: the plant's `overtime_after_hours` "
        "(`plexlabor:validationPolicy`), as allocation and the forecast count overtime",
    )
    pay_week_starts: Weekday = Field(
        default="monday",
        description="the pay week's first day (monday: the ISO week): the plant's `pay_week_starts` "
        "(`plexlabor:validationPolicy`), the week validation, allocation and the forecast count weekly hours in",
    )
    certification_expiry: CertificationExpiry = Field(
        default="last_valid_day",
        description="what a certification's expiry date is: the plant's `certification_expiry` "
        "(`plexlabor:validationPolicy`), as validation and skills read it",
    )
    fatigue_hours_threshold: float = Field(default=40.0, ge=0, description="hours in 7 days before fatigue counts")
    fatigue_cost_per_hour: float = Field(
        default=3.0, ge=0, description="per assigned hour, per 10 h above the threshold and per day past the streak"
    )
    fatigue_streak_days: int = Field(default=5, ge=1, description="consecutive days before fatigue counts")
    changeover_cost: float = Field(default=20.0, ge=0, description="per assignment away from the operator's station")
    walking_cost_per_meter: float = Field(default=0.05, ge=0, description="per meter from the operator's station")
    building_change_meters: float = Field(default=400.0, ge=0, description="distance charged to change buildings")
    unstaffed_penalty_per_hour: float = Field(
        default=150.0, ge=0, description="per seat-hour left empty that some operator could have filled"
    )
    plan_setups: bool = Field(
        default=True,
        description="an operation that follows another part's at its workcenter starts with a setup: its crew "
        "must include one operator able to do it (`setup_levels_above_minimum`), who is named in the plan",
    )
    setup_levels_above_minimum: int = Field(
        default=1,
        ge=0,
        le=4,
        description="a setup needs each of the workcenter's skills this many levels above the level it requires "
        "to run (at most 5; 0: whoever may run it may set it up). Plex has no setup qualification: see docs/crew.md",
    )
    change_cost: float = Field(
        default=100.0, ge=0, description="re-planning: per assignment that is not in the current plan"
    )
    max_hours_per_day: float = Field(default=12.0, gt=0)
    max_hours_7_days: float = Field(default=60.0, gt=0)
    min_rest_hours: float = Field(default=8.0, ge=0, description="between two separate stretches of work")
    max_consecutive_days: int = Field(default=6, ge=1)
    allow_call_in: bool = Field(default=True, description="operators may be called in outside their shift (overtime)")
    efficiency_window_days: int = Field(default=90, ge=1)
    efficiency_prior_hours: float = Field(default=8.0, ge=0, description="shrinkage of efficiencies towards the prior")
    min_segment_hours: float = Field(
        default=0.5, ge=0, description="shorter spill-overs into the next shift stay with the previous crew"
    )


class SkillRequirement(_Frozen):
    skill_id: str
    skill_code: str
    min_level: int = Field(ge=1, le=5)
    certification_required: bool = True


class Place(_Frozen):
    """A workcenter's position on the floor."""

    workcenter_id: str
    workcenter_code: str
    department_code: str | None = None
    building_code: str | None = None
    x_m: float | None = None
    y_m: float | None = None


class CrewJob(_Frozen):
    """One job operation's segment in one shift: `crew_size` seats for `hours`."""

    key: str = Field(description="job operation id and shift code: unique in a problem")
    job_operation_id: str
    job_id: str
    part_id: str
    operation_code: str
    job_no: str | None = Field(default=None, description="the job's number in Plex (None: jobs not read)")
    place: Place
    shift_code: str
    start: datetime
    end: datetime
    hours: float = Field(gt=0)
    standard_hours: float = Field(ge=0, description="the whole operation's standard hours")
    crew_size: int = Field(ge=1)
    requirements: tuple[SkillRequirement, ...] = ()
    setup_hours: float = Field(
        default=0.0, ge=0, description="the changeover at the segment's start, done by one of its crew (0: none)"
    )

    @model_validator(mode="after")
    def _ordered(self) -> CrewJob:
        if self.end <= self.start:
            raise ValueError(f"{self.key}: end must be after start")
        return self


class SkillHolding(_Frozen):
    """What an operator holds in one skill on the planning day."""

    skill_id: str
    level_valid: int = Field(default=0, ge=0, le=5, description="highest level valid that day (0: none)")
    valid_until: date | None = None
    level_held: int = Field(default=0, ge=0, le=5, description="highest level ever held, valid or not")
    lapsed_on: date | None = Field(default=None, description="expiry of a higher lapsed level, if any")


def ended_by(end: datetime, moment: datetime) -> bool:
    """Whether work ending at `end` was over by `moment` (a call-off's time): it ended at or before it. The one rule
    for the work a person did before they went off: a re-plan keeps them in it (`Operator.off_for`), and it gets no
    removal from Plex (`crew.removals.over_by`)."""
    return end <= moment


class Efficiency(_Frozen):
    efficiency: float = Field(gt=0)
    hours: float = Field(ge=0)


class ShiftBlock(_Frozen):
    """A scheduled shift (not leave) near the planning day."""

    start: datetime
    end: datetime
    shift_code: str
    work_date: date
    workcenter_id: str | None = None
    paid_hours: float = Field(ge=0)


CALL_OFF_LEAVE = "call_off"
"""The leave type a called-off (or absent) operator gets in a re-planned problem (`replan.apply_event`)."""


class Operator(_Frozen):
    employee_id: str
    supervisor_id: str | None = None
    department_code: str | None = None
    pay_rate: float = Field(ge=0)
    home: Place | None = None
    planned: Place | None = Field(default=None, description="the planned workcenter of the day's shift assignment")
    blocks: tuple[ShiftBlock, ...] = Field(default=(), description="scheduled shifts the day before, of, and after")
    leave: str | None = Field(default=None, description="leave type when on leave on the planning day")
    leave_from: datetime | None = Field(
        default=None,
        description="when the leave began (a call-off's time): work over by then stands (`off_for`); None: all day",
    )
    hours_last_7_days: float = Field(default=0, ge=0, description="worked (or scheduled) in the 7 days before")
    week_hours: float = Field(default=0, ge=0, description="worked (or scheduled) this ISO week before the day")
    consecutive_days: int = Field(default=0, ge=0, description="days worked in a row up to the day before")
    skills: dict[str, SkillHolding] = Field(default_factory=dict)
    efficiency: dict[str, Efficiency] = Field(default_factory=dict, description="by workcenter id")
    overall: Efficiency = Efficiency(efficiency=1.0, hours=0.0)

    def off_for(self, end: datetime) -> bool:
        """Whether the operator's leave takes them off work ending at `end`: all work for leave of the day, the work
        not over by its start for leave from a moment (`ended_by`; a person sent home at 11:00 worked their
        06:00-10:00 seat, which a re-plan keeps as it was, where it had filled it with someone else)."""
        return self.leave is not None and (self.leave_from is None or not ended_by(end, self.leave_from))

    @property
    def off_as(self) -> str:
        """Why their leave turns them away from a seat, as an empty seat's reason counts it: "called off" for a
        call-off's leave (ux_s17 L4: a called-off person was counted "on leave"), else "on leave"."""
        return "called off" if self.leave == CALL_OFF_LEAVE else "on leave"

    @property
    def station(self) -> Place | None:
        """Where the operator starts the shift: the planned workcenter, else the home workcenter."""
        return self.planned or self.home

    def block_of(self, work_date: date, shift_code: str) -> tuple[datetime, datetime] | None:
        """Their Plex block of a shift: its scheduled start and end (the first start and the last end when Plex holds
        more than one), whose work next to it a call-off of the shift rules out (`stretches.with_call_offs`), as the
        claims and the crew board say before that re-plan (`claims.plex_block`); None: they hold none."""
        blocks = [b for b in self.blocks if (b.work_date, b.shift_code) == (work_date, shift_code)]
        return (min(b.start for b in blocks), max(b.end for b in blocks)) if blocks else None


class CrewProblem(_Frozen):
    plant: str
    timezone: str
    day: date
    shift_codes: tuple[str, ...]
    window_start: datetime
    window_end: datetime
    jobs: tuple[CrewJob, ...]
    operators: tuple[Operator, ...]
    policy: CrewPolicy = CrewPolicy()
    skill_codes: dict[str, str] = Field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> CrewProblem:
        if len({job.key for job in self.jobs}) != len(self.jobs):
            raise ValueError("job keys must be unique")
        if len({op.employee_id for op in self.operators}) != len(self.operators):
            raise ValueError("employee ids must be unique")
        return self


# ---- the plan ------------------------------------------------------------------------------------


class PlanSegment(_Frozen):
    """The job operation segment a row of the plan is about (`CrewJob.key` is its `job_key`)."""

    job_key: str
    job_operation_id: str
    workcenter_id: str
    workcenter_code: str
    shift_code: str
    start: datetime
    job_no: str | None = None
    """The job's number and the operation's code: how people name the job operation (never its id)."""
    operation_code: str | None = None
    setup_hours: float = 0.0
    """The segment starts with the operation's setup (changeover) of these hours (0: none)."""


class CrewAssignment(PlanSegment):
    end: datetime
    hours: float
    employee_id: str
    supervisor_id: str | None = None
    value: float
    labor_cost: float
    fatigue: float
    changeover: float
    walking: float
    outside_hours: float = Field(description="hours of this assignment outside the operator's scheduled shifts")
    planned_here: bool = Field(description="the supervisor's current plan has the operator at this workcenter")
    does_setup: bool = Field(default=False, description="this operator does the segment's setup (`setup_hours`)")
    reasons: tuple[str, ...]


UnstaffedCause = Literal[
    "nobody_qualified",
    "too_few_qualified",
    "qualified_on_leave",
    "qualified_unavailable",
    "qualified_busy",
    "kept_by_replan",
]
"""Why seats stay empty: nobody holds the skills (valid that day); fewer qualified operators than the crew
size; every qualified operator is on leave; qualified operators are on leave or barred by the rest, hours
or consecutive-day rules (or not scheduled, with call-ins off); every qualified, available operator
is needed elsewhere at the same time; or a qualified operator placed nowhere else at that time is kept out by a
re-plan that changes only the seats its event touched (`replan.event_scope`; ux_s15 #2)."""


class UnstaffedSeat(PlanSegment):
    hours: float
    seats: int = Field(ge=1)
    cause: UnstaffedCause
    reason: str


class ObjectiveBreakdown(_Frozen):
    """Dollars for one plan: `objective = value - labor_cost - fatigue - overtime - changeover -
    walking - unstaffed_penalty - plan_change`. Seats nobody could fill are counted but not penalised.
    `plan_change` is non-zero only when re-planning: the change cost of assignments not in the current plan."""

    objective: float
    value: float
    labor_cost: float
    fatigue: float
    overtime: float
    changeover: float
    walking: float
    unstaffed_penalty: float
    seats_total: int
    seats_filled: int
    seats_unfillable: int = Field(description="seats with fewer qualified, available operators than needed")
    overtime_hours: float
    assigned_hours: float
    plan_change: float = 0.0


class BaselineComparison(_Frozen):
    name: Literal["greedy", "supervisor"]
    description: str
    breakdown: ObjectiveBreakdown
    improvement: float = Field(description="plan objective minus this baseline's")
    improvement_pct: float | None = Field(description="improvement / |baseline objective| * 100")
    rule_violations: int = Field(default=0, description="baseline assignments dropped because they break a hard rule")
    violation_examples: tuple[str, ...] = ()


class SolverReport(_Frozen):
    method: Literal["highs-milp", "greedy-fallback"]
    status: Literal["optimal", "time_limit", "fallback", "empty"]
    proven_gap: float | None = Field(description="(bound - objective) / |objective|; 0 when proven optimal")
    bound: float | None
    time_limit_s: float
    build_seconds: float = 0.0
    solve_seconds: float
    variables: int
    constraints: int
    nodes: int | None = None
    message: str = ""


class ProblemSize(_Frozen):
    jobs: int
    seats: int
    operators: int
    operators_available: int = Field(description="not on leave and with at least one job they may staff")
    candidate_pairs: int


class CrewPlan(_Frozen):
    plant: str
    day: date
    shift_codes: tuple[str, ...]
    window_start: datetime
    window_end: datetime
    model_version: str
    policy: CrewPolicy
    size: ProblemSize
    breakdown: ObjectiveBreakdown
    solver: SolverReport
    baselines: tuple[BaselineComparison, ...]
    assignments: tuple[CrewAssignment, ...]
    unstaffed: tuple[UnstaffedSeat, ...]
    notes: tuple[str, ...] = ()

    def baseline(self, name: str) -> BaselineComparison | None:
        return next((b for b in self.baselines if b.name == name), None)
