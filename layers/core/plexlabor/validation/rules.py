"""Stage 1 and 2: rules on structure and policy, and deviations from each employee's own norms.

Each check yields a Candidate with the numbers it used; the scorer (stage 3) turns a candidate into a
confidence. Checks work per employee (punches, labor, badge) and per workcenter (machine runs), so the
batch path and the real-time path run exactly the same code on the same neighbourhood.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from plexlabor.models.anomalies import AnomalyType as A
from plexlabor.validation.data import PlantData, utc
from plexlabor.validation.norms import EmployeeNorms, Norm, Norms, productivity_ratio
from plexlabor.validation.policy import PunchPolicy
from plexlabor.validation.records import Labor, Punch, Session
from plexlabor.validation.shifts import Broken, EmployeeDay, employee_days, structural_problems

MINUTE = 60.0
HOUR = 3600.0

# Scorer families: the learned scorer has one model per family; other types are scored by their prior.
OFFSET, PRODUCTIVITY, BUDDY, RULE = "offset", "productivity", "buddy", "rule"


@dataclass(slots=True)
class Candidate:
    record_key: str
    employee: str | None
    anomaly: A
    family: str
    features: dict[str, float]
    evidence: dict[str, Any]
    note: str
    correction: dict[str, Any] | None
    severity: str


def iso(t: float) -> str:
    return utc(t).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def _minutes(value: float) -> str:
    """'14 min early' / '3 min late' style for an offset in minutes (negative = early)."""
    rounded = round(abs(value))
    if rounded == 0:
        return "on time"
    return f"{rounded} min {'early' if value < 0 else 'late'}"


# ---- per employee -------------------------------------------------------------------------------------
def check_employee(data: PlantData, norms: Norms, policy: PunchPolicy, employee: str) -> list[Candidate]:
    """Every punch, week, labor and badge check for one employee."""
    ref = data.employees.get(employee)
    personal = norms.for_employee(employee, ref.department if ref else None)
    punches = data.punches.get(employee, [])
    problems = structural_problems(punches)
    days = employee_days(data, employee, problems)
    found: list[Candidate] = []
    found.extend(_structural(data, employee, punches, problems))
    for day in days:
        found.extend(_day_checks(data, personal, policy, employee, day))
    found.extend(_weekly_hours(data, policy, employee, punches, problems))
    found.extend(_labor_checks(data, personal, employee))
    found.extend(_missing_clock_in(data, employee))
    return found


def _structural(data: PlantData, employee: str, punches: list[Punch], problems: dict) -> list[Candidate]:
    found = []
    by_id = {p.id: p for p in punches}
    for punch_id, problem in problems.items():
        punch = by_id[punch_id]
        if problem.kind is Broken.OUT_BEFORE_IN:
            assert punch.t_out is not None
            fixed = corrected_clockout(punch.t_in, punch.t_out)
            found.append(
                Candidate(
                    punch.key,
                    employee,
                    A.OUT_BEFORE_IN,
                    RULE,
                    {},
                    {
                        "clockin": iso(punch.t_in),
                        "clockout": iso(punch.t_out),
                        "minutes_before": round((punch.t_in - punch.t_out) / MINUTE, 1),
                    },
                    f"Clock-out {data.local_time(punch.t_out)} is before clock-in {data.local_time(punch.t_in)} "
                    f"(likely a keying slip)",
                    {"clockoutTime": iso(fixed)},
                    "high",
                )
            )
        elif problem.kind is Broken.DUPLICATE:
            other = problem.other
            assert other is not None
            found.append(
                Candidate(
                    punch.key,
                    employee,
                    A.DUPLICATE_PUNCH,
                    RULE,
                    {},
                    {"duplicate_of": other.key, "seconds_apart": round(abs(punch.t_in - other.t_in), 1)},
                    f"Same punch as entry {other.id[:8]} (clock-in {data.local_time(punch.t_in)}), recorded twice",
                    {"action": "delete", "duplicateOf": other.id},
                    "medium",
                )
            )
        else:
            other = problem.other
            assert other is not None and punch.t_out is not None and other.t_out is not None
            overlap = (min(punch.t_out, other.t_out) - max(punch.t_in, other.t_in)) / MINUTE
            found.append(
                Candidate(
                    punch.key,
                    employee,
                    A.OVERLAPPING_ENTRIES,
                    RULE,
                    {},
                    {"overlaps": other.key, "overlap_minutes": round(overlap, 1), "source": punch.source},
                    f"Entry {data.local_time(punch.t_in)}–{data.local_time(punch.t_out)} overlaps "
                    f"{data.local_time(other.t_in)}–{data.local_time(other.t_out)} by {overlap:.0f} min",
                    {"action": "review", "overlapsWith": other.id},
                    "medium",
                )
            )
    return found


def corrected_clockout(t_in: float, t_out: float) -> float:
    """A clock-out keyed before its clock-in, moved on by 12 h steps (an AM/PM or date slip)."""
    while t_out <= t_in:
        t_out += 12 * HOUR
    return t_out


def _offset_candidate(
    data: PlantData,
    punch: Punch,
    employee: str,
    offset: float,
    norm: Norm | None,
    policy: PunchPolicy,
    at_start: bool,
    reference: float,
) -> Candidate | None:
    """Early/late against the shift, beyond grace and unusual for this employee."""
    grace = policy.grace_minutes
    if abs(offset) <= grace or norm is None:
        return None
    deviation = offset - norm.median
    if deviation * offset <= 0 or abs(deviation) < 5 or abs(deviation) / norm.sigma < 2:
        return None  # within the person's habit, or a deviation in the other direction
    early = offset < 0
    anomaly = (
        (A.EARLY_CLOCK_IN if early else A.LATE_CLOCK_IN)
        if at_start
        else (A.EARLY_CLOCK_OUT if early else A.LATE_CLOCK_OUT)
    )
    what = "Clock-in" if at_start else "Clock-out"
    anchor = "shift start" if at_start else "shift end"
    features = {
        "deviation_min": abs(deviation),
        "z": min(abs(deviation) / norm.sigma, 50.0),
        "beyond_grace_min": abs(offset) - grace,
    }
    habit = (
        f"usual {_minutes(norm.median)} (median of {norm.count} shifts)"
        if norm.count
        else f"the department's usual {_minutes(norm.median)} (no history of their own yet)"
    )
    correction = None
    if at_start and early:
        correction = {"paidStartTime": iso(reference)}
    elif not at_start and not early:
        correction = {"paidEndTime": iso(reference)}
    return Candidate(
        punch.key,
        employee,
        anomaly,
        OFFSET,
        features,
        {
            "offset_min": round(offset, 1),
            "usual_offset_min": round(norm.median, 1),
            "usual_spread_min": round(norm.sigma, 1),
            "history_shifts": norm.count,
            "grace_min": grace,
            "scheduled": iso(reference),
        },
        f"{what} {_minutes(offset)} vs. {habit}; {anchor} {data.local_time(reference)}",
        correction,
        "medium" if abs(offset) < 30 else "high",
    )


def _machine_running(data: PlantData, workcenter: str, t: float) -> bool:
    """A run at the workcenter covers `t` (a run with no stop yet counts as running)."""
    return any(start.t <= t and (stop is None or stop > t) for start, stop in data.runs.get(workcenter, ()))


def _sessions_between(sessions: list[Session], low: float, high: float) -> list[Session]:
    return [s for s in sessions if s.start <= high and (s.end is None or s.end >= low)]


def _day_checks(
    data: PlantData, norms: EmployeeNorms, policy: PunchPolicy, employee: str, day: EmployeeDay
) -> list[Candidate]:
    found: list[Candidate] = []
    first, last, shift = day.first, day.last, day.shift
    assert first is not None and last is not None
    sessions = data.sessions.get(employee, [])
    ref = data.employees.get(employee)
    direct = bool(ref and ref.home_workcenter)

    # Missed break and missed clock-out, per entry.
    for punch in day.punches:
        if punch.t_out is not None and punch.t_out - punch.t_in > policy.break_required_after_hours * HOUR:
            hours = (punch.t_out - punch.t_in) / HOUR
            found.append(
                Candidate(
                    punch.key,
                    employee,
                    A.MISSED_BREAK,
                    RULE,
                    {},
                    {
                        "clockin": iso(punch.t_in),
                        "clockout": iso(punch.t_out),
                        "continuous_hours": round(hours, 2),
                        "limit_hours": policy.break_required_after_hours,
                    },
                    f"Worked {hours:.1f} h straight ({data.local_time(punch.t_in)}–{data.local_time(punch.t_out)}) "
                    f"with no break; rule allows {policy.break_required_after_hours:g} h",
                    {"deductBreakMinutes": policy.min_break_minutes},
                    "medium",
                )
            )
        if punch.t_out is None:
            expected_end = shift.end if shift else punch.t_in + 8.5 * HOUR
            overdue = (data.as_of - expected_end) / HOUR
            if overdue > policy.missed_clockout_hours:
                found.append(_missed_clockout(data, norms, employee, punch, expected_end, overdue))

    if shift is None:
        return found

    # Early / late against the shift and the person's own habit.
    start_offset = (first.t_in - shift.start) / MINUTE
    if day.start_known:
        candidate = _offset_candidate(data, first, employee, start_offset, norms.start, policy, True, shift.start)
        if candidate:
            found.append(candidate)
    active_at_out: Session | None = None
    if last.t_out is not None and day.end_known:
        after = last.t_out + policy.active_job_minutes * MINUTE
        active = [
            s
            for s in _sessions_between(sessions, last.t_out, last.t_out)
            if first.t_in - 2 * HOUR <= s.start < last.t_out
            and (s.end is None or s.end > after)
            and _machine_running(data, s.workcenter, after)
        ]
        active_at_out = active[0] if active else None
        if active_at_out is not None:
            stayed = ((active_at_out.end or data.as_of) - last.t_out) / MINUTE
            found.append(
                Candidate(
                    last.key,
                    employee,
                    A.EARLY_CLOCK_OUT_ACTIVE_JOB,
                    RULE,
                    {},
                    {
                        "clockout": iso(last.t_out),
                        "workcenter": active_at_out.workcenter,
                        "still_logged_in_min": round(stayed, 1),
                        "scheduled_end": iso(shift.end),
                    },
                    f"Clocked out at {data.local_time(last.t_out)} while still logged in at the workcenter for "
                    f"{stayed:.0f} more min (shift end {data.local_time(shift.end)})",
                    {
                        "action": "confirm clock-out",
                        "workcenterLogoutTime": iso(active_at_out.end) if active_at_out.end else None,
                    },
                    "high",
                )
            )
        else:
            end_offset = (last.t_out - shift.end) / MINUTE
            candidate = _offset_candidate(data, last, employee, end_offset, norms.end, policy, False, shift.end)
            if candidate:
                found.append(candidate)

    # Machine login far from the clock-in.
    window = policy.machine_login_window_minutes * MINUTE
    nearby = _sessions_between(sessions, first.t_in - 2 * HOUR, min(first.t_in + 2 * HOUR, shift.end))
    logins = [s for s in nearby if first.t_in - 2 * HOUR <= s.start <= first.t_in + 2 * HOUR]
    if logins:
        login = min(logins, key=lambda s: abs(s.start - first.t_in))
        gap = (login.start - first.t_in) / MINUTE
        if abs(gap) * MINUTE > window and not any(abs(s.start - first.t_in) <= window for s in logins):
            found.append(
                Candidate(
                    first.key,
                    employee,
                    A.MACHINE_LOGIN_MISMATCH,
                    RULE,
                    {},
                    {
                        "clockin": iso(first.t_in),
                        "workcenter_login": iso(login.start),
                        "gap_min": round(gap, 1),
                        "window_min": policy.machine_login_window_minutes,
                        "workcenter": login.workcenter,
                    },
                    f"Clock-in {data.local_time(first.t_in)} but workcenter login {data.local_time(login.start)} "
                    f"({abs(gap):.0f} min {'later' if gap > 0 else 'earlier'}; allowed "
                    f"{policy.machine_login_window_minutes:g} min)",
                    {"paidStartTime": iso(login.start)} if gap > 0 else None,
                    "medium",
                )
            )

    # Buddy punching: the day's evidence against this person's usual pattern.
    found.extend(_buddy(data, norms, employee, day, direct, sessions))
    return found


def _missed_clockout(
    data: PlantData, norms: EmployeeNorms, employee: str, punch: Punch, expected_end: float, overdue: float
) -> Candidate:
    swipes = [
        s for s in data.swipes.get(employee, ()) if s.direction == "Out" and punch.t_in < s.t <= expected_end + 4 * HOUR
    ]
    logouts = [
        s.end for s in data.sessions.get(employee, ()) if s.end and punch.t_in < s.end <= expected_end + 4 * HOUR
    ]
    if swipes:
        likely, basis = swipes[-1].t - 3 * MINUTE, "badge-out"
    elif logouts:
        likely, basis = max(logouts) + 3 * MINUTE, "workcenter logout"
    else:
        usual = norms.end.median if norms.end else 0.0
        likely, basis = expected_end + usual * MINUTE, "usual clock-out"
    return Candidate(
        punch.key,
        employee,
        A.MISSED_PUNCH,
        RULE,
        {},
        {
            "clockin": iso(punch.t_in),
            "expected_end": iso(expected_end),
            "hours_overdue": round(overdue, 1),
            "correction_basis": basis,
        },
        f"No clock-out {overdue:.0f} h after the shift ended at {data.local_time(expected_end)}; likely out at "
        f"{data.local_time(likely)} ({basis})",
        {"clockoutTime": iso(likely)},
        "high",
    )


def _buddy(
    data: PlantData,
    norms: EmployeeNorms,
    employee: str,
    day: EmployeeDay,
    direct: bool,
    sessions: list[Session],
) -> list[Candidate]:
    first, last = day.first, day.last
    assert first is not None and last is not None
    ref = data.employees.get(employee)
    building = ref.building if ref else None
    end = last.t_out or first.t_in + 8 * HOUR
    geo = device_unusual = biometric_low = 0.0
    mobile = 0.0
    for punch in day.punches:
        if punch.lat is not None and punch.lon is not None and building in data.buildings:
            lat, lon, radius = data.buildings[building]  # type: ignore[index]
            geo = max(geo, _distance_m(punch.lat, punch.lon, lat, lon) / radius)
            mobile = 1.0
        elif punch.device:
            device_unusual = max(device_unusual, 1.0 - norms.devices.get(punch.device, 0.0))
        if punch.biometric is not None:
            biometric_low = max(biometric_low, 1.0 - punch.biometric)
    swipes = data.swipes.get(employee, [])
    times = [s.t for s in swipes]
    nearby = swipes[bisect_left(times, first.t_in - 90 * MINUTE) : bisect_left(times, end)]
    badge_in = any(s.direction == "In" and s.building == building and s.t <= first.t_in + 10 * MINUTE for s in nearby)
    elsewhere = any(s.building != building for s in nearby if s.t <= first.t_in + 60 * MINUTE)
    worked = any(s.start <= end and (s.end is None or s.end >= first.t_in) for s in sessions)
    signals = {
        "geofence_ratio": min(geo, 50.0),
        "device_unusual": device_unusual if not mobile else 0.0,
        "biometric_low": biometric_low,
        "no_badge_in": 0.0 if badge_in else 1.0,
        "badge_elsewhere": 1.0 if elsewhere else 0.0,
        "no_workcenter_login": 1.0 if direct and not worked else 0.0,
        "mobile": mobile,
    }
    signals["signal_count"] = float(
        (geo > 1)
        + (signals["device_unusual"] > 0.9)
        + (biometric_low > 0.3)
        + (not badge_in)
        + elsewhere
        + bool(signals["no_workcenter_login"])
    )
    suspicious = (
        geo > 1
        or signals["device_unusual"] > 0.9
        or biometric_low > 0.3
        or not badge_in
        or elsewhere
        or signals["no_workcenter_login"]
    )
    if not suspicious:
        return []
    reasons = []
    if geo > 1:
        reasons.append(f"punched {geo:.1f}× the geofence radius away")
    if signals["device_unusual"] > 0.9:
        reasons.append("on a clock this employee rarely uses")
    if biometric_low > 0.3:
        reasons.append(f"biometric match {1 - biometric_low:.2f}")
    if elsewhere:
        reasons.append("badge seen at another building")
    elif not badge_in:
        reasons.append("no badge-in at the building")
    if signals["no_workcenter_login"]:
        reasons.append("no workcenter login all shift")
    when = datetime.fromtimestamp(first.t_in, data.tz).strftime("%a %Y-%m-%d %H:%M")
    note = f"Possible buddy punch (clock-in {when}): " + ", ".join(reasons)
    evidence = {name: round(value, 3) for name, value in signals.items()}
    return [
        Candidate(
            p.key,
            employee,
            A.BUDDY_PUNCH,
            BUDDY,
            dict(signals),
            evidence,
            note[:300],
            {"action": "verify identity with the employee"},
            "high",
        )
        for p in day.punches
    ]


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in meters."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def _weekly_hours(
    data: PlantData, policy: PunchPolicy, employee: str, punches: list[Punch], problems: dict
) -> list[Candidate]:
    """Hours per ISO week (plant time), projected over what is still scheduled, against the limit."""
    weeks: dict[tuple[int, int], list[Punch]] = defaultdict(list)
    for punch in punches:
        weeks[data.week_of(punch.t_in)].append(punch)
    schedule = [s for s in data.schedules.get(employee, ()) if s.working]
    found = []
    for week, members in weeks.items():
        hours = 0.0
        intervals = []
        for punch in members:
            problem = problems.get(punch.id)
            if problem is not None and problem.kind is not Broken.OUT_BEFORE_IN:
                continue  # repeats and overlaps would count the same hours twice
            if punch.t_out is not None:
                intervals.append((punch.t_in, corrected_clockout(punch.t_in, punch.t_out)))
            else:  # open: count it to the end of its shift
                shift_end = min(
                    (s.end for s in schedule if s.start - 4 * HOUR <= punch.t_in <= s.end),
                    default=punch.t_in + 8.5 * HOUR,
                )
                intervals.append((punch.t_in, max(shift_end, punch.t_in)))
        hours = sum(b - a for a, b in intervals) / HOUR
        projected = sum(
            (s.end - s.start) / HOUR - 0.5 for s in schedule if s.start >= data.as_of and data.week_of(s.start) == week
        )
        total = hours + projected
        if total > policy.weekly_hours_limit:
            anchor = min(members, key=lambda p: (p.t_in, p.id))
            found.append(
                Candidate(
                    anchor.key,
                    employee,
                    A.EXCESSIVE_OVERTIME,
                    RULE,
                    {},
                    {
                        "week": f"{week[0]}-W{week[1]:02d}",
                        "punched_hours": round(hours, 1),
                        "scheduled_remaining_hours": round(projected, 1),
                        "limit_hours": policy.weekly_hours_limit,
                    },
                    f"{total:.1f} h in week {week[0]}-W{week[1]:02d} ({hours:.1f} h punched"
                    + (f" + {projected:.1f} h still scheduled" if projected else "")
                    + f"); limit {policy.weekly_hours_limit:g} h",
                    {"projectedHours": round(total, 1)},
                    "high" if total > policy.weekly_hours_limit + 8 else "medium",
                )
            )
    return found


def _labor_checks(data: PlantData, norms: EmployeeNorms, employee: str) -> list[Candidate]:
    found = []
    for entry in data.labor.get(employee, ()):
        operation = data.operations.get(entry.job_operation)
        day = data.local_date(entry.start)
        routed = operation is not None and entry.workcenter in data.approved.get((operation[0], operation[1]), ())
        if not routed:
            found.append(
                Candidate(
                    entry.key,
                    employee,
                    A.JOB_CODE_MISMATCH,
                    RULE,
                    {},
                    {
                        "job_operation": entry.job_operation,
                        "workcenter": entry.workcenter,
                        "part": operation[0] if operation else None,
                        "operation_code": operation[1] if operation else None,
                    },
                    f"Labor charged to operation {operation[1] if operation else '(unknown)'} of part "
                    f"{(operation[0][:8] if operation else '?')}, which is not routed to this workcenter",
                    {"action": "recode to the job operation running at this workcenter"},
                    "medium",
                )
            )
        missing = data.certified(employee, entry.workcenter, day)
        if missing:
            found.append(
                Candidate(
                    entry.key,
                    employee,
                    A.UNCERTIFIED_OPERATOR,
                    RULE,
                    {},
                    {"workcenter": entry.workcenter, "missing_skills": missing, "date": day.isoformat()},
                    f"Worked at a workcenter requiring {', '.join(missing)} without a valid certification on "
                    f"{day.isoformat()}",
                    {"action": "reassign, or renew the certification", "skills": missing},
                    "high",
                )
            )
        if routed:
            candidate = _productivity(data, norms, employee, entry)
            if candidate:
                found.append(candidate)
    return found


def _productivity(data: PlantData, norms: EmployeeNorms, employee: str, entry: Labor) -> Candidate | None:
    ratio = productivity_ratio(data, entry)
    norm = norms.productivity
    if ratio is None or norm is None or entry.end is None:
        return None
    deviation = ratio - norm.median
    if abs(deviation) < math.log(1.5):
        return None
    hours = (entry.end - entry.start) / HOUR
    expected = entry.quantity / math.exp(ratio) * math.exp(norm.median)
    features = {
        "abs_log_deviation": abs(deviation),
        "z": min(abs(deviation) / norm.sigma, 50.0),
        "hours_log": math.log1p(hours),
    }
    direction = "more" if deviation > 0 else "less"
    per_piece = hours * 60 / entry.quantity
    return Candidate(
        entry.key,
        employee,
        A.IMPROBABLE_DURATION,
        PRODUCTIVITY,
        features,
        {
            "hours": round(hours, 2),
            "quantity": entry.quantity,
            "expected_quantity": round(expected, 1),
            "ratio_vs_usual": round(math.exp(deviation), 2),
            "history_entries": norm.count,
        },
        f"{hours:.1f} h for {entry.quantity:g} pieces ({per_piece:.1f} min/piece): {math.exp(abs(deviation)):.1f}× "
        f"{direction} output than this operator's usual on the standard",
        {"expectedQuantity": round(expected)},
        "medium",
    )


def _missing_clock_in(data: PlantData, employee: str) -> list[Candidate]:
    """Badge-in at the plant with no punch around it: work evidence with no clock-in."""
    found = []
    punches = data.punches.get(employee, [])
    starts = [p.t_in for p in punches]
    previous_in = -math.inf
    for swipe in data.swipes.get(employee, ()):
        if swipe.direction != "In":
            continue
        first_of_day = swipe.t - previous_in > 10 * HOUR
        previous_in = swipe.t
        if not first_of_day or swipe.t > data.as_of - 4 * HOUR:
            continue
        i = bisect_left(starts, swipe.t - 3 * HOUR)
        near = any(p.t_in <= swipe.t + 4 * HOUR for p in punches[i : i + 4])
        covered = any(p.t_in <= swipe.t <= (p.t_out or p.t_in + 12 * HOUR) for p in punches[max(0, i - 3) : i + 1])
        if near or covered:
            continue
        sessions = [s for s in data.sessions.get(employee, ()) if swipe.t <= s.start <= swipe.t + 4 * HOUR]
        found.append(
            Candidate(
                swipe.key,
                employee,
                A.MISSED_PUNCH,
                RULE,
                {},
                {"badge_in": iso(swipe.t), "building": swipe.building, "workcenter_logins": len(sessions)},
                f"Badged in at {data.local_time(swipe.t)} ({swipe.building})"
                + (f" and logged in at a workcenter at {data.local_time(sessions[0].start)}" if sessions else "")
                + " but never clocked in",
                {"clockinTime": iso(swipe.t + 3 * MINUTE)},
                "high",
            )
        )
    return found


# ---- per workcenter -----------------------------------------------------------------------------------
def check_workcenter(data: PlantData, policy: PunchPolicy, workcenter: str) -> list[Candidate]:
    """Machine runs with nobody logged in at the workcenter for longer than the policy allows."""
    found = []
    sessions = sorted(data.wc_sessions.get(workcenter, ()), key=lambda s: s.start)
    starts = [s.start for s in sessions]
    for start_event, stop in data.runs.get(workcenter, ()):
        run_end = stop if stop is not None else data.as_of
        i = bisect_left(starts, start_event.t - 24 * HOUR)
        spans = ((s.start, _session_end(data, s)) for s in sessions[i:] if s.start < run_end)
        covering = sorted(span for span in spans if span[1] > start_event.t)
        gap = _longest_uncovered(start_event.t, run_end, covering)
        if gap > policy.unattended_minutes * MINUTE:
            found.append(
                Candidate(
                    start_event.key,
                    None,
                    A.UNATTENDED_MACHINE,
                    RULE,
                    {},
                    {
                        "workcenter": workcenter,
                        "run_start": iso(start_event.t),
                        "run_end": iso(run_end) if stop is not None else None,
                        "unattended_min": round(gap / MINUTE, 1),
                    },
                    f"Machine ran {gap / MINUTE:.0f} min from {data.local_time(start_event.t)} with nobody logged in "
                    f"(limit {policy.unattended_minutes:g} min)",
                    {"action": "check the machine and who ran it"},
                    "high",
                )
            )
    return found


def _session_end(data: PlantData, session: Session) -> float:
    """When the operator left: the logout, or for a forgotten logout their next clock-out."""
    if session.end is not None:
        return session.end
    punches = data.punches.get(session.employee, [])
    starts = [p.t_in for p in punches]
    for punch in punches[max(0, bisect_left(starts, session.start) - 1) :]:
        if punch.t_out is not None and punch.t_out > session.start:
            return punch.t_out
    return data.as_of


def _longest_uncovered(start: float, end: float, covering: list[tuple[float, float]]) -> float:
    longest, cursor = 0.0, start
    for a, b in covering:
        if a > cursor:
            longest = max(longest, min(a, end) - cursor)
        cursor = max(cursor, b)
        if cursor >= end:
            break
    return max(longest, end - cursor)
