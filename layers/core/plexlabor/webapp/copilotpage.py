"""`/copilot`: the operator copilot on a shop-floor tablet. One column, large targets: the current job
(work order), operation and material lot, a question box, and the answer to the last question.

The form posts to copilot_ask's `POST /copilot/ask` (`plexlabor.copilot.api`), which answers, logs the
interaction (audit table and the job's Plex record) and sends the browser back here with
`?interaction=<id>`; this page shows that answer from its audit event alone: numbered steps with the
passage each cites, the tools a procedure names, or "nothing relevant found". Nothing here retrieves or
loads NumPy: the web app reads the audit table only. An operator sees their own answers; a supervisor
or an admin sees any (they may be helping at the tablet).

Registered on the web app's resolver by importing this module (the last lines of `webapp.app`).
"""

from __future__ import annotations

import re
from typing import Any

from aws_lambda_powertools.event_handler import Response

from plexlabor.audit import AuditEvent
from plexlabor.audit.events import AuditEventType
from plexlabor.copilot import ASK_PATH, PAGE_PATH, PLEX_ID_RULE
from plexlabor.review.queue import Role, Viewer
from plexlabor.webapp.app import Page, _deps, _query, app, templates
from plexlabor.webapp.viewer import COPILOT_ASKERS

TITLE = "Ask the copilot"
INTERACTION_ID = re.compile(r"^[0-9a-f]{32}$")
CONTEXT_FIELDS = ("job_id", "operation", "part", "lot_id")
"""What the form carries from one question to the next (also `?job_id=...` from a link at the workcenter)."""
SEES_EVERY_ANSWER = frozenset({Role.SUPERVISOR, Role.ADMIN})


def may_ask(viewer: Viewer) -> bool:
    return bool(viewer.roles & COPILOT_ASKERS)


def setting_text(value: float) -> str:
    """A machine setting as an operator keys it: 237.1, 1003.2, 7.97 (never an exponent)."""
    return f"{value:.1f}" if abs(value) >= 100 else f"{value:.3g}"


SETTING_UNITS = {
    "_c": "°C",
    "_f": "°F",
    "_bar": "bar",
    "_psi": "psi",
    "_mpa": "MPa",
    "_kn": "kN",
    "_mm_s": "mm/s",
    "_mm": "mm",
    "_ms": "ms",
    "_s": "s",
    "_min": "min",
    "_rpm": "rpm",
    "_pct": "%",
}
"""A machine setting's key ending that names its unit (the plant's process data: `barrel_temp_c`)."""
SETTING_WORDS = {"temp": "temperature", "pres": "pressure", "vel": "velocity"}
"""Short words in setting keys, in full."""


def setting_label(key: str) -> str:
    """A machine setting's key in words with its unit: `barrel_temp_c` -> "Barrel temperature (°C)",
    `hold_time_s` -> "Hold time (s)"; a key without a known unit in words alone."""
    end = next((end for end in SETTING_UNITS if key.endswith(end) and len(key) > len(end)), None)
    stem, unit = (key.removesuffix(end), f" ({SETTING_UNITS[end]})") if end else (key, "")
    words = " ".join(SETTING_WORDS.get(word, word) for word in stem.lower().split("_") if word)
    return words[:1].upper() + words[1:] + unit


templates.globals["may_ask_copilot"] = may_ask
templates.globals["plex_id_rule"] = PLEX_ID_RULE
templates.filters["setting"] = setting_text
templates.filters["setting_label"] = setting_label


def _interaction(page: Page, interaction_id: str) -> AuditEvent | None:
    """The interaction's event when this viewer may see it (their own, or any for a supervisor or an admin)."""
    if not INTERACTION_ID.fullmatch(interaction_id):
        return None
    events = page.deps.review.audit.for_finding(interaction_id)
    event = next((e for e in events if e.event_type is AuditEventType.INTERACTION), None)
    if event is None or not (event.actor == page.viewer.user_id or page.viewer.roles & SEES_EVERY_ANSWER):
        return None
    return event


@app.get(PAGE_PATH)
def copilot() -> Response[str]:
    page = Page(_deps())
    if not may_ask(page.viewer):
        message = "The copilot is for operators (and their supervisors, and admins)."
        return page.render("message.html", 403, title="Refused", page="copilot", message=message)
    query = _query()
    context: dict[str, Any] = {name: query.get(name, "") for name in CONTEXT_FIELDS}
    question = query.get("question", "")  # a refused question's link back (`webapp.copilotform`)
    event, status = None, 200
    if "interaction" in query:
        event = _interaction(page, query["interaction"])
        if event is None:
            status = 404
        else:
            context = {name: event.payload.get(name) or "" for name in CONTEXT_FIELDS}
    return page.render(
        "copilot.html",
        status,
        title=TITLE,
        page="copilot",
        action=f"{page.base}{ASK_PATH}",
        asked=event,
        answer=event.payload["answer"] if event else None,
        missing=status == 404,
        question="" if event else question,
        **context,
    )
