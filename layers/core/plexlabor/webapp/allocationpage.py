"""`/allocation`: allocation_nightly's newest day (where paid time went, unallocated time with the job it
likely belongs to, job cost actual vs standard) and the job codes most likely misapplied this week.
Who sees what is `webapp.allocation.AllocationScope`; the page draws the stored report and never
reallocates. Each unallocated stretch names who decides it; for whom it is in the review queue it links to
its item, for the others the list is read-only (ux164 #13: planners and HR were sent to a queue showing none).

`/allocation/code?item=<id>`: unallocated time coded by hand (ux164 #5), for whom the item is in the review queue:
an indirect code of the plant or a job operation worked that day (`allocation.coding`, checked against the
night's report of the item's day; a refused choice is a 400 naming the field, the form kept). Posted, the coding
is recorded as the viewer's own suggestion, the stretch's next coding (`allocation.coding.take_stretch`: refused, a
409 naming it, while another coding of the stretch waits or is approved, so two at the same moment are not both
written), and approved (its write on the way first, `ReviewService.approve_new`), the suggestion it codes rejected
with the coding as the reason; then its item page. A write that cannot be queued keeps nothing: the coding is let go
(its coder's own rejection, `ReviewService.let_go`) and the 503 says try again; if even that cannot be recorded, the
503 says it waits in the queue (review_s13 #5: it waited while the page said "not coded", and a second coding of the
stretch made two writes).

Registered on the web app's resolver when `webapp.dashboards` is imported (its last line), whose helpers it uses.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from plexlabor.allocation.artifact import AllocationArtifact
from plexlabor.allocation.coding import (
    Coding,
    CodingRefusedError,
    StretchTakenError,
    indirect_codes,
    read_coding,
    take_stretch,
    waiting_suggestion,
    writable_jobs,
)
from plexlabor.allocation.nightly import KIND
from plexlabor.approval.effects import plex_effect
from plexlabor.approval.errors import ApprovalError, WritebackNotQueuedError, status_for
from plexlabor.approval.pages import what_happened
from plexlabor.platform.observability import logger
from plexlabor.review.items import ReviewItem
from plexlabor.webapp.allocation import (
    AllocationIndex,
    AllocationScope,
    allocation_view,
    job_code,
    often_rule,
    stretch_events,
)
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
    view = allocation_view(index, scope, page.viewer, stretch_events(page.deps.review.audit, index))
    return page.render(
        "allocation.html",
        title=ALLOCATION.title,
        page="allocation",
        index=index,
        view=view,
        reach=scope,
        problem=problem,
        job_code=job_code,
        often_rule=often_rule(index.artifact.guidance_weeks),
        happened=lambda closing: what_happened(closing, page.shown),
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
    try:
        coded = take_stretch(review.audit, opening, coding, page.viewer.user_id, review.clock())
    except StretchTakenError as taken:  # another coding of the stretch stands: nothing recorded
        logger.info("coding refused: the stretch is coded already", item_id=item_id, taken=str(taken))
        return _taken(page, taken)
    try:
        review.approve_new(page.viewer, coded, "allocation")
    except WritebackNotQueuedError:  # let go, so "nothing was kept" is true (review_s13 #5: it waited in the queue)
        try:
            let_go = review.let_go(page.viewer, coded, LET_GO, "allocation")
        except Exception:
            logger.exception("coding whose write could not be queued not let go", coded=coded.event_id)
            return page.render("message.html", 503, title=CODE_TITLE, page="queue", message=_stuck(coding))
        if let_go:
            logger.info("coding let go: its write could not be queued", item_id=item_id, coded=coded.event_id)
            message = "Not coded: the change could not be sent on its way to Plex, so nothing was kept: try again."
            return page.render("message.html", 503, title=CODE_TITLE, page="queue", message=message)
        # else approved meanwhile: its write reached the queue after all (plex_writeback recorded it): it stands
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


LET_GO = "not coded: its write to Plex could not be queued (nothing kept)"
"""The reason of a coding's rejection by its own coder when its write could not be queued (`ReviewService.let_go`)."""


def _stuck(coding: Coding) -> str:
    """A coding whose write could not be queued and that could not be let go either: it waits in the queue."""
    return (
        f"Not coded yet: the change could not be sent on its way to Plex, and the coding to {coding.words()} stays "
        "recorded, waiting in the review queue. Approve it there in a moment, or reject it there to code this time "
        "otherwise."
    )


def _taken(page: Page, taken: StretchTakenError) -> Response[str]:
    """The 409 of a coding refused as another coding of the stretch stands: who coded it, when and to what."""
    earlier = taken.coding
    if earlier is None:
        happened = what_happened(taken.decided, page.reader) if taken.decided else None
        message = (
            f"Not coded: the suggestion was decided a moment ago: {happened}"
            if happened
            else "Not coded: this time was being coded by someone else at the same moment. Open it again."
        )
        return page.render("message.html", 409, title=CODE_TITLE, page="queue", message=message)
    when, chosen = page.local(earlier.occurred_at), earlier.payload.get("suggestion")
    what = f"{page.who(earlier.actor)} coded this time at {when} ({chosen})"
    state = "it is approved" if taken.approved else "it waits to be approved or rejected"
    message = f"Not coded: {what}, and {state}. Nothing more was recorded."
    back = {"path": f"/items/{earlier.event_id}", "label": "Open that coding"}
    return page.render("message.html", 409, title=CODE_TITLE, page="queue", message=message, back=back)
