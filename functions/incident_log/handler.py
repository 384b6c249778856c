"""incident_log: API Gateway REST proxy behind the web app's authorizer, `POST /incidents` (and
`GET /incidents/openapi.json`).

Thin: the routes and their answers are `plexlabor.incidents.api` (its docstring lists them); this
resolves the event against them with the dependencies built once per environment, the reporter
taken from the authorizer's claims, and a refused form answered with the web app's form page.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from plexlabor.incidents.api import Context, FormRefusal, app
from plexlabor.incidents.service import IncidentDeps, IncidentReport
from plexlabor.incidents.wiring import dependencies as build_dependencies
from plexlabor.platform.jsonapi import NOT_SIGNED_IN
from plexlabor.platform.observability import lambda_handler
from plexlabor.webapp.viewer import NotSignedInError, viewer_from_claims

EVENT_MODEL = APIGatewayProxyEventModel
"""The shape of this function's event (`events/incident_log.json` parses with it)."""
BODY_MODEL = IncidentReport
"""The shape of its JSON body."""


def _reporter(authorizer: Any) -> str:
    return viewer_from_claims(authorizer).user_id


def _form_page(refusal: FormRefusal, deps: IncidentDeps) -> Response[str]:
    """A refused form: the web app's form page again (imported only then: the menu's modules)."""
    from plexlabor.webapp.incidentform import refused_form_page

    return refused_form_page(refusal, deps)


@lambda_handler(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext, dependencies: IncidentDeps | None = None) -> dict[str, Any]:
    app.append_context(incidents=Context(dependencies or build_dependencies(), _reporter, _form_page))
    try:
        return app.resolve(event, context)
    except NotSignedInError:
        return dict(NOT_SIGNED_IN)
