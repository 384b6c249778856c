"""What every check shares: the Candidate it yields, the context it reads, and small time helpers."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import accumulate
from operator import attrgetter
from typing import Any

from plexlabor.models.anomalies import AnomalyType
from plexlabor.models.types import format_plex_datetime
from plexlabor.validation.data import EmployeeRef, PlantData, utc
from plexlabor.validation.norms import EmployeeNorms
from plexlabor.validation.policy import PunchPolicy
from plexlabor.validation.records import Punch, Session
from plexlabor.validation.shifts import EmployeeDay, Structural

MINUTE = 60.0
HOUR = 3600.0
CLOCK_WALK = 3 * MINUTE  # between a badge reader or a workcenter terminal and the time clock

# Scorer families: the learned scorer has one model per family; other types are scored by their prior.
OFFSET, PRODUCTIVITY, BUDDY, RULE = "offset", "productivity", "buddy", "rule"


@dataclass(slots=True, kw_only=True)
class Candidate:
    """A possible anomaly on one record, with the numbers the check used; the scorer gives it a confidence."""

    record_key: str
    employee: str | None
    anomaly: AnomalyType
    family: str
    features: dict[str, float]
    evidence: dict[str, Any]
    note: str
    correction: dict[str, Any] | None
    severity: str


def rule_candidate(
    *,
    record_key: str,
    employee: str | None,
    anomaly: AnomalyType,
    evidence: dict[str, Any],
    note: str,
    correction: dict[str, Any] | None,
    severity: str,
) -> Candidate:
    """A rule-defined candidate: no learned features, scored by the rule's measured precision."""
    return Candidate(
        record_key=record_key,
        employee=employee,
        anomaly=anomaly,
        family=RULE,
        features={},
        evidence=evidence,
        note=note,
        correction=correction,
        severity=severity,
    )


@dataclass(slots=True, kw_only=True)
class EmployeeContext:
    """What the per-employee checks read: the plant, the person's norms, the policy and their punches."""

    data: PlantData
    norms: EmployeeNorms
    policy: PunchPolicy
    employee: str
    punches: list[Punch]
    problems: dict[str, Structural]  # structurally broken entries, by punch id
    days: list[EmployeeDay]  # usable punches grouped into worked shifts
    logins: SessionSpans  # the employee's workcenter logins, for questions by time
    swipe_times: list[float]  # when each of the employee's badge swipes happened, in order

    @property
    def ref(self) -> EmployeeRef | None:
        return self.data.employees.get(self.employee)

    @property
    def sessions(self) -> list[Session]:
        """The employee's workcenter logins."""
        return self.data.sessions.get(self.employee, [])


EmployeeCheck = Callable[[EmployeeContext], list[Candidate]]
DayCheck = Callable[[EmployeeContext, EmployeeDay], list[Candidate]]
WorkcenterCheck = Callable[[PlantData, PunchPolicy, str], list[Candidate]]


def iso(t: float) -> str:
    """Epoch seconds in Plex's date format."""
    return format_plex_datetime(utc(t))


def corrected_clockout(t_in: float, t_out: float) -> float:
    """A clock-out keyed before its clock-in, moved on by 12 h steps (an AM/PM or date slip)."""
    while t_out <= t_in:
        t_out += 12 * HOUR
    return t_out


class SessionSpans:
    """One person's workcenter logins in start order, asked which overlap a time span.

    A check asks this for every worked day; scanning the whole history each time made the batch
    quadratic in it. `reach[i]` is the latest logout among the first i + 1 closed logins (it never
    falls), so every closed login before the first `reach` at or after the span's start ended before
    it; a login never closed (`end` None) is kept apart and always counts as still running.
    """

    __slots__ = ("_open", "_reach", "_sessions", "_starts")

    def __init__(self, sessions: Iterable[Session]) -> None:
        self._sessions = sorted(sessions, key=attrgetter("start"))
        self._starts = [s.start for s in self._sessions]
        self._open = [i for i, s in enumerate(self._sessions) if s.end is None]
        self._reach = list(accumulate((-math.inf if s.end is None else s.end for s in self._sessions), max))

    def between(self, low: float, high: float) -> list[Session]:
        """The logins that overlap [low, high] (an open login counts as still running), in start order."""
        first = bisect_left(self._reach, low)  # closed logins before it all ended before `low`
        last = bisect_right(self._starts, high)  # logins from it on start after `high`
        still_open = self._open[: bisect_left(self._open, min(first, last))]
        return [self._sessions[i] for i in still_open] + [
            s for s in self._sessions[first:last] if s.end is None or s.end >= low
        ]
