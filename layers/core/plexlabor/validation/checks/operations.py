"""Labor against the job operation's actual run in Plex: time charged to an operation that had not begun
or was already complete.

Plex records when an operation's production began (its first piece) and when it was completed. A labor
entry may begin before the first piece by the routing's setup time and a grace (`BEFORE_GRACE`), and end
after the last one by a grace (`AFTER_GRACE`: clearing the machine); more than that, charged to an
operation routed to the entry's workcenter, is time charged to the wrong operation (an entry charged to
an operation not routed there is JOB_CODE_MISMATCH's, and is left to it). Nothing is judged where Plex
gave no actual times. The minutes printed are the entry's own at most.

Rule-defined: the confidence grows with the minutes beyond the grace, from `CONFIDENCE_AT_GRACE` to
`FULL_CONFIDENCE` at `FULL_CONFIDENCE_MINUTES` beyond it, whatever the scorer's measured precision for the
type (no learned model).
"""

from __future__ import annotations

from typing import Any

from plexlabor.models.anomalies import AnomalyType as A
from plexlabor.validation.checks.base import HOUR, MINUTE, Candidate, EmployeeContext, iso, rule_candidate
from plexlabor.validation.data import PlantData
from plexlabor.validation.records import Labor

BEFORE_GRACE = 30 * MINUTE  # labor may begin this long before the first piece, besides the routing's setup
AFTER_GRACE = 15 * MINUTE  # and end this long after the operation was completed
CONFIDENCE_AT_GRACE = 0.75
FULL_CONFIDENCE = 0.95
FULL_CONFIDENCE_MINUTES = 60.0


def labor_outside_operations(context: EmployeeContext) -> list[Candidate]:
    """Each finished labor entry charged to a routed operation outside that operation's actual run."""
    data = context.data
    if not data.operation_runs:
        return []
    found = []
    for entry in data.labor.get(context.employee, ()):
        run = data.operation_runs.get(entry.job_operation)
        operation = data.operations.get(entry.job_operation)
        if run is None or operation is None or entry.end is None:
            continue
        part, code, _ = operation
        if entry.workcenter not in data.approved.get((part, code), ()):
            continue
        candidate = _outside(data, context.employee, entry, run, data.setups.get((part, code, entry.workcenter), 0.0))
        if candidate is not None:
            found.append(candidate)
    return found


def _outside(
    data: PlantData, employee: str, entry: Labor, run: tuple[float | None, float | None], setup_hours: float
) -> Candidate | None:
    assert entry.end is not None
    started, completed = run
    length = entry.end - entry.start
    allowed_before = setup_hours * HOUR + BEFORE_GRACE
    before = started - entry.start if started is not None else 0.0
    after = entry.end - completed if completed is not None else 0.0
    beyond = max(before - allowed_before, after - AFTER_GRACE)
    if beyond <= 0:
        return None
    here, job = data.workcenter_code(entry.workcenter), data.job_number(entry.job_operation)
    operation = f"job {job or 'unknown'} operation {data.operation_code(entry.job_operation) or '?'}"
    span = f"{data.local_date(entry.start).isoformat()} {data.local_time(entry.start)}-{data.local_time(entry.end)}"
    evidence: dict[str, Any] = {
        "workcenter_code": here,
        "job_no": job,
        "operation_code": data.operation_code(entry.job_operation),
        "actual_start": iso(started) if started is not None else None,
        "actual_end": iso(completed) if completed is not None else None,
        "entry_minutes": round(length / MINUTE, 1),
    }
    if after - AFTER_GRACE >= before - allowed_before:
        key, moment, outside, said = (
            "minutes_after_completion",
            completed,
            after,
            ("completed", "after", "was complete"),
        )
        allowance = ""
    else:
        key, moment, outside, said = "minutes_before_start", started, before, ("started", "before", "began")
        allowance = f" (setup {setup_hours * 60:.0f} min and {BEFORE_GRACE / MINUTE:.0f} min allowed)"
    assert moment is not None
    minutes = min(outside, length) / MINUTE
    evidence[key] = round(minutes, 1)
    what = (
        f"which Plex shows {said[0]} at {data.local_time(moment)} {data.local_date(moment).isoformat()}: "
        f"{minutes:.0f} min of it {said[1]} the operation {said[2]}{allowance}"
    )
    candidate = rule_candidate(
        record_key=entry.key,
        employee=employee,
        anomaly=A.LABOR_OUTSIDE_OPERATION,
        evidence=evidence,
        note=f"Labor {span} at {here or 'its workcenter'} charged to {operation}, {what}"[:300],
        correction={"action": "recharge the labor to the operation worked", "job_operation_charged": operation},
        severity="medium",
    )
    share = min(1.0, beyond / MINUTE / FULL_CONFIDENCE_MINUTES)
    # the check's own confidence at most, whatever precision a scorer measured for the type (0.99 on training
    # plants, where every such entry is injected far outside the run): the minutes beyond the grace grade it.
    # A ceiling, not a floor: a plant whose supervisors reject these learns a lower prior, and it is used
    graded = round(CONFIDENCE_AT_GRACE + (FULL_CONFIDENCE - CONFIDENCE_AT_GRACE) * share, 4)
    candidate.ceiling = graded
    return candidate
