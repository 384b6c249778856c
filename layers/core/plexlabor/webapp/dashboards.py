"""The dashboards: skill coverage (`/skills`), the certification timeline (`/certifications`), the
forecasts (`/forecasts`) and the crew board (`/crew`, `webapp.crewboard`).

The first two read skills_daily's newest report (`webapp.reports.SkillsReports`: the artifact in the bucket,
kept parsed per warm container) and never recompute it; an empty state says what is missing and why.
The charts are drawn in the browser by Apache ECharts (vendored from npm by `make assets`, packaged
with the app, served from `/static/`, never from a CDN) and `static/dashboards.js`, which read the
chart data from a `<script type="application/json">` block: no inline script, and only these pages'
Content-Security-Policy allows `script-src 'self'`. Every chart has the same numbers as a table.

"Propose training" (`POST /skills/training`) records the report's cross-training candidate as a
`cross_training` recommendation for HR (`skills.publish.training_proposal`), which waits in the review
queue. Planners, HR and admins see the whole plant; supervisors their departments (`skillviews.Scope`).

The forecasts page reads forecast_nightly's newest run (`webapp.forecasts.ForecastReports`, kept the
same way): per upcoming job operation the P10-P50-P90 labor hours or cost against standard as an
interval chart and a table, the variance alerts with their drivers, the overtime projection per
department and ISO week. Planners and admins see the whole plant; supervisors their departments.

Registered on the web app's resolver by importing this module (the last line of `webapp.app`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, wraps
from importlib import resources
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit

from aws_lambda_powertools.event_handler import Response

from plexlabor.approval.display import skill_words, with_people
from plexlabor.approval.errors import ApprovalError, WritebackNotQueuedError, status_for
from plexlabor.approval.pages import what_happened
from plexlabor.audit.errors import AuditError
from plexlabor.audit.events import AuditEvent, AuditEventType
from plexlabor.audit.publish import publish_once
from plexlabor.crew.claims import Claim, ClaimBusyError, ClaimRefusedError, SeatClaims
from plexlabor.crew.messages import CALL_OFF_REASONS, ReplanMessage, ReplanSender
from plexlabor.crew.suggestions import replaced_by_replan
from plexlabor.platform.clock import outside_dates
from plexlabor.platform.observability import logger
from plexlabor.review.groups import group_key, seats_at
from plexlabor.review.items import ReviewItem, item_from_event
from plexlabor.review.queue import Filters, Role, Viewer
from plexlabor.skills.publish import training_proposal
from plexlabor.webapp.app import (
    CONTENT_TYPE,
    FLASH,
    SECURITY_HEADERS,
    Dependencies,
    Page,
    _deps,
    _form,
    _query,
    app,
    back_to,
    templates,
)
from plexlabor.webapp.crewboard import (
    CALL_OFF_SPANS,
    FIGURE_ROWS,
    PLANS,
    SWAP_REFUSALS,
    Board,
    CallOffRefusedError,
    RetryRefusedError,
    SwapRefusedError,
    board_reader,
    number_pattern,
    opening_shift,
    plan_call_off,
    plan_retry,
    plan_swap,
    plant_number,
    read_board,
    replaced_text,
    swap_refusal_text,
    undo_nearby,
)
from plexlabor.webapp.crewgaps import board_link, plan_gaps
from plexlabor.webapp.forecasts import MEASURES, ForecastIndex, ForecastScope, forecast_view
from plexlabor.webapp.latest import IndexT, Latest
from plexlabor.webapp.plantfilters import employee_problem, queue_unknowns
from plexlabor.webapp.reports import CellKey, SkillsIndex
from plexlabor.webapp.skillviews import (
    CAUSES,
    CertificationScope,
    CoverageQuery,
    Scope,
    TimelineQuery,
    coverage_view,
    department_problem,
    find_candidate,
    timeline_view,
    unknown_filters,
)
from plexlabor.webapp.trainingstates import (
    SuggestionState,
    TrainingState,
    TrainingStates,
    read_certification_states,
    read_training_states,
)
from plexlabor.webapp.viewer import CREW_ROLES, Reach

ReachT = TypeVar("ReachT", bound=Reach)
templates.filters["skill_words"] = skill_words

CHART_CSP = SECURITY_HEADERS["Content-Security-Policy"] + "; script-src 'self'"
"""A chart page runs the app's own scripts and nothing else: no inline script, nothing from elsewhere."""
STATIC_FILES = {
    "dashboards.js": "dashboards.js",
    "echarts.min.js": "vendor/echarts.min.js",
}
"""What `/static/<name>` serves, from `plexlabor/webapp/static/` (`vendor/` is filled by `make assets`)."""
FAVICON = "favicon.svg"
FAVICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect width="16" height="16" rx="3" fill="#1f3b57"/><path d="M5 3h4a3 3 0 0 1 0 6H7v4H5z" fill="#fff"/></svg>'
)
"""The pages' icon (`base.html` links it), so a browser asks for no `/favicon.ico`, which no route serves (ux_s17 L8:
every page logged a 404 in the console). Drawn here: one shape, no file to package."""
STATIC_CACHE = "public, max-age=31536000, immutable"
"""Scripts are addressed with their content's hash (`?v=`), so a browser may keep them a year."""
PROPOSED = {
    "new": ("ok", "Proposed{named}: the training waits for HR in the review queue."),
    "already": ("ok", "{training} was already suggested this week: {fate}."),
    "stale": ("error", "A newer skills report came in since the page was opened: look at its candidates again."),
}
"""`/skills?proposed=`: what became of a proposed training; `{named}` / `{training}` name the person and the
workcenter when the proposal waits in the review queue (`?item=` is its id there: no Plex id in the address)."""
TRAINING_FIELDS = ("workcenter_id", "employee_id", "as_of")
"""What "Propose training" sends (the candidate's row fills them in)."""
BACK_TO_SKILLS = {"path": "/skills#training", "label": "Back to the skill coverage and its training candidates"}


@dataclass(frozen=True)
class Script:
    name: str
    version: str


@cache
def _static(name: str) -> bytes | None:
    """A static file's bytes (kept once read), or None when it is not packaged."""
    path = STATIC_FILES.get(name)
    if path is None:
        return None
    try:
        return resources.files("plexlabor.webapp").joinpath("static", *path.split("/")).read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None


def chart_scripts() -> list[Script] | None:
    """The scripts a chart page loads, each with its content hash; None when one is not packaged."""
    scripts = []
    for name in ("echarts.min.js", "dashboards.js"):
        data = _static(name)
        if data is None:
            logger.error("chart script not packaged: run `make assets` before building", script=name)
            return None
        scripts.append(Script(name, hashlib.sha256(data).hexdigest()[:12]))
    return scripts


@app.get("/static/<name>")
def static(name: str) -> Response[str]:
    """A script, as text: API Gateway's REST API decodes a base64 body only for its binary media types (just
    `multipart/form-data`, the incident form's recordings: infra/constructs/api.py), so a base64 (binary or gzip)
    script would reach the browser as base64. The pages' icon likewise, as SVG text."""
    if name == FAVICON:
        headers = {**SECURITY_HEADERS, "Cache-Control": "public, max-age=86400"}  # no script runs in it, opened alone
        return Response(status_code=200, content_type="image/svg+xml", body=FAVICON_SVG, headers=headers)
    data = _static(name)
    if data is None:
        return Response(status_code=404, content_type=CONTENT_TYPE, body="Not found.", headers=dict(SECURITY_HEADERS))
    headers = {"Cache-Control": STATIC_CACHE, "X-Content-Type-Options": "nosniff"}
    return Response(
        status_code=200, content_type="text/javascript; charset=utf-8", body=data.decode("utf-8"), headers=headers
    )


