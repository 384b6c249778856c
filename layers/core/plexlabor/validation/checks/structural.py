"""Structurally broken time-clock entries: out before in, recorded twice, overlapping another entry."""

from __future__ import annotations

from typing import Any

from plexlabor.models.anomalies import AnomalyType as A
from plexlabor.validation.checks.base import (
    MINUTE,
    Candidate,
    EmployeeContext,
    corrected_clockout,
    iso,
    recorded_by_id,
    rule_candidate,
)
from plexlabor.validation.data import PlantData
from plexlabor.validation.records import Punch
from plexlabor.validation.shifts import Broken, Structural


def broken_entries(context: EmployeeContext) -> list[Candidate]:
    """One candidate per entry that `structural_problems` set aside."""
    by_id = recorded_by_id(context)
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
    return _overlapping(data, employee, punch, [other, *problem.also])


def _overlapping(data: PlantData, employee: str, punch: Punch, others: list[Punch]) -> Candidate:
    """An entry overlapping one or more others: each named with its minutes, the minutes summed in the evidence
    (ux_s17 M3: an entry 16 min into the one before and 88 min into the one after was told the 16 only)."""
    assert punch.t_out is not None
    minutes, named = [], []
    for other in others:
        assert other.t_out is not None
        overlap = (min(punch.t_out, other.t_out) - max(punch.t_in, other.t_in)) / MINUTE
        minutes.append(overlap)
        named.append(f"{data.local_time(other.t_in)}–{data.local_time(other.t_out)} by {overlap:.0f} min")
    overlaps = " and ".join(named)
    evidence: dict[str, Any] = {"overlaps": others[0].key, "overlap_minutes": round(sum(minutes), 1)}
    evidence["source"] = punch.source
    correction: dict[str, Any] = {"action": "review", "overlapsWith": others[0].id}
    if len(others) > 1:
        evidence["also_overlaps"] = [other.key for other in others[1:]]
        correction["alsoOverlapsWith"] = [other.id for other in others[1:]]
    return rule_candidate(
        record_key=punch.key,
        employee=employee,
        anomaly=A.OVERLAPPING_ENTRIES,
        evidence=evidence,
        note=f"Entry {data.local_time(punch.t_in)}–{data.local_time(punch.t_out)} overlaps {overlaps}",
        correction=correction,
        severity="medium",
    )
