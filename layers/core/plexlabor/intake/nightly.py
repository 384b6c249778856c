"""The nightly job: refresh the norms, then sweep for what no punch triggers.

Norms are computed from `history` of plant data read through the labor-data port and saved through
the NormsStore. The sweep runs the batch engine, scoring with the scorer model in force as punch_validator does
(`NormsRefreshDependencies.scorer`), over the last `sweep` (reading a week more of context so weekly checks see
their week) and records findings the real-time path cannot raise
because no punch arrives for them: a missed clock-out long after the shift ended, a badge-in with
no clock-in, a machine running with nobody logged in. Findings the real-time path already recorded
are skipped by the audit store (stable ids), so the sweep is safe to re-run. The punches and labor
entries of the window are counted as validated (`plexlabor.audit.validations`, the KPI page's
denominator): only those no validator counted before (a record that reached the dead-letter queue,
one the poller never saw), on the day of the sweep; a re-run counts nothing again.

`run(deps, request)` is `functions/norms_refresh`'s entry point (its wiring: `plexlabor.intake.wiring`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import AwareDatetime, BaseModel, ConfigDict

from plexlabor.audit.validations import ValidatedRecord
from plexlabor.intake.norms_store import NormsStore, version_key
from plexlabor.intake.recording import UNROUTABLE_METRIC, FindingRecorder
from plexlabor.intake.wiring import NormsRefreshDependencies
from plexlabor.platform.observability import logger, metrics
from plexlabor.plex.port import LaborDataPort
from plexlabor.validation.data import PlantData
from plexlabor.validation.engine import ValidationEngine
from plexlabor.validation.norms import Norms, compute_norms
from plexlabor.validation.source import read_plant_data

if TYPE_CHECKING:
    from plexlabor.audit.validations import ValidationCounter
    from plexlabor.validation.findings import Finding

SWEEP_CONTEXT = timedelta(days=8)


def refresh_norms(
    port: LaborDataPort,
    timezone: str,
    store: NormsStore,
    now: datetime,
    history: timedelta,
    *,
    latest: bool = True,
) -> Norms:
    """Compute norms from [now - history, now) and save them under their version and, when `latest`, as the
    latest (what the live validator reads)."""
    data = read_plant_data(port, now - history, now, timezone)
    norms = compute_norms(data)
    store.save(norms, latest=latest)
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
    validated: int = 0
    """Punches and labor entries in the window (each validated by the batch checks)."""
    counted: int = 0
    """Of those, how many no validator had counted yet (counted now; None counter: 0)."""
    model_version: str = ""
    """The scorer model the findings were scored with (each finding's `model_version` names it, with the norms)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "model_version": self.model_version,
            "findings": self.findings,
            "new": self.new,
            "approvals_started": self.approvals_started,
            "by_type": dict(self.by_type),
            "held": dict(sorted(self.held.items())),
            "unroutable": len(self.unroutable),
            "validated": self.validated,
            "counted": self.counted,
        }


def swept_records(data: PlantData, since: datetime, until: datetime) -> list[ValidatedRecord]:
    """The punches and labor entries of [since, until]: the records the sweep validates and counts."""
    low, high = since.timestamp(), until.timestamp()
    rows = [(p.key, p.t_in, p.employee) for punches in data.punches.values() for p in punches]
    rows += [(e.key, e.start, e.employee) for entries in data.labor.values() for e in entries]
    records = []
    for key, moment, employee in rows:
        if low <= moment <= high:
            person = data.employees.get(employee)
            day = datetime.fromtimestamp(moment, data.tz).date()
            records.append(ValidatedRecord(key, day, person.department if person else None))
    return records


