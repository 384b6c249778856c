"""Group an employee's punches into worked shifts, setting aside structurally broken entries."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import Enum
from functools import cached_property

from plexlabor.validation.data import PlantData
from plexlabor.validation.records import Punch, Scheduled

SAME_PUNCH_SECONDS = 120  # a device re-sync repeats a punch within seconds
MIN_OVERLAP_SECONDS = 60
MATCH_BEFORE_START = 4 * 3600  # a punch belongs to a shift from 4 h before its start ...
MATCH_AFTER_END = 4 * 3600  # ... to 4 h after its end
INSIDE_BEFORE_END = 30 * 60  # a punch inside a shift up to this before its end is that shift's (a double shift's
# second clock-in, minutes before the first ends, is the second's)
WORK_GAP = 2 * 3600  # a punch this long after the previous one ended starts a stretch of work
SWAP_ABSENT = 2 * 3600  # no stretch of work starts this near the scheduled start ...
SWAP_NEAR = 3600  # ... and one starts this near another of the plant's shifts that day: a swap


class Broken(Enum):
    OUT_BEFORE_IN = "out_before_in"
    DUPLICATE = "duplicate"
    OVERLAP = "overlap"


@dataclass(slots=True)
class Structural:
    kind: Broken
    other: Punch | None
    also: list[Punch] = field(default_factory=list)  # an overlapping entry's further entries it overlaps, by start


@dataclass
class EmployeeDay:
    """One worked shift (or, without a schedule, one local day) of one employee."""

    shift: Scheduled | None
    punches: list[Punch] = field(default_factory=list)  # usable entries, by clock-in
    broken: list[Punch] = field(default_factory=list)  # entries set aside (out-before-in, repeats, overlaps)

    @property
    def start_known(self) -> bool:
        """The first usable punch really starts the shift (no broken entry before it)."""
        return bool(self.punches) and not any(b.t_in < self.punches[0].t_in - SAME_PUNCH_SECONDS for b in self.broken)

    @property
    def end_known(self) -> bool:
        """The last usable punch really ends the shift (no broken entry after it)."""
        return bool(self.punches) and not any(b.t_in > self.punches[-1].t_in + SAME_PUNCH_SECONDS for b in self.broken)

    @cached_property
    def offsets(self) -> tuple[float | None, float | None]:
        """`day_offsets`, worked out once: the norms and the early/late check each read every day's."""
        first, last, shift = self.first, self.last, self.shift
        if shift is None or first is None or last is None:
            return None, None
        start = (first.t_in - shift.start) / 60 if self.start_known else None
        end = (last.t_out - shift.end) / 60 if last.t_out is not None and self.end_known else None
        return start, end

    @property
    def first(self) -> Punch | None:
        return self.punches[0] if self.punches else None

    @property
    def last(self) -> Punch | None:
        return self.punches[-1] if self.punches else None


def day_offsets(day: EmployeeDay) -> tuple[float | None, float | None]:
    """Minutes from the shift's start to the first clock-in and from its end to the last clock-out, each None
    where not known (no shift, a broken entry before or after, no clock-out): what habits are made of."""
    return day.offsets


def structural_problems(punches: list[Punch]) -> dict[str, Structural]:
    """Entries that are out-before-in, repeats of another, or overlapping another (the later-keyed one; an entry
    overlapping several has the first as `other`, the rest in `also`)."""
    problems: dict[str, Structural] = {}
    ordered = sorted(punches, key=lambda p: (p.t_in, p.created, p.id))
    for punch in ordered:
        if punch.t_out is not None and punch.t_out < punch.t_in:
            problems[punch.id] = Structural(Broken.OUT_BEFORE_IN, None)
    for i, punch in enumerate(ordered):
        if punch.id in problems:
            continue
        for other in ordered[i + 1 :]:
            if other.t_in - punch.t_in > SAME_PUNCH_SECONDS:
                break
            if other.id in problems:
                continue
            same_out = (punch.t_out is None and other.t_out is None) or (
                punch.t_out is not None
                and other.t_out is not None
                and abs(punch.t_out - other.t_out) <= SAME_PUNCH_SECONDS
            )
            if same_out:
                later = max(punch, other, key=lambda p: (p.created, p.id))
                problems[later.id] = Structural(Broken.DUPLICATE, other if later is punch else punch)
    closed = [p for p in ordered if p.id not in problems and p.t_out is not None]
    for i, punch in enumerate(closed):
        assert punch.t_out is not None
        for other in closed[i + 1 :]:
            if other.t_in >= punch.t_out - MIN_OVERLAP_SECONDS:
                break
            assert other.t_out is not None
            if min(punch.t_out, other.t_out) - other.t_in >= MIN_OVERLAP_SECONDS:
                later = max(punch, other, key=lambda p: (p.created, p.id))
                earlier = other if later is punch else punch
                if later.id not in problems:
                    problems[later.id] = Structural(Broken.OVERLAP, earlier)
                else:  # it overlaps more than one entry: each is named (ux_s17 M3)
                    problems[later.id].also.append(earlier)
    return problems


def employee_problems(data: PlantData, employee: str) -> dict[str, Structural]:
    """`structural_problems` of the employee's punches as recorded, kept in `data.memo` with the punches they
    were made from: the norms and the checks both ask (the same dict is returned; it is only read)."""
    punches = data.punches.get(employee, [])
    made: dict[str, tuple[list[Punch], dict[str, Structural]]] = data.memo.setdefault("shifts.problems", {})
    kept = made.get(employee)
    if kept is None or kept[0] != punches:
        kept = made[employee] = (list(punches), structural_problems(punches))
    return kept[1]


