"""copilot_ask's answer to a form it refused (`POST /copilot/ask` from the `/copilot` page): a page in the
web app's layout and menu, sent with its headers, listing the problems by the page's labels, with a link
back to `/copilot` that fills in again what was typed.

copilot_ask renders it without the web app's routes: this module needs only Jinja2 and the menu (the web
app's `webapp.app` pulls its sign-in, PyJWT, which copilot_ask's layer does not carry).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response
from jinja2 import Environment, PackageLoader, select_autoescape

from plexlabor.copilot import PAGE_PATH
from plexlabor.copilot.api import FormRefusal
from plexlabor.webapp.headers import CONTENT_TYPE, SECURITY_HEADERS
from plexlabor.webapp.menu import menu_for
from plexlabor.webapp.viewer import viewer_from_claims

KEPT_FIELDS = ("job_id", "operation", "part", "lot_id", "question")
"""What the link back carries to the page's form (`webapp.copilotpage` fills them in)."""

templates = Environment(loader=PackageLoader("plexlabor.webapp"), autoescape=select_autoescape(default=True))
templates.globals["menu_for"] = menu_for


def back_link(base: str, typed: Mapping[str, Any]) -> str:
    """`/copilot` with what was typed (text fields only, as the form sent them)."""
    kept = {name: typed[name] for name in KEPT_FIELDS if isinstance(typed.get(name), str) and typed[name]}
    return f"{base}{PAGE_PATH}" + (f"?{urlencode(kept)}" if kept else "")


def refused_question_page(refusal: FormRefusal) -> Response[str]:
    """The page for a refused question (people are named by their ids: copilot_ask has no people directory)."""
    body = templates.get_template("copilot_refused.html").render(
        base=refusal.base,
        viewer=viewer_from_claims(refusal.authorizer),
        who=lambda person: person or "",
        page="copilot",
        title=refusal.title,
        lines=refusal.lines,
        back=back_link(refusal.base, refusal.typed),
    )
    return Response(status_code=refusal.status, content_type=CONTENT_TYPE, body=body, headers=dict(SECURITY_HEADERS))
