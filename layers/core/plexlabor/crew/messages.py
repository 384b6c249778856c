"""The `replan` message: what happened to which shift (crew_call_offs, the crew board and, later, Plex
events send it; crew_replan consumes it). Apart from `crew.replan` so that a sender (the web app) needs
neither NumPy nor SciPy.

A `refresh` is no event: crew_call_offs sends one per run for each shift that is running or starts soon
(`replanning.detect`), so crew_replan keeps that shift's data and the day's suggestions fresh ahead of the next
real event; it re-plans and publishes nothing (`replanning.refresh`)."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date, datetime, timedelta
from typing import Literal, Protocol, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from plexlabor.crew.models import CrewProblem
from plexlabor.platform.clock import outside_dates

ReplanReason = Literal[
    "call_off",
    "absence",
    "workcenter_down",
    "workcenter_up",
    "operation_added",
    "operation_moved",
    "operation_completed",
    "plan_changed",
    "swap",
    "call_off_undone",
    "clocked_in",
    "call_off_nearby",
    "call_off_undone_nearby",
    "refresh",
]
NEEDS = {
    "call_off": "employee_id",
    "absence": "employee_id",
    "workcenter_down": "workcenter_id",
    "workcenter_up": "workcenter_id",
    "operation_added": "job_operation_id",
    "operation_moved": "job_operation_id",
    "operation_completed": "job_operation_id",
    "plan_changed": None,  # a supervisor accepted or rejected suggestions on the crew board: the plan says which
    "swap": "employee_id",  # a supervisor swapped this operator into a seat on the crew board (accepted there)
    "call_off_undone": "employee_id",  # a call-off recorded on the board was undone there: the person is back
    "clocked_in": "employee_id",  # crew_replan found them clocked in after their call-off: recorded, never sent
    "call_off_nearby": "employee_id",  # they called off a shift next to this one (`off_day`, `off_shift`)
    "call_off_undone_nearby": "employee_id",  # that call-off was undone on the board: back in their seats here
    "refresh": None,  # nothing happened: crew_call_offs' schedule asks crew_replan to keep the shift ready
}

CALL_OFF_REASONS = {
    "sick": "sick",
    "family": "family or personal",
    "transport": "no transport",
    "other": "another reason",
}
"""Why an operator called off, as a supervisor records a phoned-in call-off on the crew board (codes, not free text:
the audit keeps no words about a person's health or family)."""
CallOffReason = Literal["sick", "family", "transport", "other"]
REPORT_FIELDS = ("reported_by", "call_off_reason")
"""What a call-off recorded on the crew board adds (who took it, why); none for a detected one (crew_call_offs). An
undo (`call_off_undone`) says who undid it (`reported_by`), not why."""
NO_SEAT = "replan_no_seat"
"""On a re-plan's `applied` event: the call-off or absence it applied was of a person with no seat in the shift's plan,
so nothing was re-planned (`replanning._no_seat`); the crew board says so."""
DROPPED = "replan_dropped"
"""On a `replan` event: crew_replan dropped its message, not applied it (an error it meets on every delivery:
`replanning.dropped_event`, `{"error": <type>, "reason": <text>}`); the crew board says the re-plan failed."""
CHANGED = "replan_changed"
"""On a re-plan's `applied` event: what it changed, `{"published": <new suggestions>, "closed": <suggestions it
withdrew>}` (`replanning.run`), so the crew board says a re-plan asked there ran and changed nothing (ux_s17 M5: the
board read as before, pending and done alike); absent on events before 2026-12-06 and on a call-off with no seat."""
PLEX_BLOCK = "replan_plex_block"
"""On a re-plan's `applied` event of a call-off or absence: its person's Plex block of the shift (`[start, end]`, ISO;
`Operator.block_of`), on which the crew board and the claims say which seats next to it the call-off rules out until
their shift's re-plan decides, as that re-plan will (`claims.plex_block`); absent when they hold none."""
NEARBY_FIELDS = ("off_day", "off_shift")
"""What a `call_off_nearby` adds: the shift its person called off (of that day), next to the message's shift, whose
seats of theirs that overlap or touch it crew_replan re-plans without them (`replanning.nearby_shifts`); and a
`call_off_undone_nearby`: the shift whose call-off was undone, so the message's shift is re-planned with them back
(`nearby` of the undo)."""
OFF_REASONS = ("call_off", "absence")
"""The messages whose re-plans take a person off their shift (`replanning.OFF`, `claims`)."""
NEARBY_REASONS = ("call_off_nearby", "call_off_undone_nearby")
"""The messages that carry `NEARBY_FIELDS` (and need them)."""
SUBJECT_FIELDS = ("employee_id", "workcenter_id", "job_operation_id")
"""What a message may be about: each reason names one of them (`NEEDS`) or none, never another."""
ABOUT_SOMEONE = {
    "call_off": "a call-off of {}",
    "absence": "an absence of {}",
    "swap": "a swap on the crew board ({} in)",
    "call_off_undone": "an undone call-off ({} back)",
    "clocked_in": "a clock-in after a call-off ({} back)",
    "call_off_nearby": "a call-off of {} from a shift next to this one",
    "call_off_undone_nearby": "an undone call-off ({} back) of a shift next to this one",
}
"""How `describe` words an event about a person: with their employee id, as the audit keeps it (a page names the
person: `people_in`)."""
_ABOUT_SOMEONE = re.compile(
    "|".join(re.escape(words).replace(r"\{\}", r"([\w-]+)") for words in ABOUT_SOMEONE.values())
)


def people_in(text: str) -> list[str]:
    """The employee ids of the people the events `text` describes (a re-plan's note starts "After a call-off of
    <id>: "), for a page to name them as its reader may see them."""
    return [found for match in _ABOUT_SOMEONE.finditer(text) for found in match.groups() if found]


class ReplanMessage(BaseModel):
    """What the `replan` queue carries: the event and the shift it touches (ids only)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    reason: ReplanReason
    day: date = Field(alias="date")
    shift: str = Field(min_length=1, max_length=16)
    detected_at: AwareDatetime
    employee_id: str | None = Field(default=None, min_length=1, max_length=64)
    workcenter_id: str | None = Field(default=None, min_length=1, max_length=64)
    job_operation_id: str | None = Field(default=None, min_length=1, max_length=64)
    reported_by: str | None = Field(default=None, min_length=1, max_length=128)
    """Who recorded a call-off on the crew board (the signed-in person), or undid one (`call_off_undone`); None:
    detected (crew_call_offs)."""
    call_off_reason: CallOffReason | None = None
    """Why, as they recorded it (`CALL_OFF_REASONS`)."""
    off_day: date | None = None
    """A `call_off_nearby`: the day of the shift its person called off (`off_shift`)."""
    off_shift: str | None = Field(default=None, min_length=1, max_length=16)
    departments: tuple[str, ...] | None = Field(default=None, max_length=64)
    """A `plan_changed` asked by a supervisor: the departments they see, the only ones whose empty seats the re-plan
    fills (`replan.event_scope`); None: every department (a planner)."""

    def identity(self) -> str:
        """The message as JSON, a board call-off's fields only when set (a detected message keeps the id its
        `applied` event had before there were any: `replanning.applied_event`)."""
        unset = {name for name in (*REPORT_FIELDS, *NEARBY_FIELDS, "departments") if getattr(self, name) is None}
        return self.model_dump_json(by_alias=True, exclude=unset or None)

    def describe(self, problem: CrewProblem) -> str:
        """What happened, as people name it: "a call-off of E01234", "workcenter CNC-04 down", "job 4711
        operation 20 completed" (codes from `problem`, the shift's problem before the event)."""
        if self.reason == "plan_changed":
            return "the supervisor's decisions on the crew board"
        if self.reason == "refresh":
            return "a scheduled refresh"
        if self.reason in ABOUT_SOMEONE:
            return ABOUT_SOMEONE[self.reason].format(self.employee_id)
        if self.workcenter_id is not None:
            code = {j.place.workcenter_id: j.place.workcenter_code for j in problem.jobs}.get(self.workcenter_id)
            named = f"workcenter {code}" if code else "a workcenter"
            return f"{named} {'down' if self.reason == 'workcenter_down' else 'back up'}"
        job = next((j for j in problem.jobs if j.job_operation_id == self.job_operation_id), None)
        named = f"job {job.job_no} operation {job.operation_code}" if job is not None else "a job operation"
        return f"{named} {self.reason.removeprefix('operation_')}"

    @field_validator("day")
    @classmethod
    def _plausible(cls, day: date) -> date:
        if problem := outside_dates(day):  # a 9999-12-31 would overflow the day's reads: refused at the door
            raise ValueError(problem)
        return day

    @model_validator(mode="after")
    def _names_what_changed(self) -> Self:
        needed = NEEDS[self.reason]
        if needed is not None and getattr(self, needed) is None:
            raise ValueError(f"a {self.reason} message needs {needed}")
        for name in SUBJECT_FIELDS:  # a stray subject would be ignored, or taken for the event's (`remembered`)
            if name != needed and getattr(self, name) is not None:
                raise ValueError(f"a {self.reason} message takes no {name}")
        for name in REPORT_FIELDS:
            allowed = ("call_off", "call_off_undone") if name == "reported_by" else ("call_off",)
            if self.reason not in allowed and getattr(self, name) is not None:
                raise ValueError(f"a {self.reason} message takes no {name}")
        for name in NEARBY_FIELDS:
            if (self.reason in NEARBY_REASONS) != (getattr(self, name) is not None):
                raise ValueError(
                    f"a {self.reason} message {'needs' if getattr(self, name) is None else 'takes no'} {name}"
                )
        if self.reason != "plan_changed" and self.departments is not None:
            raise ValueError(f"a {self.reason} message takes no departments")
        return self