def _charted(response: Response[str]) -> Response[str]:
    response.headers["Content-Security-Policy"] = CHART_CSP
    return response


def _text(query: dict[str, str], name: str) -> str | None:
    value = (query.get(name) or "").strip()
    return value or None


def _number(query: dict[str, str], name: str) -> int:
    try:
        return int(query.get(name) or 1)
    except ValueError:
        return 1


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Drawn(Generic[ReachT, IndexT]):
    """A family of pages drawn from one kind of stored report: who may see it, its newest report, its empty
    page."""

    title: str
    name: str
    """The page's name in the navigation."""
    reach: Callable[[Viewer], ReachT]
    """What a viewer may see of it (`Reach.of`)."""
    refused: str
    """Whom the pages are for, said to a viewer they are not for (403)."""
    empty: str
    """The template that says why there is no report to draw."""
    reports: Callable[[Dependencies], Latest[Any, IndexT] | None]
    """The newest report's reader (None: not configured)."""


ReportPage = Callable[[Page, ReachT, IndexT, str | None], Response[str]]
"""Draws a page: the viewer's reach, the newest report's index and the problem reading a newer one."""


def drawn_from(drawn: Drawn[ReachT, IndexT]) -> Callable[[ReportPage[ReachT, IndexT]], Callable[[], Response[str]]]:
    """A route drawn from the newest report: the page is made only when there is a report to draw and the
    viewer may see it; else 403 for a viewer the pages are not for, the empty state when there is no report."""

    def route(draw: ReportPage[ReachT, IndexT]) -> Callable[[], Response[str]]:
        @wraps(draw)
        def answer() -> Response[str]:
            page = Page(_deps())
            reach = drawn.reach(page.viewer)
            if not reach.allowed:
                return page.render("message.html", 403, title=drawn.title, page=drawn.name, message=drawn.refused)
            reports = drawn.reports(page.deps)
            loaded = reports.current() if reports is not None else None
            if loaded is not None and loaded.index is not None:
                return draw(page, reach, loaded.index, loaded.problem)
            return page.render(
                drawn.empty, title=drawn.title, page=drawn.name, configured=loaded is not None, loaded=loaded
            )

        return answer

    return route


def _skills(title: str, name: str) -> Drawn[Scope, SkillsIndex]:
    refused = f"{title} is for {Scope.readers()}."
    return Drawn(title, name, Scope.of, refused, "dashboard_empty.html", lambda deps: deps.reports)


def _certifications() -> Drawn[Scope, SkillsIndex]:
    """The certification timeline's: skills_daily's report as `/skills` reads it, the EHS lead let in too."""
    title = "Certification timeline"
    refused = f"The certification timeline is for {CertificationScope.readers()}."
    return Drawn(title, "certifications", CertificationScope.of, refused, "dashboard_empty.html", lambda d: d.reports)


@app.get("/skills")
@drawn_from(_skills("Skill coverage", "skills"))
def skills(page: Page, scope: Scope, index: SkillsIndex, problem: str | None) -> Response[str]:
    return _charted(_coverage_page(page, scope, index, problem))


def _coverage_page(
    page: Page, scope: Scope, index: SkillsIndex, problem: str | None, status: int = 200
) -> Response[str]:
    query = _query()
    department = _text(query, "department")
    if (unknown := department_problem(index, department)) is not None:  # ux_s14 #3: it read "nothing is short"
        back = {"path": "/skills", "label": "Back to the skill coverage"}
        return page.render("message.html", 400, title="Skill coverage", page="skills", message=unknown, back=back)
    workcenter, day, shift = _text(query, "wc"), _day(_text(query, "day")), _text(query, "shift")
    cell: CellKey | None = (workcenter, day, shift) if workcenter and day and shift else None
    kept = {k: v for k, v in query.items() if k in ("department", "page")}

    def cell_link(key: CellKey) -> str:
        chosen = {**kept, "wc": key[0], "day": key[1].isoformat(), "shift": key[2]}
        return f"{page.base}/skills?{urlencode(chosen)}#cell"

    now = page.deps.review.clock()
    # the crew plans' empty seats beside the cells (ux_s14 #1: "3 qualified of 2" where the plan left 2 seats empty)
    plans = plan_gaps(page.deps.review.audit, page.viewer, now.astimezone(page.deps.zone).date(), now, index.days())
    view = coverage_view(
        index, scope, CoverageQuery(department, _number(query, "page"), cell), page.who, cell_link, plans
    )
    # what became of each candidate's cross-training suggestion (waiting, approved, rejected, expired): one read
    trainings = read_training_states(
        page.deps.review.audit, page.deps.review.clock() - page.deps.review.queue.lookback, index.as_of, page.reader
    )
    flash = _proposed_flash(page, query, trainings)
    shown = {k: v for k, v in kept.items() if k != "page"}
    return page.render(
        "skills.html",
        status,
        title="Skill coverage",
        page="skills",
        index=index,
        view=view,
        reach=scope,
        problem=problem,
        department=department,
        page_query=lambda n: f"?{urlencode({**shown, 'page': n})}",
        flash=flash,
        training_state=trainings.of,
        causes=CAUSES,
        scripts=chart_scripts(),
        generated=page.local(index.artifact.generated_at),
        cell_missing=cell is not None and view.cell is None,
        board_link=board_link,
    )


def _proposed_flash(page: Page, query: dict[str, str], trainings: TrainingStates) -> dict[str, str] | None:
    """The flash after "Propose training": what became of the proposal (`?item=`, its id in the review queue),
    naming the person, the workcenter and its decision to a viewer who may see the item (the item page's
    rule) or proposed it; to anyone else (the address may have been passed on) only that it was recorded."""
    said = PROPOSED.get(query.get("proposed", ""))
    if said is None:
        return None
    state = trainings.by_item.get(query.get("item") or "")
    item = page.deps.review.queue.item_of(state.opening) if state else None
    if state is None or item is None or not _may_name(page, item):
        fate = "it is in the review queue, or decided"
        return {"level": said[0], "text": said[1].format(named="", training="That training", fate=fate)}
    named = f"{page.who(item.employee_id)} for {page.place(item) or 'their workcenter'}"
    return {
        "level": said[0],
        "text": said[1].format(named=f": {named}", training=f"Training {named}", fate=_fate(state, page)),
    }


def _fate(state: TrainingState, page: Page) -> str:
    """What became of a training proposed before, as the flash says it after "already" (ux164 #5: it said only
    "it is in the review queue, or decided")."""
    if state.waiting:
        return "it waits in HR's review queue, and nothing new was recorded"
    if state.closing is None:
        return "it was only logged, outside the review queue (the pilot scope); it can be proposed again next week"
    happened = what_happened(state.closing, page.reader).rstrip(".")
    happened = happened[0].lower() + happened[1:]
    if state.approved:
        return f"it was {happened}, so the training is planned; nothing new was recorded"
    verb = "it was " if state.closing.event_type is AuditEventType.DECISION else "it "
    return f"{verb}{happened}; it can be proposed again next week"


def _may_name(page: Page, item: ReviewItem) -> bool:
    """Whether the viewer may see the item (`Viewer.may_see`, as on its page) or proposed it (a planner
    proposes a training HR decides: `payload.proposed_by`, which the item keeps with its evidence)."""
    return page.viewer.may_see(item) or item.evidence.get("proposed_by") == page.viewer.user_id


