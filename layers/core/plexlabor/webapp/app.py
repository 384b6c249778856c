"""The web app's routes: the review queue, one item, decisions; built once per environment.

Every page is rendered on the server from the audit table. A decision is a form POST answered with
303 to the next thing to do (the next item, or the queue), so a reload never decides twice; a form
with an error comes back with what was typed and the reason it was refused.

People are named as the signed-in person's roles allow (`approval.directory.PeopleDisplay`: "Dana
Smith (E00042)" where `SHOW_NAMES_TO` lists one of their roles, else "E00042", else the id when Plex
does not know the number): the employee and supervisor of an item, its note, people in its evidence,
the KPI page's reviewers, who decided an item first, and the signed-in person in the header. The
queue's employee filter takes an employee number. Times are plant time with their date.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import Field

from plexlabor.allocation.coding import StretchHold
from plexlabor.approval.callback import CallbackService
from plexlabor.approval.corrections import updates_fields
from plexlabor.approval.directory import LOGIN_ROLE_WORDS, PeopleDisplay
from plexlabor.approval.display import (
    Reader,
    is_id_key,
    looks_like_id,
    parse_time,
    producer,
    split_ids,
    with_people,
)
from plexlabor.approval.effects import expired_effect, finding_means, plex_effect
from plexlabor.approval.errors import (
    AlreadyDecidedError,
    ApprovalError,
    DecisionFormError,
    ReasonMissingError,
    status_for,
)
from plexlabor.approval.fits import record_times
from plexlabor.approval.pages import closed_message, closing_event, field_label, what_happened
from plexlabor.approval.recommendations import CONFIRMED_KINDS, CREW_REMOVAL, UNALLOCATED_TIME
from plexlabor.approval.settings import CallbackSettings
from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus
from plexlabor.audit.events import ran_out, withdrawal
from plexlabor.audit.validations import ValidationCounts
from plexlabor.crew.claims import ClaimRefusedError, SeatClaims
from plexlabor.crew.messages import ReplanSender, people_in
from plexlabor.crew.suggestions import CREW_KINDS
from plexlabor.incidents.listing import IncidentLog
from plexlabor.incidents.registry import MODEL_RECORD_KEY as INCIDENT_MODELS
from plexlabor.incidents.withdrawal import closing_words
from plexlabor.learning.events import model_story
from plexlabor.models.anomalies import AnomalyType
from plexlabor.platform import env
from plexlabor.platform.csrf import REFUSAL, cross_site_problem
from plexlabor.platform.forms import UnreadableFormError, form_fields
from plexlabor.platform.observability import logger
from plexlabor.platform.pilot import REVIEW_KINDS, PilotScope
from plexlabor.platform.retrainruns import INCIDENT_MODELS_PREFIX, SCORER_MODELS_PREFIX, RetrainRuns
from plexlabor.platform.settings import PerEnvironment, PilotSettings
from plexlabor.plex.settings import WriteMode
from plexlabor.review.decisions import ApprovalGuards, Outcome, ReviewService
from plexlabor.review.edits import FORM_PREFIX as EDIT_PREFIX
from plexlabor.review.edits import (
    OCCURRENCE_PREFIX,
    AmbiguousTimeError,
    EditableField,
    decision_values,
    editable_fields,
    edited_correction,
)
from plexlabor.review.evidence import evidence_words
from plexlabor.review.groups import closing_of, decided_seats
from plexlabor.review.items import APPROVING_MEANS, PUNCH, ReviewItem, type_label
from plexlabor.review.kpis import compute_kpis
from plexlabor.review.queue import CLOSED_STATUSES, Filters, ReviewQueue, Role, Viewer, kinds_of
from plexlabor.review.trail import trail
from plexlabor.validation.policy import PolicySettings, PunchPolicy
from plexlabor.webapp.allocation import AllocationReports, coded_words, coding_of, queue_guidance
from plexlabor.webapp.analytics import AnalyticsReports
from plexlabor.webapp.auth import Reply, SignIn, request_cookies, sign_in
from plexlabor.webapp.forecasts import ForecastReports
from plexlabor.webapp.headers import CONTENT_TYPE, SECURITY_HEADERS
from plexlabor.webapp.incidenttrends import IncidentTrendsReports
from plexlabor.webapp.kpireads import kpi_reads, kpi_runs
from plexlabor.webapp.plantfilters import queue_unknowns
from plexlabor.webapp.reports import ReportSettings, SkillsReports
from plexlabor.webapp.timeline import TIMELINE_KEY, shape_timeline
from plexlabor.webapp.viewer import NotSignedInError, viewer_from_claims

PAGE_SIZE = 100
"""Queue rows per page: a page stays small to render and to send, whatever the backlog."""
KPI_DAYS = {"7": 7, "28": 28, "90": 90}
"""The periods the KPI page offers (`?days=`); anything else is a 400 naming the field, showing `KPI_DEFAULT_DAYS`."""
KPI_DEFAULT_DAYS = 28
FLASH = {"approve": "Approved.", "reject": "Rejected; the reason is kept for the model."}
ACTION_WORDS = {"approve": "approval", "reject": "rejection"}
"""A decision's action as a noun ("Your approval was not recorded.")."""
WORKFLOW_FAILED = "The e-mail asking for this decision could not be sent (its workflow failed): decide it here."
ANOMALY_TYPES = frozenset(anomaly.value for anomaly in AnomalyType)
"""The punch finding types the queue's type filter takes (besides the kinds)."""
EXPIRED = "expired"
"""`/queue?show=expired`: the items that expired with nobody deciding them (`_expired_page`)."""
BULK_NAMED = 10
"""A bulk decision's flash names this many of its items (the rest are counted)."""
BULK_FLASH_KEYS = ("done", "did", "missed", "decided", "failed", "own_page", "own_page_ids", "partly")
"""What a bulk decision's answer adds to the queue's query for its flash (no filter of the queue)."""
OWN_PAGE_WHY = (
    "an incident's codes are confirmed or corrected on its own page, not approved in the queue: open each to "
    "code it (they are still waiting)."
)
"""Why a bulk approval left an incident coding undecided (`Outcome.own_page`, ux141 #11)."""
NO_SUCH_PAGE = "There is no page at this address: check it for a typo, or choose a page from the menu."
RETURN_PAGES = frozenset({"/crew"})
"""Pages whose decision forms come back to them (`next`); any other `next` is ignored (no open redirect)."""


def return_page(value: str) -> str | None:
    """The page `value` names, if one of `RETURN_PAGES`: its path and its query read and encoded again, less `done`
    (a raw CR/LF cannot reach a link or the Location header; a fragment is dropped); None for any other."""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path not in RETURN_PAGES:
        return None
    query = [(name, text) for name, text in parse_qsl(parts.query) if name != "done"]
    return f"{parts.path}?{urlencode(query)}" if query else parts.path


BOARD_DONE = {CREW_REMOVAL: "removal", "crew_unstaffed": "short_seat"}
"""The kinds whose decision, back on the crew board, is told in their own words (`?done=approve_removal`, ...): an
approved removal withdraws an assignment in Plex, an approved short seat sends nothing (ux_s15 #1: both read "the
assignment is on its way to Plex"); an assignment keeps the plain action."""


