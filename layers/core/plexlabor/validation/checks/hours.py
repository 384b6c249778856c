"""Time on the clock: a long stretch with no break, an entry left open, too many hours in a week."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from datetime import date, datetime, timedelta

from plexlabor.models.anomalies import AnomalyType as A
from plexlabor.validation.checks.base import (
    CLOCK_WALK,
    HOUR,
    MINUTE,
    Candidate,
    EmployeeContext,
    corrected_clockout,
    iso,
    next_clock_in,
    own_clock_in,
    rule_candidate,
)
from plexlabor.validation.data import PlantData
from plexlabor.validation.policy import PunchPolicy, pay_week_label
from plexlabor.validation.records import Punch, Scheduled
from plexlabor.validation.shifts import MATCH_BEFORE_START, Broken, EmployeeDay

EVIDENCE_AFTER_END = 4 * HOUR  # a badge-out or logout this long after the shift still tells when they left


def long_and_open_entries(context: EmployeeContext, day: EmployeeDay) -> list[Candidate]:
    """Per entry of the day: worked past the break rule without a break, or still open long after the shift."""
    policy = context.policy
    found: list[Candidate] = []
    for punch in day.punches:
        if punch.t_out is not None and punch.t_out - punch.t_in > policy.break_required_after_hours * HOUR:
            found.append(_missed_break(context, punch, punch.t_out))
        if punch.t_out is None:
            expected_end = day.shift.end if day.shift else punch.t_in + policy.default_shift_hours * HOUR
            overdue = (context.data.as_of - expected_end) / HOUR
            if overdue > policy.missed_clockout_hours:
                found.append(_missed_clockout(context, punch, expected_end, overdue))
    return found


def _missed_break(context: EmployeeContext, punch: Punch, t_out: float) -> Candidate:
    data, policy = context.data, context.policy
    hours = (t_out - punch.t_in) / HOUR
    return rule_candidate(
        record_key=punch.key,
        employee=context.employee,
        anomaly=A.MISSED_BREAK,
        evidence={
            "clockin": iso(punch.t_in),
            "clockout": iso(t_out),
            "continuous_hours": round(hours, 2),
            "limit_hours": policy.break_required_after_hours,
        },
        note=f"Worked {hours:.1f} h straight ({data.local_time(punch.t_in)}–{data.local_time(t_out)}) "
        f"with no break; rule allows {policy.break_required_after_hours:g} h",
        correction={"deductBreakMinutes": policy.min_break_minutes},
        severity="medium",
    )


def _missed_clockout(context: EmployeeContext, punch: Punch, expected_end: float, overdue: float) -> Candidate:
    """The open entry, with the likeliest clock-out: a badge-out, else a workcenter logout, else the habit;
    never after the person's next clock-in, so the corrected entry never pays the same time twice."""
    data, employee = context.data, context.employee
    following = next_clock_in(context, punch)
    until = min(expected_end + EVIDENCE_AFTER_END, following - CLOCK_WALK)
    swipes = [s for s in data.swipes.get(employee, ()) if s.direction == "Out" and punch.t_in < s.t <= until]
    logouts = [s.end for s in context.sessions if s.end and punch.t_in < s.end <= until]
    walk = f"the {round(CLOCK_WALK / MINUTE)} min walk"
    if swipes:
        likely, basis = swipes[-1].t - CLOCK_WALK, "badge-out"
        why = f"badge-out {data.local_time(swipes[-1].t)} less {walk}"  # ux_s16 #8: the page shows the badge time
    elif logouts:
        likely, basis = max(logouts) + CLOCK_WALK, "workcenter logout"
        why = f"workcenter logout {data.local_time(max(logouts))} plus {walk}"
    else:
        usual = context.norms.end.median if context.norms.end else 0.0
        likely, basis = expected_end + usual * MINUTE, "usual clock-out"
        why = basis
    if likely > following:
        likely, basis = following, "the next clock-in"
        why = basis
    hours = round(overdue, 1)  # as of the check: the note gives the shift's end instead (ux_s17 L2: it aged)
    ended = datetime.fromtimestamp(expected_end, data.tz).strftime("%a %Y-%m-%d %H:%M")
    suggestion = f"likely out at {data.local_time(likely)} ({why})"
    correction: dict[str, str] | None = {"clockoutTime": iso(likely)}
    if likely <= own_clock_in(context, punch):  # the next clock-in follows at once: no clock-out fits between
        suggestion = f"no clock-out fits before the next clock-in {data.local_time(following)}"
        basis, correction = "none", None
    return rule_candidate(
        record_key=punch.key,
        employee=employee,
        anomaly=A.MISSED_PUNCH,
        evidence={
            "clockin": iso(punch.t_in),
            "expected_end": iso(expected_end),
            "hours_overdue": hours,
            "correction_basis": basis,
        },
        note=f"No clock-out since the shift ended {ended}; {suggestion}",
        correction=correction,
        severity="high",
    )


