"""web_app: API Gateway REST proxy with a Cognito authorizer: the review queue and its pages.

Thin: the routes are `plexlabor.webapp.app` (its docstring says how pages and decisions work); this
resolves the event against them with the dependencies built once per environment.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from plexlabor.platform.observability import lambda_handler
from plexlabor.webapp.app import Dependencies, app
from plexlabor.webapp.app import dependencies as build_dependencies

EVENT_MODEL = APIGatewayProxyEventModel
"""The shape of this function's event (`events/web_app.json` parses with it)."""


@lambda_handler(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext, dependencies: Dependencies | None = None) -> dict[str, Any]:
    app.append_context(deps=dependencies or build_dependencies())
    return app.resolve(event, context)
