"""approval_callback: the supervisor's approval page (API Gateway REST proxy).

GET  /approvals/{token}  verifies the link (never uses it up) and shows the finding with Approve and
                         Reject-with-reason buttons.
POST /approvals/{token}  form-encoded `action` (approve | reject) and `reason`: redeems the link,
                         resumes the execution, records the decision.
The logic is `plexlabor.approval.callback` (its service built once per environment by `.wiring`);
a refusal is an HTML page with the status `status_for` gives (403, 410, 400; anything else 500).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from plexlabor.approval.callback import CallbackService, presenting_supervisor
from plexlabor.approval.errors import status_for
from plexlabor.approval.pages import CONTENT_TYPE, SECURITY_HEADERS, decision_page, error_page, review_page
from plexlabor.approval.wiring import callback_service
from plexlabor.platform.observability import lambda_handler, logger, metrics

EVENT_MODEL = APIGatewayProxyEventModel
"""The shape of this function's event (`events/approval_callback_*.json` parse with it)."""

app = APIGatewayRestResolver()


def _html(status: int, body: str) -> Response:
    return Response(status_code=status, content_type=CONTENT_TYPE, body=body, headers=dict(SECURITY_HEADERS))


def _caller() -> tuple[CallbackService, str | None]:
    """The service (built inside the route: a missing setting gets the 500 page) and the presenter."""
    service: CallbackService = app.context.get("service") or callback_service()
    return service, presenting_supervisor(app.current_event.raw_event.get("requestContext") or {})


@app.get("/approvals/<token>")
def show(token: str) -> Response:
    service, presenter = _caller()
    pending, claims = service.open(token, presenter=presenter)
    logger.info("approval page shown", finding_id=pending.finding_id, stage=pending.stage.value)
    return _html(200, review_page(pending, claims.supervisor_id))


@app.post("/approvals/<token>")
def decide(token: str) -> Response:
    service, presenter = _caller()
    form = parse_qs(app.current_event.decoded_body or "", keep_blank_values=True)
    action, reason = (form.get(name, [None])[0] for name in ("action", "reason"))
    decision, pending = service.decide(token, action=action, reason=reason, presenter=presenter)
    metrics.add_metric(name="SupervisorDecisions", unit=MetricUnit.Count, value=1)
    return _html(200, decision_page(decision, pending))


@app.exception_handler(Exception)
def refuse(error: Exception) -> Response:
    if isinstance(error, NotFoundError):
        return _html(404, error_page(404, "There is no page here."))
    status = status_for(error)
    if status >= 500:
        logger.exception("approval callback failed", error=type(error).__name__)
        return _html(status, error_page(status))
    logger.info("approval link refused", status=status, reason=type(error).__name__)
    return _html(status, error_page(status, str(error)))


@lambda_handler(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(
    event: dict[str, Any], context: LambdaContext, dependencies: CallbackService | None = None
) -> dict[str, Any]:
    app.append_context(service=dependencies)
    return app.resolve(event, context)
