"""The baseline plexlabor must beat: fixed-grace schedule rules, as Frappe HRMS and UKG/Kronos apply them.

Frappe HRMS (Shift Type: late entry grace, early exit grace, auto attendance, missing checkout) and
UKG/Kronos (punch exceptions: early/late in/out against the schedule ± a grace, missed punch, weekly
overtime) compare each punch with the schedule and a fixed grace. They use no personal history and no
context (no badge swipes, workcenter events, devices, certifications or routings), so a habitual early
bird is flagged every day and a buddy punch is never seen. That is the yardstick: docs/validation-baseline.md.

Rules, on time-clock entries only:

- OUT_BEFORE_IN: clock-out earlier than clock-in (every T&A system rejects it).
- DUPLICATE_PUNCH: two entries of one employee with the same clock-in minute; every copy but the
  first-created (ties by id) is flagged.
- LATE_CLOCK_IN / EARLY_CLOCK_IN: the first clock-in of a scheduled shift later than start + grace /
  earlier than start − grace (exactly at the grace is inside it).
- EARLY_CLOCK_OUT / LATE_CLOCK_OUT: the last clock-out of the shift against its end, likewise.
- MISSED_PUNCH: an open entry whose shift ended more than `missed_clockout_hours` before the extract.
- EXCESSIVE_OVERTIME: hours punched in an ISO week (plant local time) over `weekly_hours_limit`,
  keyed to the employee's first entry of that week (earliest clock-in, ties by id).

Matching entries to shifts. An entry belongs to the employee's scheduled assignment whose window
`[scheduledStart − 4 h, scheduledEnd + 4 h]` contains its clock-in, the nearest one when several do
(distance to the scheduled interval, then to the scheduled start). Plain "scheduled start within
± 4 h of the clock-in" would leave the entry after the mid-shift break (4–5.5 h after the start on an
8.5 h shift) unmatched, and then the break punch-out would count as the shift's last clock-out: an
early exit on most days, which no real T&A system reports. The first entry of a shift is the one with
the earliest clock-in, the last the one with the latest clock-out among its closed, well-ordered
entries (ties: the first created, then id). Entries flagged DUPLICATE_PUNCH are left out of the
shift and week calculations (a T&A system merges them); an out-before-in entry has no valid end; if
an open or out-before-in entry starts after the last valid clock-out, the shift's end is unknown and
the clock-out rules are skipped. Unmatched entries get no early/late check; an unmatched open entry
is a missed punch once its clock-in is `DEFAULT_SHIFT_HOURS + missed_clockout_hours` old.

Weekly hours count closed, well-ordered, non-duplicate entries in the week of their clock-in; open
entries count zero (no out punch, no hours), and nothing is projected to the end of the week.

Rules run on every entry of the plant (a week or a duplicate may straddle the window's edges); only
findings on entries whose clock-in is in `[since, until)` are yielded.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, overload
from zoneinfo import ZoneInfo

from plexlabor.models import PlexDataError, record_key
from plexlabor.models.anomalies import AnomalyType
from plexlabor.models.types import format_plex_datetime
from plexlabor.plant import PlantFolder
from plexlabor.validation.findings import Finding, Severity, finding_id_for
from plexlabor.validation.policy import PunchPolicy

MODEL_VERSION = "baseline-fixed-grace-1"
MATCH_WINDOW_S = 4 * 3600.0
DEFAULT_SHIFT_HOURS = 8.0
"""Length assumed for an open entry that matches no scheduled shift."""

SEVERITY: dict[AnomalyType, Severity] = {
    AnomalyType.OUT_BEFORE_IN: "high",
    AnomalyType.MISSED_PUNCH: "high",
    AnomalyType.DUPLICATE_PUNCH: "medium",
    AnomalyType.EXCESSIVE_OVERTIME: "medium",
    AnomalyType.LATE_CLOCK_IN: "medium",
    AnomalyType.EARLY_CLOCK_OUT: "medium",
    AnomalyType.EARLY_CLOCK_IN: "low",
    AnomalyType.LATE_CLOCK_OUT: "low",
}

A = AnomalyType
_TCE = "time-clock-entries"
_SA = "shift-assignments"


@overload
def _epoch(value: str) -> float: ...
@overload
def _epoch(value: str | None) -> float | None: ...
def _epoch(value: str | None) -> float | None:
    return None if value is None else datetime.fromisoformat(value).timestamp()


def _required(row: dict[str, Any], resource: str, field: str) -> Any:
    value = row.get(field)
    if value is None or value == "":
        raise PlexDataError(resource, field, "is missing")
    return value


@dataclass(slots=True)
class _Entry:
    id: str
    employee: str
    t_in: float
    t_out: float | None
    created: float

    @property
    def valid_end(self) -> bool:
        return self.t_out is not None and self.t_out >= self.t_in

    def order(self) -> tuple[float, str]:
        return (self.created, self.id)


@dataclass(slots=True)
class _Shift:
    id: str
    start: float
    end: float


class _Baseline:
    def __init__(self, plant: PlantFolder, policy: PunchPolicy) -> None:
        meta = plant.meta()
        self.tz = ZoneInfo(meta.timezone)
        self.as_of = meta.end.timestamp()
        self.policy = policy
        self.grace_s = policy.grace_minutes * 60
        self.entries: list[_Entry] = []
        for row in plant.iter_raw(_TCE):
            t_in = _epoch(_required(row, _TCE, "clockinTime"))
            self.entries.append(
                _Entry(
                    _required(row, _TCE, "id"),
                    _required(row, _TCE, "employeeId"),
                    t_in,
                    _epoch(row.get("clockoutTime")),
                    _epoch(row.get("createdDate")) or t_in,
                )
            )
        shifts: dict[str, list[_Shift]] = defaultdict(list)
        for row in plant.iter_raw(_SA):
            if row.get("status", "Scheduled") != "Scheduled":
                continue
            shift = _Shift(
                _required(row, _SA, "id"),
                _epoch(_required(row, _SA, "scheduledStart")),
                _epoch(_required(row, _SA, "scheduledEnd")),
            )
            shifts[_required(row, _SA, "employeeId")].append(shift)
        self.shifts = {employee: sorted(items, key=lambda s: (s.start, s.id)) for employee, items in shifts.items()}
        self.starts = {employee: [s.start for s in items] for employee, items in self.shifts.items()}
        self.longest = max((s.end - s.start for items in self.shifts.values() for s in items), default=0.0)

    # -- helpers ----------------------------------------------------------------------------------
    def local(self, t: float, fmt: str = "%H:%M") -> str:
        return datetime.fromtimestamp(t, self.tz).strftime(fmt)

    @staticmethod
    def iso(t: float) -> str:
        """Plex's UTC format, as in the records (evidence and corrections); notes use local time."""
        return format_plex_datetime(datetime.fromtimestamp(t, UTC))

    def match(self, entry: _Entry) -> _Shift | None:
        """The scheduled shift whose window [start − 4 h, end + 4 h] holds the clock-in, nearest first."""
        starts = self.starts.get(entry.employee)
        if not starts:
            return None
        shifts = self.shifts[entry.employee]
        lo = bisect_left(starts, entry.t_in - MATCH_WINDOW_S - self.longest)
        hi = bisect_right(starts, entry.t_in + MATCH_WINDOW_S)
        best: tuple[float, float, str] | None = None
        chosen = None
        for shift in shifts[lo:hi]:
            if not shift.start - MATCH_WINDOW_S <= entry.t_in <= shift.end + MATCH_WINDOW_S:
                continue
            gap = max(shift.start - entry.t_in, entry.t_in - shift.end, 0.0)
            rank = (gap, abs(entry.t_in - shift.start), shift.id)
            if best is None or rank < best:
                best, chosen = rank, shift
        return chosen

    def finding(
        self,
        entry: _Entry,
        anomaly: AnomalyType,
        note: str,
        evidence: dict[str, Any],
        correction: dict[str, Any] | None = None,
    ) -> Finding:
        key = record_key(_TCE, entry.id)
        return Finding(
            finding_id=finding_id_for(key, anomaly),
            record_key=key,
            employee_id=entry.employee,
            anomaly_type=anomaly,
            confidence=1.0,
            severity=SEVERITY[anomaly],
            note=note,
            evidence=evidence,
            suggested_correction=correction,
            model_version=MODEL_VERSION,
            route="review",
        )

    # -- rules ------------------------------------------------------------------------------------
    def run(self) -> list[tuple[_Entry, Finding]]:
        out: list[tuple[_Entry, Finding]] = []
        duplicates = self.duplicates(out)
        self.out_before_in(out)
        by_shift: dict[str, list[_Entry]] = defaultdict(list)
        shift_of: dict[str, _Shift] = {}
        for entry in self.entries:
            if entry.id in duplicates:
                continue
            shift = self.match(entry)
            if shift is not None:
                by_shift[shift.id].append(entry)
                shift_of[shift.id] = shift
            if entry.t_out is None:
                self.missed_punch(entry, shift, out)
        for shift_id, entries in by_shift.items():
            self.shift_start(shift_of[shift_id], entries, out)
            self.shift_end(shift_of[shift_id], entries, out)
        self.weekly_overtime(duplicates, out)
        return out

    def duplicates(self, out: list[tuple[_Entry, Finding]]) -> set[str]:
        groups: dict[tuple[str, int], list[_Entry]] = defaultdict(list)
        for entry in self.entries:
            groups[(entry.employee, int(entry.t_in // 60))].append(entry)
        flagged: set[str] = set()
        for group in groups.values():
            if len(group) < 2:
                continue
            group.sort(key=_Entry.order)
            original = group[0]
            for copy in group[1:]:
                flagged.add(copy.id)
                note = (
                    f"Second entry with clock-in {self.local(copy.t_in, '%Y-%m-%d %H:%M')}, "
                    "the same minute as an earlier entry"
                )
                evidence = {
                    "duplicate_of": record_key(_TCE, original.id),
                    "clockin_time": self.iso(copy.t_in),
                    "original_clockin_time": self.iso(original.t_in),
                }
                out.append(
                    (
                        copy,
                        self.finding(
                            copy, A.DUPLICATE_PUNCH, note, evidence, {"action": "delete", "duplicateOf": original.id}
                        ),
                    )
                )
        return flagged

    def out_before_in(self, out: list[tuple[_Entry, Finding]]) -> None:
        for entry in self.entries:
            if entry.t_out is not None and entry.t_out < entry.t_in:
                hours = (entry.t_in - entry.t_out) / 3600
                note = (
                    f"Clock-out {self.local(entry.t_out, '%Y-%m-%d %H:%M')} is {hours:.1f} h before "
                    f"clock-in {self.local(entry.t_in, '%Y-%m-%d %H:%M')}"
                )
                evidence = {
                    "clockin_time": self.iso(entry.t_in),
                    "clockout_time": self.iso(entry.t_out),
                    "hours_before": round(hours, 2),
                }
                out.append((entry, self.finding(entry, A.OUT_BEFORE_IN, note, evidence)))

    def missed_punch(self, entry: _Entry, shift: _Shift | None, out: list[tuple[_Entry, Finding]]) -> None:
        limit_s = self.policy.missed_clockout_hours * 3600
        ended = shift.end if shift is not None else entry.t_in + DEFAULT_SHIFT_HOURS * 3600
        if self.as_of - ended <= limit_s:
            return
        hours = (self.as_of - ended) / 3600
        what = "shift ended" if shift is not None else f"no scheduled shift; {DEFAULT_SHIFT_HOURS:g} h after clock-in"
        note = (
            f"No clock-out; {what} {self.local(ended, '%Y-%m-%d %H:%M')}, {hours:.1f} h before the extract "
            f"(limit {self.policy.missed_clockout_hours:g} h)"
        )
        evidence = {
            "clockin_time": self.iso(entry.t_in),
            "shift_end": self.iso(ended),
            "shift_assignment_id": shift.id if shift is not None else None,
            "hours_open_after_end": round(hours, 2),
        }
        correction = {"clockoutTime": self.iso(shift.end)} if shift is not None else None
        out.append((entry, self.finding(entry, A.MISSED_PUNCH, note, evidence, correction)))

    def shift_start(self, shift: _Shift, entries: list[_Entry], out: list[tuple[_Entry, Finding]]) -> None:
        first = min(entries, key=lambda e: (e.t_in, e.created, e.id))
        offset = first.t_in - shift.start
        if offset > self.grace_s:
            anomaly, word = A.LATE_CLOCK_IN, "after"
        elif offset < -self.grace_s:
            anomaly, word = A.EARLY_CLOCK_IN, "before"
        else:
            return
        out.append((first, self.edge_finding(first, anomaly, "Clock-in", word, "start", shift.start, offset, shift)))

    def shift_end(self, shift: _Shift, entries: list[_Entry], out: list[tuple[_Entry, Finding]]) -> None:
        closed = [e for e in entries if e.valid_end]
        if not closed:
            return
        last = min(closed, key=lambda e: (-(e.t_out or 0.0), e.created, e.id))
        if any(not e.valid_end and e.t_in > last.t_in for e in entries):
            return  # the shift's real end is unknown
        assert last.t_out is not None
        offset = last.t_out - shift.end
        if offset < -self.grace_s:
            anomaly, word = A.EARLY_CLOCK_OUT, "before"
        elif offset > self.grace_s:
            anomaly, word = A.LATE_CLOCK_OUT, "after"
        else:
            return
        out.append((last, self.edge_finding(last, anomaly, "Clock-out", word, "end", shift.end, offset, shift)))

    def edge_finding(
        self,
        entry: _Entry,
        anomaly: AnomalyType,
        punch: str,
        word: str,
        edge: str,
        scheduled: float,
        offset_s: float,
        shift: _Shift,
    ) -> Finding:
        minutes = abs(offset_s) / 60
        grace = self.policy.grace_minutes
        note = (
            f"{punch} {minutes:.0f} min {word} shift {edge} {self.local(scheduled)} "
            f"on {self.local(scheduled, '%Y-%m-%d')} (grace {grace:g} min)"
        )
        evidence = {
            "offset_minutes": round(offset_s / 60, 2),
            "grace_minutes": grace,
            f"scheduled_{edge}": self.iso(scheduled),
            "shift_assignment_id": shift.id,
        }
        return self.finding(entry, anomaly, note, evidence)

    def weekly_overtime(self, duplicates: set[str], out: list[tuple[_Entry, Finding]]) -> None:
        hours: dict[tuple[str, int, int], float] = defaultdict(float)
        first: dict[tuple[str, int, int], _Entry] = {}
        for entry in self.entries:
            year, week, _ = datetime.fromtimestamp(entry.t_in, self.tz).isocalendar()
            key = (entry.employee, year, week)
            current = first.get(key)
            if current is None or (entry.t_in, entry.id) < (current.t_in, current.id):
                first[key] = entry
            if entry.id not in duplicates and entry.valid_end and entry.t_out is not None:
                hours[key] += (entry.t_out - entry.t_in) / 3600
        limit = self.policy.weekly_hours_limit
        for key, worked in hours.items():
            if worked <= limit:
                continue
            entry = first[key]
            _, year, week = key
            note = f"{worked:.1f} h punched in ISO week {year}-W{week:02d} (limit {limit:g} h)"
            evidence = {"week": f"{year}-W{week:02d}", "hours": round(worked, 2), "limit_hours": limit}
            out.append((entry, self.finding(entry, A.EXCESSIVE_OVERTIME, note, evidence)))


def run_baseline(
    plant: PlantFolder,
    since: datetime | None = None,
    until: datetime | None = None,
    policy: PunchPolicy | None = None,
) -> Iterator[Finding]:
    """Yield the baseline's findings on the plant's time-clock entries with clock-in in [since, until).

    Ordered by the entry's clock-in, then record key and anomaly type, so output is deterministic.
    """
    baseline = _Baseline(plant, policy or PunchPolicy())
    lower = since.timestamp() if since is not None else float("-inf")
    upper = until.timestamp() if until is not None else float("inf")
    results = [(entry, finding) for entry, finding in baseline.run() if lower <= entry.t_in < upper]
    results.sort(key=lambda pair: (pair[0].t_in, pair[1].record_key, pair[1].anomaly_type.value))
    for _, finding in results:
        yield finding
