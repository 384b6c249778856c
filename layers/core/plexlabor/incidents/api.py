"""incident_log's HTTP API: `POST /incidents` (signed in) and `GET /incidents/openapi.json`.

A report comes as JSON (an API client with a Bearer token) or as the web app's form
(`application/x-www-form-urlencoded`, from `/incidents/new`; `same-origin` only, `platform.csrf`):

    201 LoggedIncident (JSON)            the incident, its codes and confidences, what the text says
    200 LoggedIncident, duplicate=true   the same report was already recorded (a form sent twice)
    303 -> /incidents/<id>               a form: to the incident's page in the web app
    400 {"message", "errors": [{"field", "problem"}]}   each bad field named (a form: an HTML page)
    403 a form from another site (nothing recorded)
Who reports is the signed-in person (the authorizer's claims), never a field of the body.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

from plexlabor.incidents.service import IncidentDeps, IncidentReport, LoggedIncident, log_incident
from plexlabor.platform.csrf import REFUSAL, cross_site_problem
from plexlabor.platform.observability import logger

INCIDENTS_PATH = "/incidents"
OPENAPI_PATH = "/incidents/openapi.json"
FORM = "application/x-www-form-urlencoded"

app = APIGatewayRestResolver()


class FieldProblem(BaseModel):
    field: str
    problem: str


class ApiProblem(BaseModel):
    message: str
    errors: list[FieldProblem] = []


@dataclass(frozen=True)
class Context:
    deps: IncidentDeps
    reporter_of: Callable[[Mapping[str, Any] | None], str]
    """The signed-in person's id from the authorizer's context (raises when there is none)."""


def _json(status: int, body: BaseModel) -> Response[str]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body.model_dump_json())


def _html(status: int, title: str, lines: list[str]) -> Response[str]:
    from html import escape

    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    body = (
        f"<!doctype html><html lang='en'><meta charset='utf-8'><title>{escape(title)}</title><main>"
        f"<h1>{escape(title)}</h1><ul>{items}</ul><p><a href='javascript:history.back()'>Back to the form</a></p>"
        "</main></html>"
    )
    return Response(status_code=status, content_type="text/html; charset=utf-8", body=body)


def _document(is_form: bool) -> dict[str, Any]:
    """The request's fields: a JSON object, or the form's fields (empty ones left out)."""
    text = app.current_event.decoded_body or ""
    if is_form:
        return {key: values[-1] for key, values in parse_qs(text).items() if values[-1].strip()}
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON: {error.msg}") from None
    if not isinstance(document, dict):
        raise ValueError("expected a JSON object")
    return document


def _problems(error: ValidationError) -> list[FieldProblem]:
    return [FieldProblem(field=".".join(map(str, e["loc"])) or "(body)", problem=e["msg"]) for e in error.errors()]


@app.post(INCIDENTS_PATH)
def log() -> Response[str]:
    context: Context = app.context["incidents"]
    event = app.current_event
    reporter = context.reporter_of(event.request_context.authorizer)
    is_form = (event.headers.get("content-type") or "").split(";")[0].strip().lower() == FORM
    if is_form and (problem := cross_site_problem(event.headers)):
        logger.warning("cross-site incident form refused", problem=problem)
        return _html(403, "Refused", [REFUSAL])
    try:
        report = IncidentReport.model_validate(_document(is_form))
    except ValueError as error:
        problems = (
            _problems(error)
            if isinstance(error, ValidationError)
            else [FieldProblem(field="(body)", problem=str(error))]
        )
        logger.info("incident refused", fields=[p.field for p in problems])
        if is_form:
            return _html(400, "The report was not recorded", [f"{p.field}: {p.problem}" for p in problems])
        return _json(400, ApiProblem(message="invalid incident report", errors=problems))
    logged = log_incident(context.deps, report, reporter)
    logger.info("incident logged", incident_id=logged.incident_id, status=logged.status, duplicate=logged.duplicate)
    if is_form:
        stage_path = event.request_context.path or event.path  # /<stage>/incidents on API Gateway
        base = stage_path[: len(stage_path) - len(event.path)] if stage_path.endswith(event.path) else ""
        location = f"{base}{INCIDENTS_PATH}/{logged.incident_id}"
        return Response(
            status_code=303, content_type="text/html; charset=utf-8", body="", headers={"Location": location}
        )
    return _json(200 if logged.duplicate else 201, logged)


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of `POST /incidents` (schemas from the pydantic models)."""
    _, schemas = models_json_schema(
        [
            (m, "validation" if m is IncidentReport else "serialization")
            for m in (IncidentReport, LoggedIncident, ApiProblem)
        ],
        ref_template="#/components/schemas/{model}",
    )

    def answer(description: str, model: str) -> dict[str, Any]:
        return {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}},
        }

    report = {"$ref": "#/components/schemas/IncidentReport"}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "plexlabor incidents",
            "version": "1.0.0",
            "description": "Incident and near-miss reports, coded with OIICS (docs/incidents.md)",
        },
        "paths": {
            INCIDENTS_PATH: {
                "post": {
                    "summary": "Log an incident or near miss",
                    "description": "Codes the narrative (OIICS, calibrated confidences), reads when, where, equipment, "
                    "body parts and PPE from it, and records it; codes the model is not sure of go to the EHS "
                    "lead's review queue. The reporter is the signed-in person.",
                    "security": [{"bearer": []}],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": report}, FORM: {"schema": report}},
                    },
                    "responses": {
                        "201": answer("Recorded", "LoggedIncident"),
                        "200": answer("Already recorded (the same report sent again): that incident", "LoggedIncident"),
                        "303": {"description": "A form: to the incident's page"},
                        "400": answer("Not a report; each bad field is named", "ApiProblem"),
                        "401": {"description": "Not signed in"},
                    },
                    "tags": ["incidents"],
                }
            }
        },
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "Cognito ID token"}},
        },
    }


@app.get(OPENAPI_PATH)
def openapi() -> Response[str]:
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=json.dumps(openapi_document()))
