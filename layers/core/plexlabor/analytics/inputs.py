"""What operator and team scores are computed from: each finished labor entry of a window, with its
earned hours, scrap, the stops its operator caused and the nonconformances found in it.

Read through the one Plex snapshot (`read_inputs`) or shaped from one already read (`from_snapshot`).
Earned hours of an entry are its pieces at the approved workcenter's standard rate per crew member
(`crewSize / standardProductionRate` hours a piece); an entry whose operation is not approved at its
workcenter (a misapplied job code) has no standard, so it counts for quality and reliability but not
for efficiency. Scrap, stops and nonconformances are matched to the entry of the same operator that
holds their time (and job operation, when the record names one).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from plexlabor.models import Employee
from plexlabor.plex import LaborDataPort
from plexlabor.plex.snapshot import PlexSnapshot, read_snapshot

DEFAULT_OPERATOR_STOP_REASONS = frozenset({"OPERATOR_ERROR", "MISLOAD", "SETUP_ERROR"})
"""Downtime reason codes that count as caused by the operator logged in (a plant sets its own)."""


@dataclass
class EntryFacts:
    """One finished labor entry of an operator."""

    employee_id: str
    start: float
    end: float
    job_operation_id: str
    pieces: float
    earned_hours: float | None
    """None when the operation has no standard at that workcenter."""
    scrap: float = 0.0
    stops: int = 0
    """Machine stops (downtime entries) of the operator starting during the entry, whatever the reason."""
    caused_stops: int = 0
    """Those with an operator reason."""
    down_hours: float = 0.0
    """Their hours inside the entry."""
    nonconformances: int = 0

    @property
    def hours(self) -> float:
        return (self.end - self.start) / 3600

    @property
    def productive_hours(self) -> float:
        """The entry's hours less its recorded downtime (at least a tenth of them: a stop longer than
        the entry it is matched to is a recording error, not an hour of work)."""
        return max(self.hours - self.down_hours, self.hours / 10)


@dataclass(frozen=True)
class FindingDecisions:
    """Validation findings supervisors decided in the window, per employee id (`analytics.decisions`
    reads them from the audit table), or why they are not known."""

    upheld: Mapping[str, int] = field(default_factory=dict)
    """Approved: the finding was right."""
    rejected: Mapping[str, int] = field(default_factory=dict)
    not_read: str | None = None
    """Why the decisions are not known (the measure is then left out, with this reason)."""


AUDIT_NOT_READ = FindingDecisions(not_read="supervisors' decisions are in the audit table, not in Plex's data")


@dataclass(frozen=True)
class ScoreInputs:
    """The window's entries per operator, and who the operators are."""

    begin: datetime
    end: datetime
    employees: Mapping[str, Employee]
    entries: Mapping[str, list[EntryFacts]]
    decisions: FindingDecisions = AUDIT_NOT_READ
    """Supervisors' decisions on validation findings; not known from Plex's data alone."""


def read_inputs(
    port: LaborDataPort,
    begin: datetime,
    end: datetime,
    *,
    stop_reasons: frozenset[str] = DEFAULT_OPERATOR_STOP_REASONS,
    decisions: FindingDecisions = AUDIT_NOT_READ,
) -> ScoreInputs:
    """Read the window through the Plex snapshot and shape it."""
    window = (begin, end)
    snapshot = read_snapshot(
        port,
        reference=("employees", "approved-workcenters", "job-operations"),
        windows={
            "labor-entries": window,
            "scrap-entries": window,
            "downtime-entries": window,
            "nonconformances": window,
        },
    )
    return from_snapshot(snapshot, begin, end, stop_reasons=stop_reasons, decisions=decisions)


def from_snapshot(
    snapshot: PlexSnapshot,
    begin: datetime,
    end: datetime,
    *,
    stop_reasons: frozenset[str] = DEFAULT_OPERATOR_STOP_REASONS,
    decisions: FindingDecisions = AUDIT_NOT_READ,
) -> ScoreInputs:
    """Entries of the snapshot's labor entries, with scrap, operator stops and nonconformances matched."""
    hours_a_piece = {
        (route.part_id, route.operation_code, route.workcenter_id): route.crew_size / route.standard_production_rate
        for route in snapshot.approved_workcenters
    }
    operations = {operation.id: operation for operation in snapshot.job_operations}
    entries: dict[str, list[EntryFacts]] = defaultdict(list)
    for labor in snapshot.labor_entries:
        if labor.end_time is None or labor.end_time <= labor.start_time:
            continue  # still running, or broken: no hours to score
        operation = operations.get(labor.job_operation_id)
        per_piece = (
            hours_a_piece.get((operation.part_id, operation.operation_code, labor.workcenter_id)) if operation else None
        )
        entries[labor.employee_id].append(
            EntryFacts(
                employee_id=labor.employee_id,
                start=labor.start_time.timestamp(),
                end=labor.end_time.timestamp(),
                job_operation_id=labor.job_operation_id,
                pieces=labor.quantity,
                earned_hours=None if per_piece is None else labor.quantity * per_piece,
            )
        )
    index = _EntryIndex(entries)
    for scrap in snapshot.scrap_entries:
        found = index.holding(scrap.employee_id, scrap.scrap_time.timestamp(), scrap.job_operation_id)
        if found:
            found.scrap += scrap.quantity
    for stop in snapshot.downtime_entries:
        found = index.holding(stop.employee_id, stop.start_time.timestamp(), None)
        if found:
            found.stops += 1
            found.caused_stops += stop.reason_code in stop_reasons
            stop_end = min(found.end, stop.end_time.timestamp()) if stop.end_time else found.end
            found.down_hours += max(0.0, stop_end - stop.start_time.timestamp()) / 3600
    for finding in snapshot.nonconformances:
        found = index.holding(finding.employee_id, None, finding.job_operation_id) or index.holding(
            finding.employee_id, finding.found_time.timestamp(), None
        )
        if found:
            found.nonconformances += 1
    employees = {employee.id: employee for employee in snapshot.employees}
    return ScoreInputs(begin, end, employees, dict(entries), decisions)


class _EntryIndex:
    """An operator's entries by start time, to find the one holding a moment (or naming an operation)."""

    def __init__(self, entries: Mapping[str, list[EntryFacts]]) -> None:
        self._entries = {employee: sorted(rows, key=lambda e: e.start) for employee, rows in entries.items()}
        self._starts = {employee: [e.start for e in rows] for employee, rows in self._entries.items()}

    def holding(self, employee_id: str | None, moment: float | None, operation_id: str | None) -> EntryFacts | None:
        rows = self._entries.get(employee_id or "")
        if not rows:
            return None
        if moment is None:
            return next((e for e in rows if e.job_operation_id == operation_id), None)
        at = bisect.bisect_right(self._starts[employee_id or ""], moment) - 1
        candidates: Iterable[EntryFacts] = rows[max(0, at - 1) : at + 1][::-1]
        for entry in candidates:
            if entry.start <= moment <= entry.end and operation_id in (None, entry.job_operation_id):
                return entry
        return None
