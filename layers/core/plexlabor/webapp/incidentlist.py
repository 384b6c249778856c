"""`/incidents`: the incidents reported in a period that the viewer may see (the EHS lead and admins every one,
anyone else those they reported: the incident page's rule), newest first, `PAGE_SIZE` a page. Each row says
when and where it happened, injury or near miss, the event in words, who reported it and where it stands in
words (`incidents.listing.Standing`: in the EHS queue, coded automatically and awaiting confirmation,
confirmed and written to Plex or a dry run, a failed write with its reason...); the heading counts what
awaits the EHS lead, over the period shown (it says so, and links the longest period). A report a corrected resend
replaced is listed as such, linking the new one, and not counted; a resend of a report the EHS lead decided asks her
to correct that one (`asks_to_correct`, ux_s13 #16): its row names and links it, with who decided it and when, and
while it waits reads as hers to do (correct that report, set this one aside), counted in the heading and kept by the
`correction` filter; one withdrawn as sent by mistake, or set aside by
the EHS lead as not an incident or a duplicate, says so (`withdrawal.closing_words`), who (in role words), when and
why, and is not counted either; on a phone each row stacks, its status first
(the template's style). Filters: status, department, the period reported in (`from`, `to`: plant-local days, at
most `MAX_DAYS`, the last `DEFAULT_DAYS` by default, the last `MAX_DAYS` for what waits for the EHS lead, `waiting`
(the review queue and review_sweep's digest link it) and `correction`); a malformed one is a 400 naming it.

Read from the audit table's kind index, bounded, and kept by a warm container (`incidents.listing.IncidentLog`,
`Dependencies.incident_log`): a warm request reads only what is new.
Registered on the web app's resolver when `webapp.app` imports it (its last lines).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response

from plexlabor.incidents.listing import LONGEST_DAYS, STATUS_FILTERS, ListedIncident, Standing, longest_period_start
from plexlabor.incidents.oiics import coded_words
from plexlabor.incidents.service import decisions_of, opening
from plexlabor.incidents.withdrawal import closing_words, withdrawal
from plexlabor.platform.clock import local_midnight, outside_dates
from plexlabor.webapp import incidents as incident_page  # its names read at request time: it imports webapp.app
from plexlabor.webapp.app import Page, _deps, _query, app

PAGE_SIZE = 50
"""Rows per page: a page stays small to render and to read on a tablet, whatever the period holds."""
DEFAULT_DAYS = 90
MAX_DAYS = LONGEST_DAYS
"""The longest period one list reads (the kind index from its first day on; the EHS lead's digest reads the same)."""
WAITING_FILTERS = frozenset({"waiting", "correction"})
"""The status filters of what waits for the EHS lead: they show the longest period unless asked for another."""
DEPARTMENT = re.compile(r"[\w .&/()+-]{1,64}")
"""What a department code may look like in the filter (the incident form takes at most 64 characters)."""


class FilterError(ValueError):
    """A filter value the list cannot read; the message names the field."""


@dataclass(frozen=True)
class ListFilters:
    """What the list is narrowed to (`?status=&department=&from=&to=&page=`)."""

    first: date
    last: date
    status: str | None = None
    department: str | None = None
    page: int = 1

    @classmethod
    def read(cls, query: Mapping[str, str], today: date) -> ListFilters:
        """The filters a query asks for, each checked (FilterError naming the field)."""
        status = query.get("status") or None
        if status is not None and status not in STATUS_FILTERS:
            raise FilterError(f"Status: choose one of {', '.join(STATUS_FILTERS)} (or none)")
        department = (query.get("department") or "").strip() or None
        if department is not None and not DEPARTMENT.fullmatch(department):
            raise FilterError("Department: a department code of at most 64 letters, digits and . & / ( ) + -")
        last = _day(query.get("to"), "To", today)
        # what waits may be older than the default period: the longest one, which the EHS lead's digest reads too
        waits = status in WAITING_FILTERS
        default = longest_period_start(last) if waits else last - timedelta(days=DEFAULT_DAYS - 1)
        first = _day(query.get("from"), "From", default)
        if first > last:
            raise FilterError("From: a day on or before To")
        if (last - first).days + 1 > MAX_DAYS:
            raise FilterError(f"From and To: a period of at most {MAX_DAYS} days")
        text = query.get("page") or "1"
        if not text.isdigit() or int(text) < 1:
            raise FilterError("Page: a page number from 1")
        return cls(first, last, status, department, int(text))

    def keeps(self, listed: ListedIncident) -> bool:
        return (self.status is None or STATUS_FILTERS[self.status][1](listed)) and (
            self.department is None or (listed.department or "").casefold() == self.department.casefold()
        )

    def query(self, **changes: Any) -> str:
        """This list's query string, with `changes` (a page number, another status)."""
        values = {
            "status": self.status,
            "department": self.department,
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "page": None if self.page == 1 else str(self.page),
        } | changes
        return "?" + urlencode({name: value for name, value in values.items() if value})


def _day(text: str | None, label: str, default: date) -> date:
    if not text:
        return default
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise FilterError(f"{label}: a day such as 2026-11-20") from None
    problem = outside_dates(day)
    if problem:
        raise FilterError(f"{label}: {problem}")
    return day


REPORTER_WORDS = {
    Standing.IN_QUEUE: "With the EHS lead for coding",
    Standing.HELD: "With the EHS lead for coding",
    Standing.AWAITING: "Coded automatically — with the EHS lead to confirm",
}
"""Where an incident not yet decided stands, as its reporter reads it (the EHS lead's words tell what to do)."""


def status_words(page: Page, listed: ListedIncident) -> str:
    """Where the incident stands, in words that name who decided."""
    standing, decision, plex = listed.standing, listed.decision, listed.plex
    by = page.who(decision.actor) if decision is not None else ""
    if listed.correction_to_make:  # the template names and links the decided report (ux_s13 #16)
        if page.viewer.roles & incident_page.CODERS:
            return "Asks you to correct a decided report: correct that one on its page, then set this one aside"
        return "With the EHS lead: it asks them to correct a decided report"
    if standing is Standing.AWAITING and listed.unsure:  # partly sure: what to confirm (ux_s16 #5)
        return coded_words(listed.unsure, coder=bool(page.viewer.roles & incident_page.CODERS))
    if standing in REPORTER_WORDS and not page.viewer.roles & incident_page.CODERS:
        return REPORTER_WORDS[standing]
    if standing is Standing.IN_QUEUE:
        return "Needs coding (in the EHS queue)"
    if standing is Standing.HELD:
        return "Needs coding (held out of the queue by the rollout scope: code it on its page)"
    if standing is Standing.AWAITING:
        return "Coded automatically — confirm to send to Plex"
    if standing is Standing.REPLACED:  # the template links the report that replaced it
        return "Replaced by the corrected report"
    if standing is Standing.RETRACTED and listed.withdrawn is not None:
        why = (withdrawal(listed.withdrawn) or {}).get("reason") or "no reason recorded"
        lead = closing_words(listed.withdrawn, named=bool(page.viewer.roles & incident_page.CODERS))
        return f"{lead} at {page.local(listed.withdrawn.occurred_at)}: {why}"
    if standing is Standing.REJECTED:
        reason = (decision.payload.get("reason") if decision is not None else None) or "no reason given"
        return f"Codes rejected in the queue by {by}: {reason}"
    if standing is Standing.CONFIRMED_IN_QUEUE:
        return f"Codes confirmed by {by} in the queue — not written to Plex"
    sent = {
        Standing.SENDING: "on its way to Plex",
        Standing.DRY_RUN: "sent to Plex (dry run: nothing written)",
        Standing.WRITTEN: "written to Plex",
        Standing.WITHDRAWN: "written to Plex, then withdrawn",
    }.get(standing)
    if sent is None:  # the write failed
        reason = (plex.payload.get("message") or plex.payload.get("error")) if plex is not None else None
        sent = f"Plex write failed: {reason or 'no reason recorded'}"
    return f"{'Corrected' if listed.corrects else 'Confirmed'} by {by} — {sent}"


def _row(
    page: Page, listed: ListedIncident, named: Callable[[str, str], str], decided: Callable[[str], str]
) -> dict[str, Any]:
    """One row; `named` names a report of the pair a corrected resend makes (its id only the link's target), `decided`
    says who decided a report a resend asks the EHS lead to correct, and when."""
    happened = incident_page._moment(listed.happened, page.deps.zone)
    event = listed.event
    reported = page.local(listed.opening.occurred_at)
    day = listed.day_only
    return {
        "id": listed.incident_id,
        # a report that gives no time is not listed at the time it was sent (ux_s16 #10)
        "when": f"{day:%a %Y-%m-%d}, time not given"
        if day
        else page.local(happened)
        if happened
        else f"not said (reported {reported})",
        "reported": reported if day or happened else None,
        "workcenter": listed.workcenter,
        "department": listed.department,
        "job": listed.job,
        "job_unchecked": listed.job_unchecked,
        "kind": "Near miss" if listed.near_miss else "Injury",
        "event": event[0] if event else "Not coded yet",
        "unsure": event is not None and not event[1],
        "reporter": page.who(listed.reporter),
        "standing": listed.standing.value,
        "status": status_words(page, listed),
        "replaced_by": listed.replaced_by,
        "replaced_by_name": named(listed.replaced_by, "the corrected report") if listed.replaced_by else "",
        "held_in_plex": listed.replaced_by is not None and listed.in_plex,
        "replaces": [(earlier, named(earlier, "the reporter's earlier report")) for earlier in listed.replaces],
        "asks_to_correct": [
            (earlier, named(earlier, "the reporter's decided report"), decided(earlier))
            for earlier in listed.asks_to_correct
        ],
    }


@app.get("/incidents")
def incident_list() -> Response[str]:
    page = Page(_deps())
    query = _query()
    today = page.deps.review.clock().astimezone(page.deps.zone).date()
    try:
        filters = ListFilters.read(query, today)
    except FilterError as error:
        fallback = ListFilters(today - timedelta(days=DEFAULT_DAYS - 1), today)
        return _render(page, fallback, status=400, problem=str(error), typed=query)
    zone = page.deps.zone
    since, until = local_midnight(filters.first, zone), local_midnight(filters.last + timedelta(days=1), zone)
    listing = page.deps.incident_log.listing(since, until)
    visible = [listed for listed in listing.incidents if incident_page._may_see(page.viewer, listed.opening)]
    plants = incident_page._choices().departments
    departments = sorted({*plants, *(listed.department for listed in visible if listed.department)})
    if plants and filters.department and filters.department.casefold() not in {d.casefold() for d in departments}:
        problem = f"Department: {filters.department} is not a department of this plant: choose one from the list"
        return _render(page, filters, status=400, problem=problem, typed=query, departments=departments)
    counts = Counter(listed.standing for listed in visible)
    matching = [listed for listed in visible if filters.keeps(listed)]
    pages = max(1, -(-len(matching) // PAGE_SIZE))
    number = min(filters.page, pages)
    shown = matching[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    return _render(
        page,
        filters,
        rows=[
            _row(
                page,
                listed,
                partial(_report_name, page, listing.incidents),
                partial(_decided_by, page, listing.incidents),
            )
            for listed in shown
        ],
        matching=len(matching),
        total=len(visible),
        first_row=(number - 1) * PAGE_SIZE + 1,
        number=number,
        pages=pages,
        awaiting=counts[Standing.AWAITING],
        coding=counts[Standing.IN_QUEUE] + counts[Standing.HELD],
        failed=counts[Standing.WRITE_FAILED],
        corrections=sum(1 for listed in visible if listed.correction_to_make),
        departments=departments,
        complete=listing.complete,
        wider=_wider(filters, today),
    )


def _report_name(page: Page, listed: list[ListedIncident], incident_id: str, unknown: str) -> str:
    """A report of the list named as its page names it (`incidents.report_name`): from the period read, else its
    opening event read alone (a pair whose other half lies outside the period); `unknown` when neither has it."""
    found = next((item.opening for item in listed if item.incident_id == incident_id), None)
    if found is None:
        found = opening(page.deps.review.audit, incident_id)
    return incident_page.report_name(page, found, unknown)


def _decided_by(page: Page, listed: list[ListedIncident], incident_id: str) -> str:
    """Who decided a report of the list last, and when ("decided by … on …"): from the period read, else from its own
    decisions (a report decided before the period shown); empty when none is found."""
    decision = next((item.decision for item in listed if item.incident_id == incident_id), None)
    if decision is None:
        decisions = decisions_of(page.deps.review.audit, incident_id)
        decision = decisions[-1] if decisions else None
    return f"decided by {page.who(decision.actor)} on {page.local(decision.occurred_at)}" if decision else ""


def _wider(filters: ListFilters, today: date) -> str | None:
    """The query of the longest period the list reads, to today, when the one shown is shorter: its counts then
    take in older reports (ux136 #9: the counts covered the period shown, which did not say so)."""
    if (filters.last - filters.first).days + 1 >= MAX_DAYS and filters.last >= today:
        return None
    first = longest_period_start(today)
    return filters.query(**{"from": first.isoformat(), "to": today.isoformat()}, status=None, page=None)


def _render(page: Page, filters: ListFilters, status: int = 200, **context: Any) -> Response[str]:
    typed = context.pop("typed", None) or {
        "status": filters.status or "",
        "department": filters.department or "",
        "from": filters.first.isoformat(),
        "to": filters.last.isoformat(),
    }
    return page.render(
        "incidents.html",
        status,
        title="Incidents",
        page="incident_list",
        filters=filters,
        typed=typed,
        statuses={value: label for value, (label, _) in STATUS_FILTERS.items()},
        codes_incidents=bool(page.viewer.roles & incident_page.CODERS),
        max_days=MAX_DAYS,
        **{
            "rows": [],
            "matching": 0,
            "total": 0,
            "departments": [],
            "complete": True,
            "problem": None,
            "wider": None,
            **context,
        },
    )
