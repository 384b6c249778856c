"""Allocate one plant-local day's paid time per employee: job operations, indirect codes or unallocated.

Paid time is the day's closed time-clock entries, clipped to the day, overlaps paid once. Each moment
of it goes to exactly one bucket, in this order:
1. the job operations of the labor entries covering it (several at once: shared by `Split`). A scan
   whose operation is neither routed to nor approved at the entry's workcenter (a misapplied job code)
   is charged to the operation the workcenter was running then (`scans.charged_operations`), and its
   minutes are counted as inferred;
2. the indirect code of the person's indirect labor entries covering it (Plex's indirect labor, where
   the tenant records it: training, meetings; several at once: shared equally);
3. `WAITING` while the person is logged in at a workcenter (operator login to logout) with no scan;
4. the indirect code of the person's department (`AllocationPolicy.indirect_by_department`);
5. unallocated. A stretch of it at least `suggest_min_minutes` long gets the job operation it most
   likely belongs to: the person's nearest scan that day (`UnallocatedStretch`).
Minutes are rounded once per employee by largest remainder, so jobs + indirect + unallocated = paid to
the minute. Cost: the employee's rate, with the policy's premium on the minutes past the weekly
overtime threshold (paid minutes earlier in the plant-local week count toward it); the day's cost is
spread over its buckets in proportion to their minutes.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from plexlabor.allocation.policy import WAITING, AllocationPolicy, Split
from plexlabor.allocation.scans import Scan
from plexlabor.models import Employee, IndirectLaborEntry, JobOperation, TimeClockEntry, WorkcenterEvent
from plexlabor.platform.clock import merge_spans

Interval = tuple[float, float]
Coded = tuple[float, float, str]
"""An indirect labor entry: start, end (epoch seconds) and its code."""
Bucket = tuple[str, str]
"""("job", operation id), ("indirect", code) or ("unallocated", "")."""
UNALLOCATED: Bucket = ("unallocated", "")


@dataclass(frozen=True)
class UnallocatedStretch:
    """A stretch of paid time nobody's scan or login covers, and the job operation it likely belongs to."""

    employee_id: str
    start: datetime
    end: datetime
    minutes: int
    likely_operation_id: str | None
    gap_minutes: int | None
    """Minutes between the stretch and the scan that suggested the operation."""
    likely_workcenter_id: str | None = None
    """Where that scan was (where a labor entry for the stretch would be charged)."""
    scan_side: Literal["before", "after", "during"] | None = None
    """Whether that scan ended before the stretch, started after it, or overlaps it."""


@dataclass(frozen=True)
class EmployeeDay:
    """One employee's paid day: minutes per bucket (they add up to `paid_minutes`) and what it cost."""

    employee_id: str
    paid_minutes: int
    jobs: dict[str, int]
    """Job operation id -> minutes."""
    indirect: dict[str, int]
    """Indirect code -> minutes."""
    unallocated_minutes: int
    inferred_minutes: int
    """Of the job minutes, those charged to an operation other than the misapplied one scanned."""
    overtime_minutes: int
    rate: float | None
    """Pay per hour (None: the employee's rate is unknown, so the day has no cost)."""
    cost: float
    job_cost: dict[str, float]
    indirect_cost: dict[str, float]
    unallocated_cost: float
    stretches: tuple[UnallocatedStretch, ...] = ()

    @property
    def allocated_minutes(self) -> int:
        return sum(self.jobs.values()) + sum(self.indirect.values())


@dataclass(frozen=True)
class DayInputs:
    """What one day's allocation reads (epoch seconds; `week_start` <= `day[0]` opens the pay week)."""

    day: Interval
    week_start: float
    punches: Sequence[TimeClockEntry]
    scans: Sequence[Scan]
    logins: Sequence[WorkcenterEvent] = ()
    indirect: Sequence[IndirectLaborEntry] = ()
    employees: Mapping[str, Employee] = field(default_factory=dict)
    operations: Mapping[str, JobOperation] = field(default_factory=dict)


