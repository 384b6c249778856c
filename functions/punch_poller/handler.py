"""punch_poller: EventBridge schedule → read new and changed punches from Plex → punch queue.

Event: an EventBridge scheduled event. `detail` may carry an explicit window for a replay or a
backfill, `{"since": "<ISO instant>", "until": "<ISO instant>"}`; a schedule sends `{}`.
Returns `{"since", "until", "cursor_before", "punches", "labor_entries", "enqueued", "cursor_advanced"}`.
If the queue refuses any record the function fails (the scheduler retries) and the cursor stays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import AwareDatetime, BaseModel, ConfigDict

from plexlabor.intake.cursor import CursorStore
from plexlabor.intake.errors import EnqueueError
from plexlabor.intake.messages import utc_now
from plexlabor.intake.poller import PollPolicy, poll
from plexlabor.intake.queue import PunchQueue
from plexlabor.intake.settings import PollerSettings
from plexlabor.platform.settings import PerEnvironment
from plexlabor.plex.port import LaborDataPort


class PollDetail(BaseModel):
    model_config = ConfigDict(extra="ignore")

    since: AwareDatetime | None = None
    until: AwareDatetime | None = None


class PollerEvent(EventBridgeModel):
    detail: PollDetail = PollDetail()


EVENT_MODEL = PollerEvent
"""The shape of this function's event (`events/punch_poller.json` parses with it)."""

logger = Logger()
tracer = Tracer()
metrics = Metrics()


@dataclass(frozen=True)
class Dependencies:
    source: LaborDataPort
    cursors: CursorStore
    queue: PunchQueue
    policy: PollPolicy = field(default_factory=PollPolicy)
    clock: Callable[[], datetime] = utc_now


def _build(settings: PollerSettings) -> Dependencies:
    """The real adapters (clients are created on first use)."""

    from plexlabor.intake.aws import DynamoDbCursorStore, SqsPunchQueue
    from plexlabor.plex.sources import open_labor_source_from_aws

    source = open_labor_source_from_aws(settings)
    return Dependencies(
        source=source.port,
        cursors=DynamoDbCursorStore(settings.state_table_name),
        queue=SqsPunchQueue(settings.punch_queue_url),
        policy=PollPolicy(
            lookback=timedelta(hours=settings.lookback_hours),
            overlap=timedelta(seconds=settings.overlap_s),
            labor_window=timedelta(hours=settings.labor_window_hours),
        ),
    )


build_dependencies = PerEnvironment(PollerSettings, _build)
"""The dependencies from the environment: built on first use, rebuilt only if a variable it reads changes."""


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext, dependencies: Dependencies | None = None) -> dict[str, Any]:
    request = parse(event=event, model=PollerEvent)
    deps = dependencies or build_dependencies()
    try:
        result = poll(
            deps.source,
            deps.cursors,
            deps.queue,
            now=deps.clock(),
            policy=deps.policy,
            since=request.detail.since,
            until=request.detail.until,
        )
    except EnqueueError as error:
        logger.error("poll not enqueued; cursor left where it was", failed=len(error.failed), reason=str(error))
        metrics.add_metric(name="PollEnqueueFailed", unit=MetricUnit.Count, value=len(error.failed))
        raise
    summary = result.as_dict()
    logger.info("poll done", **summary)
    metrics.add_metric(name="PolledPunches", unit=MetricUnit.Count, value=result.punches)
    metrics.add_metric(name="PolledLaborEntries", unit=MetricUnit.Count, value=result.labor)
    return summary
