"""The employee's day around a finding's record, as a compact JSON-safe timeline for the item page.

Built when the finding is made (pages never recompute) from the same `PlantData` the checks read. The
day is the scheduled shift the record belongs to (the one under way at it, else the one whose start lies
nearest the record, within 4 h before its start to 4 h after its end, as `shifts.employee_days` matches
punches; an overnight shift belongs to the day it starts), shown from 4 h before its start to 4 h after
its end; without a schedule, the plant-local day of the record, shown over the span of that day's
punches and an hour either side.

Every lane keeps the items that start in that window, or at most `LOOKBACK` before it and run into it.
For shifts up to 12 h the real-time slice (`PlantData.slice_for`: the record's pay week and a day
either side) holds all of those (the window starts at most 24 h before the record and ends less than
24 h after it), so batch and real time give the same timeline for the same record.

    timeline = build_timeline(data, norms, "E1", "time-clock-entries:E1-tce-3")
    finding.evidence["timeline"] = timeline.to_json()    # None: record not found for that employee
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from operator import attrgetter
from typing import Any, TypeVar

from plexlabor.validation.data import PlantData
from plexlabor.validation.norms import MIN_HISTORY, EmployeeNorms, Norm, Norms, employee_norms
from plexlabor.validation.records import Scheduled, WcEvent
from plexlabor.validation.shifts import MATCH_AFTER_END, MATCH_BEFORE_START, belonging_shift

EVIDENCE_KEY = "timeline"
"""Where the timeline travels in a finding's evidence."""
VERSION = 1
LANE_LIMIT = 50
"""At most this many items per lane: the ones nearest the record in time."""
PAD = 4 * 3600.0  # the window: schedule start - 4 h to end + 4 h
UNSCHEDULED_PAD = 3600.0  # without a schedule: the day's punches, an hour either side
LOOKBACK = 4 * 3600.0  # an item that began up to 4 h before the window and runs into it still shows
MAX_WINDOW = 24 * 3600.0  # a window never spans more than this (a schedule keyed wrong, a punch left open)
MIN_BREAK = 60.0  # a gap between punches shorter than this is a re-punch, not a break
LANES = ("punches", "breaks", "swipes", "sessions", "runs", "labor")

RECORD_LANES = {"time-clock-entries": "punches", "labor-entries": "labor", "badge-swipes": "swipes"}
"""The kinds of record a timeline is built for, and the lane each is drawn in."""

Item = tuple[float, dict[str, Any]]  # (sort time, JSON entry)
T = TypeVar("T")


@dataclass(frozen=True)
class DayTimeline:
    """One employee's day: the schedule, each lane's entries (plant-local ISO times), the norm band."""

    employee: str
    day: date
    zone: str
    start: str
    end: str
    record_key: str
    record_lane: str | None
    record_index: int | None
    shift: dict[str, str] | None
    norm: dict[str, dict[str, Any]] | None
    lanes: dict[str, list[dict[str, Any]]]
    dropped: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The timeline as it travels in a finding's evidence (`EVIDENCE_KEY`)."""
        out: dict[str, Any] = {
            "v": VERSION,
            "day": self.day.isoformat(),
            "zone": self.zone,
            "window": [self.start, self.end],
            "record": {"key": self.record_key, "lane": self.record_lane, "index": self.record_index},
            "shift": self.shift,
            "norm": self.norm,
            **self.lanes,
        }
        if self.dropped:
            out["dropped"] = self.dropped
        return out


@dataclass(frozen=True)
class _Day:
    day: date
    start: float
    end: float
    shift: Scheduled | None


def build_timeline(data: PlantData, norms: Norms, employee: str, record_key: str) -> DayTimeline | None:
    """The day of `employee`'s record `record_key` (a time-clock entry, labor entry or badge swipe);
    None when the employee has no such record in `data`."""
    at = data.record_time(employee, record_key)
    if at is None:
        return None
    window = _window(data, employee, at)
    clock = _Clock(data)
    lanes = _lanes(data, employee, window, clock)
    kept: dict[str, list[dict[str, Any]]] = {}
    dropped: dict[str, int] = {}
    for name in LANES:
        items, cut = _bounded(lanes[name], at)
        kept[name] = [entry for _, entry in items]
        if cut:
            dropped[name] = cut
    record_lane = RECORD_LANES[record_key.split(":", 1)[0]]
    record_id = record_key.split(":", 1)[1]
    record_index = next((i for i, entry in enumerate(kept[record_lane]) if entry["id"] == record_id), None)
    own = employee_norms(data, norms, employee)
    shift = window.shift
    return DayTimeline(
        employee=employee,
        day=window.day,
        zone=data.tz.key,
        start=clock.at(window.start),
        end=clock.at(window.end),
        record_key=record_key,
        record_lane=record_lane if record_index is not None else None,
        record_index=record_index,
        shift=None if shift is None else {"start": clock.at(shift.start), "end": clock.at(shift.end)},
        norm=None if shift is None else _norm_band(own, shift, clock),
        lanes=kept,
        dropped=dropped,
    )


