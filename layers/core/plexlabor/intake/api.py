"""The punch webhook's HTTP API (`POST /punches`, its OpenAPI document): what `punch_webhook` resolves.

`resolve(event, context, deps)` is the entry point. A POST is authenticated before anything reads its
body: the HMAC-SHA256 signature and the timestamp (replay window) are verified over the raw body
bytes (base64-decoded when API Gateway encoded them); only then are the bytes read as one JSON
document (`intake.webhook.read_json_body`: JSON content type, UTF-8, bounded nesting) and validated
(one Plex time-clock or labor entry, or a list of 1 to 100). One message per record goes on the punch
queue and the answer is 202 with the record keys.

    202 {"accepted": n, "record_keys": [...], "received_at": "..."}
    400 {"message": "invalid punch payload", "errors": [{"field": "clockinTime", "problem": "..."}]}
        (a body that is not a JSON document: `"field": "(body)"` and why: not UTF-8, nested too
        deep, not JSON, another Content-Type)
    401 {"message": "signature does not match the body"}       (nothing enqueued)
    503 {"message": "...", "errors": [{"field": "<record key>", "problem": "not enqueued"}]}

A request whose body is unreadable or invalid *and* whose signature is bad gets 401: unauthenticated
callers learn nothing about the schema, and nothing parses their bytes. `GET /punches/openapi.json`
publishes the OpenAPI document.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from plexlabor.audit.errors import LinkAlreadyUsedError
from plexlabor.audit.links import LinkNonceStore
from plexlabor.intake.errors import EnqueueError, MalformedBodyError
from plexlabor.intake.messages import (
    MAX_WEBHOOK_RECORDS,
    RECORDABLE_ID,
    RECORDED_IDS,
    WebhookAccepted,
    WebhookError,
    WebhookPunches,
    describe_body_errors,
)
from plexlabor.intake.queue import PunchQueue
from plexlabor.intake.settings import WebhookSettings
from plexlabor.intake.webhook import accept_punches, read_json_body
from plexlabor.models import LaborEntry, TimeClockEntry, record_key
from plexlabor.platform.observability import logger, metrics
from plexlabor.platform.rotation import keys_from_secret
from plexlabor.platform.settings import PerEnvironment
from plexlabor.webhooks import (
    MAX_FUTURE_SKEW_S,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookVerificationError,
    verify,
)

PUNCHES_PATH = "/punches"
DELIVERY_NONCE_PREFIX = "whk-"
"""A delivery's nonce beside approval links' in the same store (theirs are random url-safe base64)."""
OPENAPI_PATH = "/punches/openapi.json"

app = APIGatewayRestResolver(enable_validation=True)


@dataclass(frozen=True)
class Dependencies:
    queue: PunchQueue
    hmac_secret: Callable[[], str]
    """The secret's value: one key, or the keys of a rotation (`platform.rotation`)."""
    replay_window_s: int = 300
    clock: Callable[[], float] = time.time
    deliveries: LinkNonceStore | None = None
    """Where each delivery's signature is used once (the state table, as approval links' nonces);
    None: no replay ledger, a replay within the window is enqueued again (the validator is idempotent)."""


def _build(settings: WebhookSettings) -> Dependencies:
    """The real adapters (clients are created on first use)."""
    from plexlabor.audit.dynamodb import DynamoDbLinkNonceStore
    from plexlabor.intake.aws import SqsPunchQueue
    from plexlabor.platform.aws import read_secret

    table = settings.state_table_name
    return Dependencies(
        queue=SqsPunchQueue(settings.punch_queue_url),
        hmac_secret=lambda: read_secret(settings.hmac_secret_arn, max_age=settings.secret_max_age_s),
        replay_window_s=settings.replay_window_s,
        deliveries=DynamoDbLinkNonceStore(table) if table else None,
    )


build_dependencies = PerEnvironment(WebhookSettings, _build)
"""The dependencies from the environment: built on first use, rebuilt only if a variable it reads changes."""


def _json(status: int, body: Any) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


def _raw_body(event: APIGatewayProxyEvent) -> bytes:
    """The body's exact bytes (binascii.Error when API Gateway's base64 is broken)."""
    raw = event.body or ""
    if event.is_base64_encoded:
        return base64.b64decode(raw, validate=True)
    return raw.encode("utf-8", "surrogatepass")  # a lone surrogate fails the UTF-8 read, after the HMAC


def _signature_problem(body: bytes, headers: Mapping[str, str], deps: Dependencies) -> str | None:
    """Why the request's signature is refused, or None when it is good."""
    try:
        current, retired = keys_from_secret(deps.hmac_secret(), "the webhook HMAC secret")
        verify(body, headers, (current, *retired), deps.clock(), deps.replay_window_s)
    except WebhookVerificationError as error:
        return str(error)
    return None


def delivery_nonce(headers: Mapping[str, str]) -> str:
    """A verified delivery's id: its signature covers its timestamp and body, so a byte-identical
    replay has the same one, and only the secret's holder can make one (hashed: a fixed alphabet)."""
    signature = next((value for key, value in headers.items() if key.lower() == SIGNATURE_HEADER.lower()), "")
    return DELIVERY_NONCE_PREFIX + hashlib.sha256(signature.strip().lower().encode()).hexdigest()[:56]


def _unauthorized(reason: str) -> Response:
    logger.warning("webhook refused: bad signature", reason=reason)
    metrics.add_metric(name="WebhookRejectedSignature", unit=MetricUnit.Count, value=1)
    return _json(401, WebhookError(message=reason).model_dump())