def decided_done(action: str, kind: str | None) -> str:
    """The `done` a decision of `action` on an item of `kind` comes back to its page with (`BOARD_DONE`)."""
    return f"{action}_{BOARD_DONE[kind]}" if kind in BOARD_DONE else action


def back_to(next_value: str, done: str) -> str | None:
    """The page `next_value` names, if one of `RETURN_PAGES` (`return_page`), with `done` added; None for any other."""
    page = return_page(next_value)
    return None if page is None else f"{page}{'&' if '?' in page else '?'}{urlencode({'done': done})}"


class WebAppSettings(CallbackSettings, PilotSettings, ReportSettings, PolicySettings):
    """The audit and state tables and the link-signing key (the queue decides through the same
    decision as the mailed links), the plant's zone for every time shown and the people named on the
    pages (Plex employees, `SHOW_NAMES_TO`: `CallbackSettings`), the rollout scope in force (shown
    on every page) and the plant's policy (`VALIDATION_POLICY`: the longest entry an edited correction may make)."""

    writeback_queue_url: str = Field(alias=env.WRITEBACK_QUEUE_URL)
    """Approved crew assignments go to plex_writeback through this queue."""
    replan_queue_url: str | None = Field(default=None, alias=env.REPLAN_QUEUE_URL)
    """The crew board's "re-plan the rest of the shift" goes to crew_replan through this queue."""
    plant_dir: str | None = Field(default=None, alias=env.PLANT_DIR)
    """Set only on the local runtime (a plant folder instead of Plex), where nothing fires the schedules by itself."""

    def retrain_runs(self) -> RetrainRuns | None:
        """The weekly retrains' last runs, in the registries (`platform.retrainruns`); None: no bucket or folder."""
        scorer, coder = self.artifact_store(SCORER_MODELS_PREFIX), self.artifact_store(INCIDENT_MODELS_PREFIX)
        return None if scorer is None or coder is None else RetrainRuns(scorer, coder)


@dataclass
class Dependencies:
    review: ReviewService
    zone: ZoneInfo
    scope: PilotScope = field(default_factory=PilotScope)
    people: PeopleDisplay = field(default_factory=PeopleDisplay)
    """Who is named how (default: nobody known, people shown by id)."""
    validations: ValidationCounts | None = None
    """Punches validated per day (the state table), the KPI page's flagged share; None: not shown."""
    reports: SkillsReports | None = None
    """skills_daily's report for the dashboards (`webapp.dashboards`); None: not configured."""
    forecasts: ForecastReports | None = None
    """forecast_nightly's newest run for the forecasts page (`webapp.forecasts`); None: not configured."""
    analytics: AnalyticsReports | None = None
    """analytics_nightly's newest scores for `/analytics` (`webapp.analytics`); None: not configured."""
    allocation: AllocationReports | None = None
    """allocation_nightly's newest day for `/allocation` and the queue's job-code guidance; None: not configured."""
    incident_trends: IncidentTrendsReports | None = None
    """incident_trends' newest report for `/incidents/trends` (`webapp.incidenttrends`); None: not configured."""
    retrain_runs: RetrainRuns | None = None
    """Where the KPI page reads the scorer's and the incident coder's last retrain run; None: not configured."""
    replan: ReplanSender | None = None
    """Where the crew board asks crew_replan to re-plan a shift; None: not configured (no button)."""
    write_mode: WriteMode = "dry_run"
    """The write mode plex_writeback writes in: the item page says what an approval does (`approval.effects`)."""
    schedules_by_hand: bool = False
    """Schedules are fired by hand here (the local runtime: `POST /_local/schedules/<function>`), so an empty
    dashboard says how to fill it (ux_s17 H3: it told the admin to check logs and alarms)."""
    policy: PunchPolicy = field(default_factory=PunchPolicy)
    """The plant's punch policy (`VALIDATION_POLICY`): the longest entry an edited correction may make."""
    incident_log: IncidentLog = field(init=False)
    """The incident events `/incidents` read, kept between requests (`incidents.listing`), on the review's
    audit store and clock."""

    def __post_init__(self) -> None:
        self.incident_log = IncidentLog(self.review.audit, self.review.clock)
        if self.review.guard is None:  # every web app holds at an approval a stretch of unallocated time (one coding
            # per stretch, `allocation.coding`) and a crew seat (`crew.claims`)
            guards = (StretchHold(self.review.audit), SeatClaims(self.review.audit, self.review.clock))
            self.review.guard = ApprovalGuards(guards)


def build(settings: WebAppSettings) -> Dependencies:
    from plexlabor.approval.wiring import build_callback, people_display, write_mode_of
    from plexlabor.audit.dynamodb import DynamoDbValidationCounter
    from plexlabor.crew.wiring import replan_sender
    from plexlabor.platform.sqs import SqsJsonSender

    callback = build_callback(settings)
    people = people_display(settings)
    queue = ReviewQueue(callback.audit, people=people.directory)  # places items about a person (ux_s13 #2)
    review = ReviewService(queue, callback.audit, callback, SqsJsonSender(settings.writeback_queue_url))
    return Dependencies(
        review,
        settings.zone,
        settings.pilot_scope,
        people,
        validations=DynamoDbValidationCounter(settings.state_table_name),
        reports=settings.skills_reports(),
        forecasts=settings.forecast_reports(),
        analytics=settings.analytics_reports(),
        incident_trends=settings.incident_trends(),
        allocation=settings.allocation_reports(),
        retrain_runs=settings.retrain_runs(),
        replan=replan_sender(settings.replan_queue_url) if settings.replan_queue_url else None,
        write_mode=write_mode_of(settings),
        schedules_by_hand=settings.plant_dir is not None,
        policy=settings.validation_policy,
    )


dependencies = PerEnvironment(WebAppSettings, build)
templates = Environment(loader=PackageLoader("plexlabor.webapp"), autoescape=select_autoescape(default=True))
app = APIGatewayRestResolver()


