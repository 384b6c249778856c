"""The web app's OpenAPI document: every route API Gateway sends to web_app (`infra/function_specs.py`),
written by hand as `approval.document` is: the routes answer HTML pages and read their query and forms
themselves, which Powertools cannot describe from the handlers.

What it states is what the pages hold to: a query parameter a page only filters or pages by is any
string (a value it does not know is ignored, never refused; an empty one is no parameter), but the crew
board's department and workcenter, which it refuses by name (the filter is on what the URL says); a form field
the page refuses is constrained (a decision's `action`, a reason's length and its invisible characters,
a bulk decision's items, the crew board's shift). Every status a route answers is listed; a 5xx is
not, but where a dependency is down (503) or the sign-in service refuses (502). Signed-in routes answer
401 without a session (API Gateway's sign-in page, `webapp.auth`). Fuzzing reads it
(tests/e2e/test_e2e_fuzz_webapp.py).
"""

from __future__ import annotations

from typing import Any

from plexlabor.approval.document import HTML_PAGE
from plexlabor.approval.messages import MAX_REASON_CHARS
from plexlabor.crew.messages import CALL_OFF_REASONS
from plexlabor.incidents.listing import STATUS_FILTERS
from plexlabor.incidents.withdrawal import GROUNDS
from plexlabor.platform.text import BIDI_CONTROLS
from plexlabor.webapp.app import BULK_FLASH_KEYS, PAGE_SIZE

_MEANING = {
    "200": "The page",
    "302": "On to the sign-in service (or back to the app)",
    "303": "Done: on to the next page (a reload never sends the form twice)",
    "400": "The query or form is refused; the page says why",
    "401": "Not signed in (API Gateway's sign-in page, on to /login)",
    "403": "Not for this person's roles, or a form from another site",
    "404": "No such page, item or incident, or not this person's to see",
    "409": "Decided or coded by someone else a moment ago",
    "410": "Decided elsewhere, or expired",
    "502": "The sign-in service did not accept the sign-in",
    "503": "A dependency is unavailable, or not configured here: try again",
}
_INVISIBLE = "".join(f"\\u{ord(c):04x}" for c in sorted(BIDI_CONTROLS))
READABLE_PATTERN = f"^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f{_INVISIBLE}]*$"
"""Typed text the pages keep (`platform.text.unreadable_character`): no control character but tabs and
line breaks, no bidirectional override or isolate."""
_REASON = {"type": "string", "maxLength": MAX_REASON_CHARS, "pattern": READABLE_PATTERN}
_ACTION = {"type": "string", "enum": ["approve", "reject"]}
_TEXT = {"type": "string"}
_DAY = {
    "type": "string",
    "description": "A day, YYYY-MM-DD (Python reads the other ISO 8601 forms too: 20261204); another text is 400",
}

_BOARD_DEPARTMENT = {
    "type": "string",
    "description": "A department of the board, or `all`; a department the board does not know is 400",
}
_BOARD_WORKCENTER = {"type": "string", "description": "A workcenter code; one not on the day's board is 400"}


def _responses(*statuses: str, signed_in: bool = True, ok_type: dict[str, Any] | None = None) -> dict[str, Any]:
    answers = (*statuses, "401") if signed_in else statuses
    responses: dict[str, Any] = {}
    for status in answers:
        answer: dict[str, Any] = {"description": _MEANING[status]}
        if status not in ("302", "303"):
            answer["content"] = ok_type if status == "200" and ok_type else HTML_PAGE
        responses[status] = answer
    return responses


def _query(*names: str, **constrained: dict[str, Any]) -> list[dict[str, Any]]:
    """Optional query parameters: any string, but those given a schema."""
    schemas = {name: _TEXT for name in names} | constrained
    return [{"name": name, "in": "query", "required": False, "schema": schema} for name, schema in schemas.items()]


def _path(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}


def _form(properties: dict[str, Any], *required: str) -> dict[str, Any]:
    """A form body. Fields beyond those named are allowed: some are read by prefix (a correction's
    `correction.<field>`, an incident's `code.<field>` and `confirm.<field>`), the rest ignored."""
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": schema}}}


def _get(summary: str, responses: dict[str, Any], parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"summary": summary, "parameters": parameters or [], "responses": responses}


def _post(
    summary: str, body: dict[str, Any], *statuses: str, parameters: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "summary": summary,
        "parameters": parameters or [],
        "requestBody": body,
        "responses": _responses("303", "403", *statuses),
    }


