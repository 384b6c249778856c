"""crew_replan: consumes the replan queue (SQS, batch size 1, partial batch failures).

Each message is a `replan` message (`plexlabor.crew.messages.ReplanMessage`: a call-off, a workcenter
down or up, a job operation added, moved or completed, decisions, a swap or a call-off undone on the crew board,
and the shift it touches). The work is
`plexlabor.crew.replanning.run`; the dependencies are built once per environment
(`plexlabor.crew.wiring.replan_dependencies`). A message that fails is retried by SQS, then goes to the
replan DLQ; a `refresh` never fails (`replanning.refresh` logs and counts its failure, skips it when late).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.replanning import run
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
        message = ReplanMessage.model_validate_json(record.body)
        with logger.append_context_keys(message_id=record.message_id):
            return run(deps, message)

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    with processor(records=event["Records"], handler=record_handler):
        processor.process()
    return dict(processor.response())