def allocate_day(inputs: DayInputs, policy: AllocationPolicy | None = None) -> list[EmployeeDay]:
    """Every employee with closed paid time inside the day, sorted by id."""
    policy = policy or AllocationPolicy()
    paid, before = _paid(inputs.punches, inputs.day), _paid(inputs.punches, (inputs.week_start, inputs.day[0]))
    scans: dict[str, list[Scan]] = defaultdict(list)
    for scan in inputs.scans:
        if scan.employee_id in paid:
            scans[scan.employee_id].append(scan)
    sessions = _sessions(inputs.logins)
    recorded: dict[str, list[Coded]] = defaultdict(list)
    for entry in inputs.indirect:
        if entry.end_time is not None and entry.end_time > entry.start_time:
            recorded[entry.employee_id].append(
                (entry.start_time.timestamp(), entry.end_time.timestamp(), entry.indirect_code)
            )
    days = []
    for employee_id in sorted(paid):
        person = inputs.employees.get(employee_id)
        department = person.department_code if person else None
        prior = round(sum(end - start for start, end in before.get(employee_id, ())) / 60)
        days.append(
            _allocate(
                _Person(employee_id, person.pay_rate if person else None, department, prior),
                paid[employee_id],
                scans[employee_id],
                sessions.get(employee_id, []),
                recorded.get(employee_id, []),
                inputs.operations,
                policy,
            )
        )
    return days


@dataclass(frozen=True)
class _Person:
    employee_id: str
    rate: float | None
    department: str | None
    prior_week_minutes: int


def _paid(punches: Sequence[TimeClockEntry], bounds: Interval) -> dict[str, list[Interval]]:
    clipped: dict[str, list[Interval]] = defaultdict(list)
    for punch in punches:
        if punch.clockout_time is not None:
            start = max(punch.clockin_time.timestamp(), bounds[0])
            end = min(punch.clockout_time.timestamp(), bounds[1])
            if end > start:
                clipped[punch.employee_id].append((start, end))
    # overlapping punches (a duplicate, an overlap) are paid once
    return {employee: merge_spans(intervals) for employee, intervals in clipped.items()}


def _sessions(events: Sequence[WorkcenterEvent]) -> dict[str, list[Interval]]:
    """Operator login to the next logout at the same workcenter, per employee (an unclosed login: none)."""
    opened: dict[tuple[str, str], float] = {}
    sessions: dict[str, list[Interval]] = defaultdict(list)
    for event in sorted(events, key=lambda e: e.event_time):
        if event.employee_id is None:
            continue
        key = (event.employee_id, event.workcenter_id)
        if event.event_type == "OperatorLogin":
            opened[key] = event.event_time.timestamp()
        elif event.event_type == "OperatorLogout" and key in opened:
            sessions[event.employee_id].append((opened.pop(key), event.event_time.timestamp()))
    return sessions


def _weight(scan: Scan, operations: Mapping[str, JobOperation], split: Split) -> float:
    if split is Split.STANDARD_HOURS:
        op = operations.get(scan.operation_id)
        return op.standard_hours if op is not None and op.standard_hours > 0 else 1.0
    if split is Split.CYCLES:
        hours = (scan.end - scan.start) / 3600
        return scan.quantity / hours if scan.quantity > 0 and hours > 0 else 0.0
    return 1.0


