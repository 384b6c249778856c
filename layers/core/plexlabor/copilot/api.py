"""copilot_ask's HTTP API: `POST /copilot/ask` (a signed-in operator) and `GET /copilot/openapi.json`.

A question comes as JSON (an API client with a Bearer token) or as the web app's form
(`application/x-www-form-urlencoded`, from `/copilot`); either is refused when a browser says another
site's page sent it (`platform.csrf`, whatever the content type: the session cookie goes with both):

    200 CopilotAnswer (JSON)             numbered steps citing their passages, the tools a procedure
                                         names, kind "safety" (asked to skip a step or a safeguard: no, and the
                                         procedure requiring it), or kind "refused" (nothing relevant found); logged
    303 -> /copilot?interaction=<id>     a form: to the copilot page, which shows the logged answer
    400 {"message", "errors": [{"field", "problem"}]}   each bad field named, a job Plex does not have too
                                         (a form: the web app's page `Context.form_page` renders, with a
                                         link back keeping what was typed); nothing logged
    401 not signed in; 403 signed in without an operator's role, or sent from another site's page
Who asks is the signed-in person (the authorizer's claims), never a field of the body. Every answer,
a refusal too, is logged to the audit table and to the job's record in Plex (`copilot.interactions`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from plexlabor.copilot import ASK_PATH, PAGE_PATH
from plexlabor.copilot.wiring import AskRequest, Copilot, ask
from plexlabor.copilot.workplace import UnknownOperationError
from plexlabor.platform.artifacts import ArtifactError
from plexlabor.platform.csrf import API_REFUSAL, REFUSAL, cross_site_problem
from plexlabor.platform.jsonapi import (
    ApiProblem,
    FieldProblem,
    field_problems,
    is_form,
    json_answer,
    json_response,
    openapi_post,
    openapi_response,
    read_document,
    stage_base,
)
from plexlabor.platform.observability import logger
from plexlabor.plex.jobs import UnknownJobError

OPENAPI_PATH = "/copilot/openapi.json"
NOT_AN_OPERATOR = "Only operators (and their supervisors, and admins) ask the copilot."
FORM_LABELS = {
    "question": "Your question",
    "job_id": "Job",
    "operation": "Operation",
    "part": "Part",
    "lot_id": "Material lot",
}
"""A form's field as the copilot page labels it, for the refusal page (the JSON answer keeps the key)."""
QUESTION_FIELDS = ", ".join(FORM_LABELS)


def problem_in_words(error: ErrorDetails) -> tuple[FieldProblem, str]:
    """One of pydantic's errors as the JSON answer names it (the field's key, its problem in words) and as
    the refusal page's line says it (by the page's label), instead of pydantic's own English."""
    field = ".".join(map(str, error["loc"])) or "(body)"
    label, kind, context = FORM_LABELS.get(field, field), error["type"], error.get("ctx", {})
    if kind == "missing":
        said = "Type a question" if field == "question" else f"{label} is missing"
    elif kind == "string_too_long":
        said = f"{label} is too long: at most {context['max_length']} characters"
    elif kind == "string_too_short":
        said = f"{label} is too short: at least {context['min_length']} characters"
    elif kind == "string_type":
        said = f"{label} must be text"
    elif kind == "extra_forbidden":
        said = (
            f"{field} is not taken: the operator is the one signed in"
            if field == "operator_id"
            else f"{field} is not a field of a question ({QUESTION_FIELDS})"
        )
    else:  # a rule already in words (a Plex name's, an unreadable character's)
        rule = str(context["error"]) if kind == "value_error" else error["msg"]
        return FieldProblem(field=field, problem=rule), f"{label}: {rule}"
    return FieldProblem(field=field, problem=said), said


app = APIGatewayRestResolver()


class NotAnAskerError(Exception):
    """Signed in, but without a role that may ask the copilot."""


class CitedStep(BaseModel):
    procedure_id: str
    title: str
    step: int
    label: str
    text: str


class PlexWrite(BaseModel):
    mode: str | None
    sent: bool
    reason: str | None = None
    error: str | None = None
    path: str | None = None
    status: int | None = None


class SuggestedRun(BaseModel):
    run_id: str
    distance: float
    """From the lot, in standard deviations of the good runs' lot properties."""
    scrap_rate: float


class ParameterAnswer(BaseModel):
    """Settings for the lot at the operation (`copilot.parameters`), inside the SOP's limits, or why none."""

    operation: str
    lot_id: str
    settings: dict[str, float]
    limits: dict[str, list[float]]
    runs: list[SuggestedRun]
    reason: str | None


class CopilotAnswer(BaseModel):
    """The answer, as logged: `steps` are the procedure's own, each with the passage it cites."""

    kind: Literal["steps", "tools", "refused", "safety"]
    """`safety`: asked to skip or bypass a step, a safety check, a guard or PPE: "No. … Ask your supervisor." and the
    procedure that requires it, when one does; when none names it, that said (`answers.bypass_answer`)."""
    text: str
    procedure_id: str | None
    title: str | None
    steps: list[CitedStep]
    tools: list[str] | None
    worded_by: str | None
    job_id: str | None
    job_unchecked: bool = False
    """Plex's jobs could not be read (slow or down): the job was taken as typed, not checked."""
    scope: Literal["operation", "part", "department", "plant"] | None
    """Whose procedures answered: the current operation's, the part's, the job's department's, or the plant's
    (None: refused)."""
    departments: list[str] = []
    """The departments of the job's operation, read from Plex (none: no job, or Plex could not tell)."""
    selected: str | None = None
    """Which of the procedure's steps `steps` are when not all ("The step giving the torque (1 of its 8
    steps)": a question for one value); None: all of them."""
    parameters: ParameterAnswer | None
    """Only when the question names an operation and a lot."""
    interaction_id: str | None
    plex: PlexWrite | None


