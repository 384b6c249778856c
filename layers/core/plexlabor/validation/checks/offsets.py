"""Early and late punches against the shift and the person's own habit, and clocking out mid-job."""

from __future__ import annotations

import math
import statistics
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from itertools import islice, takewhile
from operator import attrgetter

from plexlabor.models.anomalies import AnomalyType as A
from plexlabor.validation.checks.base import (
    HOUR,
    MINUTE,
    OFFSET,
    Candidate,
    EmployeeContext,
    habit_basis,
    history_ceiling,
    iso,
    rule_candidate,
)
from plexlabor.validation.data import PlantData
from plexlabor.validation.norms import MIN_HISTORY, RECENT_DAYS_KEPT, Norm, Norms, recent_shifts
from plexlabor.validation.policy import PunchPolicy
from plexlabor.validation.records import Punch, Scheduled, Session
from plexlabor.validation.shifts import MATCH_AFTER_END, MATCH_BEFORE_START, EmployeeDay

LOGIN_LOOKBACK = 2 * HOUR  # a workcenter login this long before the clock-in still belongs to the shift
SHARED_MIN = 3  # colleagues with a habit of their own at the same shift, to read a deviation as shared ...
SHARED_SHARE = 0.5  # ... and the share of them off the same way by habit_min_minutes
SHARED_CEILING = 0.5  # the most confidence a deviation the department shared may carry (a trend)
MANUAL_SOURCE = "Manual"  # a time-clock entry keyed or edited by hand (Plex's `source`)
MOVING_CEILING = 0.5  # the most confidence a day that agrees with an unusual shift just before it may carry (a trend)
AS_FAR_SHARE = 0.75  # a recent arrival at least this share as far off the habit the same way counts as as far
_START, _T_IN = attrgetter("start"), attrgetter("t_in")


def early_late(context: EmployeeContext, day: EmployeeDay) -> list[Candidate]:
    """Clock-in and clock-out offsets; a clock-out while still logged in at a running machine replaces the latter."""
    first, last, shift = day.first, day.last, day.shift
    if shift is None:
        return []
    assert first is not None and last is not None
    found: list[Candidate] = []
    if day.start_known:
        offset = (first.t_in - shift.start) / MINUTE
        norm, recent = context.norms.start, partial(_recent_offsets, context, day, at_start=True)
        earlier = partial(_last_arrivals, context, day)
        found.extend(
            _offset(context, first, offset, norm, recent, at_start=True, reference=shift.start, earlier=earlier)
        )
    if last.t_out is not None and day.end_known:
        active = _active_job(context, first, last.t_out)
        if active is not None:
            found.append(_left_active_job(context, last, last.t_out, active, shift.end))
        else:
            offset = (last.t_out - shift.end) / MINUTE
            norm, recent = context.norms.end, partial(_recent_offsets, context, day, at_start=False)
            found.extend(_offset(context, last, offset, norm, recent, at_start=False, reference=shift.end))
    if shift.swapped_from is not None:
        _name_the_swap(context, shift.swapped_from, found)
    for candidate in found:
        if candidate.family == OFFSET:
            _weigh_against_colleagues(context, shift, candidate)
    return found


def _weigh_against_colleagues(context: EmployeeContext, shift: Scheduled, candidate: Candidate) -> None:
    """A deviation the person's department shared at the same shift (a late bus, a jammed gate, snow) is a
    trend, not a review item: when at least `SHARED_MIN` colleagues scheduled at the same start have a habit
    of their own, most of them (`SHARED_SHARE`) were off the same way by `habit_min_minutes`, and the person
    is within `habit_min_minutes` of the department's median deviation that day. The note says so.

    Only colleagues' punches in the data read count: the batch sweep sees the whole plant, the real-time slice
    only the person's own records (so a punch checked as it arrives is judged alone)."""
    at_start = candidate.anomaly in (A.EARLY_CLOCK_IN, A.LATE_CLOCK_IN)
    deviations = _colleague_deviations(context, shift, at_start=at_start)
    if len(deviations) < SHARED_MIN:
        return
    own = candidate.evidence["offset_min"] - candidate.evidence["usual_offset_min"]
    direction = 1 if own > 0 else -1
    minimum = context.policy.habit_min_minutes
    same_way = sum(direction * d >= minimum for d in deviations)
    shared = statistics.median(deviations)
    if same_way < SHARED_SHARE * len(deviations) or direction * (own - shared) >= minimum:
        return
    department = context.ref.department if context.ref else None
    candidate.ceiling = min(candidate.ceiling, SHARED_CEILING)
    candidate.evidence["colleagues"] = {"same_way": same_way, "of": len(deviations), "median_min": round(shared, 1)}
    candidate.note += (
        f"; {same_way} of {len(deviations)} in the {department} department on that shift were off the same way "
        f"(median {abs(shared):.0f} min {'later' if shared > 0 else 'earlier'} than their habit)"
    )


