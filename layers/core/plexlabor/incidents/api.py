"""incident_log's HTTP API: `POST /incidents` (signed in) and `GET /incidents/openapi.json`.

A report comes as JSON (an API client with a Bearer token) or as the web app's form
(`application/x-www-form-urlencoded`, or `multipart/form-data` with a recording, from `/incidents/new`).
Either is refused when a browser says another site's page sent it (`platform.csrf`, whatever the body's
content type: JSON sent as `text/plain` needs no CORS preflight, and the session cookie goes with it).
A recording (the form's `audio` file, or JSON `audio_base64` with `audio_format`) is transcribed by
Amazon Transcribe when configured (`transcribe`) and its text follows the typed narrative; without
transcription configured, a report with typed text is recorded from that text and says the recording was
not used (`recording_unused`; a form's page is told by `?recording=unused`), one without typed text is
refused (400 naming `audio`), and a transcription still running after the wait is a 503 (nothing
recorded; send it again). A job Plex does not have is refused (400 naming `job_no`); while Plex's jobs
cannot be read (slow or down: one short try, `plex.settings.INTERACTIVE_LIMITS`) the report is recorded
with the job as typed and says so (`job_unchecked`; a form's page is told by `?job=unchecked`):

    201 LoggedIncident (JSON)            the incident, its codes and confidences, what the text says
    200 LoggedIncident, duplicate=true   the same report was already recorded (a form sent twice)
    303 -> /incidents/<id>?reported=1    a form: to the incident's page in the web app, which says it was sent
    400 {"message", "errors": [{"field", "problem"}]}   each bad field named (a form: the form again, `form_page`)
    403 sent from another site's page, a form (a page) or JSON (`ApiProblem`); nothing recorded
    403 / 404 a form correcting a report (`correct`, "Correct this report") that is someone else's / does not exist
        (`service.CorrectionRefused`: the message says why; the form again, without `correct`); nothing recorded
    409 a corrected resend whose earlier report was withdrawn, set aside or replaced a moment before
        (`service.ResendRefused`: the message says what came first; a form: the form again); nothing recorded
A form from "Correct this report" carries `correct=<incident id>`: the report it replaces, whatever its text and
time (`log_incident(corrects=...)`); the JSON API has no such field (it replaces the reporter's report of the same
text and time). Who reports is the signed-in person (the authorizer's claims), never a field of the body. A workcenter,
department or shift must be one the plant knows (`PlantChoices`), spelled as the plant spells it.
A refused form is answered with the web app's form page (its layout and menu: `Context.form_page`), each
problem in plain words naming the field ("When: the time is in the future") and what was typed kept.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any, NamedTuple
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from plexlabor.incidents.service import (
    CLOCK_SKEW,
    CorrectionRefused,
    IncidentDeps,
    IncidentReport,
    LoggedIncident,
    ResendRefused,
    log_incident,
)
from plexlabor.incidents.transcribe import MAX_AUDIO_BYTES, MEDIA_FORMATS, TranscriptionError, TranscriptionPendingError
from plexlabor.platform.csrf import API_REFUSAL, REFUSAL, cross_site_problem
from plexlabor.platform.jsonapi import (
    FORM,
    ApiProblem,
    FieldProblem,
    field_problems,
    html_page,
    json_answer,
    json_response,
    openapi_post,
    openapi_response,
    read_document,
    stage_base,
)
from plexlabor.platform.observability import logger
from plexlabor.plex.jobs import UnknownJobError

INCIDENTS_PATH = "/incidents"
MULTIPART = "multipart/form-data"
AUDIO_FIELD = "audio"
OPENAPI_PATH = "/incidents/openapi.json"

FORM_LABELS = {
    "kind": "What was it",
    "narrative": "What happened",
    "occurred_at": "When",
    "workcenter_code": "Workcenter",
    "department": "Department",
    "shift_code": "Shift",
    "job_no": "Job",
    "audio": "Recording",
    "(body)": "The form",
}
"""The form's fields as its labels name them: a refused form names the field the person sees."""
CORRECT_FIELD = "correct"
"""The form's hidden field naming the report it corrects ("Correct this report"; a form's only, not the JSON API's)."""
FUTURE = "the time is in the future"
PLAIN_PROBLEMS = (
    ("String should have at least ", "write at least "),
    ("String should have at most ", "at most "),
    ("Input should be a valid datetime", "not a date and time"),
    ("Input should be 'injury' or 'near_miss'", "choose an injury or a near miss"),
    ("Extra inputs are not permitted", "not a field of this form"),
)
"""pydantic's wording of a form's problems, and how the form page says it (the JSON API keeps pydantic's)."""
MISSING = {
    "narrative": "say what happened, in a line or more",
    "kind": "say whether anyone was hurt: choose an injury or a near miss",
}
"""A field left out of the form, as its page says it (pydantic's "Field required" names no action; ux141 #13)."""