@dataclass(frozen=True)
class FormRefusal:
    """What a refused form's page says: its status, title and problems, what was typed, and who asked."""

    status: int
    title: str
    lines: list[str]
    typed: Mapping[str, Any]
    authorizer: Mapping[str, Any] | None
    base: str


@dataclass(frozen=True)
class Context:
    copilot: Callable[[], Copilot]
    """The copilot, built once per environment (its index read on the first question)."""
    asker_of: Callable[[Mapping[str, Any] | None], str]
    """The signed-in person's id from the authorizer's context; raises NotAnAskerError for a person who
    may not ask (and the handler's NotSignedInError when nobody is signed in)."""
    form_page: Callable[[FormRefusal], Response[str]]
    """A refused form's page, in the web app's layout with its headers (`webapp.copilotform`: this layer
    sits below the web app and cannot render its pages)."""


NOT_READY = "The copilot cannot answer yet: the plant's procedures have not been indexed. Ask again later."


def _refused(form: bool, status: int, message: str, typed: Mapping[str, Any] | None = None) -> Response[str]:
    if not form:
        return json_response(status, ApiProblem(message=message))
    event = app.current_event
    context: Context = app.context["copilot"]
    title = "Not answered yet" if status == 503 else "Refused"
    refusal = FormRefusal(status, title, [message], typed or {}, event.request_context.authorizer, stage_base(event))
    return context.form_page(refusal)


def _not_asked(form: bool, said: list[tuple[FieldProblem, str]], typed: Mapping[str, Any]) -> Response[str]:
    """400: each bad field named (JSON), or the form's page listing them by its labels."""
    problems = [problem for problem, _ in said]
    logger.info("copilot question refused", fields=[p.field for p in problems])
    if not form:
        return json_response(400, ApiProblem(message="invalid question", errors=problems))
    event = app.current_event
    lines = [line for _, line in said]
    refusal = FormRefusal(
        400, "The question was not asked", lines, typed, event.request_context.authorizer, stage_base(event)
    )
    context: Context = app.context["copilot"]
    return context.form_page(refusal)


def _time_left() -> Callable[[], float] | None:
    """The seconds the invocation has left (Lambda's context), read when asked; None without a context."""
    lambda_context = getattr(app, "lambda_context", None)
    if lambda_context is None:
        return None
    return lambda: float(lambda_context.get_remaining_time_in_millis()) / 1000


@app.post(ASK_PATH)
def ask_route() -> Response[str]:
    context: Context = app.context["copilot"]
    event = app.current_event
    form = is_form(event.headers)
    try:
        asker = context.asker_of(event.request_context.authorizer)
    except NotAnAskerError:
        return _refused(form, 403, NOT_AN_OPERATOR)
    if problem := cross_site_problem(event.headers):  # a form or JSON alike: the session cookie rides on both
        logger.warning("cross-site copilot question refused", problem=problem, form=form)
        return _refused(form, 403, REFUSAL if form else API_REFUSAL)
    typed: dict[str, Any] = {}
    try:
        typed = read_document(event.decoded_body, form)
        request = AskRequest.model_validate(typed)
    except ValueError as error:
        said = (
            [problem_in_words(e) for e in error.errors()]
            if isinstance(error, ValidationError)
            else [(p, f"{p.field}: {p.problem}") for p in field_problems(error)]
        )
        return _not_asked(form, said, typed)
    try:
        answer = CopilotAnswer.model_validate(ask(context.copilot(), request, asker, _time_left()))
    except UnknownJobError as error:  # nothing answered or logged; the form keeps the question
        return _not_asked(form, [(FieldProblem(field="job_id", problem=str(error)), f"Job: {error}")], typed)
    except UnknownOperationError as error:  # the same for an operation the job does not have (ux_s14 #4)
        return _not_asked(form, [(FieldProblem(field="operation", problem=str(error)), f"Operation: {error}")], typed)
    except ArtifactError as error:  # no index built yet (copilot_index has not run) or S3 unreadable; found by fuzzing
        logger.error("the copilot has no index to answer from", problem=str(error))
        return _refused(form, 503, NOT_READY, typed)
    if not form:
        return json_response(200, answer)
    location = f"{stage_base(event)}{PAGE_PATH}?{urlencode({'interaction': answer.interaction_id or ''})}"
    return Response(status_code=303, content_type="text/html; charset=utf-8", body="", headers={"Location": location})


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of `POST /copilot/ask` (schemas from the pydantic models)."""
    return openapi_post(
        ASK_PATH,
        AskRequest,
        (CopilotAnswer,),
        api=(
            "plexlabor operator copilot",
            "The procedure for an operator's question, step by step with citations (docs/copilot.md)",
        ),
        operation=(
            "Ask the copilot",
            "Answers from the plant's procedures only: numbered steps that cite their passages, the tools a "
            "procedure names, or a refusal when no procedure covers the question. Every answer is logged to "
            "the audit table and to the job's record in Plex (dry run by default). The operator is the "
            "signed-in person (group operator, supervisor or admin).",
        ),
        responses={
            "200": json_answer("The answer (kind 'refused': nothing relevant found), logged", "CopilotAnswer"),
            "303": {"description": "A form: to the copilot page showing the answer"},
            "400": json_answer("Not a question; each bad field is named", "ApiProblem"),
            "403": json_answer("Not an operator, or sent from another site's page (nothing logged)", "ApiProblem"),
            "503": json_answer(
                "No procedure index to answer from yet (copilot_index has not run): ask later", "ApiProblem"
            ),
        },
        tag="copilot",
    )


@app.get(OPENAPI_PATH)
def openapi() -> Response[str]:
    return openapi_response(openapi_document())