@app.post("/skills/training")
@drawn_from(_skills("Skill coverage", "skills"))
def propose_training(page: Page, scope: Scope, index: SkillsIndex, problem: str | None) -> Response[str]:
    form = {name: values[0] for name, values in _form().items() if values}
    missing = [name for name in TRAINING_FIELDS if not form.get(name, "").strip()]
    if missing:
        message = (
            f"Not proposed: the form lacks {', '.join(missing)}. Use a candidate's Propose training button on the"
            " skill coverage page."
        )
        return page.render(
            "message.html", 400, title="Not proposed", page="skills", message=message, back=BACK_TO_SKILLS
        )
    workcenter, employee = form["workcenter_id"], form["employee_id"]
    if form["as_of"] != index.as_of.isoformat():
        return page.redirect(f"/skills?{urlencode({'proposed': 'stale'})}#training")
    found = find_candidate(index, scope, workcenter, employee)
    if found is None:
        message = "That candidate is not in the current report, or the workcenter is not in your departments."
        return page.render(
            "message.html", 404, title="Not proposed", page="skills", message=message, back=BACK_TO_SKILLS
        )
    recommendation, rank = found
    event = training_proposal(
        index.as_of,
        recommendation,
        rank,
        page.viewer.user_id,
        page.deps.review.clock(),
        department=index.department(workcenter),
    )
    result = publish_once(page.deps.review.audit, [event])
    outcome = "new" if result.published else "already"
    logger.info("training proposed", workcenter_id=workcenter, outcome=outcome, rank=rank)
    kept = {k: v for k, v in form.items() if k == "department" and v}  # no Plex ids: the row reads the queue
    return page.redirect(f"/skills?{urlencode({**kept, 'proposed': outcome, 'item': event.finding_id})}#training")


@app.get("/certifications")
@drawn_from(_certifications())
def certifications(page: Page, scope: Scope, index: SkillsIndex, problem: str | None) -> Response[str]:
    query = _query()
    employee = _text(query, "employee")
    employee_id = (page.deps.people.employee_id_for(employee) or employee) if employee else None
    filters = TimelineQuery(_text(query, "department"), _text(query, "workcenter"), employee_id, _number(query, "page"))
    unknown = unknown_filters(index, filters)
    if problem := employee_problem(employee, employee_id, page.deps.people.directory, index.artifact.employees):
        unknown["employee"] = problem
    if unknown:
        return _unknown_filters(page, query, unknown)
    view = timeline_view(index, scope, filters, page.who)
    shown = {k: v for k, v in query.items() if k in ("department", "workcenter", "employee") and v}
    # what became of each certification's latest alert in the review queue (ux164 #10): one read per kind
    alerts = read_certification_states(
        page.deps.review.audit, page.deps.review.clock() - page.deps.review.queue.lookback, page.reader
    )
    today = page.deps.review.clock().astimezone(page.deps.zone).date()
    context: dict[str, Any] = {
        "index": index,
        "view": view,
        # counted from the page's day, not the report's (ux_s17 L10: "expires in 37 days" when it was 12)
        "days_left": lambda alert: (alert.expires - today).days,
        "alert_state": alerts.of,
        "decides": lambda state: _may_decide(page, state),
        "lookback_days": page.deps.review.queue.lookback.days,
        "filters": filters,
        "employee": employee or "",
        "problem": problem,
        "scripts": chart_scripts(),
        "generated": page.local(index.artifact.generated_at),
        "page_query": lambda n: f"?{urlencode({**shown, 'page': n})}",
        "filtered": bool(shown),
        "no_match": ", ".join(  # the filters in words, when nothing matches them (ux141 #13)
            f"{name} {value}"
            for name, value in (
                ("department", filters.department),
                ("workcenter", filters.workcenter),
                ("employee", page.who(employee_id) if employee_id else None),
            )
            if value
        ),
    }
    rendered = page.render("certifications.html", title="Certification timeline", page="certifications", **context)
    return _charted(rendered)


def _may_decide(page: Page, state: SuggestionState) -> bool:
    """Whether the viewer may decide the waiting suggestion (it is in their review queue: `ReviewQueue.theirs`)."""
    return state.waiting and page.deps.review.queue.theirs(page.viewer, state.opening)


def _unknown_filters(page: Page, query: dict[str, str], unknown: dict[str, str]) -> Response[str]:
    """400: the timeline's filters that name nothing in the plant (`unknown`), each naming its field; back to the
    timeline with the filters that can be read."""
    kept = {k: v[:64] for k, v in query.items() if k in ("department", "workcenter", "employee") and k not in unknown}
    back = {
        "path": f"/certifications?{urlencode(kept)}" if kept else "/certifications",
        "label": "Back to the certification timeline",
    }
    message = " ".join(unknown.values())
    return page.render(
        "message.html", 400, title="Certification timeline", page="certifications", message=message, back=back
    )


FORECASTS = Drawn(
    "Forecasts",
    "forecasts",
    ForecastScope.of,
    "The forecasts are for planners, admins and supervisors.",
    "forecasts_empty.html",
    lambda deps: deps.forecasts,
)


@app.get("/forecasts")
@drawn_from(FORECASTS)
def forecasts(page: Page, scope: ForecastScope, index: ForecastIndex, problem: str | None) -> Response[str]:
    query = _query()
    department = _text(query, "department")
    measure = query.get("measure", "hours")
    measure = measure if measure in MEASURES else "hours"
    view = forecast_view(index, scope, department, _number(query, "page"), measure)
    shown = {k: v for k, v in query.items() if k in ("department", "measure") and v}
    context: dict[str, Any] = {
        "index": index,
        "view": view,
        "reach": scope,
        "department": department,
        "measure": measure,
        "measures": MEASURES,
        "problem": problem,
        "scripts": chart_scripts(),
        "as_of": page.local(index.as_of),
        "accuracy_cutoff": page.local(index.accuracy.cutoff) if index.accuracy else None,
        "page_query": lambda n: f"?{urlencode({**shown, 'page': n})}",
        "measure_query": lambda m: (
            f"?{urlencode({**{k: v for k, v in shown.items() if k != 'measure'}, 'measure': m})}"
        ),
    }
    return _charted(page.render("forecasts.html", title=FORECASTS.title, page="forecasts", **context))


CREW_FLASH = {
    **FLASH,
    # the board's verb is "accept" (its button, the seat's state "accepted"), not the queue's "approve"
    "approve": "Accepted: the assignment is on its way to Plex and held in every re-plan.",
    # a removal and a short seat are decided from their item page and come back told what their decision did
    # (`app.decided_done`; ux_s15 #1: both read "the assignment is on its way to Plex")
    "approve_removal": "Removal approved: {who}'s assignment is being withdrawn in Plex; the seat below says what "
    "Plex did.",
    "reject_removal": "Removal rejected: nothing is sent to Plex, so {who}'s assignment stays there; the reason is "
    "kept.",
    "approve_short_seat": "Acknowledged: {seats} {stay} empty and you handle {it} (overtime, a transfer, a temporary "
    "worker); nothing is sent to Plex.",
    "reject_short_seat": "Rejected: {seats} {is_} recorded as not really short, with your reason; nothing is sent to "
    "Plex.",
    "replan": "Re-plan asked: the crew planner re-plans the rest of the shift around your decisions; its suggestions "
    "appear here within a minute (reload).",
    "swap": "Swapped: your choice is accepted (on its way to Plex) and the suggestion it replaces rejected; "
    "the crew planner re-plans the rest of the shift around it (reload in a moment).",
    "calloff": "Call-off recorded: the crew planner re-plans the rest of the shift without them; the call-off and the "
    "suggestions that cover the seat appear here within a minute (reload).",
    "calloff_day": "Call-off recorded for the rest of the day: the crew planner re-plans this shift and the day's "
    "later ones without them; the call-offs and the suggestions that cover their seats appear within a minute "
    "(reload).",
    "calloff_undone": "Call-off undone: they may be accepted or swapped into their shifts' seats again, and the crew "
    "planner re-plans those shifts with them back (it fills only empty seats with them and with those their call-off "
    "took off the shift with them, moving nobody else; reload).",
    "removal_retried": "Removal sent again: the withdrawn record is on its way to Plex; the seat says what Plex did.",
}


