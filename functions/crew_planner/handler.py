"""crew_planner: EventBridge schedule → crew plan for a day → suggestions in the audit table.

Parse the event, build the adapters once per environment (`plexlabor.crew.wiring`, which documents
the configuration), run `plexlabor.crew.service.run` (which documents the event's `detail` and the
summary returned: ids and counts only) with the time the invocation has left (the Lambda context's),
which bounds the plan-day index's migration after publishing (`service._mark_index`).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from plexlabor.crew import wiring
from plexlabor.crew.service import CrewPlannerEvent, run
from plexlabor.platform.observability import lambda_handler

EVENT_MODEL = CrewPlannerEvent
"""The shape of this function's event (`events/crew_planner.json` parses with it)."""


@lambda_handler()
def handler(
    event: dict[str, Any], context: LambdaContext, dependencies: wiring.Dependencies | None = None
) -> dict[str, Any]:
    """`platform.handlers.scheduled_handler`'s steps, with the context's time left passed on to `run`."""
    request = parse(event=event, model=EVENT_MODEL)
    deps = wiring.dependencies() if dependencies is None else dependencies
    return run(deps, request, lambda: context.get_remaining_time_in_millis() / 1000)