# ---- the day ------------------------------------------------------------------------------------
def shift_for(data: PlantData, employee: str, t: float) -> Scheduled | None:
    """The working shift a moment belongs to, as `shifts.employee_days` matches punches (`belonging_shift`).

    Only the shifts that can hold `t` are looked at (the schedule is in start order): none starting more
    than `MATCH_BEFORE_START` after it, none starting so early that even the person's longest shift ended
    `MATCH_AFTER_END` before it (a second's slack either way for rounding)."""
    schedule = data.schedules.get(employee, ())
    longest: dict[str, float] = data.memo.setdefault("timeline.longest", {})
    if employee not in longest:
        longest[employee] = max((s.end - s.start for s in schedule if s.working), default=0.0)
    low = bisect_left(schedule, t - MATCH_AFTER_END - max(longest[employee], 0.0) - 1.0, key=_START)  # 1 s slack
    high = bisect_right(schedule, t + MATCH_BEFORE_START + 1.0, key=_START)
    return belonging_shift((s for s in schedule[low:high] if s.working), t)


def _window(data: PlantData, employee: str, at: float) -> _Day:
    shift = shift_for(data, employee, at)
    if shift is not None:
        start = shift.start - PAD
        return _Day(data.local_date(shift.start), start, min(shift.end + PAD, start + MAX_WINDOW), shift)
    day = data.local_date(at)
    low, high = at, at
    for punch in data.punches.get(employee, ()):
        if data.local_date(punch.t_in) == day:
            low = min(low, punch.t_in)
            high = max(high, punch.t_in, punch.t_out or punch.t_in)
    start = low - UNSCHEDULED_PAD
    return _Day(day, start, min(high + UNSCHEDULED_PAD, start + MAX_WINDOW), None)


# ---- the lanes ----------------------------------------------------------------------------------
def _lanes(data: PlantData, employee: str, window: _Day, clock: _Clock) -> dict[str, list[Item]]:
    low, high = window.start - LOOKBACK, window.end

    def shows(start: float, end: float | None) -> bool:
        """Starts in the window, or at most LOOKBACK before it and still runs (or is open) at its start."""
        return low <= start < high and (start >= window.start or end is None or end > window.start)

    at, maybe = clock.at, clock.maybe
    # PlantData keeps every kind of record in time order: only those starting in [low, high) are read
    punches = [p for p in _starting(data.punches.get(employee, []), _T_IN, low, high) if shows(p.t_in, p.t_out)]
    sessions = [s for s in _starting(data.sessions.get(employee, []), _START, low, high) if shows(s.start, s.end)]
    code = data.workcenter_code
    runs = [
        (
            start.t,
            {"id": start.id, "workcenter": wc, "workcenter_code": code(wc), "start": at(start.t), "end": maybe(stop)},
        )
        for wc in sorted({s.workcenter for s in sessions})  # the machines the employee was logged into
        for start, stop in _starting(data.runs.get(wc, []), _run_start, low, high)
        if shows(start.t, stop)
    ]
    day_punches = sorted((p.t_in, p.t_out) for p in punches if window.start <= p.t_in < window.end)
    return {
        "punches": [(p.t_in, {"id": p.id, "in": at(p.t_in), "out": maybe(p.t_out)}) for p in punches],
        "breaks": [(t, {"start": at(t), "end": at(end)}) for t, end in breaks(day_punches)],
        "swipes": [
            (s.t, {"id": s.id, "at": at(s.t), "direction": s.direction, "building": s.building})
            for s in _starting(data.swipes.get(employee, []), _T, window.start, high)  # a moment: in the window
        ],
        "sessions": [
            (
                s.start,
                {
                    "workcenter": s.workcenter,
                    "workcenter_code": code(s.workcenter),
                    "login": at(s.start),
                    "logout": maybe(s.end),
                },
            )
            for s in sessions
        ],
        "runs": sorted(runs, key=lambda item: (item[0], item[1]["workcenter"])),
        "labor": [
            (
                e.start,
                {
                    "id": e.id,
                    "workcenter": e.workcenter,
                    "workcenter_code": code(e.workcenter),
                    "job_no": data.job_number(e.job_operation),
                    "operation_code": data.operation_code(e.job_operation),
                    "start": at(e.start),
                    "end": maybe(e.end),
                    "quantity": e.quantity,
                },
            )
            for e in _starting(data.labor.get(employee, []), _START, low, high)
            if shows(e.start, e.end)
        ],
    }


def _starting(items: Sequence[T], key: Callable[[T], float], low: float, high: float) -> Sequence[T]:
    """The items of a time-sorted list whose time lies in [low, high)."""
    return items[bisect_left(items, low, key=key) : bisect_left(items, high, key=key)]