def employee_days(
    data: PlantData,
    employee: str,
    problems: dict[str, Structural] | None = None,
    punches: list[Punch] | None = None,
) -> list[EmployeeDay]:
    """The employee's usable punches grouped by the scheduled shift they belong to; `punches`: theirs as
    read at true time (`clocks.ClockOffsets.corrected`), in clock-in order, instead of as recorded.

    Kept in `data.memo` per employee with the punches and problems they were made from: the batch's
    norms and checks ask for the same days (a copy of the list is returned; the days are only read)."""
    if punches is None:
        punches = data.punches.get(employee, [])
    if problems is None:
        problems = structural_problems(punches)
    made: dict[str, tuple[list[Punch], dict[str, Structural], list[EmployeeDay]]] = data.memo.setdefault(
        "shifts.days", {}
    )
    if (kept := made.get(employee)) is not None and kept[0] == punches and kept[1] == problems:
        return list(kept[2])
    days = _grouped(data, employee, problems, punches)
    made[employee] = (list(punches), dict(problems), days)
    return list(days)


def _grouped(
    data: PlantData, employee: str, problems: dict[str, Structural], punches: list[Punch]
) -> list[EmployeeDay]:
    schedule = [s for s in data.schedules.get(employee, ()) if s.working]
    schedule = as_worked(data, schedule, [p for p in punches if p.id not in problems])
    starts = [s.start for s in schedule]
    days: dict[int, EmployeeDay] = {}
    unscheduled: dict[object, EmployeeDay] = {}
    for punch in punches:  # a day is made only for its first punch (most punches join one made before)
        shift = _nearest_shift(schedule, starts, punch.t_in)
        if shift is None:
            local = data.local_date(punch.t_in)
            day = unscheduled.get(local) or unscheduled.setdefault(local, EmployeeDay(None))
        else:
            day = days.get(id(shift)) or days.setdefault(id(shift), EmployeeDay(shift))
        (day.broken if punch.id in problems else day.punches).append(punch)
    usable = [day for day in (*days.values(), *unscheduled.values()) if day.punches]
    return sorted(usable, key=lambda d: d.punches[0].t_in)


def _nearest_shift(schedule: list[Scheduled], starts: list[float], t: float) -> Scheduled | None:
    index = bisect_left(starts, t)
    return belonging_shift(schedule[max(0, index - 2) : index + 2], t)


def belonging_shift(shifts: Iterable[Scheduled], t: float) -> Scheduled | None:
    """The shift a moment belongs to: one under way at it (from its start to `INSIDE_BEFORE_END` before its
    end: the return from a rest break in a split shift's first half is that half's, however near the second
    half starts), else the one whose start is nearest, from `MATCH_BEFORE_START` before its start to
    `MATCH_AFTER_END` after its end."""
    best: Scheduled | None = None
    for shift in shifts:
        if shift.start <= t <= shift.end - INSIDE_BEFORE_END:
            return shift
        if shift.start - MATCH_BEFORE_START <= t <= shift.end + MATCH_AFTER_END and (
            best is None or abs(shift.start - t) < abs(best.start - t)
        ):
            best = shift
    return best


def as_worked(data: PlantData, schedule: list[Scheduled], punches: list[Punch]) -> list[Scheduled]:
    """The schedule with each shift the employee evidently swapped (no work starts near it, and work
    starts at another of the plant's usual shifts that day) replaced by the shift worked: swaps and
    schedule edits that never reach the schedule are read against the hours really worked.

    Work that starts near another of the person's scheduled shifts is that shift's, not a sign of a swap
    (the first half of a split shift does not make its second half a swap)."""
    starts = _work_starts(punches)
    if not data.shift_windows or not starts:
        return schedule
    scheduled_starts = [shift.start for shift in schedule]
    unexplained = [start for start in starts if not _near(scheduled_starts, start, SWAP_ABSENT)]
    worked = []
    for shift in schedule:
        if _near(starts, shift.start, SWAP_ABSENT):
            worked.append(shift)
            continue
        other = next(
            (
                (start, end)
                for start, end in _windows_on(data, shift.work_date)
                if abs(start - shift.start) >= SWAP_ABSENT and _near(unexplained, start, SWAP_NEAR)
            ),
            None,
        )
        worked.append(
            shift if other is None else replace(shift, start=other[0], end=other[1], swapped_from=shift.start)
        )
    return sorted(worked, key=lambda s: s.start)


def _work_starts(punches: list[Punch]) -> list[float]:
    """Clock-ins that start a stretch of work (not the return from a break), in order."""
    starts: list[float] = []
    until = float("-inf")
    for punch in sorted(punches, key=lambda p: p.t_in):
        if punch.t_in - until > WORK_GAP:
            starts.append(punch.t_in)
        until = max(until, punch.t_out if punch.t_out is not None else punch.t_in)
    return starts


def _near(starts: list[float], t: float, within: float) -> bool:
    index = bisect_left(starts, t - within)
    return index < len(starts) and starts[index] <= t + within


def _windows_on(data: PlantData, day: date) -> list[tuple[float, float]]:
    """The plant's usual shifts on `day` as instants (a shift ending at or before its start ends the next day)."""
    windows = []
    for start, end in data.shift_windows:
        last = day + timedelta(days=1) if end <= start else day
        begin = datetime(day.year, day.month, day.day, start // 60, start % 60, tzinfo=data.tz)
        finish = datetime(last.year, last.month, last.day, end // 60, end % 60, tzinfo=data.tz)
        windows.append((begin.timestamp(), finish.timestamp()))
    return windows
