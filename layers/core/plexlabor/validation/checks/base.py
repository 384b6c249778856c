"""What every check shares: the Candidate it yields, the context it reads, and small time helpers."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import accumulate
from operator import attrgetter
from typing import Any

from plexlabor.models.anomalies import AnomalyType
from plexlabor.models.types import format_plex_datetime
from plexlabor.validation.data import EmployeeRef, PlantData, utc
from plexlabor.validation.norms import MIN_HISTORY, EmployeeNorms, Norms
from plexlabor.validation.policy import PunchPolicy
from plexlabor.validation.records import Punch, Session
from plexlabor.validation.shifts import SAME_PUNCH_SECONDS, EmployeeDay, Structural

MINUTE = 60.0
HOUR = 3600.0
CLOCK_WALK = 3 * MINUTE  # between a badge reader or a workcenter terminal and the time clock
THIN_CEILING = 0.5  # confidence a history finding may carry with no history of the person's own ...
FULL_HISTORY = 20  # ... growing to 1 at this many of their own observations (0.7, review, at 8)

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
    floor: float = 0.0  # the confidence one decisive signal guarantees, whatever the scorer says
    ceiling: float = 1.0  # the most confidence the evidence behind it allows (thin history)


def history_ceiling(count: int) -> float:
    """The most confidence a finding judged on `count` observations of the person's own may carry: under
    review (0.7) on days of history, growing with each observation to full at `FULL_HISTORY`."""
    return min(1.0, THIN_CEILING + (1.0 - THIN_CEILING) * count / FULL_HISTORY)


def habit_basis(norm: EmployeeNorms, count: int) -> str | None:
    """What a thin history was compared with ("the MOLD department's"), None for a history of one's own."""
    return norm.prior if count < MIN_HISTORY else None


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
    plant_norms: Norms  # everyone's, for what the person's colleagues did the same shift
    punches: list[Punch]  # as recorded
    at_true_time: list[Punch]  # the same at true time (clocks that ran off corrected, `ClockOffsets.corrected`)
    problems: dict[str, Structural]  # structurally broken entries, by punch id
    days: list[EmployeeDay]  # usable punches grouped into worked shifts
    logins: SessionSpans  # the employee's workcenter logins, for questions by time
    swipe_times: list[float]  # when each of the employee's badge swipes happened, in order
    memo: dict[str, Any] = field(default_factory=dict)  # what a check derives once per person (by the check's key)

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


def next_clock_in(context: EmployeeContext, punch: Punch) -> float:
    """When the person next clocked in after `punch` (not `punch` itself, a repeat of it, nor a broken entry);
    infinity if never. Which entry is next is judged at true time (ux_s17: a 2.75-min fast clock made an entry's
    own recorded clock-in its "next" one); the time given is the earlier of that entry's true and recorded
    clock-in, so a clock-out capped at it runs into the next entry on neither."""
    true_in = _by_id(context, "true_punches", context.at_true_time)
    recorded = _by_id(context, "recorded_punches", context.punches)
    own = true_in[punch.id].t_in if punch.id in true_in else punch.t_in
    punches = context.at_true_time
    index = bisect_right(punches, own + SAME_PUNCH_SECONDS, key=attrgetter("t_in"))
    following = next((p for p in punches[index:] if p.id != punch.id and p.id not in context.problems), None)
    if following is None:
        return math.inf
    return min(following.t_in, recorded[following.id].t_in) if following.id in recorded else following.t_in


def own_clock_in(context: EmployeeContext, punch: Punch) -> float:
    """The later of `punch`'s true and recorded clock-in: a clock-out suggested for it must come after both
    (the record keeps the recorded one, the checks read the true one)."""
    recorded = recorded_by_id(context).get(punch.id)
    true = _by_id(context, "true_punches", context.at_true_time).get(punch.id)
    return max(p.t_in for p in (punch, recorded, true) if p is not None)


def recorded_by_id(context: EmployeeContext) -> dict[str, Punch]:
    """The employee's punches as recorded, by id (built once per employee)."""
    return _by_id(context, "recorded_punches", context.punches)


def _by_id(context: EmployeeContext, key: str, punches: list[Punch]) -> dict[str, Punch]:
    if key not in context.memo:
        context.memo[key] = {p.id: p for p in punches}
    found: dict[str, Punch] = context.memo[key]
    return found


def corrected_clockout(t_in: float, t_out: float) -> float:
    """A clock-out keyed before its clock-in, moved on by 12 h steps (an AM/PM or date slip)."""
    while t_out <= t_in:
        t_out += 12 * HOUR
    return t_out


def session_end(data: PlantData, session: Session, policy: PunchPolicy) -> float:
    """When a workcenter login ended: its logout; for a login never logged out, the first of the next login
    that closes it (`Session.closed_by`), the end of the operator's scheduled shift it falls in, the longest
    session the policy allows and the extract: never "logged in until the extract" weeks later."""
    if session.end is not None:
        return session.end
    bounds = [session.start + policy.max_session_hours * HOUR, data.as_of]
    if session.closed_by is not None:
        bounds.append(session.closed_by)
    shift = data.shift_at(session.employee, session.start)
    if shift is not None and shift.end > session.start:
        bounds.append(shift.end)
    return min(bounds)


class SessionSpans:
    """One person's workcenter logins in start order, asked which overlap a time span.

    A check asks this for every worked day; scanning the whole history each time made the batch
    quadratic in it. `reach[i]` is the latest end among the first i + 1 logins (it never falls), so
    every login before the first `reach` at or after the span's start ended before it. A login never
    logged out ends where `session_end` closes it.
    """

    __slots__ = ("_ends", "_reach", "_sessions", "_starts")

    def __init__(self, sessions: Iterable[Session], end: Callable[[Session], float]) -> None:
        self._sessions = sorted(sessions, key=attrgetter("start"))
        self._starts = [s.start for s in self._sessions]
        self._ends = [end(s) for s in self._sessions]
        self._reach = list(accumulate(self._ends, max))

    def between(self, low: float, high: float) -> list[Session]:
        """The logins that overlap [low, high], in start order."""
        first = bisect_left(self._reach, low)  # logins before it all ended before `low`
        last = bisect_right(self._starts, high)  # logins from it on start after `high`
        return [self._sessions[i] for i in range(first, last) if self._ends[i] >= low]

    def end_of(self, session: Session) -> float:
        """When one of these logins ended (`session_end`)."""
        index = bisect_left(self._starts, session.start)
        while self._sessions[index] is not session:  # logins may share a start
            index += 1
        return self._ends[index]
