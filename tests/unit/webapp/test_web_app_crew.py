"""The crew board (`/crew`, issue 10): a day's crew suggestions per shift as the audit table holds them, each
with its state; a waiting one accepted or rejected in place through the review queue's decision, which comes
back to the board; who sees what; a `next` that is not the board is ignored; "re-plan the rest of the shift"
sends crew_replan a plan_changed message; the plan's objective against the supervisor's plan and greedy; a
swap by hand among the planner's candidates (accepted through the approval path, the replaced one rejected,
a `swap` re-plan asked) and the swaps refused; the day's read kept per container; the department filter
(`?dept=`: the seats and totals of one department's workcenters, kept by every form, an unknown one a 400, a
supervisor's own department by default)."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from plexlabor.approval.directory import PeopleDisplay, Person, StaticPeopleDirectory
from plexlabor.audit import AuditEvent, AuditStatus
from plexlabor.audit.events import expiry_event, recommendation_event
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.replanning import applied_event
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.webapp.reports import SkillsReports
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import CREW, ZONE, call_web, crew_assignment, recommendation, web_deps
from tests.unit.skills.skills_report_world import stored_report
from tests.unit.webapp.viewers import HR, PLANNER

SUPERVISOR = {"cognito:username": "E0001", "cognito:groups": "supervisor"}
DAY = {"day": "2026-03-04", "shift": "1"}
PRICED = {"value": 500.0, "labor_cost": 160.0, "fatigue": 10.0, "changeover": 20.0, "walking": 5.0}
SEGMENT: dict[str, Any] = {
    "segment": "op-7|1",
    "workcenter_id": "W",
    "job_no": "J100001",
    "operation_code": "20",
    "end": "2026-03-04T14:30:00+00:00",
}
CANDIDATES: list[dict[str, Any]] = [  # as crew.board.swap_candidates offers them, best first
    {"employee_id": "E0050", "supervisor_id": "E0001", **PRICED, "outside_hours": 0.0, "busy_at": None},
    {
        "employee_id": "E0051",
        "supervisor_id": "E0002",
        **PRICED,
        "value": 420.0,
        "outside_hours": 2.0,
        "busy_at": "WC-20",
    },
    {"employee_id": "E0043", "supervisor_id": "E0002", **PRICED, "value": 400.0, "outside_hours": 0.0, "busy_at": None},
]
BREAKDOWN = {"value": 900.0, "labor_cost": 320.0, "fatigue": 20.0, "overtime": 0.0, "changeover": 40.0, "walking": 10.0}
FIGURES: dict[str, Any] = {  # as crew.board.plan_figures writes them: the nightly plan of shifts 1 and 2 together
    "shifts": ["1", "2"],
    "recommended": {**BREAKDOWN, "unstaffed_penalty": 150.0, "plan_change": 0.0, "objective": 360.0, "seats_filled": 2},
    "current": {**BREAKDOWN, "unstaffed_penalty": 600.0, "plan_change": 0.0, "objective": -90.0, "seats_filled": 1},
    "greedy": {**BREAKDOWN, "unstaffed_penalty": 300.0, "plan_change": 0.0, "objective": 210.0, "seats_filled": 2},
}


@pytest.fixture
def world() -> World:
    return board_world()


def board_world() -> World:
    """A day of the board: one segment with a waiting seat (offering CANDIDATES), a logged one and an empty one."""
    world = World()
    # Two people suggested for one segment: one moved there (waiting), one as the supervisor planned (logged)
    crew_assignment(
        world,
        "crew-0001",
        employee_id="E0042",
        supervisor_id="E0001",
        reasons=["certified L2 PRESS (valid to 2027-01-01)", "104% efficiency there over 90 days"],
        changes_current_plan=True,
        swap_candidates=CANDIDATES,
        plan_figures=FIGURES,
        **SEGMENT,
        **PRICED,
    )
    world.audit.append(
        recommendation_event(
            "jobs:crew-0002",
            "crew-0002",
            status=AuditStatus.LOGGED,
            occurred_at=world.clock(),
            actor="crew_planner",
            model_version="crew-1",
            employee_id="E0043",
            supervisor_id="E0002",
            payload={
                "kind": "crew_assignment",
                "note": "as planned",
                "workcenter_code": "WC-10",
                "shift_code": "1",
                "plan_day": "2026-03-04",
                "start": "2026-03-04T06:00:00+00:00",
                "hours": 8.0,
                "reasons": ["planned here by the supervisor"],
                **SEGMENT,
                **PRICED,
            },
        )
    )
    recommendation(
        world,
        "crew-0003",
        "crew_unstaffed",
        note="1 seat(s) at WC-10 for job J100001 operation 20, shift 1, stay empty: nobody qualified is free",
        workcenter_code="WC-10",
        shift_code="1",
        plan_day="2026-03-04",
        start="2026-03-04T06:00:00+00:00",
        hours=8.0,
        seats=1,
        cause="qualified_busy",
        **SEGMENT,
    )
    return world


def _call(world: World, method: str, path: str, claims: dict[str, Any], lambda_context: Any, **kw: Any) -> Any:
    return call_web(web_deps(world), method, path, claims, lambda_context, **kw)


def _decide(deps: Any, item: str, lambda_context: Any, **form: str) -> Any:
    """The planner's decision on board item `item` (the form: action, reason, next)."""
    return call_web(deps, "POST", f"/items/{item}", PLANNER, lambda_context, form=form)