def weekly_hours(context: EmployeeContext) -> list[Candidate]:
    """Hours per pay week (plant time; ISO weeks unless the policy starts them on another day), projected over
    what is still scheduled, against the limit."""
    data, policy = context.data, context.policy
    work_dates = {p.id: day.shift.work_date for day in context.days if day.shift for p in day.punches}
    weeks: dict[str, list[Punch]] = defaultdict(list)
    for punch in context.punches:
        weeks[pay_week(data, policy, punch.t_in, work_dates.get(punch.id))].append(punch)
    schedule = [s for s in data.schedules.get(context.employee, ()) if s.working]
    scheduled = _Schedule(schedule)
    high = policy.weekly_hours_limit + policy.overtime_high_margin_hours
    still_scheduled: dict[str, list[float]] = defaultdict(list)  # hours of each shift after the extract, by week
    for s in schedule:
        if s.start >= data.as_of:
            still_scheduled[pay_week(data, policy, s.start, s.work_date)].append(
                (s.end - s.start) / HOUR - policy.scheduled_break_minutes / 60
            )
    found = []
    for week, members in weeks.items():
        hours = _punched_hours(context, members, scheduled)
        projected = sum(still_scheduled.get(week, ()))
        total = hours + projected
        if total > policy.weekly_hours_limit:
            anchor = min(members, key=lambda p: (p.t_in, p.id))
            found.append(
                rule_candidate(
                    record_key=anchor.key,
                    employee=context.employee,
                    anomaly=A.EXCESSIVE_OVERTIME,
                    evidence={
                        "week": week,
                        "punched_hours": round(hours, 1),
                        "scheduled_remaining_hours": round(projected, 1),
                        "limit_hours": policy.weekly_hours_limit,
                    },
                    note=f"{total:.1f} h in {_week_words(week, policy)} ({hours:.1f} h punched"
                    + (f" + {projected:.1f} h still scheduled" if projected else "")
                    + f"); limit {policy.weekly_hours_limit:g} h",
                    correction={"projectedHours": round(total, 1)},
                    severity="high" if total > high else "medium",
                )
            )
    return found


class _Schedule:
    """A person's working shifts in start order, asked which run at a moment (for every open clock-in)."""

    def __init__(self, shifts: list[Scheduled]) -> None:
        self.shifts = shifts
        self.starts = [s.start for s in shifts]
        self.longest = max((s.end - s.start for s in shifts), default=0.0)

    def ends_around(self, t: float) -> list[float]:
        """The ends of the shifts from `MATCH_BEFORE_START` before their start to their end around `t`: only
        those that start no earlier than the longest shift before `t` (a second of slack for rounding) can."""
        low = bisect_left(self.starts, t - self.longest - 1.0)
        high = bisect_right(self.starts, t + MATCH_BEFORE_START + 1.0)
        return [s.end for s in self.shifts[low:high] if s.start - MATCH_BEFORE_START <= t <= s.end]


def _punched_hours(context: EmployeeContext, members: list[Punch], schedule: _Schedule) -> float:
    """Hours on the clock in these entries: slips corrected, repeats and overlaps left out, open ones to shift end."""
    intervals = []
    for punch in members:
        problem = context.problems.get(punch.id)
        if problem is not None and problem.kind is not Broken.OUT_BEFORE_IN:
            continue  # repeats and overlaps would count the same hours twice
        if punch.t_out is not None:
            intervals.append((punch.t_in, corrected_clockout(punch.t_in, punch.t_out)))
        else:  # open: count it to the end of its shift, or to the next clock-in if that comes first
            shift_end = min(
                schedule.ends_around(punch.t_in), default=punch.t_in + context.policy.default_shift_hours * HOUR
            )
            intervals.append((punch.t_in, max(min(shift_end, next_clock_in(context, punch)), punch.t_in)))
    if context.policy.dst_hours == "wall_clock":
        return sum(wall_clock_seconds(context.data, a, b) for a, b in intervals) / HOUR
    return sum(b - a for a, b in intervals) / HOUR


def wall_clock_seconds(data: PlantData, start: float, end: float) -> float:
    """The span as the plant's wall clock shows it: the time that passed, less the hour the clocks went back
    during it (autumn), plus the hour they went forward (spring)."""

    def offset(t: float) -> float:
        return datetime.fromtimestamp(t, data.tz).utcoffset().total_seconds()  # type: ignore[union-attr]

    return end - start + offset(end) - offset(start)


def _week_words(week: str, policy: PunchPolicy) -> str:
    """A `pay_week` as a note says it: "week 2026-W47" (ISO, from Monday), else its days, "the pay week Sun
    2026-11-15 – Sat 2026-11-21" (review_s17 L3: "week 2026-11-15" did not say what that date was)."""
    if policy.pay_week_starts == "monday":
        return f"week {week}"
    first = date.fromisoformat(week)
    return f"the pay week {first:%a %Y-%m-%d} – {first + timedelta(days=6):%a %Y-%m-%d}"


def pay_week(data: PlantData, policy: PunchPolicy, t: float, work_date: date | None = None) -> str:
    """The pay week hours at `t` count to: ISO "2026-W47" for weeks from Monday, else "2026-11-15" (its first
    day). The day is the local date of `t`, or, when the policy says so, the work date of the shift
    (`work_date`; a night shift that starts Sunday 22:30 counts wholly to the week it started in)."""
    day = work_date if work_date is not None and policy.hours_date == "shift_work_date" else data.local_date(t)
    return pay_week_label(day, policy.pay_week_starts)
