"""A finding's day (`evidence["timeline"]`, built with the finding by `plexlabor.validation.timeline`),
shaped for the item page: lanes of bars placed by percentage across the day's window, hour ticks, the
employee's usual clock-in / clock-out drawn behind the punches, the finding's record marked, and the
same events as rows for the list under the picture. Workcenters and jobs by their codes (kept in the
timeline beside the Plex ids; an older timeline's id shows as "workcenter"). Nothing here reads the
plant or recomputes: a timeline that is missing or not understood gives None and the page shows the
evidence without it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from plexlabor.approval.display import looks_like_id

TIMELINE_KEY = "timeline"
"""Where a finding's evidence carries its day (the same key as `plexlabor.validation.timeline`)."""
VERSION = 1
WIDE = 9.0
"""A bar at least this wide (% of the window) shows its times; a narrower one keeps them for screen readers."""


@dataclass(frozen=True)
class Bar:
    """One event on a lane: `left` and `width` in % of the window (a moment has width 0)."""

    left: float
    width: float
    label: str  # the full text: every bar has one
    short: str = ""  # shown inside a wide bar
    record: bool = False  # the record the finding is about
    open: bool = False  # no end recorded: drawn to the window's end
    point: bool = False  # a moment (a badge swipe)

    @property
    def shows_text(self) -> bool:
        return bool(self.short) and self.width >= WIDE


@dataclass(frozen=True)
class Row:
    """One event in the list under the picture."""

    what: str
    start: str
    end: str
    record: bool = False


@dataclass(frozen=True)
class Lane:
    kind: str
    label: str
    bars: list[Bar]
    rows: list[Row]
    bands: list[Bar] = field(default_factory=list)  # drawn behind the bars: the usual clock-in / clock-out


@dataclass(frozen=True)
class Tick:
    left: float
    label: str


@dataclass(frozen=True)
class TimelineView:
    title: str
    ticks: list[Tick]
    lanes: list[Lane]
    record_shown: bool


class _Window:
    """Positions and labels within the day's window."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        start, end = (_moment(text) for text in raw["window"])
        if end <= start:
            raise ValueError("empty window")
        self.start, self.end = start, end
        self.day = date.fromisoformat(raw["day"])
        self.zone = _zone(raw.get("zone"), start.tzinfo)
        self.span = (end - start).total_seconds()

    def left(self, moment: datetime) -> float:
        return round(min(100.0, max(0.0, (moment - self.start).total_seconds() / self.span * 100)), 2)

    def bar(
        self,
        start: datetime,
        end: datetime | None,
        label: str,
        short: str = "",
        record: bool = False,
        point: bool = False,
    ) -> Bar:
        left = self.left(start)
        right = 100.0 if end is None else self.left(end)
        width = 0.0 if point else round(max(0.0, right - left), 2)
        return Bar(left, width, label, short, record=record, open=end is None and not point, point=point)

    def clock(self, moment: datetime | None) -> str:
        """`06:30` on the day, `Wed 03:00` on another; an em dash for no time."""
        if moment is None:
            return "—"
        local = moment.astimezone(self.zone)
        return local.strftime("%H:%M") if local.date() == self.day else local.strftime("%a %H:%M")

    def ticks(self) -> list[Tick]:
        hours = self.span / 3600
        step = 1 if hours <= 12 else 2 if hours <= 24 else 3
        local = self.start.astimezone(self.zone)
        first = local.replace(minute=0, second=0, microsecond=0)
        moment = first if first == local else first + timedelta(hours=1)
        out = []
        while moment < self.end:  # none at the very end: its label would hang past the track
            out.append(Tick(self.left(moment), moment.astimezone(self.zone).strftime("%H:%M")))
            moment += timedelta(hours=step)
        return out


def shape_timeline(raw: Any) -> TimelineView | None:
    """The page's view of a finding's day; None when there is none or it is not one this page reads."""
    if not isinstance(raw, Mapping) or raw.get("v") != VERSION:
        return None
    try:
        return _shape(raw)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _shape(raw: Mapping[str, Any]) -> TimelineView:
    window = _Window(raw)
    record = raw.get("record") or {}
    lanes = [_schedule(raw, window), *(_lane(raw, window, kind, record) for kind in LANES)]
    title = (
        f"{window.day:%a %Y-%m-%d}, {window.clock(window.start)} to {window.clock(window.end)} "
        f"({window.zone.tzname(window.start) or raw.get('zone', '')})"
    )
    return TimelineView(title, window.ticks(), lanes, any(b.record for lane in lanes for b in lane.bars))


# ---- lanes --------------------------------------------------------------------------------------
def _schedule(raw: Mapping[str, Any], window: _Window) -> Lane:
    shift = raw.get("shift")
    if not shift:
        return Lane("schedule", "Schedule", [], [Row("No shift scheduled", "", "")])
    start, end = _moment(shift["start"]), _moment(shift["end"])
    span = f"{window.clock(start)}–{window.clock(end)}"
    label = f"Scheduled shift {span}"
    return Lane("schedule", "Schedule", [window.bar(start, end, label, span)], [_row(window, label, start, end)])


def _punch(entry: Mapping[str, Any], w: _Window) -> tuple[datetime, datetime | None, str, str]:
    start, end = _moment(entry["in"]), _maybe(entry.get("out"))
    out = f"out {w.clock(end)}" if end else "no clock-out"
    return start, end, f"Clock-in {w.clock(start)}, {out}", f"{w.clock(start)}–{w.clock(end) if end else '?'}"


def _break(entry: Mapping[str, Any], w: _Window) -> tuple[datetime, datetime | None, str, str]:
    start, end = _moment(entry["start"]), _moment(entry["end"])
    minutes = round((end - start).total_seconds() / 60)
    return start, end, f"Break {w.clock(start)}–{w.clock(end)} ({minutes} min)", f"{minutes} min"


def _swipe(entry: Mapping[str, Any], w: _Window) -> tuple[datetime, datetime | None, str, str]:
    at = _moment(entry["at"])
    where = f" at {entry['building']}" if entry.get("building") else ""
    return at, at, f"Badge {str(entry.get('direction', '')).lower()} {w.clock(at)}{where}", ""


def _place(entry: Mapping[str, Any]) -> str:
    """The workcenter by its code; a timeline built before codes were kept says "workcenter" rather
    than show a Plex id."""
    code = entry.get("workcenter_code") or entry.get("workcenter")
    return "workcenter" if not code or looks_like_id(code) else str(code)


def _job(entry: Mapping[str, Any]) -> str:
    """The labor entry's job operation, e.g. " on job 4711 op 20", when its job number is known."""
    job, operation = entry.get("job_no"), entry.get("operation_code")
    if not job:
        return ""
    return f" on job {job}" + (f" op {operation}" if operation else "")