def _rows(body: str) -> list[tuple[str, ...]]:
    """Each seat's who, hours, state (the table's first, second and fourth cells, as text)."""
    cells = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td class=\"small\">.*?</td><td>(.*?)</td>", body, re.S)
    return [tuple(" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in row) for row in cells]


def test_a_planner_sees_the_shift_per_segment_with_each_suggestions_state(world: World, lambda_context: Any) -> None:
    response = _call(world, "GET", "/crew", PLANNER, lambda_context, query=DAY)

    assert response["statusCode"] == 200
    body = response["body"]
    assert "01:00–09:30 · WC-10 · job J100001 op 20" in body  # plant time (Detroit)
    assert _rows(body) == [("E0042 changes the current plan", "8.0", "waiting"), ("E0043", "8.0", "as planned")]
    assert "104% efficiency there over 90 days" in body and "changes the current plan" in body
    # the seat's note says how many seats stay empty and why, once (ux119 #21: not "1 seat stays empty (qualified
    # busy): 1 seat ... stays empty: ...")
    assert "1 seat(s) at WC-10 for job J100001 operation 20, shift 1, stay empty: nobody qualified is free" in body
    assert "stays empty (" not in body
    # the shift's figures: 16 h, (500 - 195) x 2 = 610 dollars after the costs, one waiting, one seat short
    assert "16.0 h assigned, worth $610" in body and "1 waiting, 0 accepted, 0 rejected; 1 seat stays empty" in body
    assert body.count('action="/dev/items/crew-0001"') == 2  # accept and reject: only the waiting one
    assert "crew-0002" not in body


def test_accepting_on_the_board_decides_through_the_queue_and_comes_back(world: World, lambda_context: Any) -> None:
    back = "/crew?day=2026-03-04&shift=1"
    response = _decide(web_deps(world), "crew-0001", lambda_context, action="approve", next=back)

    assert response["statusCode"] == 303
    assert response["multiValueHeaders"]["Location"] == [f"/dev{back}&done=approve"]
    [sent] = world.recommendations_sent  # the same path as the queue: the write to Plex is queued first
    assert sent.item_id == "crew-0001"
    body = _call(world, "GET", "/crew", PLANNER, lambda_context, query={**DAY, "done": "approve"})["body"]
    assert ("E0042 changes the current plan", "8.0", "accepted by P0001") in _rows(body)
    assert "Accepted: the assignment is on its way to Plex" in body and "Approved" not in body  # one verb (ux113 L19)


def test_a_suggestion_a_re_plan_dropped_is_shown_superseded(world: World, lambda_context: Any) -> None:
    [opening] = world.audit.for_finding("crew-0001")
    superseded = expiry_event(
        opening.record_key, "crew-0001", occurred_at=world.clock(), actor="crew_replan", payload={"superseded": True}
    )
    world.audit.append(superseded)

    body = _call(world, "GET", "/crew", PLANNER, lambda_context, query=DAY)["body"]

    assert ("E0042 changes the current plan", "8.0", "superseded by a re-plan") in _rows(body)
    assert "0 waiting" in body and "8.0 h assigned" in body  # the dropped one no longer counts


def test_a_supervisor_sees_their_own_people_and_hr_is_refused(world: World, lambda_context: Any) -> None:
    body = _call(world, "GET", "/crew", SUPERVISOR, lambda_context, query=DAY)["body"]
    assert [row[0] for row in _rows(body)] == ["E0042 changes the current plan"]

    refused = _call(world, "GET", "/crew", HR, lambda_context, query=DAY)
    assert refused["statusCode"] == 403 and "planners, supervisors and admins" in refused["body"]


def test_a_day_without_suggestions_says_so(world: World, lambda_context: Any) -> None:
    body = _call(world, "GET", "/crew", PLANNER, lambda_context, query={"day": "2026-03-09"})["body"]

    assert "No crew suggestions for Mon 2026-03-09" in body


def test_a_next_that_is_not_the_board_is_ignored(world: World, lambda_context: Any) -> None:
    response = _decide(
        web_deps(world), "crew-0001", lambda_context, action="approve", next="https://elsewhere.example/crew"
    )

    assert response["statusCode"] == 303
    assert "elsewhere" not in response["multiValueHeaders"]["Location"][0]


def test_a_next_with_a_line_break_never_reaches_the_location_header(world: World, lambda_context: Any) -> None:
    next_page = "/crew?day=2026-03-04\r\nSet-Cookie: a=b#top"
    response = _decide(web_deps(world), "crew-0001", lambda_context, action="approve", next=next_page)

    assert response["statusCode"] == 303
    [location] = response["multiValueHeaders"]["Location"]
    assert "\r" not in location and "\n" not in location and "#" not in location
    assert location == "/dev/crew?day=2026-03-04Set-Cookie%3A+a%3Db&done=approve"  # urlsplit drops CR/LF


class Replans:
    """The replan queue as the web app sees it: what was sent."""

    def __init__(self) -> None:
        self.sent: list[ReplanMessage] = []

    def send(self, message: ReplanMessage) -> None:
        self.sent.append(message)


def _with_replan(world: World, replans: Replans | None) -> Any:
    return dataclasses.replace(web_deps(world), replan=replans)


def test_re_planning_the_rest_of_the_shift_asks_crew_replan(world: World, lambda_context: Any) -> None:
    replans = Replans()
    deps = _with_replan(world, replans)
    board = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=DAY)["body"]
    assert 'action="/dev/crew/replan"' in board and "Re-plan the rest of shift 1" in board

    response = call_web(deps, "POST", "/crew/replan", PLANNER, lambda_context, form={"day": "2026-03-04", "shift": "1"})

    assert response["statusCode"] == 303
    [sent] = replans.sent
    asked = urlencode({"asked": sent.detected_at.isoformat()})
    assert response["multiValueHeaders"]["Location"] == [f"/dev/crew?day=2026-03-04&shift=1&done=replan&{asked}"]
    assert (sent.reason, sent.day.isoformat(), sent.shift) == ("plan_changed", "2026-03-04", "1")
    assert sent.departments is None  # a planner sees every department: the re-plan may fill any empty seat
    # a supervisor's re-plan fills only the empty seats of the departments she sees (ux141 #4)
    molding = {**SUPERVISOR, "custom:departments": "MOLD"}
    call_web(deps, "POST", "/crew/replan", molding, lambda_context, form={"day": "2026-03-04", "shift": "1"})
    assert replans.sent[-1].departments == ("MOLD",)


@pytest.mark.parametrize(
    ("changed", "words"),
    [
        ((0, 0), "nothing to change"),
        ((2, 1), "2 new suggestions, 1 withdrawn"),
        ((1, 0), "1 new suggestion, 0 withdrawn"),
    ],
)
def test_the_board_says_its_re_plan_is_pending_then_when_it_ran_and_what_it_changed(
    world: World, lambda_context: Any, changed: tuple[int, int], words: str
) -> None:
    """ux_s17 M5: after "Re-plan the rest of shift 1" and a reload the board read as before, so a re-plan that changed
    nothing could not be told from one still pending."""
    replans = Replans()
    deps = _with_replan(world, replans)
    # Given the rest of shift 1 re-planned from the board at 23:00 plant time
    response = call_web(deps, "POST", "/crew/replan", PLANNER, lambda_context, form={"day": "2026-03-04", "shift": "1"})
    back = dict(parse_qsl(urlsplit(response["multiValueHeaders"]["Location"][0]).query))
    [sent] = replans.sent
    asked = sent.detected_at.astimezone(ZONE).strftime("%H:%M")
    # When the board is read back before crew_replan ran it, Then it says the re-plan is pending
    body = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=back)["body"]
    assert f"Re-plan asked at {asked}: pending" in body
    assert "its suggestions appear here within a minute" in body  # the flash of asking stays while it is pending
    # When crew_replan has run it a minute later (what it published and closed recorded) and the board is reloaded
    world.clock.advance(minutes=1)
    ran_at = world.clock()
    world.audit.append(applied_event(sent, ran_at, changed=changed))
    body = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=back)["body"]
    # Then it says when it ran and what it changed, and nothing is pending; the board says so on a later visit too
    ran = ran_at.astimezone(ZONE).strftime("%H:%M")
    assert f"Re-planned at {ran} (asked at {asked}): {words}" in body and "pending, crew_replan" not in body
    assert "within a minute" not in body  # ux_s17: the flash of asking stayed beside what the re-plan did
    later = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=DAY)["body"]
    assert f"Re-planned at {ran} (asked at {asked}): {words}" in later