def _colleague_deviations(context: EmployeeContext, shift: Scheduled, *, at_start: bool) -> list[float]:
    """Minutes each colleague of the person's department scheduled at the same start clocked in (or out)
    away from their own usual offset, at true time; colleagues with fewer than `MIN_HISTORY` shifts of
    their own, or no punch at that shift, are left out. Worked out once per department and shift start
    (for every member) and kept with the plant: several people of a department are off the same shift."""
    ref, data, norms = context.ref, context.data, context.plant_norms
    if ref is None or ref.department is None:
        return []
    plant = _plant_index(data)
    key = (ref.department, shift.start, at_start)
    cached = plant.deviations.get(key)
    if cached is None or cached[0] is not norms:
        cached = plant.deviations[key] = (norms, _department_deviations(context, plant, shift, at_start=at_start))
    return [deviation for colleague, deviation in cached[1] if colleague != context.employee]


def _department_deviations(
    context: EmployeeContext, plant: _PlantIndex, shift: Scheduled, *, at_start: bool
) -> list[tuple[str, float]]:
    """Each member of the person's department (the person too) with their deviation at the shift's start (or end)."""
    data, norms = context.data, context.plant_norms
    assert context.ref is not None and context.ref.department is not None
    deviations = []
    low = bisect_right(plant.working_starts, shift.start - MINUTE)
    scheduled = set(plant.working_people[low : bisect_left(plant.working_starts, shift.start + MINUTE, lo=low)])
    for colleague in plant.departments.get(context.ref.department, ()):
        if colleague not in scheduled:
            continue  # no working shift of theirs starts within a minute of this one
        habit = norms.employees.get(colleague)
        norm = None if habit is None else habit.start if at_start else habit.end
        schedule = data.schedules.get(colleague, ())
        index = bisect_left(schedule, shift.start - MINUTE, key=_START)
        same_shift = (s for s in schedule[index : index + 2] if s.working and abs(s.start - shift.start) < MINUTE)
        theirs = next(same_shift, None)
        if norm is None or norm.count < MIN_HISTORY or theirs is None:
            continue
        moment = _punched_at(context, colleague, theirs, at_start=at_start)
        if moment is not None:
            anchor = theirs.start if at_start else theirs.end
            deviations.append((colleague, (moment - anchor) / MINUTE - norm.median))
    return deviations


@dataclass(slots=True)
class _PlantIndex:
    """What the early/late check looks up across the plant, made once per `PlantData`."""

    departments: dict[str, list[str]]  # the plant's people by department
    working_starts: list[float]  # the start of every working shift scheduled in the plant, in order ...
    working_people: list[str]  # ... and whose it is
    deviations: dict[tuple[str, float, bool], tuple[Norms, list[tuple[str, float]]]] = field(default_factory=dict)
    """(department, shift start, at start) -> the norms used and each member's deviation (`_colleague_deviations`)."""


def _plant_index(data: PlantData) -> _PlantIndex:
    """The plant's index for this check, made on first use (asked for each early/late candidate: scanning every
    employee each time made a plant of thousands quadratic)."""
    cached: _PlantIndex | None = data.memo.get("offsets.plant")
    if cached is not None:
        return cached
    members: dict[str, list[str]] = defaultdict(list)
    for employee, ref in data.employees.items():
        if ref.department:
            members[ref.department].append(employee)
    working = sorted((s.start, s.employee) for shifts in data.schedules.values() for s in shifts if s.working)
    index = _PlantIndex(members, [start for start, _ in working], [employee for _, employee in working])
    data.memo["offsets.plant"] = index
    return index


