"""The crew board (`/crew`, issue 10): a day's crew suggestions per shift as the audit table holds them, each
with its state; a waiting one accepted or rejected in place through the review queue's decision, which comes
back to the board; who sees what; a `next` that is not the board is ignored; "re-plan the rest of the shift"
sends crew_replan a plan_changed message."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest

from functions.web_app import handler as web_app
from plexlabor.audit import AuditStatus
from plexlabor.audit.events import expiry_event, recommendation_event
from plexlabor.crew.messages import ReplanMessage
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import crew_assignment, recommendation, web_deps, web_event

PLANNER = {"cognito:username": "P0001", "cognito:groups": "planner"}
SUPERVISOR = {"cognito:username": "E0001", "cognito:groups": "supervisor"}
HR = {"cognito:username": "H0001", "cognito:groups": "hr"}
DAY = {"day": "2026-03-04", "shift": "1"}
PRICED = {"value": 500.0, "labor_cost": 160.0, "fatigue": 10.0, "changeover": 20.0, "walking": 5.0}
SEGMENT = {"segment": "op-7|1", "job_no": "J100001", "operation_code": "20", "end": "2026-03-04T14:30:00+00:00"}


@pytest.fixture
def world() -> World:
    world = World()
    # Two people suggested for one segment: one moved there (waiting), one as the supervisor planned (logged)
    crew_assignment(
        world,
        "crew-0001",
        employee_id="E0042",
        supervisor_id="E0001",
        reasons=["certified L2 PRESS (valid to 2027-01-01)", "104% efficiency there over 90 days"],
        changes_current_plan=True,
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
    event = web_event(method, path, authorizer={"claims": claims}, **kw)
    return web_app.handler(event, lambda_context, dependencies=web_deps(world))


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
    assert "1 seat(s) stay empty (qualified busy)" in body
    # the shift's figures: 16 h, (500 - 195) x 2 = 610 dollars after the costs, one waiting, one seat short
    assert "16.0 h assigned, worth $610" in body and "1 waiting, 0 accepted, 0 rejected; 1 seat(s) stay empty" in body
    assert body.count('action="/dev/items/crew-0001"') == 2  # accept and reject: only the waiting one
    assert "crew-0002" not in body


def test_accepting_on_the_board_decides_through_the_queue_and_comes_back(world: World, lambda_context: Any) -> None:
    back = "/crew?day=2026-03-04&shift=1"
    response = _call(
        world, "POST", "/items/crew-0001", PLANNER, lambda_context, form={"action": "approve", "next": back}
    )

    assert response["statusCode"] == 303
    assert response["multiValueHeaders"]["Location"] == [f"/dev{back}&done=approve"]
    [sent] = world.writebacks.sent  # the same path as the queue: the write to Plex is queued first
    assert sent.item_id == "crew-0001"
    body = _call(world, "GET", "/crew", PLANNER, lambda_context, query={**DAY, "done": "approve"})["body"]
    assert ("E0042 changes the current plan", "8.0", "accepted by P0001") in _rows(body) and "Approved." in body


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
    response = _call(
        world,
        "POST",
        "/items/crew-0001",
        PLANNER,
        lambda_context,
        form={"action": "approve", "next": "https://elsewhere.example/crew"},
    )

    assert response["statusCode"] == 303
    assert "elsewhere" not in response["multiValueHeaders"]["Location"][0]


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
    board = web_app.handler(
        web_event("GET", "/crew", query=DAY, authorizer={"claims": PLANNER}), lambda_context, dependencies=deps
    )["body"]
    assert 'action="/dev/crew/replan"' in board and "Re-plan the rest of shift 1" in board

    response = web_app.handler(
        web_event("POST", "/crew/replan", form={"day": "2026-03-04", "shift": "1"}, authorizer={"claims": PLANNER}),
        lambda_context,
        dependencies=deps,
    )

    assert response["statusCode"] == 303
    assert response["multiValueHeaders"]["Location"] == ["/dev/crew?day=2026-03-04&shift=1&done=replan"]
    [sent] = replans.sent
    assert (sent.reason, sent.day.isoformat(), sent.shift) == ("plan_changed", "2026-03-04", "1")


@pytest.mark.parametrize(
    ("form", "claims", "status"),
    [
        ({"day": "04/03/2026", "shift": "1"}, PLANNER, 400),  # a day that is not YYYY-MM-DD
        ({"day": "2026-03-04", "shift": ""}, PLANNER, 400),
        ({"day": "2026-03-04", "shift": "1"}, HR, 403),
    ],
)
def test_a_bad_re_plan_request_sends_nothing(
    world: World, lambda_context: Any, form: dict[str, str], claims: dict[str, Any], status: int
) -> None:
    replans = Replans()
    response = web_app.handler(
        web_event("POST", "/crew/replan", form=form, authorizer={"claims": claims}),
        lambda_context,
        dependencies=_with_replan(world, replans),
    )

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