def nearby(of: ReplanMessage, day: date, shift: str) -> ReplanMessage:
    """The message for shift `shift` of `day` next to the shift `of` is about. After a call-off or absence, a
    `call_off_nearby`: its person's seats there that overlap or touch the shift they called off are re-planned
    without them. After a `call_off_undone`, a `call_off_undone_nearby`: the seats the call-off took there (its
    `call_off_nearby`'s re-plan) may take them back at once, not only at that shift's next re-plan
    (`replan.event_scope`, as for the undone shift itself)."""
    return ReplanMessage(
        reason="call_off_undone_nearby" if of.reason == "call_off_undone" else "call_off_nearby",
        day=day,
        shift=shift,
        detected_at=of.detected_at,
        employee_id=of.employee_id,
        off_day=of.day,
        off_shift=of.shift,
    )


class ReplanSender(Protocol):
    """Puts one `replan` message on the replan queue."""

    def send(self, message: ReplanMessage) -> None: ...


DETECTOR = "crew_call_offs"
"""Who holds the claim of a call-off crew_call_offs detected (`replanning.detect`): the crew board lists it as
detected, not as recorded by someone."""


def call_offs(
    problem: CrewProblem, shift: str, clocked_in: Collection[str], now: datetime, grace: timedelta
) -> list[ReplanMessage]:
    """One `call_off` message per operator scheduled on `shift` of the problem's day, not on leave,
    whose shift started `grace` or more before `now`, and who is not among `clocked_in` (employee ids)."""
    return [
        ReplanMessage(reason="call_off", day=problem.day, shift=shift, employee_id=op.employee_id, detected_at=now)
        for op in problem.operators
        if op.leave is None
        and op.employee_id not in clocked_in
        and any(b.shift_code == shift and b.work_date == problem.day and b.start + grace <= now for b in op.blocks)
    ]