app = APIGatewayRestResolver()


@dataclass(frozen=True)
class FormRefusal:
    """A report sent from the form and not recorded: what its page shows."""

    status: int
    problems: list[str]
    """Each problem in plain words, naming the field as the form labels it."""
    typed: dict[str, str]
    """What was typed, to fill the form in again."""
    base: str
    """The stage's path prefix (`/dev`), for links."""
    authorizer: Mapping[str, Any] | None
    """Who sent it (their roles choose the menu)."""


def bare_form_page(refusal: FormRefusal, deps: IncidentDeps) -> Response[str]:
    """A small page naming the problems, for a resolver without the web app's form page."""
    return html_page(refusal.status, "The report was not recorded", refusal.problems)


def form_line(problem: FieldProblem) -> str:
    """A problem as the form page says it: "When: the time is in the future"."""
    text = problem.problem
    if text == "Field required":
        text = MISSING.get(problem.field, "fill this in")
    for said, plain in PLAIN_PROBLEMS:
        if text.startswith(said):
            text = plain + text[len(said) :] if plain.endswith(" ") else plain
            break
    return f"{FORM_LABELS.get(problem.field, problem.field)}: {text}"


class Recording(NamedTuple):
    data: bytes
    media_format: str


@dataclass(frozen=True)
class Context:
    deps: IncidentDeps
    reporter_of: Callable[[Mapping[str, Any] | None], str]
    """The signed-in person's id from the authorizer's context (raises when there is none)."""
    form_page: Callable[[FormRefusal, IncidentDeps], Response[str]] = bare_form_page
    """A refused form's answer (the handler gives the web app's form page, `webapp.incidentform`)."""


class Refused(Exception):
    """A report not recorded: the status and each problem."""

    def __init__(self, status: int, problems: list[FieldProblem], typed: Mapping[str, Any] | None = None) -> None:
        super().__init__(problems[0].problem)
        self.status, self.problems, self.typed = status, problems, dict(typed or {})


def _multipart(body: bytes, content_type: str) -> tuple[dict[str, Any], Recording | None]:
    """A multipart form's text fields (empty ones left out) and its `audio` file, if one was chosen."""
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    fields: dict[str, Any] = {}
    audio = None
    for part in message.iter_parts() if message.is_multipart() else ():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if name == AUDIO_FIELD and part.get_filename():
            if data:
                suffix = str(part.get_filename()).rsplit(".", 1)[-1].lower()
                audio = Recording(data, suffix if suffix in MEDIA_FORMATS else part.get_content_subtype())
        elif isinstance(name, str) and data.strip():
            fields[name] = data.decode("utf-8", errors="replace")
    return fields, audio


def _recording(document: dict[str, Any]) -> Recording | None:
    """A JSON report's recording (`audio_base64`, `audio_format`), taken out of the document."""
    encoded, media_format = document.pop("audio_base64", None), document.pop("audio_format", None)
    if encoded is None:
        return None
    try:
        return Recording(base64.b64decode(str(encoded), validate=True), str(media_format or "").lower())
    except ValueError:
        raise Refused(400, [FieldProblem(field="audio_base64", problem="not base64")]) from None


def _audio_problem(audio: Recording, deps: IncidentDeps) -> str | None:
    if deps.transcribe is None:
        return "no transcription is configured here: type the report"
    if len(audio.data) > MAX_AUDIO_BYTES:
        return f"at most {MAX_AUDIO_BYTES // (1024 * 1024)} MB"
    if audio.media_format not in MEDIA_FORMATS:
        return f"a recording as one of {', '.join(sorted(MEDIA_FORMATS))}"
    return None


