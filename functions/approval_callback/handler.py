"""approval_callback: the supervisor's approval page (API Gateway REST proxy).

GET  /approvals/{token}  verifies the link (never uses it up) and shows the finding with Approve and
                         Reject-with-reason buttons.
POST /approvals/{token}  form-encoded `action` (approve | reject) and `reason`: redeems the link,
                         resumes the execution, records the decision.
Every refusal is an HTML page; its status comes from `plexlabor.approval.errors.status_for`
(forged or another supervisor's link 403, expired or used 410, incomplete form 400).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventModel

from plexlabor.approval.callback import CallbackService
from plexlabor.approval.errors import status_for
from plexlabor.approval.pages import CONTENT_TYPE, SECURITY_HEADERS, decision_page, error_page, review_page
from plexlabor.approval.runtime import callback_service

EVENT_MODEL = APIGatewayProxyEventModel
"""The shape of this function's event (`events/approval_callback_*.json` parse with it)."""

logger = Logger()
app = APIGatewayRestResolver()

SERVER_ERROR_MESSAGE = "The decision could not be processed right now. Please try the link again in a few minutes."


def _html(status: int, body: str) -> Response:
    return Response(status_code=status, content_type=CONTENT_TYPE, body=body, headers=dict(SECURITY_HEADERS))


def _service() -> CallbackService:
    service: CallbackService = app.context["service"]
    return service


def presenting_supervisor() -> str | None:
    """The signed-in supervisor's id when the API has an authorizer: a Lambda authorizer's context
    `supervisor_id`, or a Cognito claim `custom:supervisor_id` / `supervisor_id`. None without one."""
    authorizer = (app.current_event.raw_event.get("requestContext") or {}).get("authorizer") or {}
    if authorizer.get("supervisor_id"):
        return str(authorizer["supervisor_id"])
    claims = authorizer.get("claims") or {}
    value = claims.get("custom:supervisor_id") or claims.get("supervisor_id")
    return str(value) if value else None


def _first(form: dict[str, list[str]], name: str) -> str | None:
    values = form.get(name)
    return values[0] if values else None


@app.get("/approvals/<token>")
def show(token: str) -> Response:
    pending, claims = _service().open(token, presenter=presenting_supervisor())
    logger.info("approval page shown", extra={"finding_id": pending.finding_id, "stage": pending.stage.value})
    return _html(200, review_page(pending, claims.supervisor_id))


@app.post("/approvals/<token>")
def decide(token: str) -> Response:
    form = parse_qs(app.current_event.decoded_body or "", keep_blank_values=True)
    decision, pending = _service().decide(
        token,
        action=_first(form, "action"),
        reason=_first(form, "reason"),
        presenter=presenting_supervisor(),
    )
    return _html(200, decision_page(decision, pending))


@app.exception_handler(Exception)
def refuse(error: Exception) -> Response:
    if isinstance(error, NotFoundError):
        return _html(404, error_page(404, "There is no page here."))
    status = status_for(error)
    if status >= 500:
        logger.exception("approval callback failed", extra={"error": type(error).__name__})
        return _html(status, error_page(status, SERVER_ERROR_MESSAGE))
    logger.info("approval link refused", extra={"status": status, "reason": type(error).__name__})
    return _html(status, error_page(status, str(error)))


def process(event: dict[str, Any], context: Any, service: CallbackService) -> dict[str, Any]:
    app.append_context(service=service)
    return app.resolve(event, context)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    logger.append_keys(request_id=getattr(context, "aws_request_id", None))
    return process(event, context, callback_service())