ALL_DEPARTMENTS = "all"
"""`?dept=all`: the whole shift (all that one may see), also for a supervisor whose default is their department."""


def _workcenter_departments(deps: Dependencies) -> dict[str, str | None]:
    """Each workcenter's department as skills_daily's newest report has it, for crew suggestions that do not name
    theirs (published before they did); empty when there is no report."""
    loaded = deps.reports.current() if deps.reports is not None else None
    if loaded is None or loaded.index is None:
        return {}
    return {wc_id: ref.department for wc_id, ref in loaded.index.artifact.workcenters.items()}


@dataclass(frozen=True)
class BoardFilter:
    """What the crew board shows of a shift (None: all) and the query that keeps it on every link and form."""

    department: str | None
    workcenter: str | None
    kept: dict[str, str]


def _board_filter(query: dict[str, str], viewer: Viewer, board: Board, shift: str | None) -> BoardFilter:
    """The department (`dept`) and workcenter (`wc`) asked for. One the day's board does not have (the board's
    own day and shift links keep them) shows the board empty, saying so. Asked none, a supervisor with one
    department gets it when the shift has it (unless a workcenter is asked); planners and admins the whole
    shift."""
    asked, workcenter = _text(query, "dept"), _text(query, "wc")
    department = None if asked == ALL_DEPARTMENTS else asked
    ask_own = asked is None and workcenter is None and not viewer.roles & {Role.ADMIN, Role.PLANNER}
    if ask_own and len(viewer.departments) == 1:
        [own] = viewer.departments
        department = own if shift and own in {d.code for d in board.departments(shift)} else None
    kept = {"dept": department or ALL_DEPARTMENTS} if asked is not None or department else {}
    return BoardFilter(department, workcenter, kept | ({"wc": workcenter} if workcenter else {}))


@app.get("/crew")
def crew() -> Response[str]:
    """The crew board (`webapp.crewboard`): one day's plan per shift, each suggestion with its state; a waiting
    one is accepted or rejected in place through the review queue's decision (`POST /items/<id>`). `?dept=`
    narrows the shift to one department's workcenters, `?wc=` to one workcenter (every form keeps both). Without
    `?day=` it opens on the plan of the shift running now or the next one."""
    page = Page(_deps())
    if not page.viewer.roles & CREW_ROLES:
        message = "The crew board is for planners, supervisors and admins."
        return page.render("message.html", 403, title="Crew board", page="crew", message=message)
    return _crew_page(page, _query())


def _no_board(page: Page, query: dict[str, str], problem: str) -> Response[str]:
    """400: the board's `day` cannot be read (`problem`); back to today's board with the query's other filters."""
    kept = {name: query[name][:64] for name in ("shift", "dept", "wc") if query.get(name)}
    back = {"path": f"/crew?{urlencode(kept)}" if kept else "/crew", "label": "Back to the crew board (today)"}
    return page.render("message.html", 400, title="Crew board", page="crew", message=f"Day: {problem}.", back=back)


def _unknown_board_filters(
    page: Page, query: dict[str, str], board: Board, workcenters: dict[str, str | None]
) -> dict[str, str]:
    """The board's shift and department (`dept`) that name none of the plant, by query name, in words (ux_s14 #3: an
    unknown shift showed shift 1, an unknown department the whole shift): the queue's check
    (`plantfilters.queue_unknowns`: the people directory's departments and default shifts), with the board's own
    shifts, its suggestions' and its workcenters' departments (skills_daily's report) and the viewer's known too."""
    shift, asked = _text(query, "shift"), _text(query, "dept")
    department = None if asked == ALL_DEPARTMENTS else asked
    if (shift is None or shift in board.shifts) and department is None:
        return {}
    items = [seat.item for segments in board.shifts.values() for s in segments for seat in (*s.assigned, *s.short)]
    known = {d for d in workcenters.values() if d} | {
        s.department for g in board.shifts.values() for s in g if s.department
    }
    return queue_unknowns(
        Filters(department=department, shift=shift),
        None,
        page.deps.people.directory,
        items,
        known | page.viewer.departments,
    )


def _unknown_board(page: Page, query: dict[str, str], day: date, unknown: dict[str, str]) -> Response[str]:
    """400: the board's shift or department names none of the plant (`unknown`, in words); back to the day's board
    with the query's other filters."""
    left_out = {{"shift": "shift", "department": "dept"}[field] for field in unknown}
    kept = {name: query[name][:64] for name in ("shift", "dept", "wc") if query.get(name) and name not in left_out}
    back = {"path": f"/crew?{urlencode({'day': day.isoformat()} | kept)}", "label": "Back to the crew board"}
    message = " ".join(unknown.values())
    return page.render("message.html", 400, title="Crew board", page="crew", message=message, back=back)


def _crew_page(
    page: Page,
    query: dict[str, str],
    status: int = 200,
    refusal: str | None = None,
    typed: Mapping[str, str] | None = None,
    invalid: str | None = None,
) -> Response[str]:
    """The board `query` asks for (day, shift, department, workcenter), with what a form did on top (`done`; a
    refusal's own words, answered with `status`; a refused call-off's form filled in as `typed`, its `invalid`
    field marked)."""
    now = page.deps.review.clock()
    today = now.astimezone(page.deps.zone).date()
    reader = board_reader(page.deps.review.audit)
    planned = None if query.get("day") else [s for s in reader.planned(today, now) if s.seen_by(page.viewer)]
    opening = opening_shift(planned or [], now)
    try:
        day = date.fromisoformat(query["day"]) if query.get("day") else (opening.day if opening else today)
    except ValueError:  # the field named in plain words, as the other filters' 400s do (ux141 #13)
        return _no_board(page, query, f"give a date like {today.isoformat()} ({query['day'][:40]!r} is not one)")
    if problem := outside_dates(day):
        return _no_board(page, query, f"{problem} (not {day.isoformat()})")
    done = query.get("done")  # back from one of the board's forms: read what it changed
    read = reader.day(day, now, fresh=done is not None)
    workcenters = _workcenter_departments(page.deps)
    board = read_board(read, day, page.viewer, now, workcenters)
    if unknown := _unknown_board_filters(page, query, board, workcenters):
        return _unknown_board(page, query, day, unknown)
    # a seat offers those a swap would not refuse, checked as `plan_swap` checks: on the whole board (a supervisor's
    # candidate may be accepted in a seat the supervisor does not see)
    whole = board if page.viewer.roles & {Role.ADMIN, Role.PLANNER} else read_board(read, day, None, now)
    if not board.shifts and planned is None:  # say which days have plans
        planned = [s for s in reader.planned(today, now) if s.seen_by(page.viewer)]
    asked = query.get("shift") or (opening.shift if opening and opening.day == day else None)
    shift = asked if asked in board.shifts else next(iter(board.shifts), None)
    chosen = _board_filter(query, page.viewer, board, shift)
    department, workcenter, kept = chosen.department, chosen.workcenter, chosen.kept
    offered = board.departments(shift) if shift else []
    place = {"day": day.isoformat(), **({"shift": shift} if shift else {}), **kept}
    replan_status, replan_pending = _replan_status(page, board, shift, query.get("asked") if done == "replan" else None)
    flash = (
        {"level": "ok", "text": CREW_FLASH[done].format(who=_named_by_number(page, query), **_short_seats(query))}
        if done in CREW_FLASH and (done != "replan" or replan_pending)  # once it ran, its status says what it did
        else None
    )
    if done == "refused" or refusal is not None:
        flash = {"level": "error", "text": refusal or f"Not swapped: {_swap_refusal(page, query)}"}
    planned_days: dict[date, list[str]] = {}
    for planned_shift in planned or ():
        planned_days.setdefault(planned_shift.day, []).append(planned_shift.shift)
    return page.render(
        "crew.html",
        status,
        title="Crew board",
        page="crew",
        board=board,
        day=day,
        days={"Today": today, "Tomorrow": today + timedelta(days=1)},
        planned_days=planned_days,
        shift=shift,
        department=department,
        departments=offered,
        workcenter=workcenter,
        # a workcenter is chosen within a department (hundreds in a plant), or among all when there is no department
        workcenters=board.workcenters(shift, department) if shift and (department or workcenter or not offered) else [],
        kept=kept,
        segments=board.segments(shift, department, workcenter) if shift else [],
        whole_seats=board.filled(shift) if shift else 0,
        totals=board.totals(shift, department, workcenter) if shift else None,
        here=f"/crew?{urlencode(place)}",
        query=lambda **chosen: urlencode({k: v for k, v in {**chosen, **kept, **chosen}.items() if v}),
        flash=flash,
        offer=lambda segment, seat: whole.offered(segment, seat, now),
        over=lambda segment: (segment.end or segment.start) <= now,  # an ended seat is not decided (ux141 #5)
        named=lambda seat, text: with_people(text, page.reader, seat.people),
        can_replan=page.deps.replan is not None and (board.shift_end(shift) or now) > now,
        replan_status=replan_status,
        call_offs=board.call_offs.get(shift, []) if shift else [],
        call_off_people=board.people(shift, page.who, _usual_shift(page)(shift)) if shift else [],
        call_off_reasons=CALL_OFF_REASONS,
        call_off_spans=CALL_OFF_SPANS,
        call_off_typed=typed or {},
        call_off_invalid={invalid: refusal} if invalid else {},
        # who may undo a call-off recorded on the board: who recorded it, planners and admins (`_undo_call_off`)
        can_undo=lambda c: (
            bool(c.reported_by)
            and (c.reported_by == page.viewer.user_id or _plans(page))
            and (whole.shift_end(shift) or now) > now  # a shift over keeps its call-offs (`_undo_call_off`)
        ),
        # a removal from Plex is decided in the review queue by who may see it there (its supervisors, planners)
        decides=lambda removal: page.deps.review.queue.theirs(page.viewer, removal.event),
        time=_time(page),
        moment=_moment(page, day),
        figures=board.figures.get(shift) if shift else None,
        figure_rows=FIGURE_ROWS,
        plans=PLANS,
    )


