"""Incident trends beside the labor data: incidents per ISO week, workcenter, shift and category, with the
hours worked, overtime and fatigue, and the rates per 200,000 hours that OSHA uses.

`compute_trends(incidents, labor, ...)` is pure; incident_trends (`incidents.nightly`) reads the window
(the audit table's incidents, the Plex snapshot's time-clock entries, labor entries and shift
assignments) and stores the result for the web app (`store_trends`: `reports/incidents/<as_of>.json`,
then `latest.json`); the page reads it and never recomputes.

Definitions (docs/incidents.md says the same):
- hours worked: paid hours from time-clock entries (clock-in to clock-out; open entries count nothing),
  on the plant-local day of the clock-in; a workcenter's hours are the labor-entry hours logged there;
- a rate is incidents x 200,000 / hours (OSHA's 100 full-time workers for a year); None without hours;
  one over fewer than `MIN_RATE_HOURS` is shown but marked unsteady (`Rate.steady`);
- overtime: each person's paid hours above the plant's `overtime_after_hours` (40 unless
  `plexlabor:validationPolicy` sets it, the threshold allocation, the forecast and the crew plan count overtime
  after) in an ISO week (the weeks incidents are counted in, not the plant's pay week);
- fatigue of a person's worked day: their paid hours in the 7 days before it and the days worked in a
  row before it: `rested` (40 h or less, fewer than 6 days in a row), `long hours` (over 40 h to 50 h),
  `fatigued` (over 50 h, or 6 days or more in a row). We do not know who was hurt (the reporter is
  who wrote it down), so an incident at a workcenter is shared among the fatigue levels of the people
  who logged labor there that day, in proportion to their hours; one at a workcenter with no labor that
  day, or with no workcenter, is counted as `not attributed`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from plexlabor.incidents.oiics import FIXED_TITLES
from plexlabor.incidents.oiics import Field as Coded
from plexlabor.models import LaborEntry, ShiftAssignment, TimeClockEntry
from plexlabor.platform.artifacts import ArtifactStore, ReportPointer, WeeksReport, read_model, store_weeks_report
from plexlabor.validation.policy import PunchPolicy

REPORT_PREFIX = "reports/incidents/"
"""Where incident trends live in the artifacts bucket (infra grants it by this prefix)."""
SCHEMA_VERSION = 1
OSHA_HOURS = 200_000
"""OSHA's base: 100 full-time workers x 40 hours x 50 weeks."""
MIN_RATE_HOURS = 20_000
"""Hours a rate needs to say something about the plant: 10 full-time workers for a year (2,000 h each). Below it one
incident more or less moves the rate by over 10 per 200,000 h, several times a typical plant's whole rate (U.S.
manufacturing reports a few recordable cases per 200,000 h), so the rate says more about chance than about the
plant: the page marks it and points to the counts (ux_s15 #9: one injury in 2,708 h read 73.84)."""
LOOKBACK_DAYS = 7
"""Fatigue looks at this many days before a worked day (the window is read this much earlier)."""
LONG_HOURS = 40.0
FATIGUED_HOURS = 50.0
DAYS_IN_A_ROW = 6
FATIGUE_LEVELS = ("rested", "long hours", "fatigued")
NOT_ATTRIBUTED = "not attributed"
UNKNOWN = "unknown"
UNCODED = "uncoded"

Kind = Literal["injury", "near_miss"]


@dataclass(frozen=True)
class IncidentFact:
    """One reported incident as the trends count it."""

    day: date
    """The plant-local day it happened (or was reported, when the report does not say)."""
    kind: Kind
    workcenter_code: str | None
    shift_code: str | None
    category: str
    """Its OIICS event division (the EHS lead's when decided), or `uncoded`."""


@dataclass(frozen=True)
class LaborWindow:
    """The labor records of the window and the `LOOKBACK_DAYS` before it."""

    time_clock: Iterable[TimeClockEntry]
    labor: Iterable[LaborEntry]
    assignments: Iterable[ShiftAssignment]
    shift_codes: Mapping[str, str]
    """Shift id -> shift code."""
    workcenter_codes: Mapping[str, str]
    """Workcenter id -> workcenter code."""
    default_shifts: Mapping[str, str]
    """Employee id -> their default shift code (when a day has no assignment)."""


