"""`/allocation`: allocation_nightly's newest day (where paid time went, unallocated time with the job it
likely belongs to, job cost actual vs standard) and the job codes most likely misapplied this week.
Who sees what is `webapp.allocation.AllocationScope`; the page draws the stored report and never
reallocates.

Registered on the web app's resolver when `webapp.dashboards` is imported (its last line), whose helpers it uses.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from plexlabor.webapp.allocation import AllocationIndex, AllocationScope, allocation_view, job_code
from plexlabor.webapp.app import Page, app
from plexlabor.webapp.dashboards import Drawn, drawn_from

ALLOCATION = Drawn(
    "Labor allocation",
    "allocation",
    AllocationScope.of,
    "Labor allocation is for admins, planners, HR and supervisors (their own departments).",
    "allocation_empty.html",
    lambda deps: deps.allocation,
)


@app.get("/allocation")
@drawn_from(ALLOCATION)
def allocation(page: Page, scope: AllocationScope, index: AllocationIndex, problem: str | None) -> Response[str]:
    view = allocation_view(index, scope)
    return page.render(
        "allocation.html",
        title=ALLOCATION.title,
        page="allocation",
        index=index,
        view=view,
        reach=scope,
        problem=problem,
        job_code=job_code,
    )