def _with_transcript(document: dict[str, Any], audio: Recording, deps: IncidentDeps) -> dict[str, Any]:
    """The document with the recording's transcript after the typed narrative."""
    problem = _audio_problem(audio, deps)
    if problem is not None or deps.transcribe is None:
        raise Refused(400, [FieldProblem(field=AUDIO_FIELD, problem=problem or "")])
    try:
        transcript = deps.transcribe(audio.data, audio.media_format)
    except TranscriptionPendingError:
        problem = "the recording is still being transcribed: send the report again in a minute"
        raise Refused(503, [FieldProblem(field=AUDIO_FIELD, problem=problem)]) from None
    except TranscriptionError as error:
        raise Refused(400, [FieldProblem(field=AUDIO_FIELD, problem=f"not transcribed: {error}")]) from None
    typed = str(document.get("narrative") or "").strip()
    return {**document, "narrative": f"{typed} {transcript}".strip()}


class Read(NamedTuple):
    """A report as the request carries it, and what the reporter is told beside it."""

    report: IncidentReport
    recording_unused: bool
    """A recording came that was not used (typed text, no transcription configured)."""
    job_unchecked: bool
    """The job named was taken as typed: Plex's jobs could not be read (slow or down)."""
    typed: dict[str, Any]
    """What was sent, to fill the form in again if it is refused later (`ResendRefused`)."""
    corrects: str | None
    """The report the form corrects (`CORRECT_FIELD`), or None."""


def _report(is_form: bool, content_type: str, deps: IncidentDeps) -> Read:
    """The report the request carries (a recording transcribed into its narrative, its workcenter, department
    and shift as the plant spells them, its job as Plex spells it or, while Plex's jobs cannot be read, as
    typed: an injury report is never refused for Plex being slow); Refused, with what was typed, when it is
    not one."""
    document: dict[str, Any] = {}
    unused = False
    unchosen: list[FieldProblem] = []
    corrects = None
    try:
        if content_type == MULTIPART:
            document, audio = _multipart(_raw_body(), app.current_event.headers.get("content-type") or "")
        else:
            document = read_document(app.current_event.decoded_body, is_form)
            audio = None if is_form else _recording(document)
        if is_form:
            corrects = str(document.pop(CORRECT_FIELD, "") or "").strip() or None
        unused = audio is not None and deps.transcribe is None and bool(str(document.get("narrative") or "").strip())
        if audio is not None and not unused:
            document = _with_transcript(document, audio, deps)
        if is_form and not document.get("kind"):  # the form chooses no default: a near miss is not filed as an injury
            unchosen = [FieldProblem(field="kind", problem="Field required")]  # (the JSON API keeps its default)
        report = IncidentReport.model_validate(document)
    except Refused as refused:
        raise Refused(refused.status, refused.problems, _kept(document, corrects)) from None
    except ValueError as error:  # a ValidationError too: each field named
        raise Refused(400, [*unchosen, *field_problems(error)], _kept(document, corrects)) from None
    problems = [*unchosen]
    when = report.occurred_at
    if when is not None and (when if when.tzinfo else when.replace(tzinfo=deps.zone)) > deps.clock() + CLOCK_SKEW:
        problems.append(FieldProblem(field="occurred_at", problem=FUTURE))
    report, unknown = deps.plant_choices().fit(report)
    problems += [FieldProblem(field=name, problem=problem) for name, problem in unknown]
    unchecked = False
    if report.job_no and deps.jobs is not None:
        try:
            job = deps.jobs.check(report.job_no)
            report, unchecked = report.model_copy(update={"job_no": job.job}), not job.checked
        except UnknownJobError as error:
            problems.append(FieldProblem(field="job_no", problem=str(error)))
    if problems:
        raise Refused(400, problems, _kept(document, corrects))
    return Read(report, unused, unchecked, document, corrects)


def _kept(document: dict[str, Any], corrects: str | None) -> dict[str, Any]:
    """What was typed, with the report the form corrects: a refused form still corrects it when sent again."""
    return {**document, CORRECT_FIELD: corrects} if corrects else document


def _raw_body() -> bytes:
    event = app.current_event
    body = event.body or ""
    return base64.b64decode(body) if event.is_base64_encoded else body.encode("utf-8", errors="surrogateescape")