def webapp_document() -> dict[str, Any]:
    """The document (OpenAPI 3.0)."""
    decision = {"action": _ACTION, "reason": _REASON, "next": _TEXT}
    paths: dict[str, Any] = {
        "/queue": {
            "get": _get(
                "The review queue, filtered and paged (a person who decides nothing goes on to their first page; a "
                "malformed day, kind or type, or a department or employee number the plant does not have, is a 400 "
                "naming it); show=expired: the items that expired undecided",
                _responses("200", "303", "400"),
                _query(
                    "kind", "type", "department", "shift", "employee", "day", "page", *BULK_FLASH_KEYS, "last", "show"
                ),
            ),
            "post": _post(
                "Approve or reject the chosen items at once (a rejection needs a reason)",
                _form(
                    {
                        "item": {
                            "type": "array",
                            "items": {"type": "string", "minLength": 1},
                            "minItems": 1,
                            "maxItems": PAGE_SIZE,
                        },
                        "action": _ACTION,
                        "reason": _REASON,
                    },
                    "item",
                    "action",
                ),
                "400",
            ),
        },
        "/items/{item_id}": {
            "parameters": [_path("item_id")],
            "get": _get("One item to decide, or what became of it", _responses("200", "404"), _query("decided")),
            "post": _post(
                "Approve (its correction edited) or reject one item",
                _form(decision, "action"),
                "400",
                "404",
                "409",
                "410",
                "503",
            ),
        },
        "/kpis": {
            "get": _get(
                "The review KPIs (a period not offered is 400)", _responses("200", "400", "403"), _query("days")
            )
        },
        "/skills": {
            "get": _get(
                "Skill coverage",
                _responses("200", "403"),
                _query("department", "wc", "day", "shift", "page", "proposed"),
            )
        },
        "/skills/training": {
            "post": _post(
                "Propose a training from the coverage report",
                _form({"workcenter_id": _TEXT, "employee_id": _TEXT, "as_of": _TEXT, "department": _TEXT}),
                "400",
                "404",
            )
        },
        "/certifications": {
            "get": _get(
                "Certification timeline (a department, workcenter or employee number the plant does not have is 400)",
                _responses("200", "400", "403"),
                _query("department", "workcenter", "employee", "page"),
            )
        },
        "/forecasts": {"get": _get("Forecasts", _responses("200", "403"), _query("department", "measure", "page"))},
        "/analytics": {
            "get": _get(
                "Operator, crew and shift scores",
                _responses("200", "403", "404"),
                _query("employee", "measure", "page"),
            )
        },
        "/allocation": {"get": _get("Labor allocation", _responses("200", "403"))},
        "/allocation/code": {
            "get": _get(
                "The coding form of a waiting unallocated-time item (an indirect code or a job operation)",
                _responses("200", "404", "503"),
                _query("item"),
            ),
            "post": _post(
                "Code unallocated time by hand: recorded as the reviewer's choice, approved, the suggestion rejected "
                "(refused while another coding of the stretch stands; a write that cannot be queued keeps nothing)",
                _form(
                    {
                        "item": _TEXT,
                        "code": {"type": "string", "maxLength": 64},
                        "job": {"type": "string", "maxLength": 64},
                        "operation": _TEXT,
                    },
                    "item",
                ),
                "400",  # an unreadable form, or a code or job the day's report does not have (the form, saying why)
                "404",  # not waiting, or not the viewer's to decide
                "409",  # another coding of the stretch stands (waiting or approved), named: nothing recorded
                "410",
                # the day's report unreadable, or the write could not be queued: nothing kept (the coding let go, its
                # coder's rejection), or, when that could not be recorded either, the page says it waits in the queue
                "503",
            ),
        },
        "/crew": {
            "get": _get(
                "The crew board of a day",
                _responses("200", "400", "403"),
                _query("shift", "done", day=_DAY, dept=_BOARD_DEPARTMENT, wc=_BOARD_WORKCENTER),
            )
        },
        "/crew/replan": {
            "post": _post(
                "Re-plan the rest of a shift",
                _form(
                    {"day": _DAY, "shift": {"type": "string", "minLength": 1, "maxLength": 16, "pattern": r"\S"}},
                    "day",
                    "shift",
                ),
                "400",
                "503",
            )
        },
        "/crew/calloff": {
            "post": _post(
                "Record a call-off taken by phone for a person of the shift",
                _form(
                    {
                        "day": _DAY,
                        "shift": {"type": "string", "minLength": 1, "maxLength": 16, "pattern": r"\S"},
                        "employee": {"type": "string", "pattern": r"\S"},
                        "reason": {"type": "string", "enum": list(CALL_OFF_REASONS)},
                    },
                    "day",
                    "shift",
                    "employee",
                    "reason",
                ),
                "400",
                "409",  # already off the shift (also recorded a moment ago elsewhere: `crew.claims`)
                "503",  # no replan queue, or the message could not be sent (nothing recorded)
            )
        },
        "/crew/swap": {
            "post": _post(
                "Swap a waiting crew suggestion for another operator",
                _form(
                    {"item": _TEXT, "employee": {"type": "string", "pattern": r"\S"}, "next": _TEXT}, "item", "employee"
                ),
                "400",  # an unreadable form or one without item or employee; a swap the board refuses is a 303
                "409",  # the person or seat taken a moment ago (`crew.claims`); 409, 410: swapped in part
                "410",
                "503",
            )
        },
        "/crew/removal": {
            "post": _post(
                "Send again a removal from Plex that was refused, its person still off the shift",
                _form({"item": _TEXT, "day": _DAY, "shift": _TEXT, "next": _TEXT}, "item"),
                "400",  # an unreadable form or one without item
                "404",  # not a removal the viewer decides
                "409",  # no longer the refused one (sent again, closed), or its person back on the shift
                "410",
                "503",  # the write could not be queued: the removal is recorded, not approved, waiting in the queue
            )
        },
        "/copilot": {
            "get": _get(
                "The operator copilot's page (an earlier answer by its interaction id)",
                _responses("200", "403", "404"),
                _query(
                    "job_id",
                    "operation",
                    "part",
                    "lot_id",
                    interaction={"type": "string", "pattern": "^([0-9a-f]{32})?$"},
                ),
            )
        },
        "/incidents": {
            "get": _get(
                "The incidents the person may see, where each stands",
                _responses("200", "400"),
                _query(
                    "department",  # a malformed one (over 64 characters, other characters) is 400
                    status={"type": "string", "enum": ["", *STATUS_FILTERS]},
                    page={"type": "string", "pattern": "^[0-9]*$"},  # 0 is 400; past the last page, the last
                    **{"from": _DAY, "to": _DAY},
                ),
            )
        },
        "/incidents/new": {"get": _get("The incident form", _responses("200"))},
        "/incidents/trends": {"get": _get("Incident trends", _responses("200", "403"))},
        "/incidents/{incident_id}": {
            "parameters": [_path("incident_id")],
            "get": _get("One incident", _responses("200", "404"), _query("saved")),
            "post": _post(
                "Confirm or correct an incident's codes, or send the confirmed ones again; or, with withdraw=1 and a"
                " reason, withdraw a report sent by mistake (its reporter, the EHS lead or an admin; no reason: 400;"
                " 409 once it was decided, sent to Plex, replaced by a corrected report or withdrawn), or, with a"
                " ground, set it aside as not an incident or a duplicate of the report duplicate_of names (the EHS"
                " lead or an admin, else 403; 409 once closed, while its confirmation is on its way to Plex or while"
                " Plex holds it); a save and a withdrawal at the same moment: one holds, the other is a 409",
                _form(
                    {
                        "send": _TEXT,
                        "reason": _REASON,
                        "withdraw": _TEXT,
                        "ground": {"type": "string", "enum": list(GROUNDS)},
                        "duplicate_of": _TEXT,
                    }
                ),
                "400",
                "403",
                "404",
                "409",
            ),
        },
        "/static/{name}": {
            "parameters": [_path("name")],
            "get": _get(
                "A script of the dashboards",
                _responses("200", "404", ok_type={"text/javascript": {"schema": {"type": "string"}}}),
            ),
        },
        "/{proxy+}": {  # every other GET path: a page saying there is none (`app.no_such_page`), not API Gateway's 403
            "parameters": [_path("proxy+")],
            "get": _get("No such page", _responses("404")),
        },
        "/login": {"get": _get("Sign in", _responses("302", signed_in=False))},
        "/auth/callback": {
            "get": _get(
                "The sign-in service's answer",
                _responses("302", "400", "502", signed_in=False),
                _query("code", "state", "error", "error_description"),
            )
        },
        "/logout": {"get": _get("Sign out", _responses("302", signed_in=False))},
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "plexlabor web app",
            "version": "1.0.0",
            "description": "HTML pages, signed in with the session cookie but /login, /auth/callback and /logout",
        },
        "paths": paths,
    }
