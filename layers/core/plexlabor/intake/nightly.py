"""The nightly job: refresh the norms, then sweep for what no punch triggers.

Norms are computed from `history` of plant data read through the labor-data port and saved through
the NormsStore. The sweep runs the batch engine over the last `sweep` (reading a week more of
context so weekly checks see their week) and records findings the real-time path cannot raise
because no punch arrives for them: a missed clock-out long after the shift ended, a badge-in with
no clock-in, a machine running with nobody logged in. Findings the real-time path already recorded
are skipped by the audit store (stable ids), so the sweep is safe to re-run.

`run(deps, request)` is `functions/norms_refresh`'s entry point (its wiring: `plexlabor.intake.wiring`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import AwareDatetime, BaseModel, ConfigDict

from plexlabor.intake.norms_store import NormsStore, version_key
from plexlabor.intake.recording import UNROUTABLE_METRIC, FindingRecorder
from plexlabor.intake.wiring import NormsRefreshDependencies
from plexlabor.platform.observability import logger, metrics
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
    held: Counter[str] = field(default_factory=Counter)
    """New review findings recorded `logged` by the pilot scope, by reason (`plexlabor.platform.pilot.Hold`)."""
    unroutable: list[str] = field(default_factory=list)
    """New review findings with no supervisor to route to (recorded `logged` with `unrouted`; `run`
    logs and counts them)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "findings": self.findings,
            "new": self.new,
            "approvals_started": self.approvals_started,
            "by_type": dict(self.by_type),
            "held": dict(sorted(self.held.items())),
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
        recorded = recorder.record(finding, data)
        if recorded.unrouted is not None:
            result.unroutable.append(finding.finding_id)
        result.by_type[finding.anomaly_type.value] += 1
        result.new += recorded.new
        result.approvals_started += recorded.approval_started
        if recorded.held is not None and recorded.new:
            result.held[recorded.held.value] += 1
    return result


class NightlyDetail(BaseModel):
    model_config = ConfigDict(extra="ignore")

    as_of: AwareDatetime | None = None


class NormsRefreshEvent(EventBridgeModel):
    """norms_refresh's request: an EventBridge scheduled event; `detail` may carry
    `{"as_of": "<ISO instant>"}` to run as of another moment (replays over a historical plant)."""

    detail: NightlyDetail = NightlyDetail()


def run(deps: NormsRefreshDependencies, request: NormsRefreshEvent) -> dict[str, Any]:
    """Refresh the norms, then sweep; the summary `{"as_of", "norms_version", "norms_key", "sweep":
    {"findings", "new", "approvals_started", "by_type", "held", "unroutable"}}`. Review findings with no
    supervisor to route to (no `supervisorId` and no `DEFAULT_SUPERVISOR_ID`) are recorded `logged`
    with `unrouted`, logged as errors and counted (`UnroutableFindings`, alarmed) the night they are
    recorded; those the pilot scope holds back are recorded `logged` and counted in `held` by reason
    (`docs/rollout.md`)."""
    as_of = (request.detail.as_of or deps.clock()).astimezone(UTC)
    norms = refresh_norms(deps.source, deps.timezone, deps.norms_store, as_of, deps.history)
    logger.info("norms saved", norms_version=norms.version, employees=len(norms.employees))

    result = sweep(deps.source, deps.timezone, deps.engine, deps.recorder, norms, as_of, deps.sweep_window)
    summary = result.as_dict()
    logger.info("sweep done", **summary)
    metrics.add_metric(name="SweepFindings", unit=MetricUnit.Count, value=result.new)
    metrics.add_metric(name="SweepApprovalsStarted", unit=MetricUnit.Count, value=result.approvals_started)
    metrics.add_metric(name="SweepFindingsHeld", unit=MetricUnit.Count, value=sum(result.held.values()))
    if result.unroutable:
        logger.error("review findings with no supervisor to route to", finding_ids=result.unroutable)
        metrics.add_metric(name=UNROUTABLE_METRIC, unit=MetricUnit.Count, value=len(result.unroutable))
    return {
        "as_of": as_of.isoformat(),
        "norms_version": norms.version,
        "norms_key": version_key(norms.version),
        "sweep": summary,
    }
