"""approval_notify: consumes the notify queue (SQS, partial batch failures).

Each message is an approval stage or an expiry from the approval state machine; the logic is in
`plexlabor.approval.notify`, the service is built once per environment (`plexlabor.approval.wiring`).
A message that cannot be parsed, prepared or delivered is reported as a batch item failure, so SQS
retries only that message (then dead-letters it).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from plexlabor.approval.messages import NotifyMessage, parse_notify_message
from plexlabor.approval.notify import NotifyService
from plexlabor.approval.wiring import notify_service
from plexlabor.platform.observability import lambda_handler, logger, metrics
from plexlabor.platform.sqs import SqsEventOf

EVENT_MODEL = SqsEventOf[NotifyMessage]
"""The shape of this function's event (`events/approval_notify.json` parses with it)."""


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext, dependencies: NotifyService | None = None) -> dict[str, Any]:
    batch = (dependencies or notify_service()).batch()

    def record_handler(record: SQSRecord) -> None:
        with logger.append_context_keys(message_id=record.message_id):
            batch.add(parse_notify_message(record.body), record.message_id)

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    with processor(records=event["Records"], handler=record_handler):
        processor.process()
    undelivered = batch.flush()
    response: dict[str, Any] = dict(processor.response())
    reported = {failure["itemIdentifier"] for failure in response["batchItemFailures"]}
    response["batchItemFailures"] += [{"itemIdentifier": mid} for mid in undelivered if mid not in reported]
    failed = len(response["batchItemFailures"])
    metrics.add_metric(name="NotifyMessagesFailed", unit=MetricUnit.Count, value=failed)
    logger.info("notify batch done", records=len(event["Records"]), failed=failed)
    return response
