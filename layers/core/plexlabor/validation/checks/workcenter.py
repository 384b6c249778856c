"""Workcenter logins against punches: a login far from the clock-in, a machine running with nobody logged in."""

from __future__ import annotations

from bisect import bisect_left

from plexlabor.models.anomalies import AnomalyType as A
from plexlabor.validation.checks.base import (
    HOUR,
    MINUTE,
    Candidate,
    EmployeeContext,
    iso,
    rule_candidate,
    session_end,
)
from plexlabor.validation.data import PlantData
from plexlabor.validation.policy import PunchPolicy
from plexlabor.validation.shifts import EmployeeDay

LOGIN_SEARCH = 2 * HOUR  # logins this close to the clock-in are the shift's first
RUN_LOOKBACK = 24 * HOUR  # a login this long before a run starts may still cover it


def login_mismatch(context: EmployeeContext, day: EmployeeDay) -> list[Candidate]:
    """The workcenter login nearest the shift's clock-in is further from it than the policy allows."""
    first, shift, policy = day.first, day.shift, context.policy
    if shift is None:
        return []
    assert first is not None
    window = policy.machine_login_window_minutes * MINUTE
    nearby = context.logins.between(first.t_in - LOGIN_SEARCH, min(first.t_in + LOGIN_SEARCH, shift.end))
    logins = [s for s in nearby if first.t_in - LOGIN_SEARCH <= s.start <= first.t_in + LOGIN_SEARCH]
    if not logins:
        return []
    login = min(logins, key=lambda s: abs(s.start - first.t_in))
    gap = (login.start - first.t_in) / MINUTE
    if abs(gap) * MINUTE <= window or any(abs(s.start - first.t_in) <= window for s in logins):
        return []
    data = context.data
    where = data.workcenter_code(login.workcenter)
    candidate = rule_candidate(
        record_key=first.key,
        employee=context.employee,
        anomaly=A.MACHINE_LOGIN_MISMATCH,
        evidence={
            "clockin": iso(first.t_in),
            "workcenter_login": iso(login.start),
            "gap_min": round(gap, 1),
            "window_min": policy.machine_login_window_minutes,
            "workcenter": login.workcenter,
            "workcenter_code": where,
        },
        note=f"Clock-in {data.local_time(first.t_in)} but login at {where or 'the workcenter'} "
        f"{data.local_time(login.start)} "
        f"({abs(gap):.0f} min {'later' if gap > 0 else 'earlier'}; allowed "
        f"{policy.machine_login_window_minutes:g} min)",
        correction={"paidStartTime": iso(login.start)} if gap > 0 else None,
        severity="medium",
    )
    return [candidate]


def unattended_machine(data: PlantData, policy: PunchPolicy, workcenter: str) -> list[Candidate]:
    """Machine runs with nobody logged in at the workcenter for longer than the policy allows."""
    found = []
    sessions = sorted(data.wc_sessions.get(workcenter, ()), key=lambda s: s.start)
    starts = [s.start for s in sessions]
    for start_event, stop in data.runs.get(workcenter, ()):
        run_end = stop if stop is not None else data.as_of
        i, j = bisect_left(starts, start_event.t - RUN_LOOKBACK), bisect_left(starts, run_end)
        spans = ((s.start, session_end(data, s, policy)) for s in sessions[i:j])
        covering = sorted(span for span in spans if span[1] > start_event.t)
        gap = _longest_uncovered(start_event.t, run_end, covering)
        if gap > policy.unattended_minutes * MINUTE:
            found.append(
                rule_candidate(
                    record_key=start_event.key,
                    employee=None,
                    anomaly=A.UNATTENDED_MACHINE,
                    evidence={
                        "workcenter": workcenter,
                        "workcenter_code": data.workcenter_code(workcenter),
                        "run_start": iso(start_event.t),
                        "run_end": iso(run_end) if stop is not None else None,
                        "unattended_min": round(gap / MINUTE, 1),
                    },
                    note=f"{data.workcenter_code(workcenter) or 'Machine'} ran {gap / MINUTE:.0f} min from "
                    f"{data.local_time(start_event.t)} with nobody "
                    f"logged in (limit {policy.unattended_minutes:g} min)",
                    correction={"action": "check the machine and who ran it"},
                    severity="high",
                )
            )
    return found


def _longest_uncovered(start: float, end: float, covering: list[tuple[float, float]]) -> float:
    longest, cursor = 0.0, start
    for a, b in covering:
        if a > cursor:
            longest = max(longest, min(a, end) - cursor)
        cursor = max(cursor, b)
        if cursor >= end:
            break
    return max(longest, end - cursor)
