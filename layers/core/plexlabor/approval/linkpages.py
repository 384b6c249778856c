"""approval_callback's routes: the supervisor's approval page behind a mailed link (API Gateway REST proxy).

GET  /approvals/{token}  verifies the link (never uses it up) and shows the finding with Approve and
                         Reject-with-reason buttons.
POST /approvals/{token}  form-encoded `action` (approve | reject) and `reason`: redeems the link,
                         resumes the execution, records the decision. A POST from another site's
                         page is refused first (403, nothing used up: `platform.csrf`).
The logic is `approval.callback` (its service built once per environment by `.wiring`); a refusal is
an HTML page with the status `status_for` gives (403, 410, 400; anything else 500).
The pages are written for a supervisor (`wiring.callback_reader`: people by name and employee number
as `SHOW_NAMES_TO` allows, plant time); a link to a finding decided already names who decided it, and
when, the same way, even when the link itself has expired or was used (for a week after it expired:
`OUTCOME_SHOWN_FOR`; an old mail is not a lasting window on decisions).
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.metrics import MetricUnit

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
from plexlabor.platform.observability import logger, metrics
from plexlabor.plex.settings import WriteMode

app = APIGatewayRestResolver()

CLOSED = "This finding was already decided, or its approval expired."
"""What a link to a closed finding says when the audit cannot tell who closed it."""
LINK_REFUSALS = (AlreadyDecidedError, LinkExpiredError, LinkAlreadyUsedError, LinkSupersededError)
"""A link that no longer opens: its finding may be closed already (`_closed` says by whom)."""


@dataclass(frozen=True)
class Context:
    """What the routes use: what a test injects, else the environment's, built inside the route (a
    missing setting gets the 500 page)."""

    injected_service: CallbackService | None = None
    injected_reader: Reader | None = None
    injected_write_mode: WriteMode | None = None

    @classmethod
    def injected(cls, service: CallbackService | None, reader: Reader | None, write_mode: WriteMode | None) -> Context:
        """A test that injects only the service gets the default reader (UTC, people by the numbers at
        hand) and dry run."""
        if service is not None:
            return cls(service, reader or Reader(), write_mode or "dry_run")
        return cls(None, reader, write_mode)

    def service(self) -> CallbackService:
        return self.injected_service if self.injected_service is not None else callback_service()

    def reader(self) -> Reader:
        return self.injected_reader if self.injected_reader is not None else callback_reader()

    def write_mode(self) -> WriteMode:
        """The write mode the confirmation names (`approval.effects`)."""
        return self.injected_write_mode if self.injected_write_mode is not None else callback_write_mode()


def _html(status: int, body: str) -> Response:
    return Response(status_code=status, content_type=CONTENT_TYPE, body=body, headers=dict(SECURITY_HEADERS))


def _context() -> Context:
    context: Context = app.context["callback"]
    return context


def _caller() -> tuple[CallbackService, str | None]:
    """The service and the presenter (the signed-in supervisor, when the API has an authorizer)."""
    return _context().service(), presenting_supervisor(app.current_event.raw_event.get("requestContext") or {})


def _closed(service: CallbackService, token: str, presenter: str | None, refusal: Exception) -> Exception:
    """The refusal of a link to a finding closed already (decided, or expired unanswered), naming who
    decided it and when as a supervisor reads it; an expired or used link to a closed finding says the
    same (ux113 N12) for a week after the link expired (`OUTCOME_SHOWN_FOR`). A link to a finding still
    open, or expired longer ago, keeps its own refusal (`refusal`), but for one escalated since: that link names
    who has it now and since when (ux164 #15)."""
    reader = _context().reader
    try:
        claims = service.outcome_claims(token, presenter)
        message = (
            closed_message(service.audit.for_finding(claims.finding_id), claims.finding_id, reader())
            if claims is not None
            else None
        )
        escalation = service.escalation_after(claims) if claims is not None and message is None else None
        message = escalated_message(escalation, reader()) if escalation is not None else message
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
    except LINK_REFUSALS as refusal:
        raise _closed(service, token, presenter, refusal) from None
    logger.info("approval form refused", finding_id=pending.finding_id, reason="incomplete form")
    context = _context()
    page = review_page(
        pending,
        claims.supervisor_id,
        context.reader(),
        problem=str(problem),
        typed=typed,
        mode=context.write_mode(),
        now=service.clock(),
    )
    return _html(problem.http_status, page)


@app.get("/approvals/<token>")
def show(token: str) -> Response:
    service, presenter = _caller()
    try:
        pending, claims = service.open(token, presenter=presenter)
    except LINK_REFUSALS as refusal:
        raise _closed(service, token, presenter, refusal) from None
    logger.info("approval page shown", finding_id=pending.finding_id, stage=pending.stage.value)
    context = _context()
    page = review_page(pending, claims.supervisor_id, context.reader(), mode=context.write_mode(), now=service.clock())
    return _html(200, page)


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
    except LINK_REFUSALS as refusal:
        raise _closed(service, token, presenter, refusal) from None
    except DecisionFormError as incomplete:
        return _form_again(service, token, presenter, incomplete, reason)
    metrics.add_metric(name="SupervisorDecisions", unit=MetricUnit.Count, value=1)
    context = _context()
    return _html(200, decision_page(decision, pending, context.reader(), context.write_mode()))


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
