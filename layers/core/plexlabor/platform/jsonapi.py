"""What an HTTP route that takes JSON or a web app form answers with (`copilot.api`, `incidents.api`).

- `read_document(body, is_form)`: the request's fields; not JSON or not an object is a ValueError;
- `field_problems(error)`: each bad field named, as `ApiProblem.errors`;
- `json_response` / `html_page`: the JSON answer, or a small HTML page (every text escaped) for a form;
- `stage_base(event)`: the API stage's path prefix (`/dev`), for a redirect back into the web app;
- `NOT_SIGNED_IN`: the 401 a handler answers when the authorizer passed nobody on;
- `openapi_post` / `json_answer` / `openapi_response`: the OpenAPI document of one signed-in JSON-or-form
  `POST` route, its answers, and the route that serves it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import JsonSchemaMode, models_json_schema

FORM = "application/x-www-form-urlencoded"
SESSION_COOKIE = "__Host-plexlabor-session"
"""The web app's session cookie (the ID token, set by `webapp.auth`): a signed-in page's form posts with it."""
NOT_SIGNED_IN: Mapping[str, Any] = {
    "statusCode": 401,
    "body": '{"message": "sign in first"}',
    "headers": {"Content-Type": "application/json"},
}


class FieldProblem(BaseModel):
    field: str
    problem: str


class ApiProblem(BaseModel):
    message: str
    errors: list[FieldProblem] = []


def is_form(headers: Mapping[str, str]) -> bool:
    return (headers.get("content-type") or "").split(";")[0].strip().lower() == FORM


def read_document(body: str | None, form: bool) -> dict[str, Any]:
    """The request's fields: a JSON object, or the form's fields (empty ones left out)."""
    text = body or ""
    if form:
        return {key: values[-1] for key, values in parse_qs(text).items() if values[-1].strip()}
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON: {error.msg}") from None
    except RecursionError:  # arrays or objects nested thousands deep: the decoder's recursion runs out
        raise ValueError("not valid JSON here: nested too deeply") from None
    if not isinstance(document, dict):
        raise ValueError("expected a JSON object")
    return document


def field_problems(error: ValueError) -> list[FieldProblem]:
    """A validation error's fields and problems; any other ValueError is a problem of the whole body."""
    if not isinstance(error, ValidationError):
        return [FieldProblem(field="(body)", problem=str(error))]
    return [FieldProblem(field=".".join(map(str, e["loc"])) or "(body)", problem=e["msg"]) for e in error.errors()]


def json_response(status: int, body: BaseModel) -> Response[str]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body.model_dump_json())


def html_page(status: int, title: str, lines: list[str], back: str = "Back to the form") -> Response[str]:
    """A small page for a form's problem (a tablet-sized viewport; every text escaped)."""
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    body = (
        "<!doctype html><html lang='en'><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title><main><h1>{escape(title)}</h1><ul>{items}</ul>"
        f"<p><a href='javascript:history.back()'>{escape(back)}</a></p></main></html>"
    )
    return Response(status_code=status, content_type="text/html; charset=utf-8", body=body)


def stage_base(event: APIGatewayProxyEvent) -> str:
    """`/dev` when API Gateway serves the route under a stage (`/dev/copilot/ask`), else ''."""
    stage_path = event.request_context.path or event.path
    return stage_path[: len(stage_path) - len(event.path)] if stage_path.endswith(event.path) else ""


def json_answer(description: str, model: str) -> dict[str, Any]:
    """An OpenAPI response whose JSON body is the schema `model` of the document's components."""
    return {"description": description, "content": {"application/json": {"schema": {"$ref": _ref(model)}}}}


def _ref(model: str) -> str:
    return f"#/components/schemas/{model}"


def openapi_post(
    path: str,
    request: type[BaseModel],
    answers: tuple[type[BaseModel], ...],
    *,
    api: tuple[str, str],
    operation: tuple[str, str],
    responses: Mapping[str, Any],
    tag: str,
) -> dict[str, Any]:
    """The OpenAPI document of one `POST path` taking `request` as JSON or a form, signed in with a Bearer
    token (an API client) or the web app's session cookie (its pages' forms).

    `api` and `operation` are each a (title or summary, description); `responses` are the route's own
    answers (401, not signed in, and 403, a form from another site, are added; a refusal may be a form's
    HTML page). The schemas come from the pydantic models (`request` for
    validation, `answers` and `ApiProblem` for serialization).
    """
    shown: list[type[BaseModel]] = [*answers, ApiProblem]
    modes: list[tuple[type[BaseModel], JsonSchemaMode]] = [(request, "validation")]
    modes += [(model, "serialization") for model in shown]
    _, schemas = models_json_schema(modes, ref_template=_ref("{model}"))
    body = {"$ref": _ref(request.__name__)}
    stated = {"403": {"description": "A form from another site (`platform.csrf`)"}, **responses}
    return {
        "openapi": "3.0.3",
        "info": {"title": api[0], "version": "1.0.0", "description": api[1]},
        "paths": {
            path: {
                "post": {
                    "summary": operation[0],
                    "description": operation[1],
                    "security": [{"bearer": []}, {"session": []}],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": body}, FORM: {"schema": body}},
                    },
                    "responses": {**_with_pages(stated), "401": {"description": "Not signed in"}},
                    "tags": [tag],
                }
            }
        },
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "Cognito ID token"},
                "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE},
            },
        },
    }


def _with_pages(responses: Mapping[str, Any]) -> dict[str, Any]:
    """A refusal (4xx, 5xx) answers a form with a small HTML page (`html_page`), JSON with its JSON."""
    shown: dict[str, Any] = {}
    for status, answer in responses.items():
        if status >= "400":
            answer = {**answer, "content": {**answer.get("content", {}), "text/html": {"schema": {"type": "string"}}}}
        shown[status] = answer
    return shown


def openapi_response(document: Mapping[str, Any]) -> Response[str]:
    """The `GET .../openapi.json` answer."""
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=json.dumps(document))
