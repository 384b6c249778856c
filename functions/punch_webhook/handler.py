"""punch_webhook: API Gateway REST proxy, `POST /punches` (and `GET /punches/openapi.json`).

Thin: the routes, signature check and responses are `plexlabor.intake.api` (its docstring lists the
statuses); this resolves the event against them (`resolve`: the signature over the raw bytes first)
with the dependencies built once per environment.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from plexlabor.intake.api import OPENAPI_PATH, PUNCHES_PATH, Dependencies, build_dependencies, resolve
from plexlabor.intake.messages import WebhookPunches
from plexlabor.platform.observability import lambda_handler, logger

EVENT_MODEL = APIGatewayProxyEventModel
"""The shape of this function's event (`events/punch_webhook.json` parses with it)."""
BODY_MODEL = WebhookPunches
"""The shape of its body (the canonical event's body parses with it)."""

__all__ = ["BODY_MODEL", "EVENT_MODEL", "OPENAPI_PATH", "PUNCHES_PATH", "Dependencies", "handler", "logger"]


@lambda_handler(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext, dependencies: Dependencies | None = None) -> dict[str, Any]:
    return resolve(event, context, dependencies or build_dependencies())