@pytest.mark.parametrize(
    ("form", "claims", "status"),
    [
        ({"day": "04/03/2026", "shift": "1"}, PLANNER, 400),  # a day that is not YYYY-MM-DD
        ({"day": "9999-12-31", "shift": "1"}, PLANNER, 400),  # crew_replan could not read such a day
        ({"day": "2026-03-04", "shift": ""}, PLANNER, 400),
        ({"day": "2026-03-04", "shift": "1"}, HR, 403),
    ],
)
def test_a_bad_re_plan_request_sends_nothing(
    world: World, lambda_context: Any, form: dict[str, str], claims: dict[str, Any], status: int
) -> None:
    replans = Replans()
    response = call_web(_with_replan(world, replans), "POST", "/crew/replan", claims, lambda_context, form=form)

    assert response["statusCode"] == status and replans.sent == []


def test_without_a_replan_queue_there_is_no_button_and_the_request_is_refused(
    world: World, lambda_context: Any
) -> None:
    assert "Re-plan the rest" not in _call(world, "GET", "/crew", PLANNER, lambda_context, query=DAY)["body"]
    response = _call(world, "POST", "/crew/replan", PLANNER, lambda_context, form={"day": "2026-03-04", "shift": "1"})
    assert response["statusCode"] == 503


def test_a_day_that_is_not_a_date_is_refused_by_name(world: World, lambda_context: Any) -> None:
    response = _call(world, "GET", "/crew", PLANNER, lambda_context, query={"day": "04/03/2026"})

    assert response["statusCode"] == 400 and "&#39;04/03/2026&#39;" in response["body"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_day_outside_the_dates_plexlabor_takes_is_refused(world: World, lambda_context: Any, day: str) -> None:
    response = _call(world, "GET", "/crew", PLANNER, lambda_context, query={"day": day})

    assert response["statusCode"] == 400
    assert f"Day: a date from 2000-01-01 up to 2100-01-01 is expected (not {day})." in response["body"]


def test_the_shift_shows_the_plans_objective_against_the_supervisors_plan_and_greedy(
    world: World, lambda_context: Any
) -> None:
    body = _call(world, "GET", "/crew", PLANNER, lambda_context, query=DAY)["body"]

    figures = body.split('id="figures"', 1)[1].split("</table>", 1)[0]
    cells = dict(re.findall(r'<tr data-part="(\w+)"><th scope="row">[^<]*</th>(.*?)</tr>', figures, re.S))
    row = {part: re.findall(r'data-plan="(\w+)">([^<]*)</td>', html) for part, html in cells.items()}
    assert row["objective"] == [("recommended", "360"), ("current", "-90"), ("greedy", "210")]
    assert row["unstaffed_penalty"] == [("recommended", "150"), ("current", "600"), ("greedy", "300")]
    assert row["seats_filled"] == [("recommended", "2"), ("current", "1"), ("greedy", "2")]
    assert "worth $450 more than supervisor&#39;s plan" in figures and "worth $150 more than greedy" in figures
    assert "planned shifts 1, 2 together" in figures


def test_a_waiting_seat_offers_the_planners_candidates_for_a_swap(world: World, lambda_context: Any) -> None:
    body = _call(world, "GET", "/crew", PLANNER, lambda_context, query=DAY)["body"]

    [swap] = re.findall(r'<form method="post" action="/dev/crew/swap".*?</form>', body, re.S)
    assert 'name="item" value="crew-0001"' in swap
    options = [" ".join(o.split()) for o in re.findall(r"<option [^>]*>(.*?)</option>", swap, re.S)]
    # E0043, offered by the planner, is suggested on this job operation (as planned): a swap would be refused
    # each priced against the suggestion it would replace ($305 net), not as a bare signed amount (ux119 #20)
    # E0051, planned at WC-20 when the seat was planned, has no seat there on the board now: free (ux164 #17)
    assert options == ["E0050 · same value", "E0051 · $80 less · 2.0 h outside shift"]
    assert "Each: the swap worth more or less than the suggestion, counting the seat they leave" in swap


def _swap(world: World, lambda_context: Any, replans: Replans | None, claims: dict[str, Any], **form: str) -> Any:
    form = {"item": "crew-0001", "next": "/crew?day=2026-03-04&shift=1", **form}
    return call_web(_with_replan(world, replans), "POST", "/crew/swap", claims, lambda_context, form=form)


def _refusal(deps: Any, response: Any, claims: dict[str, Any], lambda_context: Any) -> str:
    """A refused swap answers 303 to the board (ux113 L8: a reload re-posts nothing): the board it names."""
    assert response["statusCode"] == 303, response["body"]
    location = urlsplit(response["multiValueHeaders"]["Location"][0])
    assert location.path == "/dev/crew" and "done=refused" in location.query
    board = call_web(deps, "GET", "/crew", claims, lambda_context, query=dict(parse_qsl(location.query)))
    assert board["statusCode"] == 200
    return str(board["body"])


def test_a_swap_accepts_the_choice_rejects_the_replaced_and_asks_for_a_re_plan(
    world: World, lambda_context: Any
) -> None:
    replans = Replans()
    response = _swap(world, lambda_context, replans, PLANNER, employee="E0050")

    assert response["statusCode"] == 303
    assert response["multiValueHeaders"]["Location"] == ["/dev/crew?day=2026-03-04&shift=1&done=swap"]
    [sent] = world.recommendations_sent  # the approval path: the write to Plex queued, then the decision
    events = world.audit.for_finding(sent.item_id)
    assert [(e.event_type.value, e.status.value) for e in events] == [
        ("recommendation", "pending_approval"),
        ("decision", "approved"),
    ]
    assert events[0].employee_id == "E0050" and events[0].payload["segment"] == "op-7|1"
    assert events[0].payload["swapped_for"] == "E0042" and events[1].actor == "P0001"
    [replaced] = [e for e in world.audit.for_finding("crew-0001") if e.status is AuditStatus.REJECTED]
    assert replaced.payload["reason"] == "swapped for E0050 on the crew board" and replaced.actor == "P0001"
    [message] = replans.sent
    assert (message.reason, message.shift, message.employee_id) == ("swap", "1", "E0050")

    body = _call(world, "GET", "/crew", PLANNER, lambda_context, query={**DAY, "done": "swap"})["body"]
    rows = _rows(body)
    assert ("E0050 changes the current plan", "8.0", "accepted by P0001") in rows
    assert ("E0042 changes the current plan", "8.0", "rejected by P0001") in rows and "Swapped:" in body


@pytest.mark.parametrize(
    ("employee", "claims", "status", "why"),
    [
        ("E0099", PLANNER, 303, "Not swapped: the operator chosen is not one of the operators offered"),
        ("E0043", PLANNER, 303, "Not swapped: the operator chosen is already suggested for this job operation"),
        ("", PLANNER, 400, "Choose who comes in"),  # a malformed form, not a refused swap
        ("E0050", HR, 403, "planners, supervisors and admins"),
    ],
)
def test_a_swap_the_board_cannot_make_changes_nothing(
    world: World, lambda_context: Any, employee: str, claims: dict[str, Any], status: int, why: str
) -> None:
    replans = Replans()
    before = len(world.audit.for_finding("crew-0001"))

    response = _swap(world, lambda_context, replans, claims, employee=employee)

    said = _refusal(web_deps(world), response, claims, lambda_context) if status == 303 else response["body"]
    assert response["statusCode"] == status and why in said
    assert world.writebacks.sent == [] and replans.sent == []
    assert len(world.audit.for_finding("crew-0001")) == before


def _e0051_at_wc20(world: World) -> AuditEvent:
    """E0051 suggested at WC-20 (crew-0009) until 10:00, while crew-0001's seat runs."""
    return crew_assignment(
        world,
        "crew-0009",
        employee_id="E0051",
        segment="op-9|1",
        workcenter_code="WC-20",
        end="2026-03-04T10:00:00+00:00",
    )


def test_someone_accepted_elsewhere_at_the_same_time_cannot_be_swapped_in(world: World, lambda_context: Any) -> None:
    elsewhere = _e0051_at_wc20(world)
    _decide(web_deps(world), elsewhere.event_id, lambda_context, action="approve")

    response = _swap(world, lambda_context, Replans(), PLANNER, employee="E0051")

    said = _refusal(web_deps(world), response, PLANNER, lambda_context)
    assert "the operator chosen is accepted at WC-20 at the same time" in said  # E0051 has no employee number here
    assert [w.item_id for w in world.recommendations_sent] == ["crew-0009"]


def test_a_seat_no_longer_waiting_is_not_swapped(world: World, lambda_context: Any) -> None:
    _decide(web_deps(world), "crew-0001", lambda_context, action="reject", reason="no")

    response = _swap(world, lambda_context, Replans(), PLANNER, employee="E0050")

    assert "no longer waiting" in _refusal(web_deps(world), response, PLANNER, lambda_context)


def test_the_board_reads_the_audit_table_once_per_day_until_a_form_comes_back(
    world: World, lambda_context: Any
) -> None:
    reads: list[str] = []
    by_status, by_plan_day = world.audit.by_status, world.audit.by_plan_day

    def counted(status: AuditStatus, *args: Any, **kwargs: Any) -> Any:
        reads.append(status.value)
        return by_status(status, *args, **kwargs)

    def counted_day(day: str, **kwargs: Any) -> Any:
        reads.append(f"plan day {day}")
        return by_plan_day(day, **kwargs)

    world.audit.by_status = counted  # type: ignore[method-assign]
    world.audit.by_plan_day = counted_day  # type: ignore[method-assign]
    deps = web_deps(world)
    for query in (DAY, {"day": "2026-03-04", "shift": "2"}, {**DAY, "done": "approve"}):
        assert call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=query)["statusCode"] == 200

    # four queries for the first page (the day's crew events: suggestions, re-plans' applied events, claims; the three
    # closing status indexes), none for the second, four again after a decision
    assert len(reads) == 8 and sorted(reads[:4]) == sorted(reads[4:]) and "plan day 2026-03-04" in reads[:4]


