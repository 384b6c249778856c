"""forecast_nightly: EventBridge nightly schedule → retrain, forecast → S3 artifacts + audit suggestions.

Thin: parse the event, build the adapters once per environment, call `plexlabor.forecast.nightly`.
Event: an EventBridge scheduled event; `detail` may carry `{"as_of": "<ISO instant>"}` to forecast as
of another moment (replays over a historical plant); otherwise the event's `time` is the forecast
moment, so a retried delivery of the same tick makes the same run (and publishes nothing twice).
Returns the run's summary: version, method, counts, hours, seconds per step, published counts.

Configuration (environment, `plexlabor.forecast.nightly.NightlySettings`): `AUDIT_TABLE_NAME`;
`ARTIFACTS_BUCKET_NAME` (or `PLEXLABOR_ARTIFACTS_DIR` for a folder); the labor-data source as every
function that reads it (`PLEXLABOR_PLANT_DIR`, or Plex with `PLEX_API_KEY_SECRET_ARN`,
`PLEXLABOR_PLEX_*` and `PLEXLABOR_TIMEZONE`); optional `FORECAST_SETTINGS` (JSON).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import AwareDatetime, BaseModel, ConfigDict

from plexlabor.audit.store import AuditStore
from plexlabor.forecast.artifacts import ArtifactStore
from plexlabor.forecast.nightly import NightlySettings, run_nightly
from plexlabor.forecast.settings import ForecastSettings
from plexlabor.platform.settings import PerEnvironment
from plexlabor.plex.sources import LaborSource


class ForecastDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: AwareDatetime | None = None


class ForecastNightlyEvent(EventBridgeModel):
    detail: ForecastDetail = ForecastDetail()


EVENT_MODEL = ForecastNightlyEvent
"""The shape of this function's event (`events/forecast_nightly.json` parses with it)."""

logger = Logger()
tracer = Tracer()
metrics = Metrics()


@dataclass
class Dependencies:
    source: LaborSource
    artifacts: ArtifactStore
    audit: AuditStore
    settings: ForecastSettings = field(default_factory=ForecastSettings)


def _build(settings: NightlySettings) -> Dependencies:
    """The real adapters (clients are created on first use)."""

    from plexlabor.audit.dynamodb import DynamoDbAuditStore
    from plexlabor.forecast.artifacts import LocalFolderArtifactStore
    from plexlabor.forecast.s3 import S3ArtifactStore
    from plexlabor.intake.aws import aws_client
    from plexlabor.plex.sources import open_labor_source_from_aws

    source = open_labor_source_from_aws(settings)
    artifacts: ArtifactStore = (
        S3ArtifactStore(settings.artifacts_bucket_name, client=aws_client("s3"))
        if settings.artifacts_bucket_name
        else LocalFolderArtifactStore(settings.artifacts_dir or ".")
    )
    return Dependencies(
        source=source,
        artifacts=artifacts,
        audit=DynamoDbAuditStore(settings.audit_table_name, client=aws_client("dynamodb")),
        settings=settings.forecast,
    )


build_dependencies = PerEnvironment(NightlySettings, _build)
"""The dependencies from the environment: built on first use, rebuilt only if a variable it reads changes."""


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext, dependencies: Dependencies | None = None) -> dict[str, Any]:
    request = parse(event=event, model=ForecastNightlyEvent)
    deps = dependencies or build_dependencies()
    as_of = (request.detail.as_of or request.time).astimezone(UTC)
    logger.append_keys(as_of=as_of.isoformat())
    summary = run_nightly(deps.source, deps.artifacts, deps.audit, as_of, deps.settings)
    logger.info("forecast done", **{k: v for k, v in summary.items() if k != "issues"}, issues=summary["issues"])
    metrics.add_metric(name="ForecastOperations", unit=MetricUnit.Count, value=summary["forecasts"])
    metrics.add_metric(name="ForecastAlertsPublished", unit=MetricUnit.Count, value=summary["published"])
    metrics.add_metric(name="ForecastSeconds", unit=MetricUnit.Seconds, value=sum(summary["seconds"].values()))
    return summary
