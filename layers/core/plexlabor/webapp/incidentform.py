"""The incident form's page (`/incidents/new`), as the web app shows it and as incident_log answers a form it
refused: the same template in the web app's layout and menu, the problems in plain words naming the field,
what was typed filled in again, the workcenter, department and shift offered from the plant's own values
(`incidents.service.PlantChoices`), and no time later than now.

incident_log renders it without the web app's routes: this module needs only Jinja2 and the menu (the web
app's `webapp.app` pulls its sign-in, PyJWT, which incident_log's layer does not carry).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from aws_lambda_powertools.event_handler import Response
from jinja2 import Environment, PackageLoader, select_autoescape

from plexlabor.incidents.api import FormRefusal
from plexlabor.incidents.service import IncidentDeps, PlantChoices
from plexlabor.webapp.headers import CONTENT_TYPE, SECURITY_HEADERS
from plexlabor.webapp.menu import menu_for
from plexlabor.webapp.viewer import viewer_from_claims

TITLE = "Report an incident"

templates = Environment(loader=PackageLoader("plexlabor.webapp"), autoescape=select_autoescape(default=True))
templates.globals["menu_for"] = menu_for


def form_context(
    zone: tzinfo,
    now: datetime,
    choices: PlantChoices,
    typed: Mapping[str, str] | None = None,
    problems: list[str] | None = None,
    *,
    spoken: bool,
    correcting: str | None = None,
) -> dict[str, Any]:
    """What `incident_form.html` needs beside the layout: the latest time it takes (now, plant time), the
    plant's values to choose from, what was typed and the problems, whether a recording is transcribed here
    (`spoken`: the form offers one only then; ux_s14 #18: an operator learnt after sending that it was not), and the
    report the form corrects (`correcting`: sent with it as `correct`, so that report is the one replaced)."""
    return {
        "spoken": spoken,
        "correcting": correcting,
        "title": TITLE,
        "page": "incidents",
        "latest": now.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "choices": choices,
        "typed": dict(typed or {}),
        "problems": problems or [],
    }


def refused_form_page(refusal: FormRefusal, deps: IncidentDeps) -> Response[str]:
    """incident_log's answer to a form it refused: the form again, in the web app's layout (people are
    named by their ids here: incident_log has no people directory)."""
    body = templates.get_template("incident_form.html").render(
        base=refusal.base,
        viewer=viewer_from_claims(refusal.authorizer),
        zone=str(deps.zone),
        scope=deps.scope,
        who=lambda person: person or "",
        **form_context(
            deps.zone,
            deps.clock(),
            deps.plant_choices(),
            refusal.typed,
            refusal.problems,
            spoken=deps.transcribe is not None,
            correcting=refusal.typed.get("correct"),
        ),
    )
    return Response(status_code=refusal.status, content_type=CONTENT_TYPE, body=body, headers=dict(SECURITY_HEADERS))
