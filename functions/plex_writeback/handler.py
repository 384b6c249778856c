"""plex_writeback: consumes the write-back queue (SQS, batch size 1, partial batch failures).

Each message is an approved request from the approval state machine, or an approved crew assignment
from the review queue; the logic is in
`plexlabor.approval.writeback`, the service is built once per environment (`plexlabor.approval.wiring`).
Plex unavailable: the record fails and SQS retries it after its visibility timeout; the attempt that
reaches MAX_RECEIVE_COUNT records `writeback_failed` first.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from plexlabor.approval.messages import RecommendationWriteback, WritebackMessage, parse_writeback_message
from plexlabor.approval.wiring import writeback_service
from plexlabor.approval.writeback import WritebackService
from plexlabor.platform.observability import lambda_handler, logger, metrics
from plexlabor.platform.sqs import SqsEventOf

EVENT_MODEL = SqsEventOf[WritebackMessage | RecommendationWriteback]
"""The shape of this function's event (`events/plex_writeback.json` parses with it)."""

OUTCOME_METRIC = {
    "written": "WritebacksWritten",
    "already_written": "WritebacksAlreadyWritten",
    "already_applied": "WritebacksAlreadyApplied",
    "refused": "WritebacksRefused",
}


@lambda_handler()
def handler(
    event: dict[str, Any], context: LambdaContext, dependencies: WritebackService | None = None
) -> dict[str, Any]:
    writeback = dependencies or writeback_service()

    def record_handler(record: SQSRecord) -> str:
        message = parse_writeback_message(record.body)
        attempts = int(record.attributes.approximate_receive_count or 1)
        finding_id = (
            message.item_id if isinstance(message, RecommendationWriteback) else message.request.finding.finding_id
        )
        with logger.append_context_keys(message_id=record.message_id, finding_id=finding_id):
            outcome = writeback.apply(message, message_id=record.message_id, receive_count=attempts)
            logger.info("write-back handled", outcome=outcome.outcome, attempt=attempts)
        metrics.add_metric(name=OUTCOME_METRIC[outcome.outcome], unit=MetricUnit.Count, value=1)
        return outcome.outcome

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    with processor(records=event["Records"], handler=record_handler):
        processor.process()
    response: dict[str, Any] = dict(processor.response())
    metrics.add_metric(name="WritebacksFailed", unit=MetricUnit.Count, value=len(response["batchItemFailures"]))
    return response
