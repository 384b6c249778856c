"""punch_validator: SQS batch of punch messages → real-time validation → audit table and approvals.

Thin: `plexlabor.intake.validator.validate_batch` does the work (its docstring says how); this
builds the dependencies once per environment and returns the partial batch response.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from plexlabor.intake.validator import Dependencies, PunchSqsEvent, build_dependencies, validate_batch
from plexlabor.platform.observability import lambda_handler, logger

EVENT_MODEL = PunchSqsEvent
"""The shape of this function's event (`events/punch_validator.json` parses with it)."""

__all__ = ["EVENT_MODEL", "Dependencies", "handler", "logger"]


@lambda_handler()
def handler(event: dict[str, Any], context: LambdaContext, dependencies: Dependencies | None = None) -> dict[str, Any]:
    return validate_batch(dependencies or build_dependencies(), event, context)
