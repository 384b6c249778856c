"""The approval pages' OpenAPI document (`GET|POST /approvals/{token}`), written by hand: the routes
answer HTML pages, which Powertools cannot describe from their handlers. Every status the callback can
answer is listed (`approval.errors.status_for`); a 500 is not (an unknown error is a bug). Fuzzing
reads it (tests/e2e/test_e2e_fuzz_approvals.py); `plexlabor_dev` or a gateway may publish it.
"""

from __future__ import annotations

from typing import Any

from plexlabor.approval.messages import MAX_REASON_CHARS
from plexlabor.audit.links import MAX_TOKEN_CHARS

APPROVAL_PATH = "/approvals/{token}"
HTML_PAGE = {"text/html": {"schema": {"type": "string"}}}
"""The content of a page answer (every status of these routes answers an HTML page)."""
_REFUSALS = {
    "400": "The form is incomplete (no action, a rejection without a reason) or a reason cannot be kept",
    "403": "The link is forged, of another supervisor, or the form came from another site",
    "404": "There is no page here",
    "409": "The audit already holds this decision",
    "410": "The link was used, or the request expired or was decided elsewhere",
    "503": "A dependency is unavailable: try again (the link is not used up)",
}


def _responses(ok: str) -> dict[str, Any]:
    return {"200": {"description": ok, "content": HTML_PAGE}} | {
        status: {"description": why, "content": HTML_PAGE} for status, why in _REFUSALS.items()
    }


def approval_document() -> dict[str, Any]:
    """The document (OpenAPI 3.0)."""
    token = {
        "name": "token",
        "in": "path",
        "required": True,
        "description": "The signed, expiring, single-use link token from the approval mail",
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_TOKEN_CHARS},
    }
    form = {
        "type": "object",
        "properties": {
            "action": {"type": "string", "enum": ["approve", "reject"]},
            "reason": {"type": "string", "maxLength": MAX_REASON_CHARS},
        },
        "required": ["action"],
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "plexlabor approval pages", "version": "1.0.0"},
        "paths": {
            APPROVAL_PATH: {
                "parameters": [token],
                "get": {
                    "summary": "The finding to decide (viewing never uses the link up)",
                    "responses": _responses("The review page"),
                },
                "post": {
                    "summary": "Approve or reject (a rejection needs a reason); uses the link up",
                    "requestBody": {
                        "required": True,
                        "content": {"application/x-www-form-urlencoded": {"schema": form}},
                    },
                    "responses": _responses("The decision, recorded"),
                },
            }
        },
    }
