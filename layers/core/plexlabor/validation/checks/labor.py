"""Labor entries: overlapping another of the operator's, charged to an operation not routed there, by an
uncertified operator, improbable output."""

from __future__ import annotations

import math
from bisect import bisect_right
from datetime import date
from operator import attrgetter

from plexlabor.models.anomalies import AnomalyType as A
from plexlabor.validation.checks.base import (
    HOUR,
    MINUTE,
    PRODUCTIVITY,
    Candidate,
    EmployeeContext,
    habit_basis,
    history_ceiling,
    rule_candidate,
)
from plexlabor.validation.data import PlantData
from plexlabor.validation.norms import productivity_ratio
from plexlabor.validation.records import Labor
from plexlabor.validation.shifts import MIN_OVERLAP_SECONDS

RECODE_GAP = 8 * HOUR
"""Labor further from the miscoded entry than this says nothing about what the workcenter ran
(`allocation.scans.MAX_GAP_S`)."""
_START = attrgetter("start")


def labor_entries(context: EmployeeContext) -> list[Candidate]:
    """Per labor entry: routing, certification, then (for routed work) output against the operator's usual."""
    data, employee = context.data, context.employee
    found = []
    running: Labor | None = None  # of the entries so far, the one that ends last
    for entry in data.labor.get(employee, ()):
        if running is not None and running.end is not None and running.end - entry.start >= MIN_OVERLAP_SECONDS:
            found.append(_overlapping(data, employee, entry, running))
        if entry.end is not None and (running is None or running.end is None or entry.end > running.end):
            running = entry
        operation = data.operations.get(entry.job_operation)
        routed = operation is not None and entry.workcenter in data.approved.get((operation[0], operation[1]), ())
        if not routed:
            found.append(_not_routed(data, employee, entry, operation))
        uncertified = _uncertified(context, entry)
        if uncertified:
            found.append(uncertified)
        if routed:
            found.extend(_productivity(context, entry))
    return found


def _overlapping(data: PlantData, employee: str, entry: Labor, earlier: Labor) -> Candidate:
    """A labor entry that starts before the operator's earlier one ends: the same time charged twice."""
    assert earlier.end is not None
    end = earlier.end if entry.end is None else min(entry.end, earlier.end)
    overlap = (end - entry.start) / MINUTE
    here, there = data.workcenter_code(entry.workcenter), data.workcenter_code(earlier.workcenter)
    return rule_candidate(
        record_key=entry.key,
        employee=employee,
        anomaly=A.OVERLAPPING_ENTRIES,
        evidence={
            "overlaps": earlier.key,
            "overlap_minutes": round(overlap, 1),
            "workcenter_code": here,
            "other_workcenter_code": there,
        },
        note=f"Labor at {here or 'a workcenter'} from {data.local_time(entry.start)} overlaps labor at "
        f"{there or 'a workcenter'} {data.local_time(earlier.start)}–{data.local_time(earlier.end)} "
        f"by {overlap:.0f} min",
        correction={"action": "review", "overlapsWith": earlier.id},
        severity="medium",
    )


def _setup_explains(context: EmployeeContext, entry: Labor, usual: float) -> bool:
    """The first labor on a job operation may hold the routing's setup (when setup is not logged apart):
    its output is not improbable if it is usual once the setup hours are left out (`setup_in_labor`)."""
    data = context.data
    if not context.policy.setup_in_labor:
        return False
    operation = data.operations.get(entry.job_operation)
    setup = data.setups.get((operation[0], operation[1], entry.workcenter), 0.0) if operation else 0.0
    if not setup or data.first_labor.get(entry.job_operation) != entry.start:
        return False
    ratio = productivity_ratio(data, entry, setup)
    return ratio is not None and abs(ratio - usual) < math.log(context.policy.productivity_ratio)


def _not_routed(data: PlantData, employee: str, entry: Labor, operation: tuple[str, str, str] | None) -> Candidate:
    """The evidence keeps Plex ids (the audit's) and the codes people know: job number, operation code,
    workcenter code."""
    job_no = data.job_number(entry.job_operation)
    workcenter_code = data.workcenter_code(entry.workcenter)
    if operation is None:
        what = "a job operation Plex does not know"
    else:
        what = f"job {job_no} operation {operation[1]}" if job_no else f"operation {operation[1]} of a job"
    return rule_candidate(
        record_key=entry.key,
        employee=employee,
        anomaly=A.JOB_CODE_MISMATCH,
        evidence={
            "job_operation": entry.job_operation,
            "workcenter": entry.workcenter,
            "part": operation[0] if operation else None,
            "operation_code": operation[1] if operation else None,
            "job_no": job_no,
            "workcenter_code": workcenter_code,
        },
        note=f"Labor charged to {what}, which is not routed to {workcenter_code or 'this workcenter'}",
        correction=_recode(data, employee, entry),
        severity="medium",
    )