class Rate(BaseModel):
    """Incidents of one group and the hours they happened in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    label: str
    injuries: float = 0.0
    """A whole number except in the fatigue rows (an incident shared among levels)."""
    near_misses: float = 0.0
    hours: float = 0.0
    injury_rate: float | None = None
    near_miss_rate: float | None = None
    overtime_hours: float = 0.0

    @property
    def steady(self) -> bool:
        """Whether its hours reach `MIN_RATE_HOURS` (else its rates are chance more than the plant's)."""
        return self.hours >= MIN_RATE_HOURS

    @property
    def one_incident(self) -> float | None:
        """How much one incident more or less moves its rates (200,000 / hours); None without hours."""
        return rate(1, self.hours)


class Week(Rate):
    by_category: dict[str, int] = Field(default_factory=dict)


class IncidentTrends(WeeksReport):
    """incident_trends' report: what `/incidents/trends` draws."""

    schema_version: int = SCHEMA_VERSION
    timezone: str
    total: Rate
    weekly: list[Week]
    by_workcenter: list[Rate]
    by_shift: list[Rate]
    by_category: list[Rate]
    """Per OIICS event division: its incidents against all hours worked."""
    fatigue: list[Rate]
    """Per fatigue level, then `not attributed` (module docstring)."""


def rate(count: float, hours: float) -> float | None:
    """Incidents per 200,000 hours worked; None without hours."""
    return round(count * OSHA_HOURS / hours, 2) if hours > 0 else None


def _row(key: str, label: str, injuries: float, near: float, hours: float, overtime: float = 0.0) -> Rate:
    return Rate(
        key=key,
        label=label,
        injuries=round(injuries, 3),
        near_misses=round(near, 3),
        hours=round(hours, 1),
        injury_rate=rate(injuries, hours),
        near_miss_rate=rate(near, hours),
        overtime_hours=round(overtime, 1),
    )


def week_of(day: date) -> date:
    """The Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


@dataclass
class _Hours:
    """Hours worked, per the groups the trends need."""

    paid: dict[tuple[str, date], float]
    """(employee id, day) -> paid hours."""
    by_shift: dict[tuple[str, date], str]
    """(employee id, day) -> shift code."""
    at_workcenter: dict[tuple[str, date], dict[str, float]]
    """(workcenter code, day) -> employee id -> labor hours."""


def _hours(labor: LaborWindow, zone: ZoneInfo) -> _Hours:
    paid: dict[tuple[str, date], float] = defaultdict(float)
    for entry in labor.time_clock:
        if entry.clockout_time is not None and entry.clockout_time > entry.clockin_time:
            day = _local_day(entry.clockin_time, zone)
            paid[(entry.employee_id, day)] += (entry.clockout_time - entry.clockin_time).total_seconds() / 3600
    shifts = {
        (a.employee_id, a.work_date): labor.shift_codes.get(a.shift_id, UNKNOWN)
        for a in labor.assignments
        if a.status == "Scheduled"
    }
    by_shift = {key: shifts.get(key) or labor.default_shifts.get(key[0]) or UNKNOWN for key in paid}
    at: dict[tuple[str, date], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for logged in labor.labor:
        if logged.end_time is not None and logged.end_time > logged.start_time:
            code = labor.workcenter_codes.get(logged.workcenter_id, logged.workcenter_id)
            hours = (logged.end_time - logged.start_time).total_seconds() / 3600
            at[(code, _local_day(logged.start_time, zone))][logged.employee_id] += hours
    return _Hours(paid, by_shift, at)


def fatigue_level(paid: Mapping[tuple[str, date], float], employee: str, day: date) -> str:
    """The fatigue level of a person's worked day (module docstring)."""
    before = sum(paid.get((employee, day - timedelta(days=n)), 0.0) for n in range(1, LOOKBACK_DAYS + 1))
    in_a_row = 0
    while paid.get((employee, day - timedelta(days=in_a_row + 1)), 0.0) > 0 and in_a_row < LOOKBACK_DAYS:
        in_a_row += 1
    if before > FATIGUED_HOURS or in_a_row >= DAYS_IN_A_ROW:
        return "fatigued"
    return "long hours" if before > LONG_HOURS else "rested"


def _overtime(paid: Mapping[tuple[str, date], float], after_hours: float) -> dict[date, float]:
    """Per ISO week, everyone's paid hours above `after_hours` in it."""
    weekly: dict[tuple[str, date], float] = defaultdict(float)
    for (employee, day), hours in paid.items():
        weekly[(employee, week_of(day))] += hours
    overtime: dict[date, float] = defaultdict(float)
    for (_, week), hours in weekly.items():
        overtime[week] += max(0.0, hours - after_hours)
    return overtime


def _counts(incidents: Iterable[IncidentFact], key: str) -> tuple[Counter[str], Counter[str]]:
    injuries: Counter[str] = Counter()
    near: Counter[str] = Counter()
    for incident in incidents:
        group = str(getattr(incident, key) or UNKNOWN)
        (injuries if incident.kind == "injury" else near)[group] += 1
    return injuries, near


def _fatigue(incidents: list[IncidentFact], hours: _Hours, days: set[date]) -> list[Rate]:
    exposure: dict[str, float] = defaultdict(float)
    for (_, day), people in hours.at_workcenter.items():
        if day in days:
            for employee, worked in people.items():
                exposure[fatigue_level(hours.paid, employee, day)] += worked
    shares: dict[str, list[float]] = {level: [0.0, 0.0] for level in (*FATIGUE_LEVELS, NOT_ATTRIBUTED)}
    for incident in incidents:
        index = 0 if incident.kind == "injury" else 1
        people = hours.at_workcenter.get((incident.workcenter_code or "", incident.day), {})
        total = sum(people.values())
        if total <= 0:
            shares[NOT_ATTRIBUTED][index] += 1
            continue
        for employee, worked in people.items():
            shares[fatigue_level(hours.paid, employee, incident.day)][index] += worked / total
    return [_row(level, level, injured, near, exposure.get(level, 0.0)) for level, (injured, near) in shares.items()]


def compute_trends(
    incidents: Iterable[IncidentFact],
    labor: LaborWindow,
    *,
    as_of: date,
    weeks: int,
    zone: ZoneInfo,
    generated_at: datetime,
    plant: PunchPolicy | None = None,
) -> IncidentTrends:
    """The trends of the `weeks` ISO weeks ending with the one holding `as_of` (module docstring); overtime after
    the `plant`'s `overtime_after_hours` (the default policy's unless given)."""
    first = week_of(as_of) - timedelta(weeks=weeks - 1)
    days = {first + timedelta(days=n) for n in range((as_of - first).days + 1)}
    inside = [i for i in incidents if i.day in days]
    hours = _hours(labor, zone)
    paid_in = {key: value for key, value in hours.paid.items() if key[1] in days}
    overtime = _overtime(paid_in, (plant or PunchPolicy()).overtime_after_hours)

    week_hours: dict[date, float] = defaultdict(float)
    shift_hours: dict[str, float] = defaultdict(float)
    for (employee, day), worked in paid_in.items():
        week_hours[week_of(day)] += worked
        shift_hours[hours.by_shift[(employee, day)]] += worked
    workcenter_hours: dict[str, float] = defaultdict(float)
    for (code, day), people in hours.at_workcenter.items():
        if day in days:
            workcenter_hours[code] += sum(people.values())
    total_hours = sum(paid_in.values())

    weekly = []
    for n in range(weeks):
        start = first + timedelta(weeks=n)
        these = [i for i in inside if week_of(i.day) == start]
        injured = sum(1 for i in these if i.kind == "injury")
        row = _row(
            start.isoformat(), start.isoformat(), injured, len(these) - injured, week_hours[start], overtime[start]
        )
        weekly.append(Week(**row.model_dump(), by_category=dict(Counter(i.category for i in these))))

    def grouped(key: str, exposure: Mapping[str, float], labels: Mapping[str, str] | None = None) -> list[Rate]:
        injuries, near = _counts(inside, key)
        keys = sorted(set(exposure) | set(injuries) | set(near))
        rows = [_row(k, (labels or {}).get(k, k), injuries[k], near[k], exposure.get(k, 0.0)) for k in keys]
        return sorted(rows, key=lambda r: (-(r.injuries + r.near_misses), r.key))

    titles = {code: f"{code} {title}" for code, title in FIXED_TITLES.get(Coded.EVENT_DIVISION, {}).items()}
    categories = {i.category for i in inside}
    injured_total = sum(1 for i in inside if i.kind == "injury")
    return IncidentTrends(
        generated_at=generated_at,
        as_of=as_of,
        weeks=weeks,
        timezone=str(zone),
        total=_row("all", "All", injured_total, len(inside) - injured_total, total_hours, sum(overtime.values())),
        weekly=weekly,
        by_workcenter=grouped("workcenter_code", workcenter_hours),
        by_shift=grouped("shift_code", shift_hours),
        by_category=grouped("category", dict.fromkeys(categories, total_hours), titles),
        fatigue=_fatigue(inside, hours, days),
    )


def store_trends(store: ArtifactStore, trends: IncidentTrends) -> ReportPointer:
    """Write the day's trends, then point `latest.json` at them; the pointer written."""
    return store_weeks_report(store, trends)


def read_trends(store: ArtifactStore, pointer: ReportPointer) -> IncidentTrends:
    """The trends a pointer names, checked against its sha256 and validated whole."""
    return read_model(store, pointer, IncidentTrends, "an incident trends report")
