"""Which job codes get misapplied, by shift: (shift, workcenter, job code) combinations ranked by their
predicted misapplication rate for the coming week (issue 14, item 3).

Each finished labor entry of the past weeks is one trial of its combination: the shift (the operator's
default shift), the workcenter, and the job code the workcenter really ran (the part operation of the
scan's job operation; for a misapplied scan, of the operation inferred by `allocation.scans`). It was
misapplied when a supervisor upheld a JOB_CODE_MISMATCH finding on it; not when they rejected one;
with no decision, when its job operation could not run at its workcenter (the finding's own rule).
The rate of a combination is shrunk toward the plant's (beta-binomial, prior fitted by moments across
combinations), so a combination with 2 misapplied of 3 entries does not outrank one with 40 of 200.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from plexlabor.allocation.scans import Approved, Scan, approved_set, fits, scans_of
from plexlabor.models import Employee, JobOperation
from plexlabor.plex import LaborDataPort
from plexlabor.plex.snapshot import read_snapshot

PRIOR_STRENGTH_BOUNDS = (2.0, 2000.0)
"""The prior's weight (a + b) is kept within these: a handful of combinations gives a noisy moment fit."""
MIN_ENTRIES_FOR_FIT = 5
"""Combinations with fewer entries do not inform the spread between combinations."""
JOBS_NAMED = 2
"""Job numbers a combination is named by."""


@dataclass(frozen=True, order=True)
class Combination:
    shift: str
    workcenter_id: str
    part_id: str
    operation_code: str


class Trial(NamedTuple):
    """One finished labor entry of a combination, and whether its job code was misapplied."""

    combination: Combination
    misapplied: bool
    entry_id: str
    job_id: str = ""
    """The job of the operation the entry is charged to."""


class Guidance(BaseModel):
    """One combination's prediction for the coming week."""

    model_config = ConfigDict(frozen=True)

    rank: int
    shift: str
    workcenter_id: str
    part_id: str
    part_family: str | None = None
    operation_code: str
    job_nos: list[str] = []
    """The job numbers (as Plex shows them) most of its entries ran on (`job_numbers`): how people know
    the job code; the part has no number in the data read."""
    entries: int
    misapplied: int
    predicted_rate: float


def outcomes(
    scans: Iterable[Scan],
    operations: Mapping[str, JobOperation],
    approved: Approved,
    employees: Mapping[str, Employee],
    decisions: Mapping[str, bool] | None = None,
) -> list[Trial]:
    """Per scan (with a known operation and shift): its combination and whether its job code was misapplied.
    `decisions`: labor entry id -> True (a JOB_CODE_MISMATCH finding upheld) or False (rejected)."""
    decided = decisions or {}
    found = []
    for scan in scans:
        person, op = employees.get(scan.employee_id), operations.get(scan.operation_id)
        if person is None or not person.default_shift_code or op is None:
            continue
        keyed = operations.get(scan.scanned_operation_id)
        misapplied = decided.get(scan.entry_id, not fits(keyed, scan.workcenter_id, approved))
        combination = Combination(person.default_shift_code, scan.workcenter_id, op.part_id, op.operation_code)
        found.append(Trial(combination, misapplied, scan.entry_id, op.job_id))
    return found


def read_trials(
    port: LaborDataPort, begin: datetime, end: datetime, decisions: Mapping[str, bool] | None = None
) -> list[Trial]:
    """The trials of the labor entries started in [begin, end), read through the Plex snapshot."""
    snapshot = read_snapshot(
        port,
        reference=("employees", "job-operations", "approved-workcenters"),
        windows={"labor-entries": (begin, end)},
    )
    operations = {op.id: op for op in snapshot.job_operations}
    approved = approved_set(snapshot.approved_workcenters)
    employees = {e.id: e for e in snapshot.employees}
    return outcomes(scans_of(snapshot.labor_entries, operations, approved), operations, approved, employees, decisions)


def job_numbers(trials: Iterable[Trial], numbers: Mapping[str, str]) -> dict[Combination, list[str]]:
    """Combination -> the numbers of the jobs most of its trials ran on, most first (ties: by number), at
    most `JOBS_NAMED`; `numbers`: job id -> job number."""
    counts: dict[Combination, Counter[str]] = {}
    for trial in trials:
        if number := numbers.get(trial.job_id):
            counts.setdefault(trial.combination, Counter())[number] += 1
    return {c: sorted(jobs, key=lambda number: (-jobs[number], number))[:JOBS_NAMED] for c, jobs in counts.items()}


def predict(
    trials: Iterable[tuple[Combination, bool]],
    top: int = 50,
    families: Mapping[str, str] | None = None,
    jobs: Mapping[Combination, list[str]] | None = None,
) -> list[Guidance]:
    """The `top` combinations by shrunk misapplication rate, highest first (ties: more entries first);
    `families`: part id -> part family, and `jobs` (`job_numbers`), to name the job code."""
    entries: Counter[Combination] = Counter()
    misapplied: Counter[Combination] = Counter()
    for combination, bad in trials:
        entries[combination] += 1
        misapplied[combination] += bad
    if not entries:
        return []
    a, b = _prior(entries, misapplied)
    rates = {c: (misapplied[c] + a) / (entries[c] + a + b) for c in entries}
    ranked = sorted(entries, key=lambda c: (-rates[c], -entries[c], c))[:top]
    return [
        Guidance(
            rank=i + 1,
            shift=c.shift,
            workcenter_id=c.workcenter_id,
            part_id=c.part_id,
            part_family=(families or {}).get(c.part_id),
            operation_code=c.operation_code,
            job_nos=(jobs or {}).get(c, []),
            entries=entries[c],
            misapplied=misapplied[c],
            predicted_rate=round(rates[c], 4),
        )
        for i, c in enumerate(ranked)
    ]


def _prior(entries: Counter[Combination], misapplied: Counter[Combination]) -> tuple[float, float]:
    """Beta(a, b) by the method of moments: the plant's rate, and the spread of rates beyond binomial noise."""
    mean = (sum(misapplied.values()) + 0.5) / (sum(entries.values()) + 1)
    informed = [c for c in entries if entries[c] >= MIN_ENTRIES_FOR_FIT]
    low, high = PRIOR_STRENGTH_BOUNDS
    strength = high
    if len(informed) >= 2:
        rates = [misapplied[c] / entries[c] for c in informed]
        spread = sum((r - mean) ** 2 for r in rates) / len(rates)
        noise = sum(mean * (1 - mean) / entries[c] for c in informed) / len(informed)
        between = spread - noise
        if between > 0:
            strength = min(high, max(low, mean * (1 - mean) / between - 1))
    return mean * strength, (1 - mean) * strength