def test_someone_on_work_that_has_started_cannot_be_swapped_in(world: World, lambda_context: Any) -> None:
    _e0051_at_wc20(world)
    started = dataclasses.replace(web_deps(world), replan=Replans())
    started.review.clock = lambda: datetime(2026, 3, 4, 7, tzinfo=UTC)  # an hour into op-9's segment

    response = call_web(
        started, "POST", "/crew/swap", PLANNER, lambda_context, form={"item": "crew-0001", "employee": "E0051"}
    )

    said = _refusal(started, response, PLANNER, lambda_context)
    assert "the operator chosen is at WC-20, on work that has started" in said
    assert world.writebacks.sent == []


PAINT = {"day": "2026-03-04", "shift": "1", "dept": "PAINT"}


def _in_departments(world: World, replans: Replans | None = None) -> Any:
    """The fixture's segment at workcenter W (MOLD in skills_daily's report, which the board reads for
    suggestions that do not name their department), and one at WC-30 whose suggestion names PAINT."""
    crew_assignment(
        world,
        "crew-0004",
        employee_id="E0044",
        supervisor_id="E0002",
        segment="op-9|1",
        workcenter_code="WC-30",
        department="PAINT",
        end="2026-03-04T14:00:00+00:00",
        swap_candidates=[{**CANDIDATES[0], "employee_id": "E0052"}],
        **PRICED,
    )
    store = InMemoryArtifactStore()
    stored_report(store)
    return dataclasses.replace(web_deps(world), reports=SkillsReports(store), replan=replans)