def _usual_shift(page: Page) -> Callable[[str], list[str]]:
    """The plant's people whose usual (default) shift in Plex is a shift, as the people directory has them (kept 15
    minutes: no read more), of the viewer's departments unless they plan: whom a call-off may name besides the plan's
    people (ux_s14 #2). Empty when the directory knows nobody."""
    everyone = page.deps.people.directory.everyone()
    whole = bool(page.viewer.roles & {Role.ADMIN, Role.PLANNER})
    return lambda shift: [
        p.employee_id for p in everyone if p.shift == shift and (whole or p.department in page.viewer.departments)
    ]


def _numbered(page: Page) -> Callable[[str], str | None]:
    """The employee id of an employee number among the people a viewer may call off as the people directory has them:
    of their departments unless they plan (as `_usual_shift`), the number as typed or in the plant's format
    (`plant_number`: "18" is E00018). Raises `CallOffRefusedError` with the plant's format in words
    (`number_pattern`); to a supervisor one refusal whether nobody has the number or the person is of another
    department, so that it does not tell whether the number exists elsewhere."""
    whole = bool(page.viewer.roles & {Role.ADMIN, Role.PLANNER})

    def found(number: str) -> str | None:
        directory = page.deps.people.directory
        person = directory.numbered(number)
        numbers = [p.number for p in directory.everyone() if p.number]
        if person is None and (written := plant_number(number, numbers)):
            person = directory.numbered(written)
        if person is not None and (whole or person.department in page.viewer.departments):
            return person.employee_id
        pattern = number_pattern(numbers)
        like = f" (the plant's numbers are {pattern})" if pattern else ""
        if whole:
            raise CallOffRefusedError(f"nobody has employee number {number[:16]!r} in Plex{like}.", field="number")
        raise CallOffRefusedError(  # ux_s15 #3 said "... is not in your departments": the number existed elsewhere
            f"nobody in your departments ({', '.join(sorted(page.viewer.departments)) or 'none'}) has employee number "
            f"{number[:16]!r}{like}; their own supervisor or a planner records other departments' call-offs.",
            field="number",
        )

    return found


def _time(page: Page) -> Callable[[datetime], str]:
    """A time as the crew board says it: the plant's clock, hours and minutes (the board shows one day)."""
    return lambda moment: moment.astimezone(page.deps.zone).strftime("%H:%M")


def _moment(page: Page, day: date) -> Callable[[datetime], str]:
    """When something happened (a call-off taken, undone), as the board of `day` says it: hours and minutes on that
    day, with the weekday on another ("Sun 00:29"; ux_s15 #8: a call-off taken on Sunday read as Tuesday's 00:29)."""

    def said(moment: datetime) -> str:
        local = moment.astimezone(page.deps.zone)
        return local.strftime("%H:%M" if local.date() == day else "%a %H:%M")

    return said


def _named_by_number(page: Page, query: dict[str, str]) -> str:
    """The person the board's address names by employee number (`who`), as the viewer may see them; else "the
    called-off person" (a removal's flash: ux_s15 #1)."""
    number = query.get("who", "")
    employee_id = page.deps.people.employee_id_for(number) if number else None
    return page.who(employee_id) if employee_id else "the called-off person"


def _short_seats(query: dict[str, str]) -> dict[str, str]:
    """A short seat's flash words: the group's seats the board's address names (`group`, `seats`: "the 2 seats at
    CNC-03, shift 2 stay empty and you handle them", ux_verify_s16 D); else one seat's."""
    key = group_key(query.get("group", ""))
    seats = int(query["seats"]) if query.get("seats", "").isdigit() else 1
    named = seats_at(seats, key) if key is not None and seats > 0 else "the seat"
    many = key is not None and seats > 1
    return {
        "seats": named,
        "stay": "stay" if many else "stays",
        "it": "them" if many else "it",
        "is_": "are" if many else "is",
    }


def _swap_refusal(page: Page, query: dict[str, str]) -> str:
    """A refused swap's reason from the board's address (`why`, `who` an employee number, `at` a workcenter, `item` the
    suggestion a re-plan replaced), lower-case after "Not swapped: " but for a person's name."""
    if query.get("why") == "replaced" and (words := _replaced_words(page, query.get("item", ""))):
        return words
    number = query.get("who", "")
    who = page.who(employee_id) if number and (employee_id := page.deps.people.employee_id_for(number)) else None
    text = swap_refusal_text(query.get("why", "").replace("replaced", "not_waiting"), who, query.get("at"))
    if not text:
        return "the swap was refused."
    return text if who and text.startswith(who) else text[:1].lower() + text[1:]


def _replaced_by_replan(page: Page, item_id: str) -> AuditEvent | None:
    """The re-plan's closing of the crew suggestion `item_id` if the viewer may see it
    (`crew.suggestions.replaced_by_replan`)."""

    def seen(opening: AuditEvent) -> bool:
        item = item_from_event(opening)
        return item is not None and page.viewer.may_see(item)

    return replaced_by_replan(page.deps.review.audit, item_id, seen)


def _replaced_words(page: Page, item_id: str) -> str | None:
    """`crewboard.replaced_text` of the re-plan that replaced `item_id`, its people named as the viewer may see them
    and its time in the plant's; None when none did."""
    closing = _replaced_by_replan(page, item_id)
    if closing is None:
        return None
    after = str(closing.payload.get("replaced_after") or "")
    named = with_people(after, page.reader, [closing.payload.get("replan_employee_id")]) if after else ""
    return replaced_text(named, _time(page)(closing.occurred_at))


