"""The punch webhook's HTTP API (`POST /punches`, its OpenAPI document): what `punch_webhook` resolves.

Verifies the HMAC-SHA256 signature over the raw body and the timestamp (replay window), validates
the body (one Plex time-clock or labor entry, or a list of 1 to 100), puts one message per record on
the punch queue and answers 202 with the record keys.

    202 {"accepted": n, "record_keys": [...], "received_at": "..."}
    400 {"message": "invalid punch payload", "errors": [{"field": "clockinTime", "problem": "..."}]}
    401 {"message": "signature does not match the body"}       (nothing enqueued)
    503 {"message": "...", "errors": [{"field": "<record key>", "problem": "not enqueued"}]}

A request whose body is invalid *and* whose signature is bad gets 401: unauthenticated callers learn
nothing about the schema. `GET /punches/openapi.json` publishes the OpenAPI document.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.metrics import MetricUnit

from plexlabor.intake.errors import EnqueueError
from plexlabor.intake.messages import (
    MAX_WEBHOOK_RECORDS,
    WebhookAccepted,
    WebhookError,
    WebhookPunches,
    describe_body_errors,
)
from plexlabor.intake.queue import PunchQueue
from plexlabor.intake.settings import WebhookSettings
from plexlabor.intake.webhook import accept_punches
from plexlabor.platform.observability import logger, metrics
from plexlabor.platform.settings import PerEnvironment
from plexlabor.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookVerificationError, verify

PUNCHES_PATH = "/punches"
OPENAPI_PATH = "/punches/openapi.json"

app = APIGatewayRestResolver(enable_validation=True)


@dataclass(frozen=True)
class Dependencies:
    queue: PunchQueue
    hmac_secret: Callable[[], str]
    replay_window_s: int = 300
    clock: Callable[[], float] = time.time


def _build(settings: WebhookSettings) -> Dependencies:
    """The real adapters (clients are created on first use)."""
    from plexlabor.intake.aws import SqsPunchQueue
    from plexlabor.platform.aws import read_secret

    return Dependencies(
        queue=SqsPunchQueue(settings.punch_queue_url),
        hmac_secret=lambda: read_secret(settings.hmac_secret_arn, max_age=settings.secret_max_age_s),
        replay_window_s=settings.replay_window_s,
    )


build_dependencies = PerEnvironment(WebhookSettings, _build)
"""The dependencies from the environment: built on first use, rebuilt only if a variable it reads changes."""


def _json(status: int, body: Any) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


def _signature_problem() -> str | None:
    """Why the current request's signature is refused, or None when it is good."""
    deps: Dependencies = app.context["deps"]
    event = app.current_event
    raw = event.body or ""
    body = base64.b64decode(raw) if event.is_base64_encoded else raw.encode("utf-8")
    try:
        verify(body, event.headers or {}, deps.hmac_secret(), deps.clock(), deps.replay_window_s)
    except WebhookVerificationError as error:
        return str(error)
    return None


def _unauthorized(reason: str) -> Response:
    logger.warning("webhook refused: bad signature", reason=reason)
    metrics.add_metric(name="WebhookRejectedSignature", unit=MetricUnit.Count, value=1)
    return _json(401, WebhookError(message=reason).model_dump())


def require_signature(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
    reason = _signature_problem()
    return _unauthorized(reason) if reason else next_middleware(app)


@app.exception_handler(RequestValidationError)
def bad_request(error: RequestValidationError) -> Response:
    reason = _signature_problem()  # authenticate first: a stranger gets 401, not our schema
    if reason:
        return _unauthorized(reason)
    try:
        body = json.loads(app.current_event.body or "")
    except ValueError:
        body = None
    errors = describe_body_errors(list(error.errors()), body)
    logger.info("webhook refused: invalid body", fields=[e["field"] for e in errors])
    metrics.add_metric(name="WebhookRejectedBody", unit=MetricUnit.Count, value=1)
    return _json(400, WebhookError(message="invalid punch payload", errors=errors).model_dump())


@app.exception_handler(EnqueueError)
def not_enqueued(error: EnqueueError) -> Response:
    logger.error("webhook punches not enqueued", failed=error.failed, reason=str(error))
    metrics.add_metric(name="WebhookEnqueueFailed", unit=MetricUnit.Count, value=len(error.failed))
    failed = [{"field": key, "problem": "not enqueued"} for key in error.failed]
    return _json(503, WebhookError(message=f"{error}; retry the request", errors=failed).model_dump())


def _error_response(description: str) -> OpenAPIResponse:
    return {"description": description, "content": {"application/json": {"model": WebhookError}}}


@app.post(
    PUNCHES_PATH,
    summary="Submit punches",
    description=(
        f"One Plex time-clock entry or labor entry (camelCase JSON), or a list of 1 to {MAX_WEBHOOK_RECORDS}. "
        f"Signed: `{TIMESTAMP_HEADER}: <unix seconds>` and `{SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256 of "
        '"<timestamp>." + body>`; timestamps outside the replay window are refused.'
    ),
    responses={
        202: {
            "description": "Accepted: every record is on the queue",
            "content": {"application/json": {"model": WebhookAccepted}},
        },
        400: _error_response("The body is not a punch; each bad field is named"),
        401: _error_response("Missing, stale or wrong signature; nothing was enqueued"),
        503: _error_response("Some records could not be enqueued; retry the whole request"),
    },
    tags=["punches"],
    middlewares=[require_signature],
)
def receive_punches(
    punches: Annotated[WebhookPunches, Body(media_type="application/json")],
) -> Response[WebhookAccepted]:
    deps: Dependencies = app.context["deps"]
    accepted = accept_punches(punches.entries, deps.queue, received_at=datetime.now(UTC))
    logger.info("punches accepted", record_keys=accepted.record_keys, accepted=accepted.accepted)
    metrics.add_metric(name="WebhookPunchesAccepted", unit=MetricUnit.Count, value=accepted.accepted)
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=accepted)


def openapi_document() -> dict[str, Any]:
    """The published OpenAPI document. Powertools lists its default 422 on every validated route;
    this API answers 400 instead, so the 422 (and its now unused schemas) are taken out."""
    document: dict[str, Any] = json.loads(
        app.get_openapi_json_schema(
            title="plexlabor punch webhook",
            version="1.0.0",
            summary="Signed punches from Plex process flows, integration platforms or the simulator",
        )
    )
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            operation.get("responses", {}).pop("422", None)
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        if f'"#/components/schemas/{name}"' not in json.dumps({k: v for k, v in document.items() if k != "components"}):
            schemas.pop(name, None)
    return document


@app.get(OPENAPI_PATH, include_in_schema=False)
def openapi():  # unannotated: Powertools would try to build a schema for `Response`
    return _json(200, openapi_document())