def _get(deps: Any, claims: dict[str, Any], query: dict[str, str], lambda_context: Any) -> Any:
    return call_web(deps, "GET", "/crew", claims, lambda_context, query=query)


def test_the_department_filter_narrows_the_seats_and_the_totals_not_the_plans_figures(
    world: World, lambda_context: Any
) -> None:
    deps = _in_departments(world)

    whole = _get(deps, PLANNER, DAY, lambda_context)["body"]
    chosen = _get(deps, PLANNER, PAINT, lambda_context)

    # the planner sees the whole shift by default, and the select offers the departments present, with counts
    assert [row[0] for row in _rows(whole)] == ["E0042 changes the current plan", "E0043", "E0044"]
    [select] = re.findall(r'<select name="dept">(.*?)</select>', whole, re.S)
    assert re.findall(r"<option [^>]*>.*?</option>", select) == [
        '<option value="all" selected>Whole shift (3 seats filled)</option>',
        '<option value="MOLD">MOLD (2 seats filled, 1 waiting, 1 empty seat to acknowledge)</option>',
        '<option value="PAINT">PAINT (1 seat filled, 1 waiting)</option>',
    ]
    assert "Whole shift (all departments): 24.0 h assigned, worth $915" in whole
    assert 'name="wc"' not in whole  # a workcenter is chosen within a department (hundreds in a plant)
    assert chosen["statusCode"] == 200
    body = chosen["body"]
    assert _rows(body) == [("E0044", "8.0", "waiting")] and "WC-10" not in body.split('id="figures"')[1]
    assert "In department PAINT: 8.0 h assigned, worth $305" in body
    assert "1 waiting, 0 accepted, 0 rejected; 0 seats stay empty" in body  # WC-10's empty seat is MOLD's
    assert '<option value="PAINT" selected>' in body
    # the objective is the plan's, plant-wide, and says so; the same figures as the whole shift's
    assert "(the whole plan, not department PAINT alone)" in body and "plant-wide" in body
    figures = [re.findall(r'data-part="objective">.*?</tr>', page, re.S) for page in (whole, body)]
    assert figures[0] == figures[1] and figures[0]


