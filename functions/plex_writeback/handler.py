"""plex_writeback: consumes the write-back queue (SQS, batch size 1, partial batch failures).

Each message is an approved request from the approval state machine; the logic is in
`plexlabor.approval.writeback`. Plex unavailable: the record fails and SQS retries it after its
visibility timeout; the attempt that reaches MAX_RECEIVE_COUNT records `writeback_failed` first.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.parser.models import SqsModel, SqsRecordModel
from aws_lambda_powertools.utilities.parser.types import Json

from plexlabor.approval.messages import WritebackMessage
from plexlabor.approval.runtime import writeback_service
from plexlabor.approval.writeback import WritebackService


class WritebackSqsRecord(SqsRecordModel):
    body: Json[WritebackMessage]  # type: ignore[assignment]


class WritebackSqsEvent(SqsModel):
    Records: list[WritebackSqsRecord]  # type: ignore[assignment]


EVENT_MODEL = WritebackSqsEvent
"""The shape of this function's event (`events/plex_writeback.json` parses with it)."""

logger = Logger()


def process(event: dict[str, Any], context: Any, service: WritebackService) -> dict[str, Any]:
    def record_handler(record: SQSRecord) -> str:
        message = WritebackMessage.model_validate_json(record.body)
        attempts = int(record.attributes.approximate_receive_count or 1)
        logger.append_keys(message_id=record.message_id, finding_id=message.request.finding.finding_id)
        outcome = service.apply(message, message_id=record.message_id, receive_count=attempts)
        logger.info("write-back handled", extra={"outcome": outcome.outcome, "attempt": attempts})
        return outcome.outcome

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    with processor(records=event["Records"], handler=record_handler):
        processor.process()
    logger.remove_keys(["message_id", "finding_id"])
    return dict(processor.response())


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    logger.append_keys(request_id=getattr(context, "aws_request_id", None))
    return process(event, context, writeback_service())
