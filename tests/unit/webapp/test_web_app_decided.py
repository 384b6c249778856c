"""After a decision the page that opens names the item just decided (ux104 #3): "Rejected: Missed punch,
E0002. Next:" above the next item, or on the queue when nothing else waits; never from a query alone."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import (
    call_web,
    crew_assignment,
    finding_event,
    notified_finding,
    recommendation,
    web_deps,
)
from tests.unit.webapp.viewers import ADMIN, PLANNER, SUPERVISOR

FIRST, SECOND = "f-000000000000000000000001", "f-000000000000000000000002"


def _follow(world: World, response: dict[str, Any], claims: dict[str, Any], lambda_context: Any) -> str:
    """The page the decision's 303 sends the browser to."""
    assert response["statusCode"] == 303
    location = urlsplit(response["multiValueHeaders"]["Location"][0])
    query = dict(part.split("=", 1) for part in location.query.split("&"))
    path = location.path.removeprefix("/dev")
    return str(call_web(web_deps(world), "GET", path, claims, lambda_context, query=query)["body"])


def test_the_next_item_opens_under_a_line_naming_the_item_just_decided(lambda_context: Any) -> None:
    world = World()
    finding_event(world, FIRST, confidence=0.93, severity="high")
    finding_event(world, SECOND, confidence=0.95, severity="low")
    notified_finding(world, FIRST)
    form = {"action": "reject", "reason": "she forgot her badge"}

    decided = call_web(web_deps(world), "POST", f"/items/{FIRST}", SUPERVISOR, lambda_context, form=form)
    body = _follow(world, decided, SUPERVISOR, lambda_context)

    line = "Rejected: Missed punch, E0002. Next:"
    assert line in body and body.index(line) < body.index("<h1>")  # above the next item's heading
    assert f"/items/{SECOND}" in body  # the next item's form


def test_the_last_decision_is_named_on_the_queue_when_nothing_else_waits(lambda_context: Any) -> None:
    world = World()
    crew_assignment(world)

    decided = call_web(web_deps(world), "POST", "/items/crew-0001", PLANNER, lambda_context, form={"action": "approve"})
    body = _follow(world, decided, PLANNER, lambda_context)

    assert "Approved: Crew assignment, WC-10 · shift 1 · Wed 2026-03-04. Nothing else waits for you." in body


def test_an_item_nobody_decided_is_not_announced(lambda_context: Any) -> None:
    world = World()
    finding_event(world, FIRST, confidence=0.93, severity="high")
    finding_event(world, SECOND, confidence=0.95, severity="low")

    query = {"decided": SECOND}
    body = call_web(web_deps(world), "GET", f"/items/{FIRST}", SUPERVISOR, lambda_context, query=query)["body"]

    assert "Next:" not in body and "Approved:" not in body and "Rejected:" not in body


def test_a_decided_incident_is_named_by_its_workcenter_day_and_reporter(lambda_context: Any) -> None:
    """L3 (ux113): not only "Approved: Incident coding. Next:" (an incident's codes are only rejected here)."""
    world = World()
    reject = {"action": "reject", "reason": "a duplicate of yesterday's report"}
    incident: dict[str, Any] = {
        "incident": {"kind": "injury", "narrative": "caught a finger"},
        "codes": {"event_division": "6"},
        "coding": [{"field": "event_division", "code": "6", "confidence": 0.5}],
    }
    recommendation(
        world,
        "inc-0001",
        "incident_coding",
        record_key="incidents:inc-0001",
        workcenter_code="PRESS4",
        as_of="2026-11-20",
        **incident,
    )

    decided = call_web(web_deps(world), "POST", "/items/inc-0001", ADMIN, lambda_context, form=reject)
    body = _follow(world, decided, ADMIN, lambda_context)

    assert "Rejected: Incident coding, PRESS4 · Fri 2026-11-20, reported by crew_planner." in body