def _allocate(
    person: _Person,
    paid: list[Interval],
    scans: list[Scan],
    sessions: list[Interval],
    recorded: list[Coded],
    operations: Mapping[str, JobOperation],
    policy: AllocationPolicy,
) -> EmployeeDay:
    fallback = policy.indirect_by_department.get(person.department or "")
    seconds: dict[Bucket, float] = defaultdict(float)
    inferred = 0.0
    idle: list[Interval] = []
    for paid_start, paid_end in paid:
        inside = {paid_start, paid_end}
        inside.update(t for s in scans for t in (s.start, s.end) if paid_start < t < paid_end)
        inside.update(t for s in sessions for t in s if paid_start < t < paid_end)
        inside.update(t for start, end, _ in recorded for t in (start, end) if paid_start < t < paid_end)
        for a, b in itertools.pairwise(sorted(inside)):
            running = [s for s in scans if s.start < b and s.end > a]  # the scans open throughout [a, b)
            if running:
                weights = [_weight(s, operations, policy.split) for s in running]
                if sum(weights) <= 0:  # no cycles reported by any: equal shares
                    weights = [1.0] * len(running)
                for scan, weight in zip(running, weights, strict=True):
                    share = (b - a) * weight / sum(weights)
                    seconds[("job", scan.operation_id)] += share
                    inferred += share if scan.inferred else 0.0
            elif codes := sorted({code for start, end, code in recorded if start < b and end > a}):
                for code in codes:
                    seconds[("indirect", code)] += (b - a) / len(codes)
            elif any(s < b and e > a for s, e in sessions):
                seconds[("indirect", WAITING)] += b - a
            elif fallback:
                seconds[("indirect", fallback)] += b - a
            else:
                seconds[UNALLOCATED] += b - a
                idle.append((a, b))
    paid_minutes = round(sum(end - start for start, end in paid) / 60)
    minutes = _whole_minutes(seconds, paid_minutes)
    overtime = _overtime(person.prior_week_minutes, paid_minutes, policy)
    cost = _day_cost(person.rate, paid_minutes, overtime, policy)
    per_minute = cost / paid_minutes if paid_minutes else 0.0
    jobs = {key: m for (kind, key), m in minutes.items() if kind == "job"}
    indirect = {key: m for (kind, key), m in minutes.items() if kind == "indirect"}
    unallocated = minutes.get(UNALLOCATED, 0)
    return EmployeeDay(
        employee_id=person.employee_id,
        paid_minutes=paid_minutes,
        jobs=jobs,
        indirect=indirect,
        unallocated_minutes=unallocated,
        inferred_minutes=min(round(inferred / 60), sum(jobs.values())),
        overtime_minutes=overtime,
        rate=person.rate,
        cost=cost,
        job_cost={key: round(m * per_minute, 2) for key, m in jobs.items()},
        indirect_cost={key: round(m * per_minute, 2) for key, m in indirect.items()},
        unallocated_cost=round(unallocated * per_minute, 2),
        stretches=tuple(_stretches(person.employee_id, idle, scans, policy)),
    )


def _overtime(prior_minutes: int, paid_minutes: int, policy: AllocationPolicy) -> int:
    """The day's minutes past the weekly threshold, given the week's paid minutes before the day."""
    threshold = round(policy.weekly_overtime_hours * 60)
    return max(0, prior_minutes + paid_minutes - threshold) - max(0, prior_minutes - threshold)


def _day_cost(rate: float | None, paid_minutes: int, overtime_minutes: int, policy: AllocationPolicy) -> float:
    """What the day pays: every minute at the rate, overtime minutes with the premium on top."""
    if rate is None:
        return 0.0
    premium_minutes = overtime_minutes * (policy.overtime_premium - 1)
    return round((paid_minutes + premium_minutes) * rate / 60, 2)


def _stretches(
    employee_id: str, idle: list[Interval], scans: list[Scan], policy: AllocationPolicy
) -> list[UnallocatedStretch]:
    """Contiguous unallocated time long enough to suggest, each with the nearest scan's operation."""
    merged = merge_spans(idle)
    found = []
    for start, end in merged:
        minutes = round((end - start) / 60)
        if minutes < policy.suggest_min_minutes:
            continue
        gaps = [
            (max(s.start - end, start - s.end, 0.0), s.operation_id, s.workcenter_id, _side(s, start, end))
            for s in scans
        ]
        near = min(gaps, default=None)
        likely = near if near is not None and near[0] <= policy.suggest_within_minutes * 60 else None
        found.append(
            UnallocatedStretch(
                employee_id=employee_id,
                start=datetime.fromtimestamp(start, UTC),
                end=datetime.fromtimestamp(end, UTC),
                minutes=minutes,
                likely_operation_id=likely[1] if likely else None,
                gap_minutes=round(likely[0] / 60) if likely else None,
                likely_workcenter_id=likely[2] if likely else None,
                scan_side=likely[3] if likely else None,
            )
        )
    return found


def _side(scan: Scan, start: float, end: float) -> Literal["before", "after", "during"]:
    """Where `scan` lies against the stretch [start, end)."""
    if scan.end <= start:
        return "before"
    return "after" if scan.start >= end else "during"


def _whole_minutes(seconds: dict[Bucket, float], total: int) -> dict[Bucket, int]:
    """Minutes per bucket summing to `total` exactly (largest remainder)."""
    minutes = {bucket: value / 60 for bucket, value in seconds.items()}
    whole = {bucket: math.floor(value) for bucket, value in minutes.items()}
    by_remainder = sorted(minutes, key=lambda bucket: (whole[bucket] - minutes[bucket], bucket))
    for bucket in by_remainder[: max(0, total - sum(whole.values()))]:
        whole[bucket] += 1
    return {bucket: value for bucket, value in sorted(whole.items()) if value}