@app.post("/crew/replan")
def crew_replan() -> Response[str]:
    """Ask crew_replan to re-plan the rest of a shift around the decisions made on the board (accepted held,
    rejected kept out): a `plan_changed` message on the replan queue; its suggestions appear on the board."""
    page = Page(_deps())
    form = _form()
    day_text, shift = (form.get("day") or [""])[0], (form.get("shift") or [""])[0].strip()
    if not page.viewer.roles & CREW_ROLES:
        message = "The crew board is for planners, supervisors and admins."
        return page.render("message.html", 403, title="Crew board", page="crew", message=message)
    if page.deps.replan is None:
        message = "Re-planning from the board is not configured here (no replan queue)."
        return page.render("message.html", 503, title="Crew board", page="crew", message=message)
    reach = Reach.of(page.viewer)  # a supervisor's re-plan fills only the empty seats she sees (ux141 #4)
    try:
        request = ReplanMessage(
            reason="plan_changed",
            day=date.fromisoformat(day_text),
            shift=shift,
            detected_at=page.deps.review.clock(),
            departments=None if reach.plant_wide else tuple(sorted(reach.departments)),
        )
    except ValueError as error:  # a bad day or shift: say which, ask nothing
        message = f"Not re-planned: the form's day or shift is not valid ({str(error).splitlines()[0]})."
        return page.render("message.html", 400, title="Crew board", page="crew", message=message)
    if problem := _not_replanned(page, request):
        return page.render("message.html", 400, title="Crew board", page="crew", message=f"Not re-planned: {problem}.")
    kept = {name: value for name in ("dept", "wc") if (value := (form.get(name) or [""])[0].strip())}
    try:
        page.deps.replan.send(request)
    except Exception:  # SQS throttling or unreachable: say so, not API Gateway's bare 502 (review 140 R6)
        logger.exception("re-plan not sent to the replan queue")
        message = (
            "Not re-planned: the request could not be passed to the crew planner (its queue did not answer). "
            "Nothing was changed: press Re-plan again in a moment."
        )
        back = {
            "path": f"/crew?{urlencode({'day': day_text, 'shift': shift, **kept})}",
            "label": "Back to the crew board",
        }
        return page.render("message.html", 503, title="Not re-planned", page="crew", message=message, back=back)
    logger.info("re-plan asked from the crew board", day=day_text, shift=shift)
    # the board says when it ran, or that it is pending (`_replan_status`)
    back = {"day": day_text, "shift": shift, **kept, "done": "replan", "asked": request.detected_at.isoformat()}
    return page.redirect(f"/crew?{urlencode(back)}")


def _replan_status(page: Page, board: Board, shift: str | None, asked: str | None) -> tuple[str | None, bool]:
    """What became of the board's own re-plans of the shift: the newest one crew_replan ran, when and what it changed
    (`BoardReplan.words`), or, back from asking one (`asked`, its time) that has not run yet, that it is pending
    (ux_s17 M5: after a reload the board read as before whether it had run and changed nothing or not yet); and
    whether the one asked is pending (its "appear here within a minute" flash goes once it ran, ux_s17)."""
    if shift is None:
        return None, False
    ran, time = board.board_replan(shift), _time(page)
    try:
        waiting = datetime.fromisoformat(asked) if asked else None
    except ValueError:  # an address typed by hand: no pending re-plan to speak of
        waiting = None
    if waiting is not None and waiting.tzinfo is not None and (ran is None or ran.asked < waiting):
        return f"Re-plan asked at {time(waiting)}: pending, crew_replan has not run it yet (reload in a moment)", True
    return (ran.words(time) if ran else None), False


def _not_replanned(page: Page, request: ReplanMessage) -> str | None:
    """Why the board does not ask for this re-plan (None: it does): the viewer's board of the day has no suggestion
    of the shift (crew_replan would plan it from scratch), or the shift is over (its suggestions would wait in the
    queue for a shift gone). The board's own button is shown only for a shift it may re-plan."""
    now = page.deps.review.clock()
    read = board_reader(page.deps.review.audit).day(request.day, now)
    end = read_board(read, request.day, page.viewer, now).shift_end(request.shift)
    where = f"shift {request.shift} of {request.day.isoformat()}"
    if end is None:
        return f"{where} has no crew plan on the board"
    if end <= now:
        return f"{where} is over (it ended {end.astimezone(page.deps.zone):%Y-%m-%d %H:%M}): nothing is left to re-plan"
    return None


@app.post("/crew/calloff")
def crew_call_off() -> Response[str]:
    """Record a call-off a supervisor took (by phone) for a person of the shift (`crewboard.plan_call_off`): the same
    `call_off` message crew_call_offs sends, with who took it and why, on the replan queue; crew_replan takes the
    person off the shift, re-plans the rest and records the call-off, which the board lists. A form that is not
    right is a 400 (one already recorded a 409) saying why; back to the board. A form with `undo` (an employee id)
    undoes one instead (`_undo_call_off`)."""
    page = Page(_deps())
    form = {name: values[0] for name, values in _form().items() if values}
    if not page.viewer.roles & CREW_ROLES:
        message = "The crew board is for planners, supervisors and admins."
        return page.render("message.html", 403, title="Crew board", page="crew", message=message)
    back = _back_to_board(form)
    if "undo" in form:
        return _undo_call_off(page, form, back)
    if page.deps.replan is None:
        message = "Call-offs cannot be recorded here: re-planning is not configured (no replan queue)."
        return page.render("message.html", 503, title="Crew board", page="crew", message=message, back=back)
    review = page.deps.review
    claims = SeatClaims(review.audit, review.clock)
    releases: list[Callable[[], bool]] = []
    call_offs: list[ReplanMessage] = []
    try:
        plan = plan_call_off(
            review.audit,
            form,
            page.viewer,
            review.clock(),
            page.who,
            page.local,
            _usual_shift(page),
            _numbered(page),
        )
        call_offs = plan.call_offs
        # each shift's held at once (a conditional write, `crew.claims`): the board lists it and offers them nowhere
        # on the shift from now on, and a call-off or a swap of them made at the same moment elsewhere is refused
        for call_off in call_offs:
            releases.append(
                claims.call_off(
                    str(call_off.employee_id),
                    call_off.day,
                    call_off.shift,
                    call_off.call_off_reason,
                    page.viewer.user_id,
                    call_off.detected_at,
                    plan.spans.get(call_off.shift),  # its seats of the shifts next to it are refused too
                )
            )
    except (CallOffRefusedError, ClaimRefusedError, ClaimBusyError, AuditError) as refused:
        # nothing half recorded (review163 D5): what was held is let go; one the table will not let go is sent on
        sent_on = _let_go_or_send(page.deps.replan, call_offs[: len(releases)], releases)
        if isinstance(refused, (ClaimBusyError, AuditError)):  # try again: the next attempt holds every shift
            text = (
                f"Call-off not recorded: {refused}."
                if isinstance(refused, ClaimBusyError)
                else f"Call-off not recorded: the audit table did not answer ({refused}). Nothing was kept: try "
                "again in a moment."
            )
            if sent_on:
                text = (
                    f"Call-off recorded for shift {', '.join(sent_on)} only: the audit table did not answer "
                    f"({refused}) for the day's later shifts. Record it again on their boards in a moment."
                )
            return page.render("message.html", 503, title="Call-off not recorded", page="crew", message=text, back=back)
        status = refused.status if isinstance(refused, CallOffRefusedError) else refused.http_status
        words = str(refused) if isinstance(refused, CallOffRefusedError) else refused.words(page.who, _time(page)) + "."
        text = f"Call-off not recorded: {words}"
        if isinstance(refused, CallOffRefusedError) and refused.field:  # the board again, the form as typed, the
            # field marked (ux_s15 #3: a separate page lost the number, the reason and "for")
            board = {name: value for name in ("day", "shift", "dept", "wc") if (value := form.get(name, "").strip())}
            return _crew_page(page, board, status, refusal=text, typed=form, invalid=refused.field)
        return page.render("message.html", status, title="Call-off not recorded", page="crew", message=text, back=back)
    for sent, call_off in enumerate(call_offs):
        try:
            page.deps.replan.send(call_off)
        except Exception:  # nothing half recorded: a claim goes with the message that could not be sent
            logger.exception("call-off not sent to the replan queue")
            for unsent in reversed(releases[sent:]):
                unsent()
            shifts = ", ".join(c.shift for c in call_offs[:sent])
            text = "Call-off not recorded: it could not be sent to the crew planner. Try again in a moment."
            if sent:
                text = (
                    f"Call-off recorded for shift {shifts} only: the day's later shifts could not be sent to the crew "
                    "planner. Record it again on their boards in a moment."
                )
            return page.render("message.html", 503, title="Call-off not recorded", page="crew", message=text, back=back)
    for nearby in plan.nearby:  # after the call-offs (FIFO): their seats next door, which the claims refuse meanwhile
        try:
            page.deps.replan.send(nearby)
        except Exception:  # the call-off stands; the next re-plan of that shift takes them off the seat
            logger.exception("call-off nearby not sent to the replan queue", shift=nearby.shift)
    first = call_offs[0]
    logger.info("call-off recorded on the crew board", day=first.day.isoformat(), shifts=[c.shift for c in call_offs])
    kept = {name: value for name in ("dept", "wc") if (value := form.get(name, "").strip())}
    done = "calloff" if len(call_offs) == 1 else "calloff_day"
    place = {"day": first.day.isoformat(), "shift": first.shift, **kept, "done": done}
    return page.redirect(f"/crew?{urlencode(place)}")


