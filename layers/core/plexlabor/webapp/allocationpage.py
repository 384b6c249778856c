"""`/allocation`: allocation_nightly's newest day (where paid time went, unallocated time with the job it
likely belongs to, job cost actual vs standard) and the job codes most likely misapplied this week.
Who sees what is `webapp.allocation.AllocationScope`; the page draws the stored report and never
reallocates.

Registered on the web app's resolver when `webapp.dashboards` is imported (its last line), whose helpers it uses.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from plexlabor.webapp.allocation import AllocationScope, allocation_view, job_code
from plexlabor.webapp.app import Page, _deps, app
from plexlabor.webapp.dashboards import Drawn, _report

TITLE = "Labor allocation"
REFUSED = "Labor allocation is for admins, planners, HR and supervisors (their own departments)."


@app.get("/allocation")
def allocation() -> Response[str]:
    page = Page(_deps())
    scope = AllocationScope.of(page.viewer)
    report = _report(page, TITLE, "allocation", Drawn(scope, REFUSED, "allocation_empty.html"), page.deps.allocation)
    if isinstance(report, Response):
        return report
    index, problem = report
    view = allocation_view(index, scope)
    return page.render(
        "allocation.html",
        title=TITLE,
        page="allocation",
        index=index,
        view=view,
        reach=scope,
        problem=problem,
        job_code=job_code,
    )