def _punched_at(context: EmployeeContext, colleague: str, shift: Scheduled, *, at_start: bool) -> float | None:
    """A colleague's first clock-in (or last clock-out) of a shift, corrected for a clock that ran off."""
    data = context.data
    punches = data.punches.get(colleague, ())
    low = bisect_left(punches, shift.start - MATCH_BEFORE_START, key=_T_IN)
    high = bisect_left(punches, shift.end + MATCH_AFTER_END, key=_T_IN)
    worked = punches[low:high]
    if not worked:
        return None
    punch = worked[0] if at_start else max(worked, key=lambda p: p.t_out or 0.0)
    moment = punch.t_in if at_start else punch.t_out
    if moment is None:
        return None
    return moment - context.plant_norms.clocks.offset(punch.device, data.local_date(punch.t_in))


def _name_the_swap(context: EmployeeContext, scheduled: float, found: list[Candidate]) -> None:
    """Say the day was read as a swap: the shift compared with is not the one the schedule shows."""
    for candidate in found:
        candidate.evidence["swapped_from"] = iso(scheduled)
        candidate.note += f" (worked instead of the {context.data.local_time(scheduled)} shift scheduled)"


def _recent_offsets(context: EmployeeContext, day: EmployeeDay, *, at_start: bool) -> list[float]:
    """The person's clock-in (or clock-out) offsets on their last `recent_habit_shifts` shifts before `day`
    (among the `3 * recent_habit_shifts` worked days before it), latest first."""
    wanted = context.policy.recent_habit_shifts
    starts, offsets = _day_offsets(context, at_start=at_start)
    index = bisect_left(starts, day.punches[0].t_in)
    known = (offset for offset in reversed(offsets[max(0, index - 3 * wanted) : index]) if offset is not None)
    return list(islice(known, wanted))


def _last_arrivals(context: EmployeeContext, day: EmployeeDay) -> list[float]:
    """The person's clock-in offsets on their last `RECENT_DAYS_KEPT` worked days before `day` (those known), read
    as `_recent_offsets` reads its shifts: so the real-time path reads what the batch reads."""
    starts, offsets = _day_offsets(context, at_start=True)
    index = bisect_left(starts, day.punches[0].t_in)
    return [offset for offset in offsets[max(0, index - RECENT_DAYS_KEPT) : index] if offset is not None]


def _day_offsets(context: EmployeeContext, *, at_start: bool) -> tuple[list[float], list[float | None]]:
    """When each of the person's worked days began, and its clock-in (or clock-out) offset, made once per person:
    the days the norms keep (`Norms.recent`) before the first day of the data, then the data's. So the real-time
    slice (a week and a day) reads the recent shifts the batch reads from the whole history."""
    if "offsets.days" not in context.memo:  # both ends at once: most people have an offset at each
        days = context.days
        begins = days[0].punches[0].t_in if days else math.inf
        shifts = [shift for shift in context.norms.recent if shift.t < begins] + recent_shifts(
            context.data, context.employee, days
        )
        times = [shift.t for shift in shifts]
        context.memo["offsets.days"] = (
            (times, [shift.start for shift in shifts]),
            (times, [shift.end for shift in shifts]),
        )
    result: tuple[list[float], list[float | None]] = context.memo["offsets.days"][0 if at_start else 1]
    return result


def _active_job(context: EmployeeContext, first: Punch, t_out: float) -> Session | None:
    """A login of this shift still open well after the clock-out, at a machine that is still running."""
    data = context.data
    after = t_out + context.policy.active_job_minutes * MINUTE
    active = [
        s
        for s in context.logins.between(t_out, t_out)
        if first.t_in - LOGIN_LOOKBACK <= s.start < t_out
        and context.logins.end_of(s) > after
        and _machine_running(data, s.workcenter, after)
    ]
    return active[0] if active else None


def _machine_running(data: PlantData, workcenter: str, t: float) -> bool:
    """A run at the workcenter covers `t` (a run with no stop yet counts as running)."""
    return any(start.t <= t and (stop is None or stop > t) for start, stop in data.runs.get(workcenter, ()))


