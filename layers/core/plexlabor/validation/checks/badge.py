"""Badge evidence with no punch: a badge-in at the plant and no clock-in around it."""

from __future__ import annotations

import math
from bisect import bisect_left

from plexlabor.models.anomalies import AnomalyType as A
from plexlabor.validation.checks.base import CLOCK_WALK, HOUR, Candidate, EmployeeContext, iso, rule_candidate
from plexlabor.validation.records import Swipe

NEW_DAY_GAP = 10 * HOUR  # a badge-in this long after the previous one starts a new working day
PUNCH_BEFORE = 3 * HOUR  # a clock-in from this long before the badge-in ...
PUNCH_AFTER = 4 * HOUR  # ... to this long after it answers it
OPEN_ENTRY_SPAN = 12 * HOUR  # an open entry covers a badge-in this long after its clock-in
LOGIN_AFTER = 4 * HOUR  # workcenter logins this long after the badge-in are evidence of work


def missing_clock_in(context: EmployeeContext) -> list[Candidate]:
    """Badge-in at the plant with no punch around it: work evidence with no clock-in."""
    data = context.data
    punches = context.punches
    starts = [p.t_in for p in punches]
    recent = data.as_of - context.policy.missing_clockin_hours * HOUR
    found = []
    previous_in = -math.inf
    for swipe in data.swipes.get(context.employee, ()):
        if swipe.direction != "In":
            continue
        first_of_day = swipe.t - previous_in > NEW_DAY_GAP
        previous_in = swipe.t
        if not first_of_day or swipe.t > recent:
            continue
        i = bisect_left(starts, swipe.t - PUNCH_BEFORE)
        near = any(p.t_in <= swipe.t + PUNCH_AFTER for p in punches[i : i + 4])
        covered = any(
            p.t_in <= swipe.t <= (p.t_out or p.t_in + OPEN_ENTRY_SPAN) for p in punches[max(0, i - 3) : i + 1]
        )
        if not (near or covered):
            found.append(_no_clock_in(context, swipe, _badge_out(context, swipe)))
    return found


def _badge_out(context: EmployeeContext, badge_in: Swipe) -> Swipe | None:
    """The day's last badge-out after `badge_in` (before the next day's first badge-in, at most
    `OPEN_ENTRY_SPAN` later), when no punch begins between the two: then the badges are the whole
    missing entry's evidence; else (a punch later that day) the badge-out belongs to that punch."""
    day_out = None
    for swipe in context.data.swipes.get(context.employee, ()):
        if swipe.t <= badge_in.t:
            continue
        if swipe.t - badge_in.t > OPEN_ENTRY_SPAN or (swipe.direction == "In" and swipe.t - badge_in.t > NEW_DAY_GAP):
            break
        if swipe.direction == "Out":
            day_out = swipe
    if day_out is None or any(badge_in.t < p.t_in < day_out.t for p in context.punches):
        return None
    return day_out


def _no_clock_in(context: EmployeeContext, swipe: Swipe, badge_out: Swipe | None) -> Candidate:
    """The suggested entry comes from the badges: clock-in `CLOCK_WALK` after the badge-in (the walk to the
    time clock), and, when the day's badge-out is the entry's evidence too (`_badge_out`), clock-out as long
    before it; the note says so."""
    data = context.data
    sessions = [s for s in context.sessions if swipe.t <= s.start <= swipe.t + LOGIN_AFTER]
    walk = round(CLOCK_WALK / 60)
    clock_in = swipe.t + CLOCK_WALK
    correction = {"clockinTime": iso(clock_in)}
    basis = f"clock-in {data.local_time(clock_in)} (the badge-in plus {walk} min to the time clock)"
    evidence = {"badge_in": iso(swipe.t), "building": swipe.building, "workcenter_logins": len(sessions)}
    if badge_out is not None:
        clock_out = badge_out.t - CLOCK_WALK
        correction["clockoutTime"] = iso(clock_out)
        evidence["badge_out"] = iso(badge_out.t)
        basis += f" and clock-out {data.local_time(clock_out)} (the badge-out less {walk} min)"
    return rule_candidate(
        record_key=swipe.key,
        employee=context.employee,
        anomaly=A.MISSED_PUNCH,
        evidence=evidence,
        note=f"Badged in at {data.local_time(swipe.t)} ({swipe.building})"
        + (f" and logged in at a workcenter at {data.local_time(sessions[0].start)}" if sessions else "")
        + (f", badged out at {data.local_time(badge_out.t)}" if badge_out is not None else "")
        + f" but never clocked in; suggested {basis}",
        correction=correction,
        severity="high",
    )
