"""`/allocation`: allocation_nightly's newest day (where paid time went, unallocated time with the job it
likely belongs to, job cost actual vs standard) and the job codes most likely misapplied this week.
Who sees what is `webapp.allocation.AllocationScope`; the page draws the stored report and never
reallocates. Each unallocated stretch names who decides it; for whom it is in the review queue it links to
its item, for the others the list is read-only (ux164 #13: planners and HR were sent to a queue showing none).

`/allocation/code?item=<id>`: unallocated time coded by hand (ux164 #5), for whom the item is in the review queue:
an indirect code of the plant or a job operation worked that day (`allocation.coding`, checked against the
night's report of the item's day; a refused choice is a 400 naming the field, the form kept). Posted, the coding
is recorded as the viewer's own suggestion and approved (its write on the way first, `ReviewService.approve_new`),
the suggestion it codes rejected with the coding as the reason; then its item page.

Registered on the web app's resolver when `webapp.dashboards` is imported (its last line), whose helpers it uses.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from plexlabor.allocation.artifact import AllocationArtifact
from plexlabor.allocation.coding import (
    CodingRefusedError,
    coded_event,
    indirect_codes,
    read_coding,
    waiting_suggestion,
    writable_jobs,
)
from plexlabor.allocation.nightly import KIND
from plexlabor.approval.effects import plex_effect
from plexlabor.approval.errors import ApprovalError, status_for
from plexlabor.platform.observability import logger
from plexlabor.review.items import ReviewItem
from plexlabor.webapp.allocation import AllocationIndex, AllocationScope, allocation_view, job_code
from plexlabor.webapp.app import Page, _deps, _form, _query, app
from plexlabor.webapp.dashboards import Drawn, drawn_from

ALLOCATION = Drawn(
    "Labor allocation",
    "allocation",
    AllocationScope.of,
    "Labor allocation is for admins, planners, HR and supervisors (their own departments).",
    "allocation_empty.html",
    lambda deps: deps.allocation,
)
CODE_TITLE = "Code unallocated time"
NOT_YOURS = "This unallocated time is no longer waiting, or it is not yours to code."


@app.get("/allocation")
@drawn_from(ALLOCATION)
def allocation(page: Page, scope: AllocationScope, index: AllocationIndex, problem: str | None) -> Response[str]:
    view = allocation_view(index, scope, page.viewer)
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


def _item_and_report(page: Page, item_id: str) -> tuple[ReviewItem, AllocationArtifact] | Response[str]:
    """The waiting unallocated-time item the viewer may decide and its day's report, or the page saying why not."""
    item = page.deps.review.queue.item(page.viewer, item_id) if item_id else None
    if item is None or item.kind != KIND or item.day is None:
        return page.render("message.html", 404, title=CODE_TITLE, page="queue", message=NOT_YOURS)
    reports = page.deps.allocation
    artifact = reports.of_day(item.day) if reports is not None else None
    if artifact is None:
        message = (
            f"The allocation report of {item.day.isoformat()} cannot be read here just now, so the codes and jobs of "
            "that day cannot be checked: try again later, or reject the item and code the time in Plex."
        )
        return page.render("message.html", 503, title=CODE_TITLE, page="queue", message=message)
    return item, artifact


def _code_page(
    page: Page,
    item: ReviewItem,
    artifact: AllocationArtifact,
    *,
    status: int = 200,
    refusal: str | None = None,
    typed: dict[str, str] | None = None,
) -> Response[str]:
    jobs = sorted(  # the person's department's first
        writable_jobs(artifact),
        key=lambda j: (_department(artifact, j.workcenter_id) != item.department, j.job_no, j.operation_no or 0),
    )
    mode = page.deps.write_mode
    effects = {
        "code": plex_effect(KIND, item.record_key, {"indirect_code": "code"}, mode),
        "job": plex_effect(KIND, item.record_key, {"job_no": "job"}, mode),
    }
    context: dict[str, Any] = {
        "item": item,
        "codes": indirect_codes(artifact),
        "jobs": jobs,
        "workcenters": artifact.workcenters,
        "effects": effects,
        "refusal": refusal,
        "typed": typed or {},
    }
    return page.render("allocation_code.html", status, title=CODE_TITLE, page="queue", **context)


def _department(artifact: AllocationArtifact, workcenter_id: str | None) -> str | None:
    ref = artifact.workcenters.get(workcenter_id or "")
    return ref.department if ref else None


@app.get("/allocation/code")
def allocation_code() -> Response[str]:
    """The coding form of one waiting unallocated-time item."""
    page = Page(_deps())
    found = _item_and_report(page, _query().get("item", ""))
    if isinstance(found, Response):
        return found
    return _code_page(page, *found)


@app.post("/allocation/code")
def allocation_code_post() -> Response[str]:
    """Record the coding as the viewer's own suggestion, approve it, reject the one it codes; its item page next."""
    page = Page(_deps())
    form = {name: values[0] for name, values in _form().items() if values}
    item_id = form.get("item", "")
    found = _item_and_report(page, item_id)
    if isinstance(found, Response):
        return found
    item, artifact = found
    typed = {name: form.get(name, "")[:64] for name in ("code", "job", "operation")}
    review = page.deps.review
    try:
        coding = read_coding(form, artifact)
    except CodingRefusedError as refused:
        return _code_page(page, item, artifact, status=400, refusal=f"Not coded: {refused}", typed=typed)
    opening = waiting_suggestion(review.audit.for_finding(item_id))
    if opening is None:
        return page.render("message.html", 404, title=CODE_TITLE, page="queue", message=NOT_YOURS)
    coded = coded_event(opening, coding, page.viewer.user_id, review.clock())
    try:
        review.approve_new(page.viewer, coded, "allocation")
    except ApprovalError as error:
        logger.info("coding not recorded", item_id=item_id, reason=str(error))
        message = f"Not coded: {error}"
        return page.render("message.html", status_for(error), title=CODE_TITLE, page="queue", message=message)
    try:
        review.decide(page.viewer, item_id, "reject", f"coded by hand to {coding.words()}")
    except ApprovalError as error:  # the coding stands (approved, its write queued): say the suggestion is still open
        message = f"Coded to {coding.words()} (on its way to Plex), but the suggestion it codes is still open: {error}"
        return page.render("message.html", status_for(error), title=CODE_TITLE, page="queue", message=message)
    logger.info("unallocated time coded by hand", item_id=item_id, coded=coded.event_id)
    return page.redirect(f"/items/{coded.event_id}")