def record_findings(
    findings: Iterable[Finding], recorder: FindingRecorder, data: PlantData, result: SweepResult
) -> None:
    """Record each finding (the recorder skips those already recorded) and count them into `result`."""
    for finding in findings:
        result.findings += 1
        recorded = recorder.record(finding, data)
        if recorded.unrouted is not None:
            result.unroutable.append(finding.finding_id)
        result.by_type[finding.anomaly_type.value] += 1
        result.new += recorded.new
        result.approvals_started += recorded.approval_started
        if recorded.held is not None and recorded.new:
            result.held[recorded.held.value] += 1


def sweep(
    port: LaborDataPort,
    timezone: str,
    engine: ValidationEngine,
    recorder: FindingRecorder,
    norms: Norms,
    now: datetime,
    window: timedelta,
    counter: ValidationCounter | None = None,
) -> SweepResult:
    """Batch-validate records of [now - window, now), record every finding (idempotently), then count
    the window's punches and labor entries no validator counted (on today's plant-local date)."""
    since = now - window
    data = read_plant_data(port, since - SWEEP_CONTEXT, now, timezone)
    result = SweepResult(model_version=engine.model.version)
    record_findings(engine.batch(data, norms, since=since.timestamp(), until=now.timestamp()), recorder, data, result)
    records = swept_records(data, since, now)
    result.validated = len(records)
    if counter is not None:
        result.counted = counter.count(records, recorder.clock().astimezone(data.tz).date())
    return result


class NightlyDetail(BaseModel):
    model_config = ConfigDict(extra="ignore")

    as_of: AwareDatetime | None = None


class NormsRefreshEvent(EventBridgeModel):
    """norms_refresh's request: an EventBridge scheduled event; `detail` may carry
    `{"as_of": "<ISO instant>"}` to run as of another moment (replays over a historical plant)."""

    detail: NightlyDetail = NightlyDetail()


def run(deps: NormsRefreshDependencies, request: NormsRefreshEvent) -> dict[str, Any]:
    """Refresh the norms, then sweep with the scorer model in force; the summary `{"as_of", "norms_version",
    "norms_key", "sweep": {"model_version", "findings", "new", "approvals_started", "by_type", "held", "unroutable",
    "validated", "counted"}}`.
    Review findings with no supervisor to route to (no `supervisorId` and no `DEFAULT_SUPERVISOR_ID`)
    are recorded `logged` with `unrouted`, logged as errors and counted (`UnroutableFindings`, alarmed)
    the night they are recorded; those the pilot scope holds back are recorded `logged` and counted in
    `held` by reason (`docs/rollout.md`). `validated` is the window's punches and labor entries,
    `counted` those of them no validator had counted (`SweepPunchesCounted`)."""
    as_of = (request.detail.as_of or deps.clock()).astimezone(UTC)
    deps.score_with_model_in_force()  # as punch_validator: a promotion or a rollback reaches the sweep too
    norms = refresh_norms(deps.source, deps.timezone, deps.norms_store, as_of, deps.history)
    logger.info("norms saved", norms_version=norms.version, employees=len(norms.employees))

    result = sweep(
        deps.source, deps.timezone, deps.engine, deps.recorder, norms, as_of, deps.sweep_window, deps.counter
    )
    summary = result.as_dict()
    logger.info("sweep done", **summary)
    metrics.add_metric(name="SweepFindings", unit=MetricUnit.Count, value=result.new)
    metrics.add_metric(name="SweepApprovalsStarted", unit=MetricUnit.Count, value=result.approvals_started)
    metrics.add_metric(name="SweepFindingsHeld", unit=MetricUnit.Count, value=sum(result.held.values()))
    metrics.add_metric(name="SweepPunchesCounted", unit=MetricUnit.Count, value=result.counted)
    if result.unroutable:
        logger.error("review findings with no supervisor to route to", finding_ids=result.unroutable)
        metrics.add_metric(name=UNROUTABLE_METRIC, unit=MetricUnit.Count, value=len(result.unroutable))
    return {
        "as_of": as_of.isoformat(),
        "norms_version": norms.version,
        "norms_key": version_key(norms.version),
        "sweep": summary,
    }
