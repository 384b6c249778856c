"""web_authorizer: API Gateway's Lambda REQUEST authorizer in front of the web app's pages.

Thin: `plexlabor.webapp.auth.authorize` takes the ID token from the session cookie (or an
`Authorization: Bearer` header), verifies it against the user pool's signing keys (fetched once per
container) and answers with an Allow policy for the stage and the person's claims in the context, a
Deny for someone in none of the groups, or fails with "Unauthorized" (API Gateway: 401, then the
sign-in page). Nothing here logs the token or the claims.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.parser.models import ApiGatewayAuthorizerRequest
from aws_lambda_powertools.utilities.typing import LambdaContext

from plexlabor.platform.observability import lambda_handler
from plexlabor.webapp.auth import TokenVerifier, authorize, token_verifier

EVENT_MODEL = ApiGatewayAuthorizerRequest
"""The shape of this function's event (`events/web_authorizer.json` parses with it)."""


@lambda_handler(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext, verifier: TokenVerifier | None = None) -> dict[str, Any]:
    return authorize(event, verifier or token_verifier())
