"""The checks, in the order they run. Add a check by writing it in its family's module and listing it here.

Three scopes: per employee (run once for each person), per worked day of that person (run inside the
employee scope, day by day), and per workcenter. Batch and real time both go through `check_employee`
and `check_workcenter`, so they always run the same checks in the same order.
"""

from __future__ import annotations

from plexlabor.validation.checks import badge, buddy, hours, labor, offsets, operations, structural, workcenter
from plexlabor.validation.checks.base import (
    Candidate,
    DayCheck,
    EmployeeCheck,
    EmployeeContext,
    SessionSpans,
    WorkcenterCheck,
    session_end,
)
from plexlabor.validation.data import PlantData
from plexlabor.validation.norms import Norms, employee_norms
from plexlabor.validation.policy import PunchPolicy
from plexlabor.validation.records import Punch
from plexlabor.validation.shifts import employee_days, employee_problems

DAY_CHECKS: tuple[DayCheck, ...] = (
    hours.long_and_open_entries,  # MISSED_BREAK, MISSED_PUNCH (no clock-out)
    offsets.early_late,  # EARLY/LATE_CLOCK_IN/OUT, EARLY_CLOCK_OUT_ACTIVE_JOB
    workcenter.login_mismatch,  # MACHINE_LOGIN_MISMATCH
    buddy.buddy_punch,  # BUDDY_PUNCH
)


def each_day(context: EmployeeContext) -> list[Candidate]:
    """The day checks, worked day by worked day."""
    return [candidate for day in context.days for check in DAY_CHECKS for candidate in check(context, day)]


EMPLOYEE_CHECKS: tuple[EmployeeCheck, ...] = (
    structural.broken_entries,  # OUT_BEFORE_IN, DUPLICATE_PUNCH, OVERLAPPING_ENTRIES
    each_day,
    hours.weekly_hours,  # EXCESSIVE_OVERTIME
    labor.labor_entries,  # OVERLAPPING_ENTRIES, JOB_CODE_MISMATCH, UNCERTIFIED_OPERATOR, IMPROBABLE_DURATION
    operations.labor_outside_operations,  # LABOR_OUTSIDE_OPERATION
    badge.missing_clock_in,  # MISSED_PUNCH (badge-in, no clock-in)
)

WORKCENTER_CHECKS: tuple[WorkcenterCheck, ...] = (
    workcenter.unattended_machine,  # UNATTENDED_MACHINE
)


def check_employee(data: PlantData, norms: Norms, policy: PunchPolicy, employee: str) -> list[Candidate]:
    """Every punch, week, labor and badge check for one employee."""
    punches = data.punches.get(employee, [])
    problems = employee_problems(data, employee)
    at_true_time = norms.clocks.corrected(data, punches)
    context = EmployeeContext(
        data=data,
        norms=employee_norms(data, norms, employee),
        policy=policy,
        employee=employee,
        plant_norms=norms,
        punches=punches,
        at_true_time=at_true_time,
        problems=problems,
        days=employee_days(data, employee, problems, at_true_time),
        logins=SessionSpans(data.sessions.get(employee, ()), lambda s: session_end(data, s, policy)),
        swipe_times=[s.t for s in data.swipes.get(employee, ())],
    )
    found = [candidate for check in EMPLOYEE_CHECKS for candidate in check(context)]
    if at_true_time is not punches:
        _say_the_clock_ran_off(data, norms, punches, found)
    return found


def _say_the_clock_ran_off(data: PlantData, norms: Norms, punches: list[Punch], found: list[Candidate]) -> None:
    """A finding on a punch whose clock ran off was judged at true time: its evidence and note say so."""
    recorded = {p.key: p for p in punches}
    for candidate in found:
        punch = recorded.get(candidate.record_key)
        error = norms.clocks.offset(punch.device, data.local_date(punch.t_in)) if punch else 0.0
        if punch is not None and error:
            minutes = abs(error) / 60
            candidate.evidence["clock_error_min"] = round(error / 60, 2)
            candidate.note += (
                f" (clock {punch.device} ran {minutes:.0f} min {'fast' if error > 0 else 'slow'} that day against "
                f"the badge readers; times read corrected)"
            )


def check_workcenter(data: PlantData, policy: PunchPolicy, workcenter: str) -> list[Candidate]:
    """Every machine check for one workcenter."""
    return [candidate for check in WORKCENTER_CHECKS for candidate in check(data, policy, workcenter)]