def _left_active_job(
    context: EmployeeContext, last: Punch, t_out: float, active: Session, scheduled_end: float
) -> Candidate:
    data = context.data
    stayed = (context.logins.end_of(active) - t_out) / MINUTE
    never_out = (
        ""
        if active.end is not None
        else f" (no logout; counted until the next login, the shift end or {context.policy.max_session_hours:g} h, "
        "whichever came first)"
    )
    return rule_candidate(
        record_key=last.key,
        employee=context.employee,
        anomaly=A.EARLY_CLOCK_OUT_ACTIVE_JOB,
        evidence={
            "clockout": iso(t_out),
            "workcenter": active.workcenter,
            "workcenter_code": data.workcenter_code(active.workcenter),
            "still_logged_in_min": round(stayed, 1),
            "logged_out": active.end is not None,
            "scheduled_end": iso(scheduled_end),
        },
        note=f"Clocked out at {data.local_time(t_out)} while still logged in at "
        f"{data.workcenter_code(active.workcenter) or 'the workcenter'} for "
        f"{stayed:.0f} more min{never_out} (shift end {data.local_time(scheduled_end)})",
        correction={
            "action": "confirm clock-out",
            "workcenterLogoutTime": iso(active.end) if active.end else None,
        },
        severity="high",
    )


def _offset(
    context: EmployeeContext,
    punch: Punch,
    offset: float,
    norm: Norm | None,
    recent_offsets: Callable[[], list[float]],
    *,
    at_start: bool,
    reference: float,
    earlier: Callable[[], list[float]] | None = None,
) -> list[Candidate]:
    """Early/late against the shift, beyond grace and unusual for this employee (none or one candidate):
    unusual against their habit as it is now (their history's, or what their latest shifts moved it to:
    `_moved_habit`), and not what they have done lately (the median of their recent shifts, `recent_offsets`,
    looked up only for an offset beyond grace: the few that can be findings). `earlier`: the offsets of their
    last `RECENT_DAYS_KEPT` days, for the feature `recent_as_far` (clock-ins only: `_as_far_before`)."""
    policy = context.policy
    grace = policy.grace_minutes
    if abs(offset) <= grace or norm is None:
        return []
    recent = recent_offsets()
    if len(recent) == policy.recent_habit_shifts and abs(offset - statistics.median(recent)) < policy.habit_min_minutes:
        return []  # the habit as it is now (it moved, or their clock runs off), not a one-day deviation
    moved = _moved_habit(policy, norm, recent)
    usual = norm.median if moved is None else moved[0]
    deviation = offset - usual
    if (
        deviation * offset <= 0
        or abs(deviation) < policy.habit_min_minutes
        or abs(deviation) / norm.sigma < policy.habit_min_sigmas
    ):
        return []  # within the person's habit, or a deviation in the other direction
    early = offset < 0
    direction = -1 if deviation < 0 else 1
    near = max(abs(deviation) / 2, policy.habit_min_sigmas * norm.sigma)
    anomaly = (
        (A.EARLY_CLOCK_IN if early else A.LATE_CLOCK_IN)
        if at_start
        else (A.EARLY_CLOCK_OUT if early else A.LATE_CLOCK_OUT)
    )
    what = "Clock-in" if at_start else "Clock-out"
    anchor = "shift start" if at_start else "shift end"
    basis = habit_basis(context.norms, norm.count)
    habit = (
        f"usual {_minutes(usual)} over their last {moved[1]} shifts (it moved; {_minutes(norm.median)} over "
        f"{norm.count})"
        if moved is not None
        else f"usual {_minutes(norm.median)} (median of {norm.count} shifts)"
        if basis is None
        else f"usual {_minutes(norm.median)} ({norm.count} shift{'s' * (norm.count > 1)} of their own, leaning on "
        f"{basis} habit)"
        if norm.count
        else f"{basis} usual {_minutes(norm.median)} (no history of their own yet)"
    )
    correction = None
    if at_start and early:
        correction = {"paidStartTime": iso(reference)}
    elif not at_start and not early:
        correction = {"paidEndTime": iso(reference)}
    candidate = Candidate(
        record_key=punch.key,
        employee=context.employee,
        anomaly=anomaly,
        family=OFFSET,
        features={
            "deviation_min": abs(deviation),
            "z": min(abs(deviation) / norm.sigma, 50.0),
            "beyond_grace_min": abs(offset) - grace,
            # of the recent shifts, how many were off the habit the same way: a habit on the move shows here
            # days before `_moved_habit` reads it (a one-day deviation has none); weighed by the learned scorer
            "recent_same_way": float(sum((r - usual) * direction >= policy.habit_min_minutes for r in recent)),
            # how many of the latest shifts in a row were themselves unusual (habit_min_sigmas spreads) and nearer
            # this one than the habit: a habit that moved (or a clock that runs off) shows it from its second day,
            # a one-day deviation seldom (the day before it is an ordinary one)
            "recent_run": float(sum(1 for _ in takewhile(lambda r: (r - usual) * direction >= near, recent))),
            # a time a supervisor keyed or edited (Plex's source "Manual") is their correction, not a punch
            "manual": float(punch.source == MANUAL_SOURCE),
            **({} if earlier is None else {"recent_as_far": _as_far_before(earlier(), usual, deviation)}),
        },
        evidence={
            "offset_min": round(offset, 1),
            "usual_offset_min": round(usual, 1),
            "usual_spread_min": round(norm.sigma, 1),
            "history_shifts": norm.count,
            "grace_min": grace,
            "scheduled": iso(reference),
        },
        note=f"{what} {_minutes(offset)} vs. {habit}; {anchor} {context.data.local_time(reference)}",
        correction=correction,
        severity="medium" if abs(offset) < policy.offset_high_minutes else "high",
        ceiling=history_ceiling(norm.count),
    )
    if _follows_last(policy, norm, recent, offset, usual):
        candidate.ceiling = min(candidate.ceiling, MOVING_CEILING)
        candidate.evidence["last_offset_min"] = round(recent[0], 1)
        candidate.note += f"; the shift before was {_minutes(recent[0])} too (their habit may be moving)"
    if moved is not None:
        candidate.evidence["moved_from_min"] = round(norm.median, 1)
    if basis is not None:
        candidate.evidence["compared_with"] = basis.removeprefix("the ").removesuffix("'s")
    return [candidate]


