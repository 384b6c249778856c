"""crew_replan: consumes the replan queue (SQS FIFO, batch size 1, partial batch failures).

Each message is a `replan` message (`plexlabor.crew.messages.ReplanMessage`: a call-off, a workcenter
down or up, a job operation added, moved or completed, decisions, a swap or a call-off undone on the crew board,
a call-off of a shift next to it, and the shift it touches). The work is
`plexlabor.crew.delivery.replan_delivered` (`plexlabor.crew.replanning.run`); the dependencies are built once per
environment (`plexlabor.crew.wiring.replan_dependencies`). The queue has one message group, so a failing message
holds those behind it: a message that fails the same way on every delivery (not a replan message, a shift that
cannot be planned, a fault in the code) is dropped, logged and counted, and recorded for the crew board to say
(`replanning.dropped_event`); only one that fails for a service (Plex, DynamoDB, S3, the network:
`delivery.TRANSIENT_ERRORS`) fails the invocation, is retried by SQS, then goes to the replan DLQ. Powertools'
`SqsFifoPartialProcessor` stops at the first failure of a batch and returns the rest, in order. A `refresh` never
fails (`replanning.refresh` logs and counts its failure, skips it when late).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from plexlabor.crew.delivery import replan_delivered
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.wiring import ReplanDependencies, replan_dependencies
from plexlabor.platform.observability import lambda_handler, logger
from plexlabor.platform.sqs import SqsEventOf

EVENT_MODEL = SqsEventOf[ReplanMessage]
"""The shape of this function's event (`events/crew_replan.json` parses with it)."""


@lambda_handler()
def handler(
    event: dict[str, Any], context: LambdaContext, dependencies: ReplanDependencies | None = None
) -> dict[str, Any]:
    deps = dependencies or replan_dependencies()

    def record_handler(record: SQSRecord) -> dict[str, Any]:
        with logger.append_context_keys(message_id=record.message_id):
            return replan_delivered(deps, record.body)

    processor = SqsFifoPartialProcessor()
    with processor(records=event["Records"], handler=record_handler):
        processor.process()
    return dict(processor.response())
