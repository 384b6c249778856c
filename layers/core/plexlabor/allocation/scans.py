"""Job scans (finished labor entries) and the operation each is charged to.

A scan whose job operation neither is routed to the entry's workcenter nor has that workcenter approved
for its part operation could not have run there: the operator keyed a wrong job code (what the
validation engine reports as JOB_CODE_MISMATCH). Its time is charged to the operation the workcenter was
running then: the operation of the nearest scan at the same workcenter that does fit (overlapping first,
then the smallest gap), whoever scanned it; the scan is marked `inferred`. With no such scan nearby the
scan stands as keyed.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from plexlabor.models import ApprovedWorkcenter, JobOperation, LaborEntry

NEIGHBOURS = 8
"""Fitting scans looked at on each side (by start time) of a misapplied one."""
MAX_GAP_S = 8 * 3600
"""A fitting scan further away than this says nothing about what the workcenter ran."""

Approved = frozenset[tuple[str, str, str]]
"""(part id, operation code, workcenter id) combinations that may run."""


@dataclass(frozen=True)
class Scan:
    """A finished labor entry as allocation uses it (epoch seconds)."""

    entry_id: str
    employee_id: str
    workcenter_id: str
    start: float
    end: float
    operation_id: str
    """The operation charged: the one scanned, or the inferred one when the scan could not fit."""
    scanned_operation_id: str
    quantity: float = 0.0
    inferred: bool = False


def approved_set(approvals: Iterable[ApprovedWorkcenter]) -> Approved:
    return frozenset((a.part_id, a.operation_code, a.workcenter_id) for a in approvals)


def fits(operation: JobOperation | None, workcenter_id: str, approved: Collection[tuple[str, str, str]]) -> bool:
    """Whether the operation may run at the workcenter (unknown operations do not)."""
    if operation is None:
        return False
    return operation.workcenter_id == workcenter_id or (
        (operation.part_id, operation.operation_code, workcenter_id) in approved
    )


def scans_of(
    labor: Iterable[LaborEntry], operations: Mapping[str, JobOperation], approved: Approved, infer: bool = True
) -> list[Scan]:
    """The finished labor entries as scans; misapplied job codes charged to their likely operation (`infer`)."""
    scans = [
        Scan(
            entry_id=e.id,
            employee_id=e.employee_id,
            workcenter_id=e.workcenter_id,
            start=e.start_time.timestamp(),
            end=e.end_time.timestamp(),
            operation_id=e.job_operation_id,
            scanned_operation_id=e.job_operation_id,
            quantity=e.quantity,
        )
        for e in labor
        if e.end_time is not None and e.end_time > e.start_time
    ]
    fitting: dict[str, list[Scan]] = defaultdict(list)
    misfits = []
    for scan in scans:
        if not infer or fits(operations.get(scan.operation_id), scan.workcenter_id, approved):
            fitting[scan.workcenter_id].append(scan)
        else:
            misfits.append(scan)
    for group in fitting.values():
        group.sort(key=lambda s: s.start)
    starts = {wc: [s.start for s in group] for wc, group in fitting.items()}
    charged = {scan.entry_id: scan for scan in scans}
    for scan in misfits:
        likely = _nearest(scan, fitting.get(scan.workcenter_id, []), starts.get(scan.workcenter_id, []))
        if likely is not None:
            charged[scan.entry_id] = Scan(**{**vars(scan), "operation_id": likely, "inferred": True})
    return [charged[scan.entry_id] for scan in scans]


def _nearest(scan: Scan, group: list[Scan], starts: list[float]) -> str | None:
    at = bisect.bisect_left(starts, scan.start)
    best: tuple[float, float, str] | None = None
    for other in group[max(0, at - NEIGHBOURS) : at + NEIGHBOURS]:
        overlap = min(scan.end, other.end) - max(scan.start, other.start)
        gap = max(0.0, -overlap)
        candidate = (gap, -max(overlap, 0.0), other.operation_id)
        if gap <= MAX_GAP_S and (best is None or candidate < best):
            best = candidate
    return best[2] if best else None
