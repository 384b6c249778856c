"""The preliminary data assessment a pilot starts with: is this plant's labor data good enough to validate?

`assess` reads a window of a plant's data through the labor-data port (a plant folder, or Plex itself)
and counts what the validation engine will depend on: punches and how many are open or edited by
hand, scheduled shifts with no punch, duplicate-looking punches, how well workcenter logins and badge
swipes cover the shifts, labor entries without an end, how much history each employee has (8 weeks
make solid personal norms) and certifications that lapsed or are about to. It ends with a short readiness verdict and
its reasons. `plexlabor assess` (plexlabor_dev.commands.assess) prints it.

Definitions (all on the window `[since, until)`, plant local time for dates):

- a *scheduled shift* is a shift assignment with status Scheduled, starting in the window and ended
  by the extract (`as_of`); it is *worked* when the employee has a time-clock entry with clock-in in
  `[start − 4 h, end]`;
- *direct-labor* shifts are worked shifts of employees with a home workcenter; one is covered when the
  employee logged in at a workcenter in `[start − 1 h, end]`;
- badge coverage: worked shifts with an `In` badge swipe of the employee in `[start − 2 h, end]`;
- *duplicate-looking*: a second entry of one employee with the same clock-in minute (extra copies);
- *edited by hand*: source `Manual`, or `modifiedBy` set;
- history depth: calendar days from an employee's first clock-in in the window to the window's last
  day, inclusive (employees with punches only); under 56 days (8 weeks) personal norms rest on few
  shifts (the engine blends in department norms for people with fewer than 8 shifts);
- certifications: the latest certification of each (employee, skill); expired before the extract's
  date, or expiring within 30 days of it.
"""

from __future__ import annotations

import itertools
import statistics
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from plexlabor.models import (
    BadgeSwipe,
    Certification,
    Employee,
    LaborEntry,
    ShiftAssignment,
    TimeClockEntry,
    WorkcenterEvent,
)
from plexlabor.plant import PlantFolder

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
MIN_HISTORY_DAYS = 56
"""Eight weeks: below this an employee's personal norms are thin and lean on role defaults."""
DEFAULT_LOOKBACK_DAYS = 91
"""Window assessed on a Plex tenant when no `since` is given (13 weeks: enough to judge 8-week norms)."""
CHUNK_DAYS = 7
"""Windowed resources are read a week at a time, so the progress line moves on long Plex reads."""
EXPIRING_DAYS = 30

# Readiness thresholds: below them the verdict lists a gap (never a blocker).
MIN_WORKCENTER_COVERAGE = 0.8
MIN_BADGE_COVERAGE = 0.8
MAX_EDITED_SHARE = 0.05
MAX_STALE_OPEN_SHARE = 0.01

Readiness = Literal["ready", "ready with gaps", "not ready"]
T = TypeVar("T")