def _let_go_or_send(replan: ReplanSender, held: list[ReplanMessage], releases: list[Callable[[], bool]]) -> list[str]:
    """Lets go the call-off claims `held` (their `releases`), last first; one the table will not let go holds, so its
    message goes to crew_replan after all (the person is off that shift: its re-plan covers the seat). The shifts
    kept that way."""
    stuck = [call_off for call_off, release in reversed(list(zip(held, releases, strict=True))) if not release()]
    kept = []
    for call_off in reversed(stuck):
        try:
            replan.send(call_off)
            kept.append(call_off.shift)
        except Exception:  # the board lists it "re-plan pending"; undoing it there lets it go
            logger.exception("call-off neither let go nor sent to the replan queue", shift=call_off.shift)
    return kept


def _plans(page: Page) -> bool:
    return bool(page.viewer.roles & {Role.ADMIN, Role.PLANNER})


def _undo_call_off(page: Page, form: dict[str, str], back: dict[str, str]) -> Response[str]:
    """Undo a call-off recorded on the board (review 155 R3: the person turned up after all, or it was recorded in
    error): its claims let go (`SeatClaims.release_call_off`), this shift's and those of the day's later shifts not
    over it was recorded with (`Board.rest_of_day`: never an earlier shift's, whose absence was real), so the person is
    accepted or swapped in again, and a `call_off_undone` message per shift on the replan queue, so crew_replan plans
    them again (sent first: a queue that cannot be reached is a 503 and nothing is let go; one that went lets its claim
    go in crew_replan too, if the table cannot be written here), then a `call_off_undone_nearby` of each shift next
    door whose seat of theirs the call-off took (`undo_nearby`; one not sent is logged). Who recorded it may undo it,
    and planners and admins (403 for others); none holding, or a shift that is over, is a 409 saying so."""
    employee, shift = form.get("undo", "").strip(), form.get("shift", "").strip()
    try:
        day = date.fromisoformat(form.get("day", "").strip())
    except ValueError:
        day = None
    if not employee or not shift or day is None:
        field = "undo (who)" if not employee else "shift" if not shift else "day (YYYY-MM-DD)"
        text = f"Call-off not undone: the form has no valid {field}."
        return page.render("message.html", 400, title="Call-off not undone", page="crew", message=text, back=back)
    review = page.deps.review
    claims = SeatClaims(review.audit, review.clock)
    held = claims.call_offs_held(employee, day)
    chosen = next((c for c in held if c.shift == shift), None)
    if chosen is None:
        text = (
            f"Call-off not undone: no call-off of {page.who(employee)} recorded on the board holds for shift {shift} "
            f"of {day.isoformat()} (undone already, or they clocked in)."
        )
        return page.render("message.html", 409, title="Call-off not undone", page="crew", message=text, back=back)
    if chosen.by != page.viewer.user_id and not _plans(page):
        text = f"Call-off not undone: only {page.who(chosen.by)}, who recorded it, or a planner may undo it."
        return page.render("message.html", 403, title="Call-off not undone", page="crew", message=text, back=back)
    if page.deps.replan is None:
        text = "Call-off not undone: re-planning is not configured (no replan queue) to plan them back in."
        return page.render("message.html", 503, title="Call-off not undone", page="crew", message=text, back=back)
    now = review.clock()
    whole = read_board(board_reader(review.audit).day(day, now, fresh=True), day, None, now)
    if (end := whole.shift_end(shift)) is not None and end <= now:
        text = f"Call-off not undone: shift {shift} of {day.isoformat()} is over, so its call-off stays on record."
        return page.render("message.html", 409, title="Call-off not undone", page="crew", message=text, back=back)
    # this shift's and the later ones not over that it was recorded with, never an earlier one (review 163 D3)
    rest = set(whole.rest_of_day(shift, now))
    recorded_with = [c for c in held if c.by == chosen.by and c.at == chosen.at and c.shift in rest]
    undone: list[Claim] = []
    sent: list[ReplanMessage] = []
    for call_off in recorded_with:
        undo = ReplanMessage(
            reason="call_off_undone",
            day=day,
            shift=call_off.shift,
            employee_id=employee,
            reported_by=page.viewer.user_id,
            detected_at=now,
        )
        try:
            page.deps.replan.send(undo)
        except Exception:  # nothing half done: only the shifts whose undo went are let go
            logger.exception("call-off undo not sent to the replan queue")
            if not undone:
                text = "Call-off not undone: it could not be sent to the crew planner. Try again in a moment."
                return page.render(
                    "message.html", 503, title="Call-off not undone", page="crew", message=text, back=back
                )
            break
        undone.append(call_off)
        sent.append(undo)
    for next_door in undo_nearby(review.audit, whole, sent, now):  # behind the undos, with the person back
        try:
            page.deps.replan.send(next_door)
        except Exception:  # the undo stands; that shift takes them back at its next re-plan
            logger.exception(
                "call-off undo of a shift next door not sent", day=str(next_door.day), shift=next_door.shift
            )
    try:
        for call_off in undone:
            claims.release_call_off(employee, day, call_off.shift, page.viewer.user_id)
    except (AuditError, ClaimBusyError):  # the undo went: crew_replan lets the claims go with its re-plan
        logger.exception("call-off claims not let go on the board")
        text = (
            "Call-off undo sent to the crew planner, which lets the call-off go with its re-plan within a minute; the "
            "audit table could not be written here just now."
        )
        return page.render("message.html", 503, title="Call-off undo pending", page="crew", message=text, back=back)
    if len(undone) < len(recorded_with):
        shifts = ", ".join(c.shift for c in undone)
        text = (
            f"Call-off undone for shift {shifts} only: the day's later shifts could not be sent to the crew planner. "
            "Undo it again on their boards in a moment."
        )
        return page.render("message.html", 503, title="Call-off partly undone", page="crew", message=text, back=back)
    logger.info("call-off undone on the crew board", day=day.isoformat(), shifts=[c.shift for c in undone])
    kept = {name: value for name in ("dept", "wc") if (value := form.get(name, "").strip())}
    return page.redirect(
        f"/crew?{urlencode({'day': day.isoformat(), 'shift': shift, **kept, 'done': 'calloff_undone'})}"
    )


