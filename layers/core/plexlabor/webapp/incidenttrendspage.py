"""`/incidents/trends`: incident_trends' newest report (`webapp.incidenttrends`): incidents per week
beside the injury rate per 200,000 hours and the overtime (a chart and a table), and the rates per
workcenter, shift, category and fatigue level, each as a table. The page never recomputes them; it says when the
nightly run made them, and marks a rate over fewer than `MIN_RATE_HOURS` as few hours (chance more than the plant).

Registered on the web app's resolver when `webapp.dashboards` is imported (its last lines), whose helpers
it uses; that is before `webapp.incidents`, whose `/incidents/<incident_id>` would otherwise take the path.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from plexlabor.incidents.trends import MIN_RATE_HOURS
from plexlabor.webapp.app import Page, app
from plexlabor.webapp.dashboards import Drawn, _charted, chart_scripts, drawn_from
from plexlabor.webapp.incidenttrends import TrendsIndex, TrendsScope, trend_chart

TRENDS = Drawn(
    "Incident trends",
    "trends",
    TrendsScope.of,
    "Incident trends are for the EHS lead, admins, planners and supervisors.",
    "incident_trends_empty.html",
    lambda deps: deps.incident_trends,
)


@app.get("/incidents/trends")
@drawn_from(TRENDS)
def incident_trends(page: Page, scope: TrendsScope, index: TrendsIndex, problem: str | None) -> Response[str]:
    trends = index.trends
    context: dict[str, Any] = {"trends": trends, "chart_data": trend_chart(trends), "problem": problem}
    context["min_rate_hours"] = MIN_RATE_HOURS
    context["category_labels"] = {row.key: row.label for row in trends.by_category}  # "6 Contact with ..."
    return _charted(
        page.render("incident_trends.html", title=TRENDS.title, page="trends", scripts=chart_scripts(), **context)
    )