def _invalid(errors: list[dict[str, str]]) -> Response:
    logger.info("webhook refused: invalid body", fields=[e["field"] for e in errors])
    metrics.add_metric(name="WebhookRejectedBody", unit=MetricUnit.Count, value=1)
    return _json(400, WebhookError(message="invalid punch payload", errors=errors).model_dump())


def _malformed(reason: str) -> Response:
    return _invalid([{"field": "(body)", "problem": reason}])


def _admit(event: APIGatewayProxyEvent, deps: Dependencies) -> tuple[Any, Response | None]:
    """A POST's body as a JSON document, or the refusal: 401 unless the signature over the raw bytes
    is good, then 400 unless those bytes are one bounded JSON document."""
    try:
        body = _raw_body(event)
    except (binascii.Error, ValueError):
        return None, _unauthorized("the body is not valid base64, so its signature cannot match")
    reason = _signature_problem(body, event.headers or {}, deps)
    if reason:
        return None, _unauthorized(reason)
    try:
        return read_json_body(body, event.headers.get("content-type")), None
    except MalformedBodyError as error:
        return None, _malformed(str(error))


def _proxy_response(response: Response) -> dict[str, Any]:
    """A refusal in the REST proxy shape the resolver answers with."""
    return {
        "statusCode": response.status_code,
        "body": response.body,
        "isBase64Encoded": False,
        "multiValueHeaders": {"Content-Type": [content_types.APPLICATION_JSON]},
    }


def resolve(event: dict[str, Any], context: LambdaContext, deps: Dependencies) -> dict[str, Any]:
    """Answer one API Gateway event. A POST is admitted (`_admit`) before Powertools reads anything of
    it, so no unauthenticated byte reaches a parser; the admitted document is what `bad_request`
    describes errors against."""
    signed: dict[str, Any] = {}
    if str(event.get("httpMethod", "")).upper() == "POST":
        document, refusal = _admit(APIGatewayProxyEvent(event), deps)
        if refusal is not None:
            return _proxy_response(refusal)
        signed = {"signed_body": document, "delivery": delivery_nonce(event.get("headers") or {})}
    app.append_context(deps=deps, **signed)
    return app.resolve(event, context)


def _admitted() -> bool:
    """Whether this request came through `resolve`'s admission (the app resolved any other way
    refuses every POST)."""
    return "signed_body" in app.context


def require_signature(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
    return next_middleware(app) if _admitted() else _unauthorized("the request was not verified")


@app.exception_handler(RequestValidationError)
def bad_request(error: RequestValidationError) -> Response:
    if not _admitted():  # authenticate first: a stranger gets 401, not our schema
        return _unauthorized("the request was not verified")
    return _invalid(describe_body_errors(list(error.errors()), app.context["signed_body"]))


@app.exception_handler(RequestUnsupportedContentType)
def unsupported_content_type(error: RequestUnsupportedContentType) -> Response:
    if not _admitted():
        return _unauthorized("the request was not verified")
    return _malformed(f"Content-Type must be {content_types.APPLICATION_JSON}")


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
        '"<timestamp>." + body>`; timestamps older than the replay window (300 s by default) or more than '
        f"{MAX_FUTURE_SKEW_S} s ahead are refused. A delivery that comes again with the same signature "
        "(a replay within the window) is answered 202 with `duplicate: true`, and nothing is enqueued again."
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
    received_at = datetime.now(UTC)
    if not _first_delivery(deps, app.context["delivery"]):
        keys = [record_key(entry.resource, entry.id) for entry in punches.entries]
        logger.info("replayed delivery: nothing enqueued again", record_keys=keys)
        metrics.add_metric(name="WebhookReplayed", unit=MetricUnit.Count, value=1)
        replay = WebhookAccepted(accepted=len(keys), record_keys=keys, received_at=received_at, duplicate=True)
        return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=replay)
    try:
        accepted = accept_punches(punches.entries, deps.queue, received_at=received_at)
    except EnqueueError:
        if deps.deliveries is not None:  # not accepted: the same signed request may come again
            deps.deliveries.release(app.context["delivery"])
        raise
    logger.info("punches accepted", record_keys=accepted.record_keys, accepted=accepted.accepted)
    metrics.add_metric(name="WebhookPunchesAccepted", unit=MetricUnit.Count, value=accepted.accepted)
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=accepted)


def _first_delivery(deps: Dependencies, nonce: str) -> bool:
    """Whether this is the first time this delivery (its signature) comes: its nonce is consumed
    (a conditional put) for as long as its timestamp can pass the replay window."""
    if deps.deliveries is None:
        return True
    kept_until = datetime.fromtimestamp(deps.clock() + deps.replay_window_s + MAX_FUTURE_SKEW_S, UTC)
    try:
        deps.deliveries.consume(nonce, kept_until)
    except LinkAlreadyUsedError:
        return False
    return True


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
    for model in (TimeClockEntry, LaborEntry):  # what `recordable_ids` checks, stated for clients
        for field in RECORDED_IDS.values():
            schemas[model.__name__]["properties"][field]["pattern"] = RECORDABLE_ID
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        if f'"#/components/schemas/{name}"' not in json.dumps({k: v for k, v in document.items() if k != "components"}):
            schemas.pop(name, None)
    return document


@app.get(OPENAPI_PATH, include_in_schema=False)
def openapi():  # unannotated: Powertools would try to build a schema for `Response`
    return _json(200, openapi_document())
