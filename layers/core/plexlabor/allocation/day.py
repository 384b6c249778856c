"""Allocate one plant-local day's paid time per employee to job operations, or to unallocated."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from plexlabor.models import LaborEntry, TimeClockEntry
from plexlabor.plex import LaborDataPort
from plexlabor.plex.snapshot import read_snapshot

UNALLOCATED = "unallocated"

Interval = tuple[float, float]


@dataclass(frozen=True)
class EmployeeDay:
    """One employee's day: paid minutes and where each went (job operation id or `UNALLOCATED`)."""

    employee_id: str
    paid_minutes: int
    buckets: dict[str, int]

    @property
    def allocated_minutes(self) -> int:
        return sum(minutes for bucket, minutes in self.buckets.items() if bucket != UNALLOCATED)

    @property
    def unallocated_minutes(self) -> int:
        return self.buckets.get(UNALLOCATED, 0)


def day_bounds(day: date, timezone: str) -> Interval:
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time(), zone)
    return start.timestamp(), datetime.combine(day + timedelta(days=1), time(), zone).timestamp()


def read_day(port: LaborDataPort, day: date) -> list[EmployeeDay]:
    """Read the day (and labor entries started up to a day before it) through the Plex snapshot; allocate."""
    bounds = day_bounds(day, port.timezone())
    begin, end = (datetime.fromtimestamp(t, UTC) for t in bounds)
    snapshot = read_snapshot(
        port,
        windows={
            "time-clock-entries": (begin - timedelta(days=1), end),
            "labor-entries": (begin - timedelta(days=1), end),
        },
    )
    return allocate_day(snapshot.time_clock_entries, snapshot.labor_entries, bounds)


def allocate_day(punches: Iterable[TimeClockEntry], labor: Iterable[LaborEntry], day: Interval) -> list[EmployeeDay]:
    """Every employee with closed paid time inside `day` (epoch seconds, half-open), sorted by id."""
    paid: dict[str, list[Interval]] = defaultdict(list)
    for punch in punches:
        if punch.clockout_time is not None:
            clipped = _clip((punch.clockin_time.timestamp(), punch.clockout_time.timestamp()), day)
            if clipped:
                paid[punch.employee_id].append(clipped)
    work: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for entry in labor:
        if entry.end_time is not None and entry.employee_id in paid:
            work[entry.employee_id].append(
                (entry.start_time.timestamp(), entry.end_time.timestamp(), entry.job_operation_id)
            )
    return [_allocate(employee, _union(paid[employee]), work[employee]) for employee in sorted(paid)]


def _clip(interval: Interval, bounds: Interval) -> Interval | None:
    start, end = max(interval[0], bounds[0]), min(interval[1], bounds[1])
    return (start, end) if end > start else None


def _union(intervals: list[Interval]) -> list[Interval]:
    """Overlapping punches (a duplicate, an overlap) are paid once."""
    merged: list[list[float]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def _allocate(employee: str, paid: list[Interval], work: list[tuple[float, float, str]]) -> EmployeeDay:
    seconds: dict[str, float] = defaultdict(float)
    for paid_start, paid_end in paid:
        cuts = sorted({paid_start, paid_end, *(t for s, e, _ in work for t in (s, e) if paid_start < t < paid_end)})
        for a, b in itertools.pairwise(cuts):
            running = [op for s, e, op in work if s < b and e > a]  # the operations worked throughout [a, b)
            for op in running or [UNALLOCATED]:
                seconds[op] += (b - a) / len(running or [UNALLOCATED])
    paid_minutes = round(sum(end - start for start, end in paid) / 60)
    return EmployeeDay(employee, paid_minutes, _whole_minutes(seconds, paid_minutes))


def _whole_minutes(seconds: dict[str, float], total: int) -> dict[str, int]:
    """Minutes per bucket summing to `total` exactly (largest remainder)."""
    minutes = {bucket: value / 60 for bucket, value in seconds.items()}
    whole = {bucket: math.floor(value) for bucket, value in minutes.items()}
    by_remainder = sorted(minutes, key=lambda bucket: (whole[bucket] - minutes[bucket], bucket))
    for bucket in by_remainder[: max(0, total - sum(whole.values()))]:
        whole[bucket] += 1
    return {bucket: value for bucket, value in sorted(whole.items()) if value}