def _session(entry: Mapping[str, Any], w: _Window) -> tuple[datetime, datetime | None, str, str]:
    start, end = _moment(entry["login"]), _maybe(entry.get("logout"))
    out = f"logout {w.clock(end)}" if end else "no logout"
    place = _place(entry)
    return start, end, f"{place} login {w.clock(start)}, {out}", place


def _run(entry: Mapping[str, Any], w: _Window) -> tuple[datetime, datetime | None, str, str]:
    start, end = _moment(entry["start"]), _maybe(entry.get("end"))
    until = f"until {w.clock(end)}" if end else "still running"
    place = _place(entry)
    return start, end, f"{place} running from {w.clock(start)} {until}", place


def _labor(entry: Mapping[str, Any], w: _Window) -> tuple[datetime, datetime | None, str, str]:
    start, end = _moment(entry["start"]), _maybe(entry.get("end"))
    quantity = entry.get("quantity")
    pieces = f", {quantity:g} pieces" if isinstance(quantity, int | float) else ""
    span = f"{w.clock(start)}–{w.clock(end) if end else 'open'}"
    place = _place(entry)
    return start, end, f"Labor at {place}{_job(entry)} {span}{pieces}", place


Describe = Callable[[Mapping[str, Any], _Window], tuple[datetime, datetime | None, str, str]]
LANES: dict[str, tuple[str, Describe]] = {
    "punches": ("Punches", _punch),
    "breaks": ("Breaks", _break),
    "swipes": ("Badge swipes", _swipe),
    "sessions": ("Workcenter sessions", _session),
    "runs": ("Machine runs", _run),
    "labor": ("Labor entries", _labor),
}
"""The lanes under the schedule, top to bottom: the timeline's key, the lane's name, what an entry says."""
RECORD = " (this finding's record)"


def _lane(raw: Mapping[str, Any], window: _Window, kind: str, record: Mapping[str, Any]) -> Lane:
    label, describe = LANES[kind]
    bands = _bands(raw.get("norm"), window) if kind == "punches" else []
    bars, rows = [], [row for _, row in bands]
    for index, entry in enumerate(raw.get(kind) or ()):
        start, end, text, short = describe(entry, window)
        mine = record.get("lane") == kind and record.get("index") == index
        text += RECORD if mine else ""
        point = kind == "swipes"
        bars.append(window.bar(start, end, text, short, record=mine, point=point))
        rows.append(_row(window, text, start, None if point else end, mine, point))
    dropped = int((raw.get("dropped") or {}).get(kind, 0))
    if dropped:
        rows.append(Row(f"{dropped} more not kept with the finding (the nearest to its record are)", "", ""))
    if not rows:
        rows.append(Row("None recorded", "", ""))
    return Lane(kind, label, bars, rows, [band for band, _ in bands])


def _row(
    window: _Window, text: str, start: datetime, end: datetime | None, record: bool = False, point: bool = False
) -> Row:
    return Row(text, window.clock(start), "" if point else window.clock(end) if end else "open", record)


def _bands(norm: Any, window: _Window) -> list[tuple[Bar, Row]]:
    """The usual clock-in and clock-out: median ± spread, from the person's shifts or the department's."""
    bands = []
    for name, what in (("in", "clock-in"), ("out", "clock-out")):
        band = (norm or {}).get(name)
        if not band:
            continue
        low, high, usual = _moment(band["from"]), _moment(band["to"]), _moment(band["usual"])
        shifts = int(band.get("shifts") or 0)
        basis = {
            "own": f"their habit over {shifts} shifts",
            "blended": f"{shifts} of their shifts, leaning on the department's habit",
        }.get(str(band.get("basis")), "the department's habit: no history of their own")
        spread = band.get("spread_min")
        plus_minus = f" ± {spread:g} min" if isinstance(spread, int | float) else ""
        text = f"Usual {what} {window.clock(usual)}{plus_minus} ({basis})"
        bands.append((window.bar(low, high, text), _row(window, text, low, high)))
    return bands


# ---- times --------------------------------------------------------------------------------------
def _moment(text: Any) -> datetime:
    moment = datetime.fromisoformat(str(text))
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no offset")
    return moment


def _maybe(text: Any) -> datetime | None:
    return None if text is None else _moment(text)


def _zone(name: Any, fallback: tzinfo | None) -> tzinfo:
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        if fallback is None:
            raise ValueError("no zone") from None
        return fallback
