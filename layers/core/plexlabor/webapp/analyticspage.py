"""`/analytics`: operator, crew and shift scores from analytics_nightly's newest report, and an operator's
card (`/analytics?employee=<employee number>`). Who sees what is `webapp.analytics.AnalyticsScope`; the
page draws the stored report (`webapp.analytics`) and never recomputes it.

Registered on the web app's resolver when `webapp.dashboards` is imported (its last line), whose helpers it uses.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response

from plexlabor.webapp.analytics import (
    AnalyticsIndex,
    AnalyticsScope,
    estimate_note,
    funnel_spread_text,
    model_text,
    operator_card,
    scores_view,
    shown,
    spread_text,
)
from plexlabor.webapp.app import Page, _query, app
from plexlabor.webapp.dashboards import Drawn, _charted, _number, _text, chart_scripts, drawn_from

TITLE = "Operator and team scores"
ANALYTICS = Drawn(
    TITLE,
    "analytics",
    AnalyticsScope.of,
    "Individual scores are for admins and HR, and for supervisors about their own departments' people: they "
    "are personal data about how someone works, so only those who handle performance or answer for those "
    "people see them.",
    "analytics_empty.html",
    lambda deps: deps.analytics,
)


@app.get("/analytics")
@drawn_from(ANALYTICS)
def analytics(page: Page, scope: AnalyticsScope, index: AnalyticsIndex, problem: str | None) -> Response[str]:
    query = _query()
    common: dict[str, Any] = {
        "index": index,
        "reach": scope,
        "problem": problem,
        "shown": shown,
        "estimate_note": estimate_note,
        "model_text": model_text,
        "spread_text": spread_text,
        "funnel_spread_text": funnel_spread_text,
    }
    number = _text(query, "employee")
    if number is not None:
        card = operator_card(index, scope, number)
        if card is None:
            message = f"No operator {number} in your view of the scores of {index.artifact.as_of.isoformat()}."
            return page.render("message.html", 404, title=TITLE, page="analytics", message=message)
        unit, lines = card
        return page.render("analytics_card.html", title=TITLE, page="analytics", unit=unit, lines=lines, **common)
    measure = query.get("measure") or ""
    measure = measure if measure in index.measures else index.measures[0] if index.measures else ""
    if not measure:
        return page.render("analytics_empty.html", title=TITLE, page="analytics", configured=True, loaded=None)
    view = scores_view(index, scope, measure, _number(query, "page"))
    context = {
        **common,
        "view": view,
        "measure_query": lambda m: f"?{urlencode({'measure': m})}",
        "page_query": lambda n: f"?{urlencode({'measure': measure, 'page': n})}",
        "card_query": lambda label: f"?{urlencode({'employee': label})}",
        "scripts": chart_scripts(),
    }
    return _charted(page.render("analytics.html", title=TITLE, page="analytics", **context))