def test_the_filters_counts_leave_out_rejected_seats_as_the_totals_do(world: World, lambda_context: Any) -> None:
    deps = _in_departments(world)
    rejected = _decide(deps, "crew-0004", lambda_context, action="reject", reason="on another line today")
    assert rejected["statusCode"] == 303

    body = _get(deps, PLANNER, {**DAY, "done": "reject"}, lambda_context)["body"]

    [select] = re.findall(r'<select name="dept">(.*?)</select>', body, re.S)
    assert "Whole shift (2 seats filled)" in select and "PAINT (0 seats filled, 0 waiting)" in select
    assert "Whole shift (all departments): 16.0 h assigned" in body


def test_every_form_and_link_on_a_filtered_board_keeps_the_department(world: World, lambda_context: Any) -> None:
    replans = Replans()
    deps = _in_departments(world, replans)
    body = _get(deps, PLANNER, PAINT, lambda_context)["body"]

    here = "/crew?day=2026-03-04&amp;shift=1&amp;dept=PAINT"
    nexts = re.findall(r'name="next" value="([^"]*)"', body)
    assert nexts == [here] * 3  # accept, reject, swap of the one waiting PAINT seat
    assert 'href="/dev/crew?day=2026-03-04&amp;shift=1&amp;dept=PAINT"' in body  # the shift chip
    assert re.search(r'action="/dev/crew/replan".*?name="dept" value="PAINT"', body, re.S)

    def post(path: str, form: dict[str, str]) -> str:
        response = call_web(deps, "POST", path, PLANNER, lambda_context, form=form)
        assert response["statusCode"] == 303, response["body"]
        return str(response["multiValueHeaders"]["Location"][0])

    back = "/crew?day=2026-03-04&shift=1&dept=PAINT"
    swapped = post("/crew/swap", {"item": "crew-0004", "employee": "E0052", "next": back})
    accepted = post("/items/crew-0001", {"action": "approve", "next": back})
    replanned = post("/crew/replan", {"day": "2026-03-04", "shift": "1", "dept": "PAINT"})
    replanned = replanned.split("&asked=")[0]  # and when it was asked (the board says whether it ran)
    assert [swapped, accepted, replanned] == [f"/dev{back}&done={done}" for done in ("swap", "approve", "replan")]
    after = _get(deps, PLANNER, {**PAINT, "done": "swap"}, lambda_context)["body"]
    assert [row[0] for row in _rows(after)] == ["E0044", "E0052 changes the current plan"]


def test_a_department_the_day_does_not_have_shows_the_board_empty_saying_so(world: World, lambda_context: Any) -> None:
    """The board's own day and shift links keep the filter: another day without that department is no error."""
    deps = _in_departments(world)

    response = _get(deps, PLANNER, {**DAY, "dept": "PAINTT"}, lambda_context)

    assert response["statusCode"] == 200 and _rows(response["body"]) == []
    assert "No seats you may see in department PAINTT on shift 1" in response["body"]


def test_a_supervisor_gets_their_department_and_never_more_than_they_may_see(world: World, lambda_context: Any) -> None:
    deps = _in_departments(world)
    painting = {"cognito:username": "E0007", "cognito:groups": "supervisor", "custom:departments": "PAINT"}
    molding = {**SUPERVISOR, "custom:departments": "MOLD"}

    # a supervisor of one department gets it by default: PAINT's seat (its suggestion is about PAINT)
    own = _get(deps, painting, DAY, lambda_context)["body"]
    assert _rows(own) == [("E0044", "8.0", "waiting")] and "In department PAINT" in own
    assert 'name="next" value="/crew?day=2026-03-04&amp;shift=1&amp;dept=PAINT"' in own
    # the whole shift is what they may see of it, nothing more; and choosing it is kept
    whole = _get(deps, painting, {**DAY, "dept": "all"}, lambda_context)["body"]
    assert _rows(whole) == [("E0044", "8.0", "waiting")] and "dept=all" in whole
    # E0001 sees the seat routed to them (MOLD's); another department of the plant shows nothing of theirs
    assert [row[0] for row in _rows(_get(deps, molding, DAY, lambda_context)["body"])] == [
        "E0042 changes the current plan"
    ]
    other = _get(deps, molding, {**DAY, "dept": "ASSY"}, lambda_context)
    assert other["statusCode"] == 200 and _rows(other["body"]) == []
    assert "No seats you may see in department ASSY on shift 1" in other["body"]
    # PAINT's seat is not theirs to see: the department shows empty
    painted = _get(deps, molding, PAINT, lambda_context)
    assert painted["statusCode"] == 200 and _rows(painted["body"]) == [] and "E0044" not in painted["body"]


def test_without_the_skills_report_the_board_has_no_department_filter_and_says_why(
    world: World, lambda_context: Any
) -> None:
    body = _call(world, "GET", "/crew", PLANNER, lambda_context, query=DAY)["body"]

    assert 'name="dept"' not in body and "No department filter" in body
    assert '<option value="WC-10">WC-10 (2 seats filled, 1 waiting, 1 empty seat to acknowledge)</option>' in body


