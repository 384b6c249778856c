"""The nightly job: refresh the norms, then sweep for what no punch triggers.

Norms are computed from `history` of plant data read through the labor-data port and saved through
the NormsStore. The sweep runs the batch engine over the last `sweep` (reading a week more of
context so weekly checks see their week) and records findings the real-time path cannot raise
because no punch arrives for them: a missed clock-out long after the shift ended, a badge-in with
no clock-in, a machine running with nobody logged in. Findings the real-time path already recorded
are skipped by the audit store (stable ids), so the sweep is safe to re-run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from plexlabor.intake.errors import NoSupervisorError
from plexlabor.intake.norms_store import NormsStore
from plexlabor.intake.recording import FindingRecorder
from plexlabor.plex.port import LaborDataPort
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.norms import Norms, compute_norms
from plexlabor.validation.source import read_plant_data

SWEEP_CONTEXT = timedelta(days=8)


def refresh_norms(port: LaborDataPort, timezone: str, store: NormsStore, now: datetime, history: timedelta) -> Norms:
    """Compute norms from [now - history, now) and save them as the latest."""
    data = read_plant_data(port, now - history, now, timezone)
    norms = compute_norms(data)
    store.save(norms)
    return norms


@dataclass
class SweepResult:
    findings: int = 0
    new: int = 0
    approvals_started: int = 0
    by_type: Counter[str] = field(default_factory=Counter)
    unroutable: list[str] = field(default_factory=list)
    """Review findings with no supervisor to route to (recorded nowhere; the run then fails)."""

    def as_dict(self) -> dict[str, object]:
        return {
            "findings": self.findings,
            "new": self.new,
            "approvals_started": self.approvals_started,
            "by_type": dict(self.by_type),
            "unroutable": len(self.unroutable),
        }


def sweep(
    port: LaborDataPort,
    timezone: str,
    engine: ValidationEngine,
    recorder: FindingRecorder,
    norms: Norms,
    now: datetime,
    window: timedelta,
) -> SweepResult:
    """Batch-validate records of [now - window, now) and record every finding (idempotently)."""
    since = now - window
    data = read_plant_data(port, since - SWEEP_CONTEXT, now, timezone)
    result = SweepResult()
    for finding in engine.batch(data, norms, since=since.timestamp(), until=now.timestamp()):
        result.findings += 1
        try:
            recorded = recorder.record(finding, data)
        except NoSupervisorError:
            result.unroutable.append(finding.finding_id)
            continue
        result.by_type[finding.anomaly_type.value] += 1
        result.new += recorded.new
        result.approvals_started += recorded.approval_started
    return result