def _as_far_before(earlier: list[float], usual: float, deviation: float) -> float:
    """Of the person's last days' offsets, how many lay at least `AS_FAR_SHARE` as far off their habit the same way
    as this day: an arrival they have made before (a habit moving, moved or with two modes) rather than a one-day
    deviation, which seldom has any. A clock-in feature only: on the development plants it lifted early clock-in's
    F1 and left late clock-in's; read for clock-outs too it moved the review cuts' budget off late clock-out
    (docs/validation.md, "An arrival made before")."""
    direction, far = (1 if deviation > 0 else -1), AS_FAR_SHARE * abs(deviation)
    return float(sum((offset - usual) * direction >= far for offset in earlier))


def _follows_last(policy: PunchPolicy, norm: Norm, recent: list[float], offset: float, usual: float) -> bool:
    """Two shifts in a row agree on a new offset (a change point): the latest shift before this one was itself off
    the habit the same way, by `habit_min_sigmas` spreads and `habit_min_minutes`, and this one lies within that
    reach of it. A moved habit looks so from its second day (until `_moved_habit` reads it, from its fourth); a
    one-day deviation seldom does (the day before it is an ordinary one, or off by another amount). `recent`:
    latest first. On the development plants' normal days (2001-2004) this took 8 of 46 false findings from review
    at the cuts chosen with it, and no labelled anomaly (2001-2002) that reached review (docs/validation.md, "A
    change point")."""
    if not recent:
        return False
    last, reach = recent[0], max(policy.habit_min_sigmas * norm.sigma, policy.habit_min_minutes)
    return (last - usual) * (offset - usual) > 0 and abs(last - usual) >= reach and abs(offset - last) <= reach


def _moved_habit(policy: PunchPolicy, norm: Norm, recent: list[float]) -> tuple[float, int] | None:
    """The person's habit as it is now when it moved lately, else None: the median of their latest run of at
    least `moved_habit_shifts` shifts all off their usual the same way by `habit_min_minutes` (a new bus, a
    child's school: a change point, read days before the median of the last `recent_habit_shifts` follows
    it), and how many shifts the run holds. `recent`: latest first."""
    if not recent:
        return None
    minimum, direction = policy.habit_min_minutes, 1 if recent[0] > norm.median else -1
    run = list(takewhile(lambda r: direction * (r - norm.median) >= minimum, recent))
    return (statistics.median(run), len(run)) if len(run) >= policy.moved_habit_shifts else None


def _minutes(value: float) -> str:
    """'14 min early' / '3 min late' style for an offset in minutes (negative = early)."""
    rounded = round(abs(value))
    if rounded == 0:
        return "on time"
    return f"{rounded} min {'early' if value < 0 else 'late'}"