def test_a_workcenter_narrows_the_board_further_and_is_kept_by_every_form(world: World, lambda_context: Any) -> None:
    replans = Replans()
    deps = _in_departments(world, replans)

    body = _get(deps, PLANNER, {**DAY, "wc": "WC-10"}, lambda_context)["body"]

    assert [row[0] for row in _rows(body)] == ["E0042 changes the current plan", "E0043"]
    assert "At WC-10: 16.0 h assigned" in body and "1 seat stays empty" in body
    [select] = re.findall(r'<select name="wc">(.*?)</select>', body, re.S)
    assert re.findall(r"<option [^>]*>.*?</option>", select) == [
        '<option value="">All</option>',
        '<option value="WC-10" selected>WC-10 (2 seats filled, 1 waiting, 1 empty seat to acknowledge)</option>',
        '<option value="WC-30">WC-30 (1 seat filled, 1 waiting)</option>',
    ]
    assert set(re.findall(r'name="next" value="([^"]*)"', body)) == {"/crew?day=2026-03-04&amp;shift=1&amp;wc=WC-10"}
    assert 'href="/dev/crew?day=2026-03-02"' in body  # another day: the workcenter is not kept
    # in a department, its workcenters only; a workcenter outside it shows nothing
    painting = _get(deps, PLANNER, PAINT, lambda_context)["body"]
    assert re.findall(r'<option value="(WC-[^"]+)"', painting) == ["WC-30"]
    other = _get(deps, PLANNER, {**PAINT, "wc": "WC-10"}, lambda_context)["body"]
    assert _rows(other) == [] and "No seats you may see in department PAINT at WC-10 on shift 1" in other
    replanned = call_web(deps, "POST", "/crew/replan", PLANNER, lambda_context, form={**DAY, "wc": "WC-10"})
    [location] = replanned["multiValueHeaders"]["Location"]
    assert location.split("&asked=")[0] == "/dev/crew?day=2026-03-04&shift=1&wc=WC-10&done=replan"


def test_a_workcenter_the_shift_does_not_have_shows_the_board_empty_saying_so(
    world: World, lambda_context: Any
) -> None:
    response = _get(_in_departments(world), PLANNER, {**DAY, "wc": "WC-99"}, lambda_context)

    assert response["statusCode"] == 200 and "No seats you may see at WC-99 on shift 1" in response["body"]


def _swap_options(body: str) -> list[str]:
    """The employee ids crew-0001's swap form offers."""
    forms = re.findall(r'<form method="post" action="/dev/crew/swap".*?</form>', body, re.S)
    [swap] = [form for form in forms if 'value="crew-0001"' in form]
    return re.findall(r'<option value="([^"]+)"', swap)


def test_a_seat_does_not_offer_someone_a_swap_would_refuse(world: World, lambda_context: Any) -> None:
    """E0051, offered "now at WC-20", is offered while that work has not started; once it has, a swap in would be
    refused, so the seat no longer offers them. E0043, suggested on this job operation already, never is."""
    _e0051_at_wc20(world)
    deps = web_deps(world)
    assert _swap_options(_get(deps, PLANNER, DAY, lambda_context)["body"]) == ["E0050", "E0051"]

    deps.review.clock = lambda: datetime(2026, 3, 4, 7, tzinfo=UTC)  # an hour into op-9's segment at WC-20

    assert _swap_options(_get(deps, PLANNER, DAY, lambda_context)["body"]) == ["E0050"]


def test_a_refused_swap_comes_back_to_the_same_board_with_the_reason(world: World, lambda_context: Any) -> None:
    deps = _in_departments(world, Replans())
    mold = "/crew?day=2026-03-04&shift=1&dept=MOLD"

    response = call_web(
        deps,
        "POST",
        "/crew/swap",
        PLANNER,
        lambda_context,
        form={"item": "crew-0001", "employee": "E0043", "next": mold},
    )

    body = _refusal(deps, response, PLANNER, lambda_context)
    flash = '<p class="flash error" role="status">Not swapped: the operator chosen is already suggested for this job'
    assert flash in body
    assert '<option value="MOLD" selected>' in body and 'name="shift" value="1"' in body  # the same filter
    assert [row[0] for row in _rows(body)] == ["E0042 changes the current plan", "E0043"]  # MOLD's seats, no PAINT
    assert world.writebacks.sent == [] and len(world.audit.for_finding("crew-0001")) == 1


CALLER = "3bbc4e83-7dd2-4a1b-9c3d-0123456789ab"
"""A caller named by their Plex id, as the audit keeps it."""

NAMED = PeopleDisplay(
    StaticPeopleDirectory(
        [
            Person("E0042", "E00024", "Ana Okafor"),
            Person("E0050", "E00050", "Lee Park"),
            Person("E0051", "E00051", "Ana Tanaka"),
            Person(CALLER, "E00061", "Sam Reyes"),
        ]
    )
)


def _empty_seat_after_a_call_off(world: World) -> None:
    """crew-0005: a seat a re-plan left empty after CALLER (Sam Reyes, E00061, by Plex id) called off."""
    recommendation(
        world,
        "crew-0005",
        "crew_unstaffed",
        note=f"After a call-off of {CALLER}: 1 seat at WC-10 for job J100001 operation 20, shift 1, stays empty",
        trigger=f"a call-off of {CALLER}",
        **{**SEGMENT, "segment": "op-8|1"},
        **CREW,
        seats=1,
        cause="qualified_busy",
    )


def test_the_board_names_people_where_the_audit_keeps_their_ids(world: World, lambda_context: Any) -> None:
    """The reason a swap records, a re-plan's note after a call-off and a refused swap's reason name people as the
    other pages do ("Ana Okafor (E00024)"), never by their Plex id."""
    _empty_seat_after_a_call_off(world)
    deps = dataclasses.replace(_with_replan(world, Replans()), people=NAMED)
    assert _swap(world, lambda_context, None, PLANNER, employee="E0050")["statusCode"] == 303  # E0050 for E0042

    body = _get(deps, PLANNER, {**DAY, "done": "swap"}, lambda_context)["body"]

    assert "swapped in by hand on the crew board for Ana Okafor (E00024)" in body
    assert "After a call-off of Sam Reyes (E00061): 1 seat at WC-10" in body
    assert CALLER not in body and "for E0042" not in body