def _recode(data: PlantData, employee: str, entry: Labor) -> dict[str, str]:
    """Recode to the job operation the workcenter was running: the operator's own labor at the same
    workcenter on an operation routed there, overlapping first, then the nearest within `RECODE_GAP`
    (the rule `allocation.scans` charges such time by; the operator's own entries, because the real-time
    path sees no one else's). Named by job number and operation code when one is found."""
    here = data.workcenter_code(entry.workcenter) or "this workcenter"
    end = entry.end if entry.end is not None else entry.start

    def gap(other: Labor) -> float:
        other_end = other.end if other.end is not None else other.start
        return max(other.start - end, entry.start - other_end, 0.0)

    entries = data.labor.get(employee, [])  # in start order: none starting after `end` + the gap can fit
    fitting = [
        other
        for other in entries[: bisect_right(entries, end + RECODE_GAP, key=_START)]
        if other.workcenter == entry.workcenter
        and other.job_operation != entry.job_operation
        and (operation := data.operations.get(other.job_operation)) is not None
        and entry.workcenter in data.approved.get((operation[0], operation[1]), ())
        and gap(other) <= RECODE_GAP
    ]
    nearest = min(fitting, key=lambda other: (gap(other), other.start), default=None)
    job_no = data.job_number(nearest.job_operation) if nearest else None
    if nearest is None or job_no is None:
        return {"action": f"recode to the job operation running at {here}"}
    return {
        "action": f"recode to job {job_no} op {data.operation_code(nearest.job_operation)}, "
        f"the job operation running at {here}",
        "job_operation": nearest.job_operation,
    }


def _uncertified(context: EmployeeContext, entry: Labor) -> Candidate | None:
    if entry.workcenter not in context.data.requirements:
        return None  # the workcenter requires no skill
    day = context.data.local_date(entry.start)
    kept: dict[tuple[str, date], list[str]] = context.memo.setdefault("labor.missing", {})  # a day's entries share it
    missing = kept.get((entry.workcenter, day))
    if missing is None:
        missing = kept[(entry.workcenter, day)] = context.data.certified(
            context.employee, entry.workcenter, day, expiry=context.policy.certification_expiry
        )
    if not missing:
        return None
    data = context.data
    codes = [data.skill_code(skill) for skill in missing]
    workcenter_code = data.workcenter_code(entry.workcenter)
    return rule_candidate(
        record_key=entry.key,
        employee=context.employee,
        anomaly=A.UNCERTIFIED_OPERATOR,
        evidence={
            "workcenter": entry.workcenter,
            "missing_skills": list(missing),  # the day's list is kept for its other entries
            "date": day.isoformat(),
            "workcenter_code": workcenter_code,
            "missing_skill_codes": codes,
        },
        note=f"Worked at {workcenter_code or 'a workcenter'}, which requires {', '.join(codes)}, without a valid "
        f"certification on {day.isoformat()}",
        correction={"action": "reassign, or renew the certification", "skills": codes},
        severity="high",
    )


def _productivity(context: EmployeeContext, entry: Labor) -> list[Candidate]:
    """Output per hour against this operator's usual on the standard (none or one candidate)."""
    ratio = productivity_ratio(context.data, entry)
    norm = context.norms.productivity
    if ratio is None or norm is None or entry.end is None:
        return []
    deviation = ratio - norm.median
    if abs(deviation) < math.log(context.policy.productivity_ratio) or _setup_explains(context, entry, norm.median):
        return []
    hours = (entry.end - entry.start) / HOUR
    expected = entry.quantity / math.exp(ratio) * math.exp(norm.median)
    direction = "more" if deviation > 0 else "less"
    per_piece = hours * 60 / entry.quantity
    basis = habit_basis(context.norms, norm.count)
    usual = "this operator's usual" if basis is None else f"{basis} usual ({norm.count} of their own entries)"
    candidate = Candidate(
        record_key=entry.key,
        employee=context.employee,
        anomaly=A.IMPROBABLE_DURATION,
        family=PRODUCTIVITY,
        features={
            "abs_log_deviation": abs(deviation),
            "z": min(abs(deviation) / norm.sigma, 50.0),
            "hours_log": math.log1p(hours),
        },
        evidence={
            "hours": round(hours, 2),
            "quantity": entry.quantity,
            "expected_quantity": round(expected, 1),
            "ratio_vs_usual": round(math.exp(deviation), 2),
            "history_entries": norm.count,
        },
        note=f"{hours:.1f} h for {entry.quantity:g} pieces ({per_piece:.1f} min/piece): "
        f"{math.exp(abs(deviation)):.1f}× {direction} output than {usual} on the standard",
        correction={"expectedQuantity": round(expected)},
        severity="medium",
        ceiling=history_ceiling(norm.count),
    )
    return [candidate]