@app.post(INCIDENTS_PATH)
def log() -> Response[str]:
    context: Context = app.context["incidents"]
    event = app.current_event
    reporter = context.reporter_of(event.request_context.authorizer)
    content_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
    is_form = content_type in (FORM, MULTIPART)
    if problem := cross_site_problem(event.headers):  # a form or JSON alike: the session cookie rides on both
        logger.warning("cross-site incident report refused", problem=problem, form=is_form)
        if is_form:
            return html_page(403, "Refused", [REFUSAL])
        return json_response(403, ApiProblem(message=API_REFUSAL))
    try:
        report, unused, unchecked, sent, corrects = _report(is_form, content_type, context.deps)
    except Refused as refused:
        logger.info("incident refused", fields=[p.field for p in refused.problems], status=refused.status)
        lines = [form_line(problem) for problem in refused.problems]
        return _refused(context, is_form, refused.status, lines, refused.typed) or json_response(
            refused.status, ApiProblem(message="invalid incident report", errors=refused.problems)
        )
    try:
        logged = log_incident(context.deps, report, reporter, job_unchecked=unchecked, corrects=corrects)
    except CorrectionRefused as error:  # the form again, correcting nothing: sent again, it is a report of its own
        logger.info("incident correction refused", status=error.status)
        return _refused(context, is_form, error.status, [str(error)], sent) or json_response(
            error.status, ApiProblem(message=str(error))
        )
    except ResendRefused as error:
        logger.info("incident resend refused: its earlier report was closed first")
        return _refused(context, is_form, 409, [str(error)], sent) or json_response(409, ApiProblem(message=str(error)))
    logged = logged.model_copy(update={"recording_unused": unused})
    logger.info("incident logged", incident_id=logged.incident_id, status=logged.status, duplicate=logged.duplicate)
    if is_form:
        notes = {
            "reported": "again" if logged.duplicate else "1",  # the page says it was sent (ux_s13 #7)
            **({"recording": "unused"} if unused else {}),
            **({"job": "unchecked"} if unchecked else {}),
        }
        location = f"{stage_base(event)}{INCIDENTS_PATH}/{logged.incident_id}?{urlencode(notes)}"
        return Response(
            status_code=303, content_type="text/html; charset=utf-8", body="", headers={"Location": location}
        )
    return json_response(200 if logged.duplicate else 201, logged)


def _refused(
    context: Context, is_form: bool, status: int, lines: list[str], typed: Mapping[str, Any]
) -> Response[str] | None:
    """A refused form's page (`Context.form_page`: the problems, what was typed kept); None for JSON."""
    if not is_form:
        return None
    event = app.current_event
    kept = {k: v for k, v in typed.items() if (k in FORM_LABELS or k == CORRECT_FIELD) and isinstance(v, str)}
    refusal = FormRefusal(status, lines, kept, stage_base(event), event.request_context.authorizer)
    return context.form_page(refusal, context.deps)


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of `POST /incidents` (schemas from the pydantic models)."""
    return openapi_post(
        INCIDENTS_PATH,
        IncidentReport,
        (LoggedIncident,),
        api=("plexlabor incidents", "Incident and near-miss reports, coded with OIICS (docs/incidents.md)"),
        operation=(
            "Log an incident or near miss",
            "Codes the narrative (OIICS, calibrated confidences), reads when, where, equipment, body parts and "
            "PPE from it, and records it; codes the model is not sure of go to the EHS lead's review queue. The "
            "reporter is the signed-in person. A recording (JSON `audio_base64` and `audio_format`, or the "
            "form's `audio` file) is transcribed (Amazon Transcribe) and its text appended to the narrative "
            "when transcription is configured; otherwise the typed text is recorded and `recording_unused` says "
            "the recording was not used (without typed text: 400). A job Plex does not have is refused; while "
            "Plex's jobs cannot be read the report is recorded with the job as typed and `job_unchecked` says so.",
        ),
        responses={
            "201": json_answer("Recorded", "LoggedIncident"),
            "200": json_answer("Already recorded (the same report sent again): that incident", "LoggedIncident"),
            "303": {"description": "A form: to the incident's page"},
            "400": json_answer("Not a report; each bad field is named", "ApiProblem"),
            "403": json_answer("Sent from another site's page: nothing recorded", "ApiProblem"),
            "409": json_answer(
                "A corrected resend whose earlier report was withdrawn, set aside or replaced a moment before: "
                "nothing recorded (send it again to record it as a report of its own)",
                "ApiProblem",
            ),
        },
        tag="incidents",
    )


@app.get(OPENAPI_PATH)
def openapi() -> Response[str]:
    return openapi_response(openapi_document())
