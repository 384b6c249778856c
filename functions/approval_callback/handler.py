"""approval_callback: API Gateway REST proxy, `GET|POST /approvals/{token}`: the supervisor's approval page.

Thin: the routes and their pages are `plexlabor.approval.linkpages` (its docstring says what each
answers); this resolves the event against them with the service, reader and write mode built once
per environment (`plexlabor.approval.wiring`), inside the route, so a missing setting gets the 500 page.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from plexlabor.approval.callback import CallbackService
from plexlabor.approval.display import Reader
from plexlabor.approval.linkpages import Context, app
from plexlabor.platform.observability import lambda_handler
from plexlabor.plex.settings import WriteMode

EVENT_MODEL = APIGatewayProxyEventModel
"""The shape of this function's event (`events/approval_callback_*.json` parse with it)."""


@lambda_handler(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(
    event: dict[str, Any],
    context: LambdaContext,
    dependencies: CallbackService | None = None,
    reader: Reader | None = None,
    write_mode: WriteMode | None = None,
) -> dict[str, Any]:
    """`dependencies`, `reader` and `write_mode` are what a test injects (`linkpages.Context.injected`)."""
    app.append_context(callback=Context.injected(dependencies, reader, write_mode))
    return app.resolve(event, context)
