"""approval_notify: consumes the notify queue (SQS, partial batch failures).

Each message is an approval stage or an expiry from the approval state machine; the logic is in
`plexlabor.approval.notify`. A message that cannot be parsed, prepared or delivered is reported as a
batch item failure, so SQS retries only that message (then dead-letters it).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.parser.models import SqsModel, SqsRecordModel
from aws_lambda_powertools.utilities.parser.types import Json

from plexlabor.approval.messages import NotifyMessage, parse_notify_message
from plexlabor.approval.notify import NotifyService
from plexlabor.approval.runtime import notify_service


class NotifySqsRecord(SqsRecordModel):
    body: Json[NotifyMessage]  # type: ignore[assignment]


class NotifySqsEvent(SqsModel):
    Records: list[NotifySqsRecord]  # type: ignore[assignment]


EVENT_MODEL = NotifySqsEvent
"""The shape of this function's event (`events/approval_notify.json` parses with it)."""

logger = Logger()


def process(event: dict[str, Any], context: Any, service: NotifyService) -> dict[str, Any]:
    batch = service.batch()

    def record_handler(record: SQSRecord) -> None:
        logger.append_keys(message_id=record.message_id)
        batch.add(parse_notify_message(record.body), record.message_id)

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    with processor(records=event["Records"], handler=record_handler):
        processor.process()
    logger.remove_keys(["message_id"])
    undelivered = batch.flush()
    response: dict[str, Any] = dict(processor.response())
    reported = {failure["itemIdentifier"] for failure in response["batchItemFailures"]}
    response["batchItemFailures"] += [{"itemIdentifier": mid} for mid in undelivered if mid not in reported]
    logger.info(
        "notify batch done",
        extra={"records": len(event["Records"]), "failed": len(response["batchItemFailures"])},
    )
    return response


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    logger.append_keys(request_id=getattr(context, "aws_request_id", None))
    return process(event, context, notify_service())
