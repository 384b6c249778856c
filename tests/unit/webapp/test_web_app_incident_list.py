"""`/incidents`: the incidents a person may see, newest first, where each stands in words, the filters and their
400s, the page bound and the count of what awaits the EHS lead's confirmation (issue 13's UX walkthrough: an
auto-coded injury never reached the EHS lead)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from plexlabor.approval.corrections import with_fallback_paths
from plexlabor.approval.messages import RecommendationWriteback
from plexlabor.approval.writeback import WritebackService
from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus, InMemoryAuditStore
from plexlabor.incidents.classifier import Classification, Coding
from plexlabor.incidents.listing import IncidentLog
from plexlabor.incidents.oiics import Field
from plexlabor.incidents.service import IncidentDeps, IncidentReport, log_incident
from plexlabor.plex import PlexSettings, PlexWriter
from plexlabor.plex.errors import PlexRequestError
from plexlabor.webapp import incidentlist
from tests.unit.approval.approval_fakes import FakePlex, World
from tests.unit.review.review_world import ZONE, call_web, web_deps
from tests.unit.webapp.viewers import ADMIN, EHS, OPERATOR, SUPERVISOR

REPORTER = {"cognito:username": "E0001", "cognito:groups": "supervisor", "custom:employee_id": "E0001"}
CUT = "An operator caught two fingers between the die and the press ram at Press 4 and cut them."
NEAR = "A pallet slid off the forks and landed next to a walker in the shipping aisle."
CONFIRM = {
    "code.event_division": "6",
    "code.event_group": "64",
    "code.nature_division": "1",
    "code.part_division": "4",
    "code.source_division": "3",
    "confirm.workcenter_code": "PRESS4",
    "confirm.occurred_at": "2026-03-02T09:15",  # an injury is confirmed with its time (ux_s17 M6)
}


class SureModel:
    """A model sure of every code (auto-coded), or of none (the review queue)."""

    def __init__(self, sure: bool) -> None:
        self.sure, self.version = sure, "test-model"

    def classify(self, narrative: str) -> Classification:
        codes = {Field.EVENT_DIVISION: "6", Field.EVENT_GROUP: "64", Field.NATURE_DIVISION: "1"}
        codes |= {Field.PART_DIVISION: "4", Field.SOURCE_DIVISION: "3"}
        title = {Field.EVENT_GROUP: "Caught in or compressed by equipment or objects"}
        confidence = 0.98 if self.sure else 0.4
        return Classification(
            {of: Coding(of, code, title.get(of, ""), confidence, self.sure) for of, code in codes.items()}
        )


def _log(world: World, narrative: str, *, sure: bool | None, by: str = "E0001", **report: Any) -> str:
    model = None if sure is None else SureModel(sure)
    deps = IncidentDeps(world.audit, model, zone=ZONE, clock=world.clock)  # type: ignore[arg-type]
    logged = log_incident(deps, IncidentReport(narrative=narrative, **report), by)
    world.clock.advance(minutes=10)
    return logged.incident_id


def _get(world: World, claims: dict[str, Any], ctx: Any, **query: str) -> dict[str, Any]:
    return call_web(web_deps(world), "GET", "/incidents", claims, ctx, query=query or None)


def _rows(body: str) -> list[str]:
    table = body.split('id="incident-list"')[1].split("</table>")[0]
    return re.findall(r"<tr data-standing.*?</tr>", table, flags=re.S)


def _writeback(world: World, transport: Any = None, mode: str = "dry_run") -> WritebackService:
    settings = with_fallback_paths(PlexSettings(api_key="k", write_mode=mode))  # type: ignore[arg-type]
    writer = PlexWriter(settings, transport=transport)
    return WritebackService(audit=world.audit, writer=writer, plex=FakePlex(), clock=world.clock)  # type: ignore[arg-type]


@pytest.fixture
def world() -> World:
    return World()


def test_an_auto_coded_injury_is_listed_awaiting_confirmation_and_counted(world: World, lambda_context: Any) -> None:
    # Given an auto-coded injury at PRESS4 in molding, then a near miss the model was not sure of
    happened = datetime(2026, 3, 1, 10, 30)  # plant time, the day before it is reported
    auto = _log(world, CUT, sure=True, workcenter_code="PRESS4", department="MOLD", occurred_at=happened)
    unsure = _log(world, NEAR, sure=False, kind="near_miss", department="SHIP")
    # When the EHS lead opens the incident list
    response = _get(world, EHS, lambda_context)
    body = response["body"]
    # Then both are listed newest first, each with where, what in words, who reported it and its status
    assert response["statusCode"] == 200
    newest, older = _rows(body)
    assert f'href="/dev/incidents/{unsure}"' in newest and f'href="/dev/incidents/{auto}"' in older
    # the division only, the model being sure of neither division nor group (ux_s16 #5)
    assert "Near miss: Contact with objects and equipment" in newest and "(the model was not sure)" in newest
    assert "Needs coding (in the EHS queue)" in newest and "department SHIP" in newest
    assert "PRESS4" in older and "department MOLD" in older and "Injury: Caught in or compressed" in older
    assert "Coded automatically — confirm to send to Plex" in older and "E0001" in older and "not sure" not in older
    assert ">Sun 2026-03-01 10:30</a><br>" in older and "reported Mon 2026-03-02 23:00" in older
    # it names no time: not listed as happening when it was reported (ux_s16 #10)
    assert ">not said (reported Mon 2026-03-02 23:10)</a></td>" in newest
    # and the heading counts what awaits confirmation, linking to exactly those
    assert "<h1>Incidents · 1 awaiting confirmation</h1>" in body
    assert "1 coded automatically awaits your confirmation" in body and "1 needs coding" in body
    assert 'href="/dev/incidents" aria-current="page">Incidents</a>' in body


def test_confirmed_on_its_page_it_reads_as_sent_then_as_the_write_back_recorded_it(
    world: World, lambda_context: Any
) -> None:
    # Given an auto-coded injury the EHS lead confirms from its page (reached from the list)
    auto = _log(world, CUT, sure=True, workcenter_code="PRESS4")
    page = call_web(web_deps(world), "GET", f"/incidents/{auto}", EHS, lambda_context)["body"]
    assert 'href="/dev/incidents">All incidents</a>' in page and "Save the codes" in page
    assert "Nothing goes to Plex until the EHS lead confirms the codes here." in page
    saved = call_web(web_deps(world), "POST", f"/incidents/{auto}", EHS, lambda_context, form=CONFIRM)
    assert saved["statusCode"] == 303
    # Then the list says it is confirmed and on its way, and counts nothing awaiting any more
    body = _get(world, EHS, lambda_context)["body"]
    assert "Confirmed by S0001 — on its way to Plex" in body
    assert "Nothing coded automatically awaits confirmation" in body
    # When plex_writeback writes it in the default write mode (dry run)
    [sent] = world.writebacks.sent
    assert isinstance(sent, RecommendationWriteback)
    _writeback(world).apply(sent, message_id="m-1")
    # Then the list says so
    assert "Confirmed by S0001 — sent to Plex (dry run: nothing written)" in _get(world, EHS, lambda_context)["body"]


class RefusingTransport:
    def post(self, path: str, body: Any, *, idempotency_key: str | None = None) -> Any:
        raise PlexRequestError("400 Bad Request: incidentId is not a known field")


def test_a_failed_write_shows_its_reason_and_filters_as_failed(world: World, lambda_context: Any) -> None:
    # Given a confirmed incident whose write Plex refused
    auto = _log(world, CUT, sure=True)
    call_web(web_deps(world), "POST", f"/incidents/{auto}", EHS, lambda_context, form=CONFIRM)
    [sent] = world.writebacks.sent
    _writeback(world, RefusingTransport(), mode="custom_object").apply(sent, message_id="m-1")  # type: ignore[arg-type]
    _log(world, NEAR, sure=True)
    # When the EHS lead lists the failed writes
    body = _get(world, EHS, lambda_context, status="failed")["body"]
    # Then that one is listed, with Plex's reason, and the other is not
    [row] = _rows(body)
    assert "Confirmed by S0001 — Plex write failed: Plex: 400 Bad Request: incidentId is not a known field" in row
    assert "1 not written to Plex" in body


@pytest.mark.parametrize("bound", ["limit", "status_limit"])
def test_a_failed_write_is_listed_as_failed_behind_many_older_failures_of_other_kinds(
    world: World, lambda_context: Any, bound: str
) -> None:
    """review 140 R5: the write failures came from the plant-wide status partition, oldest first, cut at the list's
    limit without saying so; 201 older punch failures (the limit scaled down to 200) hid the incident's."""
    for n in range(201):  # punch write-backs that failed earlier in the period (Plex refusing a field, say)
        world.audit.append(
            AuditEvent(
                record_key=f"time-clock-entries:T{n}",
                event_id=str(uuid.uuid4()),
                event_type=AuditEventType.WRITEBACK_FAILED,
                status=AuditStatus.WRITE_FAILED,
                occurred_at=world.clock() + timedelta(seconds=n),
                actor="plex_writeback",
                finding_id=f"f-{n}",
                payload={"error": "PlexRequestError", "message": "400"},
            )
        )
    world.clock.advance(hours=1)
    auto = _log(world, CUT, sure=True, workcenter_code="PRESS4")
    call_web(web_deps(world), "POST", f"/incidents/{auto}", EHS, lambda_context, form=CONFIRM)
    [sent] = world.writebacks.sent
    _writeback(world, RefusingTransport(), mode="custom_object").apply(sent, message_id="m-1")  # type: ignore[arg-type]
    deps = web_deps(world)
    setattr(deps.incident_log, bound, 200)  # `limit`: as it cut the status reads before; `status_limit`: more than it

    body = call_web(deps, "GET", "/incidents", EHS, lambda_context, query={"status": "failed"})["body"]

    [row] = _rows(body)
    assert auto in row and "Plex write failed: Plex: 400 Bad Request" in row
    assert "1 not written to Plex" in body