@dataclass(frozen=True)
class PageReader(Reader):
    """How a page shows a time or a value: plant time without its zone (the page names the zone once),
    fractions to two places, other numbers as Python spells them, truth values as yes / no."""

    def time(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%a %Y-%m-%d %H:%M")

    def scalar(self, value: Any) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        return f"{value:.2f}" if isinstance(value, float) else str(value)


class Page:
    """What every template needs about the current request."""

    def __init__(self, deps: Dependencies) -> None:
        self.deps = deps
        event = app.current_event
        self.viewer: Viewer = viewer_from_claims(event.request_context.authorizer)
        stage_path = event.request_context.path or event.path
        self.base = stage_path[: len(stage_path) - len(event.path)] if stage_path.endswith(event.path) else ""
        self.reader = Reader(deps.zone, deps.people, frozenset(str(role) for role in self.viewer.roles))
        self.shown = PageReader(self.reader.zone, self.reader.people, self.reader.roles)
        # where a schedule is fired by hand: the local runtime's control path on this page's host (else None)
        host = (event.headers or {}).get("Host") or (event.headers or {}).get("host") or "127.0.0.1"
        self.schedules_url = f"http://{host}/_local/schedules/" if deps.schedules_by_hand else None

    def local(self, moment: datetime) -> str:
        return self.shown.time(moment)

    def who(self, employee_id: str | None) -> str:
        """A person as this viewer may see them: "Dana Smith (E00042)", "E00042", or the id."""
        return self.reader.person(employee_id)

    def person(self, item: ReviewItem) -> str:
        return self.who(item.employee_id)

    def reviewer(self, user_id: str) -> str:
        """A row of a table of people (the KPIs' reviewers): as `who` names them, the name with the employee
        number; a sign-in that is a role and nobody in Plex (the dev sign-in's "planner") by its login and why it
        has neither (ux164 #17: "a planner", "HR" and "the EHS lead" beside "Carla Okafor (E00002)")."""
        named = self.who(user_id)
        return f"{user_id} (a sign-in without an employee number)" if named == LOGIN_ROLE_WORDS.get(user_id) else named

    def note(self, item: ReviewItem) -> str:
        """The item's note (written with ids: the audit keeps ids) naming its people as `who` does, and the
        people a re-plan's note is about ("After a call-off of <id>: ...")."""
        return with_people(item.note, self.reader, (item.employee_id, item.supervisor_id, *people_in(item.note)))

    def value(self, value: Any, key: str | None = None) -> str:
        return self.shown.value(value, key)

    def words(self, values: Mapping[str, Any] | None) -> list[tuple[str, str]]:
        """A mapping as (label, value) rows a person reads; model features stay in the audit only, Plex
        ids go to the "Plex ids" detail (`plex_ids`)."""
        shown, _ = split_ids(values)
        return [(field_label(k), self.value(v, k)) for k, v in shown.items() if k != "features" and v is not None]

    def plex_ids(self, item: ReviewItem) -> list[tuple[str, str]]:
        """What a supervisor may need to find the item in Plex, for the collapsed "Plex ids" detail: the
        record, the ids in its evidence and proposed change, the exact model version."""
        _, evidence = split_ids({k: v for k, v in item.evidence.items() if k != TIMELINE_KEY})
        _, proposed = split_ids(item.proposed)
        rows = [("Record", item.record_key)]
        rows += [(field_label(k), _plain(v)) for k, v in {**evidence, **proposed}.items()]
        return rows + ([("Model version", item.model_version)] if item.model_version else [])

    def escalation(self, item: ReviewItem) -> str | None:
        """ "Escalated to you on … (no decision by Dev Walsh (E00123) within 24 h)", None if it was not."""
        if item.escalated_to is None or item.escalated_at is None:
            return None

        def named(person: str) -> str:
            return "you" if person == self.viewer.user_id else self.who(person)

        waited = _duration(item.escalated_at - item.created_at)
        since = f" (no decision by {named(item.escalated_from)} within {waited})" if item.escalated_from else ""
        return f"Escalated to {named(item.escalated_to)} on {self.local(item.escalated_at)}{since}"

    def place(self, item: ReviewItem) -> str | None:
        """The item's workcenter by its code (an older finding's evidence may only hold its Plex id)."""
        return None if item.workcenter is None or looks_like_id(item.workcenter) else item.workcenter

    def render(self, template: str, status: int = 200, **context: Any) -> Response[str]:
        body = templates.get_template(template).render(
            base=self.base,
            viewer=self.viewer,
            zone=self.deps.zone.key,
            scope=self.deps.scope,
            local=self.local,
            person=self.person,
            who=self.who,
            note=self.note,
            type_label=type_label,
            place=self.place,
            escalation=self.escalation,
            producer=producer,
            plex_ids=self.plex_ids,
            schedules_url=self.schedules_url,
            **context,
        )
        return Response(status_code=status, content_type=CONTENT_TYPE, body=body, headers=dict(SECURITY_HEADERS))

    def redirect(self, path: str) -> Response[str]:
        headers = {**SECURITY_HEADERS, "Location": f"{self.base}{path}"}
        return Response(status_code=303, content_type=CONTENT_TYPE, body="", headers=headers)


def _duration(span: timedelta) -> str:
    """A wait in the unit a person reads it in: "40 min", "26 h", "3 days"."""
    hours = span.total_seconds() / 3600
    if hours < 2:
        return f"{max(round(hours * 60), 1)} min"
    return f"{round(hours)} h" if hours < 48 else f"{round(hours / 24)} days"


def _plain(value: Any) -> str:
    """An id, or a list of them, as text to copy."""
    return ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


def _deps() -> Dependencies:
    deps: Dependencies = app.context.get("deps") or dependencies()
    return deps


def _form() -> dict[str, list[str]]:
    """The posted form's fields (UnreadableFormError, a 400 page, when the body is not a form)."""
    return form_fields(app.current_event)


def _filters(query: Mapping[str, str], people: PeopleDisplay | None = None) -> tuple[Filters, dict[str, str]]:
    """The filters a query asks for, and per malformed one (a day that is not a day, a kind or type the queue
    does not know) why it was left out; the employee is typed as an employee number (an id still works)."""

    def text(name: str) -> str | None:
        value = (query.get(name) or "").strip()
        return value or None

    problems: dict[str, str] = {}
    day, kind, kind_of = text("day") or "", text("kind"), text("type")
    try:
        chosen_day = date.fromisoformat(day) if day else None
    except ValueError:
        chosen_day, problems["day"] = None, f"Day: '{day[:40]}' is not a day (YYYY-MM-DD, e.g. 2026-11-20)."
    if kind is not None and kind not in REVIEW_KINDS:
        problems["kind"], kind = f"Kind: '{kind[:40]}' is not a kind of suggestion.", None
    if kind_of is not None and kind_of not in REVIEW_KINDS and kind_of not in ANOMALY_TYPES:
        problems["type"], kind_of = f"Type: '{kind_of[:40]}' is not a type of suggestion.", None
    if text("show") not in (None, EXPIRED):
        problems["show"] = f"Show: only '{EXPIRED}' (the items nobody decided in time)."
    employee = text("employee")
    return Filters(
        kind=kind,
        type=kind_of,
        department=text("department"),
        shift=text("shift"),
        employee_id=(people.employee_id_for(employee) if people and employee else None) or employee,
        day=chosen_day,
    ), problems


def _plant_filters(page: Page, items: list[ReviewItem]) -> tuple[Filters, dict[str, str]]:
    """The query's filters (`_filters`) less those that cannot be read or name a department, shift or employee the
    plant does not have (`plantfilters.queue_unknowns`, from the people directory and the viewer's `items`), and per
    one left out, why."""
    query = _query()
    filters, problems = _filters(query, page.deps.people)
    typed = (query.get("employee") or "").strip() or None
    unknown = queue_unknowns(filters, typed, page.deps.people.directory, items, page.viewer.departments)
    if "department" in unknown:
        filters = replace(filters, department=None)
    if "shift" in unknown:
        filters = replace(filters, shift=None)
    if "employee" in unknown:
        filters = replace(filters, employee_id=None)
    return filters, problems | unknown


def filter_words(page: Page, filters: Filters) -> str:
    """The queue's filters in words, as a page that matches nothing names them ("kind Crew assignment, department
    XX, shift 9", the employee by name: ux141 #13); "" when none is set."""
    parts = (
        f"kind {type_label(filters.kind)}" if filters.kind else "",
        f"type {type_label(filters.type)}" if filters.type and filters.type != filters.kind else "",
        f"department {filters.department}" if filters.department else "",
        f"shift {filters.shift}" if filters.shift else "",
        f"employee {page.who(filters.employee_id)}" if filters.employee_id else "",
        f"day {filters.day:%a %Y-%m-%d}" if filters.day else "",
    )
    return ", ".join(part for part in parts if part)


def _query() -> dict[str, str]:
    return {k: v for k, v in (app.current_event.query_string_parameters or {}).items() if v}


def _queue_page(page: Page, *, status: int = 200, flash: dict[str, str] | None = None, **kept: Any) -> Response[str]:
    seen = page.deps.review.queue.view(page.viewer)  # one read of the audit table for the list and the expired count
    everything = seen.items
    filters, problems = _plant_filters(page, everything)
    query = {k: v for k, v in _query().items() if k not in problems}  # the links go on without a refused filter
    if problems:  # a clear refusal, not a silently empty or unfiltered queue (ux119 #21)
        status, flash = 400, _error(" ".join(problems.values()) + " The queue below is not narrowed by it.")
    matching = [item for item in everything if filters.keep(item)]
    pages, number, past = _paged(len(matching), query, "you may decide")
    items = matching[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    choices = {
        "type": sorted({i.type for i in everything if i.kind == PUNCH}),
        "department": sorted({i.department for i in everything if i.department}),
        "shift": sorted({i.shift for i in everything if i.shift}),
    }
    shown = {k: v for k, v in query.items() if k not in (*BULK_FLASH_KEYS, "last", "page")}
    posted = {**shown, "page": str(number)} if number > 1 else shown  # a refused decision comes back on this page
    # the kind tabs count and keep the other filters (ux_verify_s16 E: "Short seat (15)" over 9 listed for the day)
    other_filters = replace(filters, kind=None)
    within = [item for item in everything if other_filters.keep(item)]
    kinds = kinds_of(within)
    if filters.kind:
        kinds.setdefault(filters.kind, 0)  # the tab of the kind shown, also with none of it left
    unkinded = {k: v for k, v in shown.items() if k != "kind"}
    return page.render(
        "queue.html",
        status,
        title="Review queue",
        page="queue",
        items=items,
        matching=len(matching),
        first=(number - 1) * PAGE_SIZE + 1,
        number=number,
        pages=pages,
        page_query=lambda n: f"?{urlencode({**shown, 'page': n})}",
        total=len(within),
        kinds=kinds,
        kind_query=lambda kind: (
            f"?{urlencode({**unkinded, **({'kind': kind} if kind else {})})}" if unkinded or kind else ""
        ),
        filters=filters,
        employee=_query().get("employee", ""),  # as typed, kept when refused (ux_s13 #3: the field was emptied)
        employee_problem=problems.get("employee"),
        no_match=filter_words(page, filters),
        choices=choices,
        query=f"?{urlencode(shown)}" if shown else "",
        post_query=f"?{urlencode(posted)}" if posted else "",
        flash=flash or _queue_flash(page, query),
        past=past,
        selected=kept.get("selected", set()),
        advice={i.kind: APPROVING_MEANS[i.kind] for i in items if i.kind in APPROVING_MEANS},
        own_page=sum(1 for i in items if i.kind in CONFIRMED_KINDS),
        reason=kept.get("reason"),
        guidance=_job_code_guidance(page, items),
        expired=len(seen.expired),
    )


def _job_code_guidance(page: Page, items: list[ReviewItem]) -> dict[str, str]:
    """Beside each timecard, the job codes most often misapplied at its workcenter (`webapp.allocation`)."""
    loaded = page.deps.allocation.current() if page.deps.allocation is not None else None
    return queue_guidance(loaded.index if loaded else None, [i for i in items if i.kind == PUNCH])


def _page_number(query: Mapping[str, str]) -> int:
    try:
        return int(query.get("page") or 1)
    except ValueError:
        return 1


def _paged(count: int, query: Mapping[str, str], what: str) -> tuple[int, int, str | None]:
    """How many pages of `PAGE_SIZE` `count` items make, the page to show (the one asked for, at most the last), and,
    when the one asked for is past the last, what the page says so: its items may have been decided since, and
    "Select all on this page" would decide the last page's instead (ux_s13 #13: page 1 was shown without a word)."""
    pages, asked = max(1, -(-count // PAGE_SIZE)), _page_number(query)
    number = min(max(asked, 1), pages)
    if asked <= pages:
        return pages, number, None
    if count == 0:
        return pages, number, f"There is no page {asked} any more: no item {what} is left."
    made = "one page" if pages == 1 else f"{pages} pages"
    shown = "shown here" if pages == 1 else f"the last, page {pages}, is shown"
    items, make = ("1 item", "makes") if count == 1 else (f"{count} items", "make")
    return pages, number, f"There is no page {asked} any more: the {items} {what} {make} {made}, {shown}."


def _error(text: str) -> dict[str, str]:
    return {"level": "error", "text": text}


def _queue_flash(page: Page, query: Mapping[str, str]) -> dict[str, str] | None:
    if "decided" not in query:
        return None
    try:
        decided, failed = int(query.get("decided") or 0), int(query.get("failed") or 0)
        own_page = int(query.get("own_page") or 0)
    except ValueError:  # not the counts a bulk decision sends back (typed or forged): no message (found by fuzzing)
        return None
    last = _decided_line(page, query.get("last"))  # one item decided on its page, and nothing else waits
    if last is not None:
        return {"level": "ok", "text": f"{last} Nothing else waits for you."}
    verb = {"approve": "Approved", "reject": "Rejected"}.get(query.get("done", ""), "Decided")
    text = f"{verb} {decided}" + _named(query.get("did"), decided, lambda i: _decided(page, i, verb)) + "."
    missed_ids = [i for i in (query.get("missed") or "").split(",")[:BULK_NAMED] if i]
    missed_seen = {i: page.deps.review.queue.seen(page.viewer, i) for i in missed_ids} if failed else {}
    to_code = [i for i, seen in missed_seen.items() if verb == "Approved" and _nothing_to_approve(seen, i)]

    def about_missed(item_id: str) -> str | None:
        seen = missed_seen.get(item_id)
        return _item_words(page, seen[0]) if seen else None

    if to_code:  # said apart, with why (ux_s14 #15: they read "decided elsewhere, closed, or refused here")
        named, one = _named(",".join(to_code), len(to_code), about_missed), len(to_code) == 1
        times, each, them = ("this time", "it", "it") if one else ("these times", "each", "them")
        text += (
            f" {len(to_code)} not decided{named}: no job was scanned near {times}, so there is nothing to approve; "
            f"code {each} on its page (an indirect code or the job), or reject {them} with the reason."
        )
    partly = _partly(query.get("partly"), missed_ids)
    for item_id, (done, of) in partly.items():  # a group decided for some of its seats (review_s16 #3)
        group = about_missed(item_id) or "A group of short seats"
        text += f" {group}: {done} of {of} seats decided; the rest could not be recorded, try again."
    # decided by someone else first: who and when, as the item's own page says it (ux_s15 #6: "decided elsewhere")
    said = {i: closed_message(seen[1], i, page.reader, "suggestion") for i, seen in missed_seen.items() if seen}
    closed = [i for i in missed_ids if i not in to_code and i not in partly and said.get(i)]
    for item_id in closed:
        words, why = about_missed(item_id), str(said[item_id])
        text += f" Not decided: {words}. {why}{'' if why.endswith('.') else '.'}" if words else f" {why}"
    if failed > len(to_code) + len(closed) + len(partly):
        others = ",".join(i for i in missed_ids if i not in to_code and i not in closed and i not in partly)
        rest = failed - len(to_code) - len(closed) - len(partly)
        missed = _named(others, rest, about_missed)
        text += f" {rest} not decided{missed} (decided elsewhere, closed, or refused here: open one to see why)."
    if own_page:
        named = _named(query.get("own_page_ids"), own_page, lambda i: _about(page, i))
        text += f" {own_page} not decided{named}: {OWN_PAGE_WHY}"
    return {"level": "error" if failed or own_page else "ok", "text": text}


def _partly(sent: str | None, missed: list[str]) -> dict[str, tuple[int, int]]:
    """The groups of a bulk decision decided for some of their seats ("<id>:<decided>:<of>", comma-separated), among
    those it missed; an entry that does not read so (typed or forged) is left out."""
    found: dict[str, tuple[int, int]] = {}
    for entry in (sent or "").split(","):
        item_id, _, counts = entry.partition(":")
        done, _, of = counts.partition(":")
        if item_id in missed and done.isdigit() and of.isdigit() and 0 < int(done) < int(of):
            found[item_id] = (int(done), int(of))
    return found


def _named(ids: str | None, count: int, name: Callable[[str], str | None]) -> str:
    """The first `BULK_NAMED` of a bulk decision's items (`ids`, comma-separated) as `name` names them, after a
    colon (": Early clock out, Jamal Patel (E00153); Short seat, ASM-04 · shift 2"), "; and 3 more" beyond
    them; "" when none can be named."""
    names = [found for item_id in (ids or "").split(",")[:BULK_NAMED] if item_id and (found := name(item_id))]
    if not names:
        return ""
    more = f"; and {count - len(names)} more" if count > len(names) else ""
    return ": " + "; ".join(names) + more


def _ids(outcomes: list[Outcome], decided: bool) -> str:
    """The first `BULK_NAMED` decided (or not decided) items of a bulk decision, comma-separated, for its flash."""
    return ",".join([o.item_id for o in outcomes if bool(o.problem) is not decided][:BULK_NAMED])


@app.get("/queue")
def queue() -> Response[str]:
    page = Page(_deps())
    if not page.viewer.decides:  # where signing in lands everyone: an operator goes on to the copilot
        return page.redirect(menu.landing(page.viewer))
    return _expired_page(page) if _query().get("show") == EXPIRED else _queue_page(page)


def _expired_page(page: Page) -> Response[str]:
    """The items the viewer may see that expired with nobody deciding them (the queue's lookback), narrowed by
    the queue's filters and paged as the queue is, the latest first, each with what that means for Plex (ux119
    #23: they left the queue and no page listed them; ux136 #2: the filters and pages were ignored)."""
    everything = page.deps.review.queue.expired_items(page.viewer)
    filters, problems = _plant_filters(page, [item for item, _ in everything])
    query = {k: v for k, v in _query().items() if k not in problems}
    status, flash = 200, None
    if problems:
        status, flash = 400, _error(" ".join(problems.values()) + " The list below is not narrowed by it.")
    expired = [(item, at) for item, at in everything if filters.keep(item)]
    pages, number, past = _paged(len(expired), query, "that expired")
    shown = expired[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    rows = [(item, at, expired_effect(item.kind, item.record_key, item.proposed)) for item, at in shown]
    kept = {k: v for k, v in query.items() if k != "page"}
    return page.render(
        "expired.html",
        status,
        title="Expired without a decision",
        page="queue",
        past=past,
        rows=rows,
        total=len(expired),
        days=page.deps.review.queue.lookback.days,
        flash=flash,
        filtered=filters != Filters(),
        no_match=filter_words(page, filters),
        first=(number - 1) * PAGE_SIZE + 1,
        number=number,
        pages=pages,
        page_query=lambda n: f"?{urlencode({**kept, 'page': n})}",
    )


def _not_a_decider(page: Page, title: str, name: str) -> Response[str]:
    """The 403 of a page for those who decide suggestions (`Viewer.decides`), to a person who decides none."""
    message = "This page is for the people who decide suggestions; nothing here is yours to decide."
    return page.render("message.html", 403, title=title, page=name, message=message)


@app.post("/queue")
def decide_many() -> Response[str]:
    page = Page(_deps())
    form = _form()
    action, reason = (form.get("action") or [""])[0], (form.get("reason") or [""])[0]
    whole_page = bool(form.get("all_on_page"))
    # "Select all on this page": the items the page listed (sent with it), whether ticked or not
    chosen = list(dict.fromkeys([*(form.get("on_page", []) if whole_page else []), *form.get("item", [])]))
    if not chosen or not all(chosen):  # an empty id is no item (and no key DynamoDB can look up)
        return _queue_page(page, status=400, flash=_error("Select at least one item."), reason=reason)
    if len(set(chosen)) > PAGE_SIZE:  # a page's worth at most: each is looked up, inside API Gateway's 29 s
        problem = _error(f"Select at most {PAGE_SIZE} items (a page) for one decision.")
        return _queue_page(page, status=400, flash=problem, reason=reason)
    if action == "reject" and not reason.strip():
        problem = _error("A rejection needs a reason: it tells the model why the suggestions were wrong.")
        return _queue_page(page, status=400, flash=problem, selected=set(chosen), reason=reason)
    try:
        CallbackService.read_form(action, reason, page.viewer.user_id)  # one item's refusals, before any is decided
    except DecisionFormError as error:
        flash = _error(str(error))
        return _queue_page(page, status=400, flash=flash, selected=set(chosen), reason=reason)
    # the seats of each group the page listed (review_s16 #1: a seat published since is not decided unseen)
    outcomes = page.deps.review.decide_many(page.viewer, chosen, action, reason, form.get("seat", []))
    own_page = [outcome for outcome in outcomes if outcome.own_page]  # said apart, with why (ux141 #11)
    others = [outcome for outcome in outcomes if not outcome.own_page]
    failed = sum(1 for outcome in others if outcome.problem)
    logger.info("bulk decision", action=action, decided=len(others) - failed, failed=failed, own_page=len(own_page))
    query = {k: v for k, v in _query().items() if k not in BULK_FLASH_KEYS}
    named = {"did": _ids(others, True), "missed": _ids(others, False), "own_page_ids": _ids(own_page, False)}
    query |= {"done": action} | {key: ids for key, ids in named.items() if ids}
    query |= {"decided": str(len(others) - failed), "failed": str(failed)}
    query |= {"own_page": str(len(own_page))} if own_page else {}
    partly = [f"{o.item_id}:{o.partly[0]}:{o.partly[1]}" for o in others if o.partly][:BULK_NAMED]
    query |= {"partly": ",".join(partly)} if partly else {}  # groups decided for some seats (review_s16 #3)
    return page.redirect(f"/queue?{urlencode(query)}")


@app.get("/items/<item_id>")
def item(item_id: str) -> Response[str]:
    page = Page(_deps())
    queue = page.deps.review.queue
    seen = queue.seen(page.viewer, item_id)  # its events, read once for the page and its trail (ux_s13 #12)
    if seen is None or any(event.status in CLOSED_STATUSES for event in seen[1]):
        if seen is not None:
            queue.mark_closed(item_id)
        return _closed_item_page(page, item_id, seen)
    found, events = seen
    flash = None
    if found.kind == PUNCH and page.deps.review.workflow_failed(item_id):
        flash = {"level": "error", "text": WORKFLOW_FAILED}
    decided = _decided_line(page, _query().get("decided"))
    # opened from the crew board (ux_s14 #6): its link leads back there, and its decision comes back to it
    back = return_page(_query().get("back") or "")
    return _item_page(page, found, flash=flash, decided=decided, trail=trail(events, item_id, page.shown), back=back)


def _decided_line(page: Page, item_id: str | None) -> str | None:
    """What the viewer just decided, named as `_item_words` names it ("Rejected: Early clock out, Jamal Patel (E00153)
    · Mon 2026-11-30."; an incident by its workcenter, day and reporter: "Approved: Incident coding, PRESS4 · Fri
    2026-11-20, reported by Dana Smith (E00042)."), for the page that opens after the decision; from the item's own
    decision event (None when there is none)."""
    found = _decision(page, item_id) if item_id else None
    if found is None:
        return None
    verb, item, closing = found
    values = decision_values(closing, page.shown)  # which values went to Plex (ux_s17 H1: the flash never said)
    return f"{verb}: {_item_words(page, item)}." + (f" {values}." if values else "")


def _decision(page: Page, item_id: str) -> tuple[str, ReviewItem, AuditEvent] | None:
    """ "Approved" or "Rejected", the item and its decision, when the audit shows the item decided and the viewer may
    see it."""
    seen = page.deps.review.queue.seen(page.viewer, item_id)
    closing = closing_of(*seen) if seen is not None else None
    if seen is None or closing is None or closing.event_type is not AuditEventType.DECISION:
        return None
    return ("Approved" if closing.status is AuditStatus.APPROVED else "Rejected"), seen[0], closing


def _decided(page: Page, item_id: str, verb: str) -> str | None:
    """A bulk decision's item in `_item_words`, when the audit shows it decided so ("Approved", "Rejected")."""
    found = _decision(page, item_id)
    return None if found is None or found[0] != verb else _item_words(page, found[1])


def _about(page: Page, item_id: str) -> str | None:
    """An item the viewer may see, in `_item_words`, open or closed (None: unknown or not theirs)."""
    seen = page.deps.review.queue.seen(page.viewer, item_id)
    return _item_words(page, seen[0]) if seen else None


def _item_words(page: Page, item: ReviewItem) -> str:
    """An item as a flash names it, with the day it is about: "Early clock out, Jamal Patel (E00153) · Mon
    2026-11-30"; one about no employee by where: "Short seat, ASM-04 · shift 2 · Mon 2026-12-07" (ux_s13 #13: seats
    of different days read as duplicates), an incident also by its reporter: "Incident coding, PRESS4 · Fri
    2026-11-20, reported by …"."""
    place, shift = page.place(item) or item.department, f"shift {item.shift}" if item.shift else None
    week = item.evidence.get("iso_week")  # an overtime projection is about a department's week (ux_s14 #9)
    day = week if isinstance(week, str) and week else f"{item.day:%a %Y-%m-%d}" if item.day else None
    day = " ".join(part for part in (day, _stretch_times(page, item)) if part)  # a person's stretches apart (#15)
    about = " · ".join(part for part in (*((page.person(item),) if item.employee_id else (place, shift)), day) if part)
    reporter = f", reported by {page.who(item.reported_by)}" if item.reported_by else ""
    return item.type_label + (f", {about}" if about else "") + reporter


def _stretch_times(page: Page, item: ReviewItem) -> str | None:
    """Unallocated time's stretch as plant-time clock times, "05:56–10:40" (None for other kinds)."""
    if item.kind != UNALLOCATED_TIME:
        return None
    start, end = (parse_time(str(item.evidence.get(key) or "")) for key in ("start", "end"))
    if start is None or end is None:
        return None
    zone = page.deps.zone
    return f"{start.astimezone(zone):%H:%M}–{end.astimezone(zone):%H:%M}"


def _nothing_to_approve(seen: tuple[ReviewItem, list[AuditEvent]] | None, item_id: str) -> bool:
    """Whether a bulk approval left the item (`seen`: as `ReviewQueue.seen` read it) open because it has nothing to
    approve: unallocated time with no job scanned nearby, which is coded on its page
    (`review.decisions.NothingToApproveError`)."""
    if seen is None or closing_event(seen[1], item_id) is not None:
        return False
    return seen[0].kind == UNALLOCATED_TIME and seen[0].proposed is None


def _closed_item_page(page: Page, item_id: str, seen: tuple[ReviewItem, list[AuditEvent]] | None) -> Response[str]:
    """A decided or expired item the viewer may see (`seen`: the item and its events, `ReviewQueue.seen`): its page,
    saying what happened, without the form; 404 for one that is unknown or not theirs (never told apart)."""
    closing = closing_of(*seen) if seen is not None else None
    if seen is None or closing is None:
        message = "There is no such suggestion, or it is not yours to see."
        return page.render("message.html", 404, title="Not open", page="item", message=message)
    steps = trail(seen[1], item_id, page.shown)
    # an expiry leaves the hand fix to the person, so the page keeps what was suggested (ux141 #9)
    by_hand = expired_effect(seen[0].kind, seen[0].record_key, seen[0].proposed) if _expiry(closing) else None
    coded = coding_of(page.deps.review.audit, seen[0], closing)  # unallocated time coded by hand (ux_s13 #8)
    closed = coded_words(coded, page.shown) if coded else what_happened(closing, page.shown)
    return _item_page(page, seen[0], closed=closed, coding=coded, trail=steps, by_hand=by_hand)


def _expiry(closing: AuditEvent) -> bool:
    """Whether an item closed by expiring undecided (not replaced by a re-plan or a corrected report, nor
    withdrawn by its reporter)."""
    return ran_out(closing)


def _item_page(page: Page, found: ReviewItem, status: int = 200, **context: Any) -> Response[str]:
    """One item: the note, the facts, the employee's day (a punch finding's timeline, drawn as built with
    the finding), the rest of the evidence in words, and what approving changes."""
    return page.render(
        "item.html",
        status,
        title=found.kind_label,
        page="item",
        item=found,
        timeline=shape_timeline(found.evidence.get(TIMELINE_KEY)),
        evidence=page.words(evidence_words(found)),
        proposed=page.words(found.proposed),
        effect=plex_effect(found.kind, found.record_key, found.proposed, page.deps.write_mode),
        means=finding_means(found.type, found.evidence, _plant_today(page)) if found.kind == PUNCH else None,
        editable=_editable(found, page.deps.zone),
        guidance=_job_code_guidance(page, [found]),
        removes=_removed_seat(page, found),
        board=_on_the_board(found),
        # a swap chosen on the board and not finished: its approval is refused here, so no Approve (review.decisions)
        finish_swap=page.deps.review.unfinished_swap(found),
        # such a swap whose replaced suggestion a re-plan closed since: refused too, so Reject only, saying why
        swap_replaced=page.deps.review.swap_replaced(found),
        **context,
    )


def _plant_today(page: Page) -> date:
    return page.deps.review.clock().astimezone(page.deps.zone).date()


def _on_the_board(item: ReviewItem) -> str | None:
    """The crew board's page of a crew suggestion's or removal's shift (ux_s14 #6: the item page had no way there, nor
    to the seat's Swap); None for any other item."""
    if item.kind not in (*CREW_KINDS, CREW_REMOVAL) or item.day is None or not item.shift:
        return None
    return f"/crew?{urlencode({'day': item.day.isoformat(), 'shift': item.shift})}"


def _removed_seat(page: Page, item: ReviewItem) -> dict[str, str] | None:
    """A crew removal's accepted seat in words and its item page: "Ines Miller (E00008)'s accepted seat at CNC-03 ·
    shift 1 · Tue 2026-12-08" (ux_s14 #11: the page showed the assignment's item id, "Removes f0918aef…"); None for
    any other item."""
    seat = item.evidence.get("removes")
    if item.kind != CREW_REMOVAL or not isinstance(seat, str) or not seat:
        return None
    shift = f"shift {item.shift}" if item.shift else None
    day = f"{item.day:%a %Y-%m-%d}" if item.day else None
    where = " · ".join(part for part in (page.place(item), shift, day) if part)
    words = f"{page.who(item.employee_id)}'s accepted seat" + (f" at {where}" if where else "")
    return {"path": f"/items/{quote(seat, safe='')}", "words": words}


def _refused_field(found: ReviewItem, zone: ZoneInfo, message: str) -> str | None:
    """The form name of the edited field a refusal names ("Clock-out: the clock-out … must come after …", as
    `review.edits` words it): the page marks it and says why beside it (ux_s17: the message was 1,300 px above
    it at 390 px); None when the refusal names none of them."""
    return next((f.name for f in _editable(found, zone) if message.startswith(f"{f.label}: ")), None)


def _editable(found: ReviewItem, zone: ZoneInfo) -> list[EditableField]:
    """A punch finding's correction as fields to edit when approving it updates fields of its Plex record
    (advice is approved as it stands), but for Plex ids: they are not typed over, and are shown only
    under "Plex ids" (a field left out keeps its value)."""
    if found.kind != PUNCH or not updates_fields(found.proposed, found.record_key):
        return []
    fields = editable_fields(found.proposed, zone)
    return [f for f in fields if not (is_id_key(f.key) or looks_like_id(f.value))]


REASON_NEEDED = "A rejection needs a reason: it tells the model why the finding was wrong."
REASON_NEEDED_SUGGESTION = "A rejection needs a reason: it says why the suggestion was wrong, and is kept with it."
"""What the item page says at its reason box when a rejection comes without one: a punch finding's reason teaches the
scorer; any other suggestion's is kept as the decision's why (ux_s17 L1: an HR training item was told "the finding")."""


@app.post("/items/<item_id>")
def decide(item_id: str) -> Response[str]:
    page = Page(_deps())
    form = _form()
    action, reason = (form.get("action") or [""])[0], (form.get("reason") or [""])[0]
    typed = {  # the edited values, and which occurrence of a time the clocks showed twice (review_s17 M4)
        name: values[0] for name, values in form.items() if name.startswith((EDIT_PREFIX, OCCURRENCE_PREFIX)) and values
    }
    try:
        shown = page.deps.review.queue.item(page.viewer, item_id)
        editable = shown is not None and bool(_editable(shown, page.deps.zone))
        correction = (  # an edit that does not fit the record is refused, naming the field (ux_s17 H1)
            edited_correction(shown.proposed, typed, page.deps.zone, record_times(shown.evidence), page.deps.policy)
            if shown and editable
            else None
        )
        seats = form.get("seat", [])  # a group's seats the page showed (review_s16 #1)
        outcome = page.deps.review.decide(page.viewer, item_id, action, reason, correction, seats)
    except ApprovalError as error:
        found = page.deps.review.queue.item(page.viewer, item_id)
        decided = isinstance(error, AlreadyDecidedError)
        gone = None if decided or found is not None else _closed_before(page, item_id)
        message = _closed(page, item_id) if decided or gone else str(error)
        if isinstance(error, ClaimRefusedError):  # a crew seat another decision holds: say whose, by name
            message = f"Not accepted: {error.words(page.who, page.local)}."
        if gone is not None and withdrawal(gone) is not None:  # an incident report withdrawn or set aside
            return _withdrawn(page, item_id, gone)
        if found is None:
            status, link = status_for(error), None
            if gone is not None:  # closed before this decision came: say how, and lead to its page (ux_s14 #19)
                status, link = 409, {"path": f"/items/{item_id}", "label": "Open the suggestion"}
                message = f"{message} Your {ACTION_WORDS.get(action, 'decision')} was not recorded."
            # and back to the page it was decided from (ux_s15 #6: a stale reject on the crew board had no way back)
            board = return_page((form.get("next") or [""])[0])
            also = [{"path": board, "label": "Back to the crew board"}] if board else []
            return page.render(
                "message.html", status, title="Not decided", page="item", message=message, back=link, also=also
            )
        back = return_page((form.get("next") or [""])[0])
        missing = isinstance(error, ReasonMissingError)  # asked at the reason box, in this item's words (ux_s17 L1)
        if missing:
            message = REASON_NEEDED if found.kind == PUNCH else REASON_NEEDED_SUGGESTION
        seen = page.deps.review.queue.seen(page.viewer, item_id)  # its trail stays on the page drawn again
        steps = trail(seen[1], item_id, page.shown) if seen is not None else None
        return _item_page(
            page,
            found,
            status_for(error),
            flash=_error(message),
            reason=reason,
            typed=typed,
            back=back,
            trail=steps,
            reason_missing=missing,
            refused=_refused_field(found, page.deps.zone, message) if isinstance(error, DecisionFormError) else None,
            occurrences=error.choices if isinstance(error, AmbiguousTimeError) else None,
        )
    logger.info("decision", item_id=item_id, action=outcome.action)
    back = back_to((form.get("next") or [""])[0], decided_done(str(outcome.action), shown.kind if shown else None))
    person = page.deps.people.directory.person_of(shown.employee_id) if shown and shown.employee_id else None
    if back is not None and shown is not None and shown.kind == CREW_REMOVAL and person and person.number:
        back += f"&{urlencode({'who': person.number})}"  # the removal's flash names its person (no Plex id)
    if back is not None and shown is not None and shown.members:  # a group's flash names its seats (ux_verify_s16 D)
        back += f"&{urlencode({'group': shown.item_id, 'seats': decided_seats(shown, seats)})}"
    if back is not None:  # a page that decides in place gets the person back to it
        return page.redirect(back)
    following = next(iter(page.deps.review.queue.for_viewer(page.viewer)), None)
    if following is None:
        return page.redirect(f"/queue?{urlencode({'decided': 1, 'failed': 0, 'last': item_id})}")
    return page.redirect(f"/items/{following.item_id}?{urlencode({'decided': item_id})}")


def _closed_before(page: Page, item_id: str) -> AuditEvent | None:
    """The closing of an item the viewer may see that a decision came for after it closed: decided by someone else (a
    second tab, a supervisor and a planner on one queue, the mailed link: ux_s14 #19), expired, replaced (a re-plan,
    the reporter's corrected incident report) or withdrawn (an incident report withdrawn by its reporter, set aside
    by the EHS lead): told so with a 409 saying what closed it, not the 404 of an unknown item. None otherwise (an
    item unknown or not theirs stays a 404)."""
    seen = page.deps.review.queue.seen(page.viewer, item_id)
    return closing_of(*seen) if seen is not None else None


def _withdrawn(page: Page, item_id: str, closing: AuditEvent) -> Response[str]:
    """409 for a decision on an incident report withdrawn or set aside, in the incident list's words
    (`incidents.withdrawal.closing_words`: "Withdrawn by its reporter", "Not an incident, said the EHS lead", "A
    duplicate of inc-…, said the EHS lead"), when and why, linking the report's page."""
    why = str((withdrawal(closing) or {}).get("reason") or "no reason recorded").rstrip(".")
    said = f"{closing_words(closing)} at {page.local(closing.occurred_at)}: {why}"
    message = f"This suggestion was no longer needed: {said}."
    back = {"path": f"/incidents/{item_id}", "label": "Open the report"}
    return page.render("message.html", 409, title="Not decided", page="item", message=message, back=back)


def _closed(page: Page, item_id: str) -> str:
    """Who decided the item first, and when, as this viewer names people (the error names an id)."""
    events = page.deps.review.audit.for_finding(item_id)
    said = closed_message(events, item_id, page.reader, "suggestion")
    return said or "This suggestion was decided elsewhere a moment ago."


def minutes(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f} min" if value < 120 else f"{value / 60:.1f} h"


def percent(value: float | None) -> str:
    """A share as the KPI page shows it: "3.1%", "0.04%" for a small one, "—" for none."""
    if value is None:
        return "—"
    return f"{value * 100:.2f}%" if 0 < value < 0.001 else f"{value * 100:.1f}%"


@app.get("/kpis")
def kpis() -> Response[str]:
    page = Page(_deps())
    if not page.viewer.decides:
        return _not_a_decider(page, "KPIs", "kpis")
    asked = _query().get("days", "")
    days = KPI_DAYS.get(asked, KPI_DEFAULT_DAYS)
    status, flash = 200, None
    if asked and asked not in KPI_DAYS:  # a clear refusal, as the queue's filters (ux141 #13: it was quietly 28)
        choices = f"{', '.join(list(KPI_DAYS)[:-1])} or {list(KPI_DAYS)[-1]}"
        status, flash = 400, _error(f"Days: choose {choices} (the last {days} days are shown).")
    figures = compute_kpis(
        kpi_reads(page.deps.review.audit, page.deps.review.clock),  # kept per container, read incrementally
        days=days,
        zone=page.deps.zone,
        clock=page.deps.review.clock,
        counts=page.deps.validations,
    )
    own = Role.ADMIN in page.viewer.roles
    reviewer_days = [row for row in figures.by_reviewer_day if own or row.reviewer == page.viewer.user_id]
    return page.render(
        "kpis.html",
        status,
        title="KPIs",
        page="kpis",
        kpis=figures,
        days=days,
        flash=flash,
        narrowed=days != KPI_DEFAULT_DAYS,
        kpi_default_days=KPI_DEFAULT_DAYS,
        reviewer_days=reviewer_days,
        reviewer=page.reviewer,
        models=model_story(page.deps.review.audit),
        incident_models=model_story(page.deps.review.audit, INCIDENT_MODELS),
        runs=kpi_runs(page.deps.retrain_runs, page.deps.review.clock).last() if page.deps.retrain_runs else {},
        minutes=minutes,
        percent=percent,
    )


def _sign_in() -> SignIn:
    flow: SignIn = app.context.get("sign_in") or sign_in()
    return flow


def _reply(reply: Reply) -> Response[str]:
    headers = {**SECURITY_HEADERS, **({"Location": reply.location} if reply.location else {})}
    status, cookies = reply.status, list(reply.cookies)
    return Response(status_code=status, content_type=CONTENT_TYPE, body=reply.body, headers=headers, cookies=cookies)


@app.get("/login")
def login() -> Response[str]:
    """No authorizer: to the hosted UI, or a session renewed with the refresh cookie (`webapp.auth`)."""
    return _reply(_sign_in().login(request_cookies(app.current_event.raw_event)))


@app.get("/auth/callback")
def auth_callback() -> Response[str]:
    """No authorizer: the hosted UI's code, exchanged for the session cookie; then the queue."""
    return _reply(_sign_in().callback(_query(), request_cookies(app.current_event.raw_event)))


@app.get("/logout")
def logout() -> Response[str]:
    """No authorizer: clears the cookies, revokes the refresh token, ends the hosted UI's session."""
    return _reply(_sign_in().logout(request_cookies(app.current_event.raw_event)))


@app.not_found
def no_such_page(error: Exception) -> Response[str]:
    """An unknown path is a page like the others (headers included), not Powertools' JSON: for a signed-in person
    with the menu and their first page (API Gateway sends every other GET path here, `/{proxy+}`: ux141 #13, a
    typo read as API Gateway's "Missing Authentication Token", as if signed out); else the words alone."""
    try:
        page = Page(_deps())
    except NotSignedInError:
        return Response(404, CONTENT_TYPE, "No such page.", dict(SECURITY_HEADERS))
    return page.render("message.html", 404, title="No such page", page="missing", message=NO_SUCH_PAGE)


@app.exception_handler(UnreadableFormError)
def unreadable_form(error: UnreadableFormError) -> Response[str]:
    """A POST whose body is not URL-encoded text: refused before any field is read, so nothing is done."""
    logger.info("unreadable form refused", path=app.current_event.path)
    return Page(_deps()).render("message.html", 400, title="Not read", page="queue", message=str(error))


@app.exception_handler(NotSignedInError)
def not_signed_in(error: NotSignedInError) -> Response[str]:
    return Response(status_code=401, content_type=CONTENT_TYPE, body="Sign in first.", headers=dict(SECURITY_HEADERS))


def same_site_posts(resolver: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[str]:
    """Every form POST of the web app (decisions, bulk decisions, training requests) comes from its own
    pages or is refused, 403 and nothing done (`platform.csrf`)."""
    event = resolver.current_event
    problem = cross_site_problem(event.headers) if event.http_method == "POST" else None
    if problem:
        logger.warning("cross-site form refused", problem=problem, path=event.path)
        return Page(_deps()).render("message.html", 403, title="Refused", page="queue", message=REFUSAL)
    response: Response[str] = next_middleware(resolver)
    return response


app.use(middlewares=[same_site_posts])


from plexlabor.webapp import copilotpage, dashboards, incidentlist, incidents, menu  # noqa: E402, F401  (they register their routes on `app`)

templates.globals["menu_for"] = menu.menu_for
templates.globals["landing"] = menu.landing
