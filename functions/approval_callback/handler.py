"""approval_callback: the supervisor's approval page (API Gateway REST proxy).

GET  /approvals/{token}  verifies the link (never uses it up) and shows the finding with Approve and
                         Reject-with-reason buttons.
POST /approvals/{token}  form-encoded `action` (approve | reject) and `reason`: redeems the link,
                         resumes the execution, records the decision. A POST from another site's
                         page is refused first (403, nothing used up: `platform.csrf`).
The logic is `plexlabor.approval.callback` (its service built once per environment by `.wiring`);
a refusal is an HTML page with the status `status_for` gives (403, 410, 400; anything else 500).
The pages are written for a supervisor (`wiring.callback_reader`: people by name and employee number
as `SHOW_NAMES_TO` allows, plant time); a link to a finding decided already names who decided it, and
when, the same way, even when the link itself has expired or was used (for a week after it expired:
`OUTCOME_SHOWN_FOR`; an old mail is not a lasting window on decisions).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from plexlabor.approval.callback import CallbackService, presenting_supervisor
from plexlabor.approval.display import Reader
from plexlabor.approval.errors import (
    AlreadyDecidedError,
    CrossSiteRequestError,
    DecisionFormError,
    LinkSupersededError,
    status_for,
)
from plexlabor.approval.pages import (
    CONTENT_TYPE,
    SECURITY_HEADERS,
    closed_message,
    decision_page,
    error_page,
    escalated_message,
    refusal_words,
    review_page,
)
from plexlabor.approval.wiring import callback_reader, callback_service, callback_write_mode
from plexlabor.audit import LinkAlreadyUsedError, LinkExpiredError
from plexlabor.platform.csrf import REFUSAL, cross_site_problem
from plexlabor.platform.forms import UnreadableFormError, form_fields
from plexlabor.platform.observability import lambda_handler, logger, metrics
from plexlabor.plex.settings import WriteMode

EVENT_MODEL = APIGatewayProxyEventModel
"""The shape of this function's event (`events/approval_callback_*.json` parse with it)."""

app = APIGatewayRestResolver()


def _html(status: int, body: str) -> Response:
    return Response(status_code=status, content_type=CONTENT_TYPE, body=body, headers=dict(SECURITY_HEADERS))


CLOSED = "This finding was already decided, or its approval expired."
"""What a link to a closed finding says when the audit cannot tell who closed it."""


def _caller() -> tuple[CallbackService, str | None]:
    """The service (built inside the route: a missing setting gets the 500 page) and the presenter."""
    service: CallbackService = app.context.get("service") or callback_service()
    return service, presenting_supervisor(app.current_event.raw_event.get("requestContext") or {})


def _reader() -> Reader:
    reader: Reader = app.context.get("reader") or callback_reader()
    return reader


def _write_mode() -> WriteMode:
    """The write mode the confirmation names (`approval.effects`)."""
    mode: WriteMode = app.context.get("write_mode") or callback_write_mode()
    return mode


def _closed(service: CallbackService, token: str, presenter: str | None, refusal: Exception) -> Exception:
    """The refusal of a link to a finding closed already (decided, or expired unanswered), naming who
    decided it and when as a supervisor reads it; an expired or used link to a closed finding says the
    same (ux113 N12) for a week after the link expired (`OUTCOME_SHOWN_FOR`). A link to a finding still
    open, or expired longer ago, keeps its own refusal (`refusal`), but for one escalated since: that link names
    who has it now and since when (ux164 #15)."""
    try:
        claims = service.outcome_claims(token, presenter)
        message = (
            closed_message(service.audit.for_finding(claims.finding_id), claims.finding_id, _reader())
            if claims is not None
            else None
        )
        escalation = service.escalation_after(claims) if claims is not None and message is None else None
        message = escalated_message(escalation, _reader()) if escalation is not None else message
    except Exception as error:  # still a refusal: only the words are plainer
        logger.warning("decider not named", error=type(error).__name__)
        message = None
    if message:
        return AlreadyDecidedError(message)
    return AlreadyDecidedError(CLOSED) if isinstance(refusal, AlreadyDecidedError) else refusal


def _form_again(
    service: CallbackService, token: str, presenter: str | None, problem: DecisionFormError, typed: str | None
) -> Response:
    """A form the callback refused (a rejection without a reason): the link's page again, 400, with the problem
    above the reason box and what was typed kept (ux164 #11: a bare 400 page left only the browser's Back). The
    link is not used up; one that no longer opens gets its own refusal instead."""
    try:
        pending, claims = service.open(token, presenter=presenter)
    except (AlreadyDecidedError, LinkExpiredError, LinkAlreadyUsedError, LinkSupersededError) as refusal:
        raise _closed(service, token, presenter, refusal) from None
    logger.info("approval form refused", finding_id=pending.finding_id, reason="incomplete form")
    page = review_page(pending, claims.supervisor_id, _reader(), problem=str(problem), typed=typed, mode=_write_mode())
    return _html(problem.http_status, page)


@app.get("/approvals/<token>")
def show(token: str) -> Response:
    service, presenter = _caller()
    try:
        pending, claims = service.open(token, presenter=presenter)
    except (AlreadyDecidedError, LinkExpiredError, LinkAlreadyUsedError, LinkSupersededError) as refusal:
        raise _closed(service, token, presenter, refusal) from None
    logger.info("approval page shown", finding_id=pending.finding_id, stage=pending.stage.value)
    return _html(200, review_page(pending, claims.supervisor_id, _reader(), mode=_write_mode()))


@app.post("/approvals/<token>")
def decide(token: str) -> Response:
    problem = cross_site_problem(app.current_event.headers)
    if problem:
        logger.warning("cross-site decision refused", problem=problem)
        raise CrossSiteRequestError(REFUSAL)
    service, presenter = _caller()
    try:
        form = form_fields(app.current_event)
    except UnreadableFormError as error:  # refused before the link is used: it still works
        return _form_again(service, token, presenter, DecisionFormError(str(error)), None)
    action, reason = (form.get(name, [None])[0] for name in ("action", "reason"))
    try:
        decision, pending = service.decide(token, action=action, reason=reason, presenter=presenter)
    except (AlreadyDecidedError, LinkExpiredError, LinkAlreadyUsedError, LinkSupersededError) as refusal:
        raise _closed(service, token, presenter, refusal) from None
    except DecisionFormError as incomplete:
        return _form_again(service, token, presenter, incomplete, reason)
    metrics.add_metric(name="SupervisorDecisions", unit=MetricUnit.Count, value=1)
    return _html(200, decision_page(decision, pending, _reader(), _write_mode()))


@app.exception_handler(Exception)
def refuse(error: Exception) -> Response:
    if isinstance(error, NotFoundError):
        return _html(404, error_page(404, "There is no page here."))
    status = status_for(error)
    if status >= 500:
        logger.exception("approval callback failed", error=type(error).__name__)
        return _html(status, error_page(status))
    logger.info("approval link refused", status=status, reason=type(error).__name__)
    return _html(status, error_page(status, refusal_words(error)))


@lambda_handler(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(
    event: dict[str, Any],
    context: LambdaContext,
    dependencies: CallbackService | None = None,
    reader: Reader | None = None,
    write_mode: WriteMode | None = None,
) -> dict[str, Any]:
    """`dependencies`, `reader` and `write_mode` are what a test injects; a test that injects only the
    service gets the default reader (UTC, people by the numbers at hand) and dry run."""
    if dependencies is not None:
        reader, write_mode = reader or Reader(), write_mode or "dry_run"
    app.append_context(service=dependencies, reader=reader, write_mode=write_mode)
    return app.resolve(event, context)