def test_the_reporter_sees_their_own_the_ehs_lead_and_admin_every_one(world: World, lambda_context: Any) -> None:
    # Given incidents reported by E0001 and by an operator
    mine = _log(world, CUT, sure=True, by="E0001")
    theirs = _log(world, NEAR, sure=True, by="E0107")
    # Then the EHS lead and an admin see both, each reporter their own, another supervisor none
    for claims in (EHS, ADMIN):
        assert len(_rows(_get(world, claims, lambda_context)["body"])) == 2
    assert [mine in row for row in _rows(_get(world, REPORTER, lambda_context)["body"])] == [True]
    assert [theirs in row for row in _rows(_get(world, OPERATOR, lambda_context)["body"])] == [True]
    other = _get(world, SUPERVISOR | {"cognito:username": "E0002"}, lambda_context)["body"]
    assert 'id="incident-list"' not in other and "No incident reported" in other
    # and only the EHS lead is told what awaits confirmation
    own = _get(world, REPORTER, lambda_context)["body"]
    assert 'id="incident-counts"' not in own and "awaiting confirmation</h1>" not in own


def test_the_status_department_and_period_filters_narrow_the_list(world: World, lambda_context: Any) -> None:
    # Given an auto-coded injury in molding, an unsure one in shipping, and one reported 40 days later
    molding = _log(world, CUT, sure=True, department="MOLD")
    shipping = _log(world, NEAR, sure=False, department="SHIP")
    world.clock.advance(days=40)
    later = _log(world, CUT + " Again.", sure=True, department="MOLD")
    today = world.clock.now.astimezone(ZONE).date()

    def listed(**query: str) -> set[str]:
        body = _get(world, EHS, lambda_context, **query)["body"]
        return {i for i in (molding, shipping, later) if f"/incidents/{i}" in body}

    # Then each filter keeps what it names
    assert listed() == {molding, shipping, later}
    assert listed(status="awaiting") == {molding, later} and listed(status="coding") == {shipping}
    assert listed(department="ship") == {shipping}
    assert listed(**{"from": (today - timedelta(days=10)).isoformat()}) == {later}
    assert listed(to=(today - timedelta(days=10)).isoformat()) == {molding, shipping}
    # and the period's default is the last 90 days
    world.clock.advance(days=60)
    assert listed() == {later}


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"status": "open"}, "Status: choose one of"),
        ({"from": "20.11.2026"}, "From: a day such as 2026-11-20"),
        ({"to": "yesterday"}, "To: a day such as"),
        ({"from": "2026-11-20", "to": "2026-11-01"}, "From: a day on or before To"),
        ({"from": "2025-01-01", "to": "2026-11-01"}, "a period of at most 366 days"),
        ({"from": "0001-01-01"}, "From: a date from 2000-01-01 up to 2100-01-01"),
        ({"from": "9999-12-30", "to": "9999-12-31"}, "To: a date from"),
        ({"department": "<script>"}, "Department: a department code"),
        ({"page": "0"}, "Page: a page number from 1"),
        ({"page": "two"}, "Page: a page number from 1"),
    ],
)
def test_a_malformed_filter_is_a_400_naming_it(
    world: World, lambda_context: Any, query: dict[str, str], named: str
) -> None:
    _log(world, CUT, sure=True)
    response = _get(world, EHS, lambda_context, **query)
    assert response["statusCode"] == 400
    assert named in response["body"] and 'id="incident-list"' not in response["body"]


