"""Structurally broken time-clock entries: out before in, recorded twice, overlapping another entry."""

from __future__ import annotations

from plexlabor.models.anomalies import AnomalyType as A
from plexlabor.validation.checks.base import (
    MINUTE,
    Candidate,
    EmployeeContext,
    corrected_clockout,
    iso,
    rule_candidate,
)
from plexlabor.validation.data import PlantData
from plexlabor.validation.records import Punch
from plexlabor.validation.shifts import Broken, Structural


def broken_entries(context: EmployeeContext) -> list[Candidate]:
    """One candidate per entry that `structural_problems` set aside."""
    by_id = {p.id: p for p in context.punches}
    return [
        _broken(context.data, context.employee, by_id[punch_id], problem)
        for punch_id, problem in context.problems.items()
    ]


def _broken(data: PlantData, employee: str, punch: Punch, problem: Structural) -> Candidate:
    if problem.kind is Broken.OUT_BEFORE_IN:
        assert punch.t_out is not None
        return rule_candidate(
            record_key=punch.key,
            employee=employee,
            anomaly=A.OUT_BEFORE_IN,
            evidence={
                "clockin": iso(punch.t_in),
                "clockout": iso(punch.t_out),
                "minutes_before": round((punch.t_in - punch.t_out) / MINUTE, 1),
            },
            note=f"Clock-out {data.local_time(punch.t_out)} is before clock-in {data.local_time(punch.t_in)} "
            f"(likely a keying slip)",
            correction={"clockoutTime": iso(corrected_clockout(punch.t_in, punch.t_out))},
            severity="high",
        )
    other = problem.other
    assert other is not None
    if problem.kind is Broken.DUPLICATE:
        apart = round(abs(punch.t_in - other.t_in), 1)
        return rule_candidate(
            record_key=punch.key,
            employee=employee,
            anomaly=A.DUPLICATE_PUNCH,
            evidence={"duplicate_of": other.key, "seconds_apart": apart},
            note=f"Clock-in {data.local_time(punch.t_in)} recorded twice: the same punch as another entry "
            f"({apart:g} s apart)",
            correction={"action": "delete", "duplicateOf": other.id},
            severity="medium",
        )
    assert punch.t_out is not None and other.t_out is not None
    overlap = (min(punch.t_out, other.t_out) - max(punch.t_in, other.t_in)) / MINUTE
    return rule_candidate(
        record_key=punch.key,
        employee=employee,
        anomaly=A.OVERLAPPING_ENTRIES,
        evidence={"overlaps": other.key, "overlap_minutes": round(overlap, 1), "source": punch.source},
        note=f"Entry {data.local_time(punch.t_in)}–{data.local_time(punch.t_out)} overlaps "
        f"{data.local_time(other.t_in)}–{data.local_time(other.t_out)} by {overlap:.0f} min",
        correction={"action": "review", "overlapsWith": other.id},
        severity="medium",
    )