class AssessmentReport(BaseModel):
    """What `plexlabor assess` prints (as a report, or as this model's JSON)."""

    model_config = ConfigDict(frozen=True)

    source: str
    timezone: str
    window_start: datetime
    window_end: datetime
    as_of: datetime

    employees: int
    employees_with_punches: int

    time_clock_entries: int
    open_entries: int
    open_entries_older_than_24h: int
    edited_entries: int
    edited_share: float | None
    duplicate_looking_entries: int

    scheduled_shifts: int
    worked_shifts: int
    shifts_without_entry: int

    direct_labor_shifts: int
    direct_labor_shifts_with_login: int
    workcenter_coverage: float | None
    worked_shifts_with_badge_in: int
    badge_coverage: float | None

    labor_entries: int
    labor_entries_without_end: int

    history_days_median: float | None
    history_days_min: int | None
    employees_short_history: int
    """Employees with punches and fewer than 56 days of history: their personal norms rest on few shifts."""

    certifications_expired: int
    certifications_expiring_30d: int

    readiness: Readiness
    reasons: list[str]


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _chunks(begin: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    pieces, lower = [], begin
    while lower < end:
        upper = min(lower + CHUNK_DAYS * DAY, end)
        pieces.append((lower, upper))
        lower = upper
    return pieces


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _window_bound(value: date | datetime, tz: ZoneInfo, *, end: bool) -> datetime:
    """A datetime is taken as is (naive = UTC); a date is a local day (`end`: the day is included)."""
    if isinstance(value, datetime):
        return _as_utc(value)
    day = value + timedelta(days=1) if end else value
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def assess(
    source: Any,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    *,
    timezone: str | None = None,
    as_of: datetime | None = None,
    on_step: Callable[[str], None] | None = None,
) -> AssessmentReport:
    """Assess a plant folder (`PlantFolder`, or the `PlantFolderSource` given, e.g. one that skips bad
    records) or any `LaborDataPort` (e.g. `PlexLaborClient`).

    For a plant folder the time zone, the extract time and the default window come from plant.json.
    For a port they come from the arguments, else the buildings' time zone (UTC if none), the current
    time, and the last `DEFAULT_LOOKBACK_DAYS` days. `on_step` is told each step as it ends ("badge swipes
    from 2026-11-03 (7/23)"), for a progress display.
    """
    name = "port"
    default_since: datetime | None = None
    from plexlabor.plex.folder import PlantFolderSource

    if isinstance(source, PlantFolder):
        source = PlantFolderSource(source)
    if isinstance(source, PlantFolderSource):
        meta = source.plant.meta()
        name = f"plant folder {source.plant.path}"
        timezone = timezone or meta.timezone
        as_of = as_of or meta.end
        default_since = meta.start
    elif hasattr(source, "settings") and hasattr(source.settings, "base_url"):
        name = f"Plex {source.settings.base_url}"
    if timezone is None:
        zones = Counter(b.timezone for b in source.buildings() if b.timezone)
        timezone = zones.most_common(1)[0][0] if zones else "UTC"
    tz = ZoneInfo(timezone)
    as_of = _as_utc(as_of) if as_of is not None else datetime.now(UTC)
    end = _window_bound(until, tz, end=True) if until is not None else as_of
    begin = (
        _window_bound(since, tz, end=False) if since is not None else default_since or end - DEFAULT_LOOKBACK_DAYS * DAY
    )
    if begin >= end:
        raise ValueError(f"empty window: since {begin.isoformat()} is not before until {end.isoformat()}")

    wide = _chunks(begin - DAY, end + DAY)
    narrow = _chunks(begin, end)
    total = 3 + 2 * len(wide) + 3 * len(narrow) + 1
    steps = itertools.count(1)

    def step(label: str) -> None:
        if on_step is not None:
            on_step(f"{label} ({next(steps)}/{total})")

    def read(
        label: str, fetch: Callable[[datetime, datetime], list[T]], pieces: list[tuple[datetime, datetime]]
    ) -> list[T]:
        rows: list[T] = []
        for lower, upper in pieces:
            rows.extend(fetch(lower, upper))
            step(f"{label} from {lower.astimezone(tz):%Y-%m-%d}")
        return rows

    employees: list[Employee] = source.employees()
    step("employees")
    certifications: list[Certification] = source.certifications()
    step("certifications")
    entries: list[TimeClockEntry] = read("time-clock entries", source.time_clock_entries, wide)
    assignments: list[ShiftAssignment] = read("shift assignments", source.shift_assignments, wide)
    events: list[WorkcenterEvent] = read("workcenter events", source.workcenter_events, narrow)
    swipes: list[BadgeSwipe] = read("badge swipes", source.badge_swipes, narrow)
    labor: list[LaborEntry] = read("labor entries", source.labor_entries, narrow)
    step("read")
    report = _analyse(
        name=name,
        tz=tz,
        begin=begin,
        end=end,
        as_of=as_of,
        employees=employees,
        certifications=certifications,
        entries=entries,
        assignments=assignments,
        events=events,
        swipes=swipes,
        labor=labor,
    )
    step("done")
    return report


def _any_between(times: Sequence[datetime], lower: datetime, upper: datetime) -> bool:
    """True if any of the sorted `times` is in [lower, upper]."""
    return bisect_right(times, upper) > bisect_left(times, lower)


def _analyse(
    *,
    name: str,
    tz: ZoneInfo,
    begin: datetime,
    end: datetime,
    as_of: datetime,
    employees: list[Employee],
    certifications: list[Certification],
    entries: list[TimeClockEntry],
    assignments: list[ShiftAssignment],
    events: list[WorkcenterEvent],
    swipes: list[BadgeSwipe],
    labor: list[LaborEntry],
) -> AssessmentReport:
    in_window = [e for e in entries if begin <= e.clockin_time < end]
    stale = as_of - 24 * HOUR
    open_entries = [e for e in in_window if e.clockout_time is None]
    edited = [e for e in in_window if e.source == "Manual" or e.modified_by]

    minute_groups = Counter((e.employee_id, e.clockin_time.replace(second=0, microsecond=0)) for e in in_window)
    duplicates = sum(count - 1 for count in minute_groups.values() if count > 1)

    # Per-employee sorted times, for "is there one in this interval" lookups.
    clockins: dict[str, list[datetime]] = defaultdict(list)
    for entry in entries:
        clockins[entry.employee_id].append(entry.clockin_time)
    logins: dict[str, list[datetime]] = defaultdict(list)
    for event in events:
        if event.event_type == "OperatorLogin" and event.employee_id:
            logins[event.employee_id].append(event.event_time)
    badge_ins: dict[str, list[datetime]] = defaultdict(list)
    for swipe in swipes:
        if swipe.direction == "In":
            badge_ins[swipe.employee_id].append(swipe.swipe_time)
    for index in (clockins, logins, badge_ins):
        for times in index.values():
            times.sort()

    direct = {e.id for e in employees if e.home_workcenter_id}
    scheduled = [
        a
        for a in assignments
        if a.status == "Scheduled" and begin <= a.scheduled_start < end and a.scheduled_end <= as_of
    ]
    worked = [
        a
        for a in scheduled
        if _any_between(clockins.get(a.employee_id, []), a.scheduled_start - 4 * HOUR, a.scheduled_end)
    ]
    direct_worked = [a for a in worked if a.employee_id in direct]
    with_login = [
        a
        for a in direct_worked
        if _any_between(logins.get(a.employee_id, []), a.scheduled_start - HOUR, a.scheduled_end)
    ]
    with_badge = [
        a
        for a in worked
        if _any_between(badge_ins.get(a.employee_id, []), a.scheduled_start - 2 * HOUR, a.scheduled_end)
    ]

    labor_in_window = [entry for entry in labor if begin <= entry.start_time < end]
    labor_open = [entry for entry in labor_in_window if entry.end_time is None]

    last_day = (end - timedelta(microseconds=1)).astimezone(tz).date()
    first_day: dict[str, date] = {}
    for entry in in_window:
        day = entry.clockin_time.astimezone(tz).date()
        if entry.employee_id not in first_day or day < first_day[entry.employee_id]:
            first_day[entry.employee_id] = day
    depths = [(last_day - day).days + 1 for day in first_day.values()]
    short = sum(1 for depth in depths if depth < MIN_HISTORY_DAYS)

    today = as_of.astimezone(tz).date()
    latest: dict[tuple[str, str], Certification] = {}
    for cert in certifications:
        key = (cert.employee_id, cert.skill_id)
        if key not in latest or (cert.issued_date, cert.id) > (latest[key].issued_date, latest[key].id):
            latest[key] = cert
    expired = sum(1 for c in latest.values() if c.expires_date is not None and c.expires_date < today)
    expiring = sum(
        1
        for c in latest.values()
        if c.expires_date is not None and today <= c.expires_date <= today + timedelta(days=EXPIRING_DAYS)
    )

    stale_open = sum(1 for e in open_entries if e.clockin_time < stale)
    facts: dict[str, Any] = {
        "source": name,
        "timezone": tz.key,
        "window_start": begin,
        "window_end": end,
        "as_of": as_of,
        "employees": len(employees),
        "employees_with_punches": len(first_day),
        "time_clock_entries": len(in_window),
        "open_entries": len(open_entries),
        "open_entries_older_than_24h": stale_open,
        "edited_entries": len(edited),
        "edited_share": _share(len(edited), len(in_window)),
        "duplicate_looking_entries": duplicates,
        "scheduled_shifts": len(scheduled),
        "worked_shifts": len(worked),
        "shifts_without_entry": len(scheduled) - len(worked),
        "direct_labor_shifts": len(direct_worked),
        "direct_labor_shifts_with_login": len(with_login),
        "workcenter_coverage": _share(len(with_login), len(direct_worked)),
        "worked_shifts_with_badge_in": len(with_badge),
        "badge_coverage": _share(len(with_badge), len(worked)),
        "labor_entries": len(labor_in_window),
        "labor_entries_without_end": len(labor_open),
        "history_days_median": float(statistics.median(depths)) if depths else None,
        "history_days_min": min(depths) if depths else None,
        "employees_short_history": short,
        "certifications_expired": expired,
        "certifications_expiring_30d": expiring,
    }
    readiness, reasons = _verdict(facts)
    return AssessmentReport(**facts, readiness=readiness, reasons=reasons)


def _verdict(f: dict[str, Any]) -> tuple[Readiness, list[str]]:
    """Blockers make the plant "not ready"; gaps leave it "ready with gaps"; each comes with a reason."""
    blockers: list[str] = []
    gaps: list[str] = []
    if f["time_clock_entries"] == 0:
        blockers.append("no time-clock entries in the window: nothing to validate")
    if f["scheduled_shifts"] == 0:
        blockers.append("no scheduled shifts: early/late, missed-punch and overtime checks need schedules")
    if f["employees_short_history"]:
        gaps.append(
            f"{f['employees_short_history']} of {f['employees_with_punches']} employees have under 8 weeks "
            "of history: their personal norms rest on few shifts (under 8 shifts the engine blends in "
            "department norms)"
        )
    coverage = f["workcenter_coverage"]
    if coverage is not None and coverage < MIN_WORKCENTER_COVERAGE:
        gaps.append(
            f"workcenter logins on only {coverage:.0%} of direct-labor shifts: machine-login, "
            "unattended-machine and active-job checks will miss cases"
        )
    if f["direct_labor_shifts"] and coverage == 0:
        blockers.append("no workcenter events at all: connect the workcenter event data source")
    badge = f["badge_coverage"]
    if badge is not None and badge < MIN_BADGE_COVERAGE:
        gaps.append(f"badge-ins on only {badge:.0%} of worked shifts: buddy-punch and missed-punch evidence is weaker")
    edited = f["edited_share"]
    if edited is not None and edited > MAX_EDITED_SHARE:
        gaps.append(f"{edited:.1%} of entries were edited by hand: review the edit practice with supervisors")
    entries = f["time_clock_entries"]
    if entries and f["open_entries_older_than_24h"] / entries > MAX_STALE_OPEN_SHARE:
        gaps.append(f"{f['open_entries_older_than_24h']} entries open for more than 24 h: many missed punches to clear")
    if f["labor_entries"] == 0:
        gaps.append("no labor entries: improbable-duration, job-code and certification checks are off")
    if f["certifications_expired"]:
        gaps.append(f"{f['certifications_expired']} certifications expired: expect uncertified-operator findings")
    if blockers:
        return "not ready", blockers + gaps
    if gaps:
        return "ready with gaps", gaps
    return "ready", ["punches, schedules, workcenter events and badge swipes are complete enough"]


def format_report(report: AssessmentReport) -> str:
    """A readable report, one fact per line."""
    tz = ZoneInfo(report.timezone)

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1%}"

    def day(value: datetime) -> str:
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")

    median = "n/a" if report.history_days_median is None else f"{report.history_days_median:g}"
    minimum = "n/a" if report.history_days_min is None else str(report.history_days_min)
    lines = [
        f"Data assessment of {report.source}",
        f"window {day(report.window_start)} to {day(report.window_end)} ({report.timezone}), "
        f"extract {day(report.as_of)}",
        "",
        f"employees                     {report.employees} ({report.employees_with_punches} with punches)",
        f"time-clock entries            {report.time_clock_entries}",
        f"  open (no clock-out)         {report.open_entries} ({report.open_entries_older_than_24h} older than 24 h)",
        f"  edited by hand              {report.edited_entries} ({pct(report.edited_share)})",
        f"  duplicate-looking           {report.duplicate_looking_entries}",
        f"scheduled shifts (ended)      {report.scheduled_shifts}",
        f"  with no entry               {report.shifts_without_entry} (absences or missed punches)",
        f"workcenter-login coverage     {pct(report.workcenter_coverage)} "
        f"({report.direct_labor_shifts_with_login} of {report.direct_labor_shifts} direct-labor shifts)",
        f"badge-in coverage             {pct(report.badge_coverage)} "
        f"({report.worked_shifts_with_badge_in} of {report.worked_shifts} worked shifts)",
        f"labor entries                 {report.labor_entries} ({report.labor_entries_without_end} without end)",
        f"history depth (days)          median {median}, min {minimum}; "
        f"{report.employees_short_history} employees under 8 weeks",
        f"certifications                {report.certifications_expired} expired, "
        f"{report.certifications_expiring_30d} expiring within 30 days",
        "",
        f"readiness: {report.readiness}",
    ]
    lines.extend(f"  - {reason}" for reason in report.reasons)
    return "\n".join(lines)