_T_IN = attrgetter("t_in")
_T = attrgetter("t")
_START = attrgetter("start")


def _run_start(run: tuple[WcEvent, float | None]) -> float:
    return run[0].t


def breaks(entries: Iterable[tuple[float, float | None]]) -> list[tuple[float, float]]:
    """Gaps between punches (clock-in, clock-out) in clock-in order: from the latest clock-out so far
    to the next clock-in, when at least MIN_BREAK.

    Model records carry no break entries, so a break is what the punches leave out; after an open
    entry (no clock-out) the next gap is unknown. Repeats and overlaps leave no gap.
    """
    found: list[tuple[float, float]] = []
    latest: float | None = None
    for t_in, t_out in entries:
        if latest is not None and t_in - latest >= MIN_BREAK:
            found.append((latest, t_in))
        if t_out is None:
            latest = None
        elif latest is None or t_out > latest:
            latest = max(t_out, t_in)
    return found


def _bounded(items: list[Item], at: float) -> tuple[list[Item], int]:
    """At most LANE_LIMIT items, the ones nearest `at` (so the record stays), back in time order."""
    ordered = sorted(items, key=lambda item: item[0])
    if len(ordered) <= LANE_LIMIT:
        return ordered, 0
    nearest = sorted(range(len(ordered)), key=lambda i: (abs(ordered[i][0] - at), i))[:LANE_LIMIT]
    return [ordered[i] for i in sorted(nearest)], len(ordered) - LANE_LIMIT


def _norm_band(norms: EmployeeNorms, shift: Scheduled, clock: _Clock) -> dict[str, Any] | None:
    """The usual clock-in and clock-out (median ± spread of the offsets the norms hold), as times that day.

    `shifts` is how many of the person's own shifts the norm rests on; `basis` says whose habit it is:
    `own`, `blended` (fewer than MIN_HISTORY shifts, leaning on the department's) or `department`.
    """
    band = {
        name: _band(norm, anchor, clock)
        for name, norm, anchor in (("in", norms.start, shift.start), ("out", norms.end, shift.end))
        if norm is not None
    }
    return band or None


def _band(norm: Norm, anchor: float, clock: _Clock) -> dict[str, Any]:
    return {
        "usual": clock.at(anchor + norm.median * 60),
        "from": clock.at(anchor + (norm.median - norm.sigma) * 60),
        "to": clock.at(anchor + (norm.median + norm.sigma) * 60),
        "median_min": round(norm.median, 1),
        "spread_min": round(norm.sigma, 1),
        "shifts": norm.count,
        "basis": "own" if norm.count >= MIN_HISTORY else "blended" if norm.count else "department",
    }


QUARTER = 900  # seconds: every zone's offset today is a whole number of quarter hours


class _Clock:
    """Epoch seconds as plant-local ISO times with their offset, to the second.

    A batch writes some 115,000 of them (the timelines of its review findings), so each quarter hour of UTC is
    turned into local text once (kept in `data.memo`) and a time in it is that text with its minute and second
    written in; a quarter whose offset changes, or does not fall on a local quarter hour, goes through
    `datetime.isoformat` each time, as every time did before (`tests/unit/validation/test_timeline_clock.py`)."""

    def __init__(self, data: PlantData) -> None:
        self.zone = data.tz
        self._quarters: dict[int, tuple[str, int, str] | None] = data.memo.setdefault("timeline.quarters", {})

    def at(self, t: float) -> str:
        second = round(t)
        quarter, into = divmod(second, QUARTER)
        parts = self._quarters.get(quarter, _UNKNOWN)
        if parts is _UNKNOWN:
            parts = self._quarters[quarter] = _quarter_text(quarter, self.zone)
        if parts is None:
            return datetime.fromtimestamp(second, self.zone).isoformat()
        head, minute, offset = parts
        return f"{head}{minute + into // 60:02d}:{into % 60:02d}{offset}"

    def maybe(self, t: float | None) -> str | None:
        return None if t is None else self.at(t)


def _quarter_text(quarter: int, zone: tzinfo) -> tuple[str, int, str] | None:
    """A quarter hour of UTC as local text: up to its minute ("2026-03-08T01:"), its first minute, and its
    offset ("-06:00"); None when its start and end differ in offset or it does not start on a local quarter."""
    start = datetime.fromtimestamp(quarter * QUARTER, zone)
    end = datetime.fromtimestamp((quarter + 1) * QUARTER, zone)
    if start.utcoffset() != end.utcoffset() or start.minute % 15 or start.second:
        return None
    text = start.isoformat()  # YYYY-MM-DDTHH:MM:SS+HH:MM
    return text[:14], start.minute, text[19:]


_UNKNOWN: Any = object()