def test_a_page_holds_at_most_page_size_rows_and_pages_on(
    world: World, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given seven incidents and a page of three
    monkeypatch.setattr(incidentlist, "PAGE_SIZE", 3)
    ids = [_log(world, f"{CUT} Report number {n}.", sure=True) for n in range(7)]
    # Then the pages hold 3, 3 and 1 rows, newest first, with links on to the next and back
    pages = [_get(world, EHS, lambda_context, page=str(n))["body"] for n in (1, 2, 3)]
    assert [len(_rows(body)) for body in pages] == [3, 3, 1]
    assert f"/incidents/{ids[6]}" in _rows(pages[0])[0] and f"/incidents/{ids[0]}" in _rows(pages[2])[0]
    assert "Page 2 of 3" in pages[1] and "page=3" in pages[1] and "Newer" in pages[1]
    # and a page beyond the last shows the last
    assert len(_rows(_get(world, EHS, lambda_context, page="9")["body"])) == 1


def test_the_menu_links_the_list_for_everyone_signed_in(world: World, lambda_context: Any) -> None:
    for claims in (EHS, OPERATOR, SUPERVISOR):
        form = call_web(web_deps(world), "GET", "/incidents/new", claims, lambda_context)["body"]
        assert '<a href="/dev/incidents">Incidents</a>' in form


def test_a_period_with_more_events_than_one_read_says_so() -> None:
    # Given a store holding four incidents' openings, read with a limit of three events
    world = World(audit=InMemoryAuditStore())
    for n in range(4):
        _log(world, f"{CUT} Report number {n}.", sure=True)
    since = datetime(2000, 1, 1, tzinfo=ZONE)
    until = world.clock.now + timedelta(days=1)
    # Then the listing holds what was read and says it is not complete
    short = IncidentLog(world.audit, world.clock, limit=3).listing(since, until)
    assert (len(short.incidents), short.complete) == (3, False)
    assert IncidentLog(world.audit, world.clock).listing(since, until).complete


def test_a_correction_is_listed_as_corrected_and_the_reporter_reads_where_it_stands(
    world: World, lambda_context: Any
) -> None:
    """ux136 #9: the list said "Confirmed by" after a correction, and the reporter read the EHS lead's instruction."""
    # Given an auto-coded injury reported by E0001 and a near miss waiting for coding
    auto = _log(world, CUT, sure=True, workcenter_code="PRESS4")
    _log(world, NEAR, sure=False, kind="near_miss")
    # Then the reporter reads that both are with the EHS lead, not what the EHS lead is to do
    own = _get(world, REPORTER, lambda_context)["body"]
    assert "Coded automatically — with the EHS lead to confirm" in own and "With the EHS lead for coding" in own
    assert "confirm to send to Plex" not in own and "in the EHS queue" not in own
    # When the EHS lead confirms its codes, then corrects them
    deps = web_deps(world)
    call_web(deps, "POST", f"/incidents/{auto}", EHS, lambda_context, form=CONFIRM)
    corrected = {**CONFIRM, "code.source_division": "5"}
    saved = call_web(deps, "POST", f"/incidents/{auto}", EHS, lambda_context, form=corrected)
    assert saved["multiValueHeaders"]["Location"] == [f"/dev/incidents/{auto}?saved=corrected"]
    # Then the list says corrected, as the incident's page does
    body = _get(world, EHS, lambda_context)["body"]
    assert "Corrected by S0001 — on its way to Plex" in body and "Confirmed by S0001" not in body


def test_a_department_the_plant_does_not_have_is_a_400_naming_it(
    world: World, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ux136 #9: ?department=XX silently showed "No incident ... matches"; the empty filter had no label."""
    from plexlabor.incidents.service import PlantChoices
    from plexlabor.webapp import incidents as incidents_page

    _log(world, CUT, sure=True, department="MOLD")
    monkeypatch.setattr(incidents_page, "_choices", lambda: PlantChoices(("PRESS4",), ("MOLD", "SHIP"), ()))
    refused = _get(world, EHS, lambda_context, department="XX")
    assert refused["statusCode"] == 400 and "Department: XX is not a department of this plant" in refused["body"]
    assert 'value="XX"' in refused["body"] and 'id="incident-list"' not in refused["body"]
    # while a department of the plant with no incident in the period is no problem, and is offered
    shipping = _get(world, EHS, lambda_context, department="ship")
    assert shipping["statusCode"] == 200 and "matches these filters" in shipping["body"]
    assert '<option value="SHIP">' in shipping["body"] and 'placeholder="any"' in shipping["body"]


def test_the_counts_say_they_cover_the_period_shown_and_link_a_year_that_counts_older_reports(
    world: World, lambda_context: Any
) -> None:
    """ux136 #9: "Nothing coded automatically awaits confirmation" while one reported 100 days ago still did."""
    # Given an auto-coded injury reported 100 days ago, never confirmed
    old = _log(world, CUT, sure=True)
    world.clock.advance(days=100)
    today = world.clock.now.astimezone(ZONE).date()
    # When the EHS lead opens the list (the last 90 days)
    body = _get(world, EHS, lambda_context)["body"]
    # Then the counts say which period they cover and that older reports are not counted, linking a year
    first = today - timedelta(days=89)
    assert f"In the period shown, reported {first} to {today}: Nothing coded automatically awaits" in body
    assert f"Reports older than {first} are not counted here" in body
    wider = re.search(r'href="/dev/incidents\?([^"]+)">count the last 366 days</a>', body)
    assert wider is not None
    # and following that link counts the older one
    query = dict(pair.split("=", 1) for pair in wider.group(1).replace("&amp;", "&").split("&"))
    assert query == {"from": (today - timedelta(days=365)).isoformat(), "to": today.isoformat()}
    body = _get(world, EHS, lambda_context, **query)["body"]
    assert "1 coded automatically awaits your confirmation" in body and f"/incidents/{old}" in body
    assert "count the last 366 days" not in body


class SureOfTheEventDivision:
    """Sure of the event division (auto-coded) and its nature and part of body, not of the group (69 %) or source."""

    version = "test-model"

    def classify(self, narrative: str) -> Classification:
        codes = {Field.EVENT_DIVISION: ("6", 0.9), Field.EVENT_GROUP: ("64", 0.69), Field.NATURE_DIVISION: ("1", 0.99)}
        codes |= {Field.PART_DIVISION: ("4", 0.95), Field.SOURCE_DIVISION: ("3", 0.5)}
        title = {Field.EVENT_GROUP: "Caught in or compressed by equipment or objects"}
        unsure = (Field.EVENT_GROUP, Field.SOURCE_DIVISION)
        return Classification(
            {of: Coding(of, code, title.get(of, ""), p, of not in unsure) for of, (code, p) in codes.items()}
        )


def test_a_group_the_model_was_not_sure_of_heads_no_report_and_a_partly_sure_one_says_what_to_confirm(
    world: World, lambda_context: Any
) -> None:
    """ux_s16 #5: "Cut my left hand … chip conveyor" was listed as "Injury: Caught in or compressed by equipment or
    objects", "Coded automatically — confirm to send to Plex", though the group was 69 % and not sure."""
    deps = IncidentDeps(world.audit, SureOfTheEventDivision(), zone=ZONE, clock=world.clock)  # type: ignore[arg-type]
    narrative = "Cut my left hand on a sharp chip while clearing the chip conveyor on Press 4."
    incident = log_incident(deps, IncidentReport(narrative=narrative), "E0001").incident_id
    [row] = _rows(_get(world, EHS, lambda_context)["body"])
    assert "Injury: Contact with objects and equipment (group not sure)" in row and "Caught in" not in row
    assert "Partly coded: confirm the event group and source" in row and "Coded automatically" not in row
    [mine] = _rows(_get(world, REPORTER, lambda_context)["body"])
    assert "Partly coded: the EHS lead confirms the event group and source" in mine
    # the incident's page says the same of the same codes, to the EHS lead and to its reporter
    page = call_web(web_deps(world), "GET", f"/incidents/{incident}", EHS, lambda_context)["body"]
    assert "Partly coded: confirm the event group and source. The model was sure of Event or exposure, " in page
    assert "Coded automatically" not in page
    own = call_web(web_deps(world), "GET", f"/incidents/{incident}", REPORTER, lambda_context)["body"]
    assert "Partly coded: the EHS lead confirms the event group and source." in own