def _back_to_board(form: dict[str, str]) -> dict[str, str]:
    """The link of a refused board form back to the board it came from: its day (when it is one), shift and
    filter."""
    try:
        chosen = date.fromisoformat(form.get("day", "").strip())
        day = {} if outside_dates(chosen) else {"day": chosen.isoformat()}
    except ValueError:  # the board opens on the current shift's plan
        day = {}
    kept = {name: value[:64] for name in ("shift", "dept", "wc") if (value := form.get(name, "").strip())}
    return {"path": f"/crew?{urlencode(day | kept)}", "label": "Back to the crew board"}


@app.post("/crew/swap")
def crew_swap() -> Response[str]:
    """Swap a waiting crew suggestion for an operator the planner offered (`crewboard.plan_swap`): the choice is
    recorded and approved (its write queued first), the replaced one rejected, and crew_replan asked to re-plan
    the rest of the shift with the choice held (a `swap` message); back to the board. A refused swap shows the
    board it came from (`next`: the same day, shift and filter) with the reason on top."""
    page = Page(_deps())
    form = {name: values[0] for name, values in _form().items() if values}
    if not page.viewer.roles & CREW_ROLES:
        message = "The crew board is for planners, supervisors and admins."
        return page.render("message.html", 403, title="Crew board", page="crew", message=message)
    review, item_id, employee = page.deps.review, form.get("item", ""), form.get("employee", "").strip()
    if not item_id or not employee:  # a malformed form, not a refused swap (an empty id is no DynamoDB key)
        message = SWAP_REFUSALS["no_item" if not item_id else "no_employee"]
        return page.render("message.html", 400, title="Not swapped", page="crew", message=message)
    try:
        swap = plan_swap(review.audit, item_id, employee, page.viewer, review.clock())
        review.approve_new(page.viewer, swap.opening, "crew_board")
    except ClaimRefusedError as taken:  # a swap or call-off of the same person or seat a moment ago: a 409 saying so
        logger.info("swap refused on the crew board: taken", item_id=item_id, reason=str(taken))
        # the board it came from, read fresh, the reason on top (a reload posts the swap again: refused again)
        came_from = urlsplit(form.get("next", ""))
        query = dict(parse_qsl(came_from.query)) if came_from.path == "/crew" and not came_from.netloc else {}
        refusal = f"Not swapped: {taken.words(page.who, _time(page))}. Nothing was changed."
        return _crew_page(page, query | {"done": "refused"}, status=409, refusal=refusal)
    except (SwapRefusedError, ApprovalError) as error:
        if isinstance(error, SwapRefusedError):
            code, at = error.code, error.at
        else:
            # a write not queued leaves the choice recorded, waiting (`approve_new`): say so, not "try again"
            queued = "not_queued" if isinstance(error, WritebackNotQueuedError) else "not_recorded"
            code, at = ("decided" if status_for(error) == 410 else queued), None
        if code == "not_waiting" and _replaced_by_replan(page, item_id) is not None:
            code = "replaced"  # a re-plan closed it after the board was read (ux_verify_s16 H): the board says which
        logger.info("swap refused on the crew board", item_id=item_id, why=code, reason=str(error))
        # 303 to the board it came from (else today's) with the reason's code: a reload re-posts nothing; the
        # person by employee number (no Plex id in the address), the workcenter by its code
        person = page.deps.people.directory.person_of(employee) if employee else None
        refused = (
            {"why": code}
            | ({"who": person.number} if person and person.number else {})
            | ({"at": at} if at else {})
            | ({"item": item_id} if code == "replaced" else {})
        )
        board = back_to(form.get("next", ""), "refused") or "/crew?done=refused"
        return page.redirect(f"{board}&{urlencode(refused)}")
    try:
        review.decide(page.viewer, swap.replaced, "reject", swap.rejection)
    except ApprovalError as error:  # the choice stands (accepted); say the replaced one is still open
        message = f"{page.who(employee)} is accepted, but the suggestion it replaces could not be rejected: {error}"
        return page.render("message.html", status_for(error), title="Swapped in part", page="crew", message=message)
    fallback = f"/crew?{urlencode({'day': swap.replan.day.isoformat(), 'done': 'swap'})}"
    if page.deps.replan is not None:
        try:
            page.deps.replan.send(swap.replan)
        except Exception:  # the swap stands (recorded, its write queued): say so and what is left (review 140 R6)
            logger.exception("swap's re-plan not sent to the replan queue", item_id=item_id)
            shift = swap.replan.shift
            message = (
                f"Swapped: {page.who(employee)} is accepted (on its way to Plex) and the suggestion it replaces "
                f"rejected. The re-plan of the rest of shift {shift} could not be asked (the crew planner's queue did "
                f"not answer): press 'Re-plan the rest of shift {shift}' on the board in a moment."
            )
            board = back_to(form.get("next", ""), "swap") or fallback
            back = {"path": board, "label": "Back to the crew board"}  # read fresh: the swap shows there
            return page.render("message.html", 503, title="Swapped", page="crew", message=message, back=back)
    logger.info("swap on the crew board", item_id=item_id, replaced_by=employee)
    return page.redirect(back_to(form.get("next", ""), "swap") or fallback)


@app.post("/crew/removal")
def crew_retry_removal() -> Response[str]:
    """Send again a removal from Plex that Plex (or plex_writeback) refused, while its person is still off the shift
    (`crewboard.plan_retry`; issue 16): a new removal of the seat, made and approved at once by the viewer through the
    queue's path (its write queued first, then its decision: both in the audit trail); back to the board. One that may
    not be sent again is a 404 (not the viewer's to decide) or a 409 saying why, and nothing is sent."""
    page = Page(_deps())
    form = {name: values[0] for name, values in _form().items() if values}
    if not page.viewer.roles & CREW_ROLES:
        message = "The crew board is for planners, supervisors and admins."
        return page.render("message.html", 403, title="Crew board", page="crew", message=message)
    back, review, item_id = _back_to_board(form), page.deps.review, form.get("item", "").strip()
    if not item_id:  # a malformed form (an empty id is no DynamoDB key)
        text = "Removal not sent again: the form names no removal."
        return page.render("message.html", 400, title="Not sent", page="crew", message=text, back=back)
    try:
        retry = plan_retry(review.audit, item_id, page.viewer, review.clock(), page.who, _time(page))
        review.approve_new(page.viewer, retry, "crew_board")
    except RetryRefusedError as refused:
        text = f"Removal not sent again: {refused}"
        return page.render("message.html", refused.status, title="Not sent", page="crew", message=text, back=back)
    except ApprovalError as error:  # pressed twice: the second finds the retry decided
        text = f"Removal not sent again: {error}. Nothing more was sent."
        return page.render("message.html", status_for(error), title="Not sent", page="crew", message=text, back=back)
    logger.info("removal from Plex sent again from the crew board", item_id=item_id, retry=retry.event_id)
    return page.redirect(back_to(form.get("next", ""), "removal_retried") or "/crew?done=removal_retried")


# `/analytics` and `/incidents/trends`, drawn with this module's helpers
from plexlabor.webapp import allocationpage, analyticspage, incidenttrendspage  # noqa: E402, F401