def test_the_queue_and_item_page_name_the_person_a_replan_note_is_about(world: World, lambda_context: Any) -> None:
    """A re-plan's note keeps the caller's Plex id in the audit; the queue and the item page name them."""
    _empty_seat_after_a_call_off(world)
    deps = dataclasses.replace(web_deps(world), people=NAMED)

    for path in ("/queue", "/items/crew-0005"):
        body = call_web(deps, "GET", path, PLANNER, lambda_context)["body"]
        read = re.sub(r'<details class="plex-ids">.*?</details>', " ", body, flags=re.S)  # ids may show only there
        assert "After a call-off of Sam Reyes (E00061)" in read, path
        assert CALLER not in read, path


def test_a_refused_swap_names_the_person_in_its_reason(world: World, lambda_context: Any) -> None:
    _e0051_at_wc20(world)
    deps = dataclasses.replace(_with_replan(world, Replans()), people=NAMED)
    deps.review.clock = lambda: datetime(2026, 3, 4, 7, tzinfo=UTC)  # an hour into op-9's segment at WC-20
    form = {"item": "crew-0001", "employee": "E0051", "next": "/crew?day=2026-03-04&shift=1"}

    response = call_web(deps, "POST", "/crew/swap", PLANNER, lambda_context, form=form)

    # the address names them by employee number, not by Plex id; the board by name, as the viewer may see them
    location = response["multiValueHeaders"]["Location"][0]
    assert location == "/dev/crew?day=2026-03-04&shift=1&done=refused&why=started_elsewhere&who=E00051&at=WC-20"
    said = _refusal(deps, response, PLANNER, lambda_context)
    assert "Not swapped: Ana Tanaka (E00051) is at WC-20, on work that has started." in said


def test_a_refused_swaps_address_cannot_put_its_own_words_on_the_board(world: World, lambda_context: Any) -> None:
    query = {**DAY, "done": "refused", "why": "Your password expired", "at": "<b>x</b>"}
    body = _get(web_deps(world), PLANNER, query, lambda_context)["body"]
    assert "Not swapped: the swap was refused." in body and "password" not in body
    started = {**query, "why": "started_elsewhere"}  # a workcenter that is not a code is not shown
    assert "Not swapped: the swap was refused." in _get(web_deps(world), PLANNER, started, lambda_context)["body"]


def test_without_a_day_the_board_opens_on_the_next_shifts_plan(world: World, lambda_context: Any) -> None:
    """The clock is 2026-03-03 04:00 UTC (Mon 23:00 in Detroit); the fixture plans Wed 03-04."""
    body = _get(web_deps(world), PLANNER, {}, lambda_context)["body"]

    assert "The crew plan of Wed 2026-03-04" in body and _rows(body)  # not Tue 03-03 (today + 1): it has none


def test_without_a_day_the_board_opens_on_the_shift_running_now(world: World, lambda_context: Any) -> None:
    """A night shift of Mon 03-02 runs until 10:00 UTC on 03-03: the board opens on it while it runs, then on the
    next shift's plan (Wed's first)."""
    crew_assignment(
        world,
        "crew-0100",
        employee_id="E0070",
        segment="op-1|3",
        plan_day="2026-03-02",
        shift_code="3",
        start="2026-03-03T02:00:00+00:00",
        end="2026-03-03T10:00:00+00:00",
    )
    deps = web_deps(world)

    night = _get(deps, PLANNER, {}, lambda_context)["body"]
    deps.review.clock = lambda: datetime(2026, 3, 3, 11, tzinfo=UTC)  # the night shift is over
    after = _get(deps, PLANNER, {}, lambda_context)["body"]

    assert "The crew plan of Mon 2026-03-02" in night and "<h2>Shift 3" in night
    assert [row[0] for row in _rows(night)] == ["E0070"]
    assert "The crew plan of Wed 2026-03-04" in after and "<h2>Shift 1" in after


def test_a_day_without_plans_links_the_days_that_have_some(world: World, lambda_context: Any) -> None:
    body = _call(world, "GET", "/crew", PLANNER, lambda_context, query={"day": "2026-03-09"})["body"]

    assert "No crew suggestions for Mon 2026-03-09" in body
    assert 'Crew plans you may see: <a href="/dev/crew?day=2026-03-04">Wed 2026-03-04</a> (shift 1).' in body
    nobodys = {"cognito:username": "E0009", "cognito:groups": "supervisor"}  # no suggestion is theirs
    theirs = _call(world, "GET", "/crew", nobodys, lambda_context, query={"day": "2026-03-09"})["body"]
    assert "No crew plan you may see was published in the last days." in theirs and "2026-03-04" not in theirs


def test_the_change_figure_says_what_it_is_charged_against(world: World, lambda_context: Any) -> None:
    """After a re-plan the supervisor's plan is charged for every assignment that differs from the suggestions
    that stood before: the row must not call those "the current plan" (the board's name for the supervisor's)."""
    replanned: dict[str, Any] = {
        **{key: dict(value) for key, value in FIGURES.items() if key != "shifts"},
        "shifts": ["1"],
    }
    replanned["current"]["plan_change"] = 2100.0
    replanned["recommended"]["plan_change"] = replanned["greedy"]["plan_change"] = 700.0
    crew_assignment(world, "crew-0200", employee_id="E0080", segment="op-2|1", plan_figures=replanned)

    body = _call(world, "GET", "/crew", PLANNER, lambda_context, query=DAY)["body"]

    [label] = re.findall(r'<tr data-part="plan_change"><th scope="row">([^<]*)</th>', body)
    assert label == "Changes to the suggestions before this re-plan"
    assert "current plan" not in label
