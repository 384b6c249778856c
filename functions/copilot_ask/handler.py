"""copilot_ask: API Gateway REST proxy behind the web app's authorizer, `POST /copilot/ask` (and
`GET /copilot/openapi.json`).

Thin: the routes and their answers are `plexlabor.copilot.api` (its docstring lists them); this
resolves the event against them with the copilot built once per environment (the index read from S3
on the first question, then kept by the container) and the asker taken from the authorizer's claims.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from plexlabor.copilot.api import Context, FormRefusal, NotAnAskerError, app
from plexlabor.copilot.wiring import AskRequest, Copilot
from plexlabor.copilot.wiring import dependencies as build_dependencies
from plexlabor.platform.jsonapi import NOT_SIGNED_IN
from plexlabor.platform.observability import lambda_handler
from plexlabor.webapp.viewer import COPILOT_ASKERS, NotSignedInError, viewer_from_claims

EVENT_MODEL = APIGatewayProxyEventModel
"""The shape of this function's event (`events/copilot_ask.json` parses with it)."""
BODY_MODEL = AskRequest
"""The shape of its JSON body."""


def _asker(authorizer: Mapping[str, Any] | None) -> str:
    viewer = viewer_from_claims(authorizer)
    if not viewer.roles & COPILOT_ASKERS:
        raise NotAnAskerError(viewer.user_id)
    return viewer.user_id


def _form_page(refusal: FormRefusal) -> Response[str]:
    """A refused form: the web app's page (imported only then: the menu's modules)."""
    from plexlabor.webapp.copilotform import refused_question_page

    return refused_question_page(refusal)


@lambda_handler(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext, dependencies: Copilot | None = None) -> dict[str, Any]:
    copilot = (lambda: dependencies) if dependencies is not None else build_dependencies
    app.append_context(copilot=Context(copilot, _asker, _form_page))
    try:
        return app.resolve(event, context)
    except NotSignedInError:
        return dict(NOT_SIGNED_IN)
