"""norms_refresh: EventBridge nightly schedule → norms from history → S3; then the batch-only sweep.

Event: an EventBridge scheduled event; `detail` may carry `{"as_of": "<ISO instant>"}` to run as
of another moment (replays over a historical plant). Returns
`{"as_of", "norms_version", "norms_key", "sweep": {"findings", "new", "approvals_started",
"by_type", "unroutable"}}`. Review findings with no supervisor to route to (no `supervisorId` and no
`DEFAULT_SUPERVISOR_ID`) are logged as errors and counted (`UnroutableFindings`), not recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import AwareDatetime, BaseModel, ConfigDict

from plexlabor.intake.messages import utc_now
from plexlabor.intake.nightly import refresh_norms, sweep
from plexlabor.intake.norms_store import NormsStore, version_key
from plexlabor.intake.recording import FindingRecorder
from plexlabor.intake.settings import NormsRefreshSettings
from plexlabor.platform.settings import PerEnvironment
from plexlabor.plex.port import LaborDataPort
from plexlabor.validation.engine import ValidationEngine


class NightlyDetail(BaseModel):
    model_config = ConfigDict(extra="ignore")

    as_of: AwareDatetime | None = None


class NormsRefreshEvent(EventBridgeModel):
    detail: NightlyDetail = NightlyDetail()


EVENT_MODEL = NormsRefreshEvent
"""The shape of this function's event (`events/norms_refresh.json` parses with it)."""

ACTOR = "norms_refresh"

logger = Logger()
tracer = Tracer()
metrics = Metrics()


@dataclass
class Dependencies:
    source: LaborDataPort
    timezone: str
    norms_store: NormsStore
    recorder: FindingRecorder
    history: timedelta = timedelta(weeks=26)
    sweep_window: timedelta = timedelta(days=2)
    engine: ValidationEngine = field(default_factory=ValidationEngine)
    clock: Callable[[], datetime] = utc_now


def _build(settings: NormsRefreshSettings) -> Dependencies:
    """The real adapters (clients are created on first use)."""

    from plexlabor.audit.dynamodb import DynamoDbAuditStore
    from plexlabor.intake.approvals import StepFunctionsApprovalStarter
    from plexlabor.intake.aws import S3NormsStore, aws_client
    from plexlabor.plex.sources import open_labor_source_from_aws

    source = open_labor_source_from_aws(settings)
    clock = utc_now
    return Dependencies(
        source=source.port,
        timezone=source.timezone,
        norms_store=S3NormsStore(settings.artifacts_bucket_name),
        recorder=FindingRecorder(
            audit=DynamoDbAuditStore(settings.audit_table_name, client=aws_client("dynamodb")),
            approvals=StepFunctionsApprovalStarter(settings.approval_state_machine_arn),
            actor=ACTOR,
            clock=clock,
            default_supervisor=settings.default_supervisor_id,
            wait_seconds=settings.approval_wait_s,
        ),
        history=timedelta(weeks=settings.history_weeks),
        sweep_window=timedelta(days=settings.sweep_days),
        clock=clock,
    )


build_dependencies = PerEnvironment(NormsRefreshSettings, _build)
"""The dependencies from the environment: built on first use, rebuilt only if a variable it reads changes."""


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext, dependencies: Dependencies | None = None) -> dict[str, Any]:
    request = parse(event=event, model=NormsRefreshEvent)
    deps = dependencies or build_dependencies()
    as_of = (request.detail.as_of or deps.clock()).astimezone(UTC)

    norms = refresh_norms(deps.source, deps.timezone, deps.norms_store, as_of, deps.history)
    logger.info("norms saved", norms_version=norms.version, employees=len(norms.employees))

    result = sweep(deps.source, deps.timezone, deps.engine, deps.recorder, norms, as_of, deps.sweep_window)
    summary = result.as_dict()
    logger.info("sweep done", **summary)
    metrics.add_metric(name="SweepFindings", unit=MetricUnit.Count, value=result.new)
    metrics.add_metric(name="SweepApprovalsStarted", unit=MetricUnit.Count, value=result.approvals_started)
    if result.unroutable:
        logger.error("review findings with no supervisor to route to", finding_ids=result.unroutable)
        metrics.add_metric(name="UnroutableFindings", unit=MetricUnit.Count, value=len(result.unroutable))
    return {
        "as_of": as_of.isoformat(),
        "norms_version": norms.version,
        "norms_key": version_key(norms.version),
        "sweep": summary,
    }
