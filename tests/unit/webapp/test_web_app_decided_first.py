"""ux_s15 #6: a decision that comes after someone else's says who decided first and when, wherever it is made. A bulk
approval named such an item only "(decided elsewhere, closed, or refused here: open one to see why)" while the item's
own page says "already approved by ... on ..."; a stale Reject from the crew board led to "Not decided" with no way
back to the board its form came from."""

from __future__ import annotations

from html import unescape
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, recommendation, web_deps
from tests.unit.webapp.viewers import PLANNER

OTHER = {"cognito:username": "P0002", "cognito:groups": "planner"}
BOARD = "/crew?day=2026-03-04&shift=2"


def _world() -> World:
    world = World()
    for seat in ("seat-0001", "seat-0002"):
        recommendation(world, seat, "crew_unstaffed", workcenter_code="ASM-04", shift_code="2", seats=1)
    return world


def test_a_bulk_approval_names_who_decided_an_item_first_and_when(lambda_context: Any) -> None:
    deps = web_deps(_world())
    assert (
        call_web(deps, "POST", "/items/seat-0001", OTHER, lambda_context, form={"action": "approve"})["statusCode"]
        == 303
    )

    form = {"item": ["seat-0001", "seat-0002"], "action": "approve"}
    location = call_web(deps, "POST", "/queue", PLANNER, lambda_context, form=form)["multiValueHeaders"]["Location"]
    query = dict(parse_qsl(urlsplit(location[0]).query))
    body = unescape(call_web(deps, "GET", "/queue", PLANNER, lambda_context, query=query)["body"])

    assert "Approved 1: Short seat, ASM-04 · shift 2." in body
    assert "Not decided: Short seat, ASM-04 · shift 2. This suggestion was already approved by P0002" in body
    assert "decided elsewhere, closed, or refused here" not in body


def test_a_stale_decision_from_the_crew_board_leads_back_to_it(lambda_context: Any) -> None:
    deps = web_deps(_world())
    call_web(deps, "POST", "/items/seat-0001", OTHER, lambda_context, form={"action": "approve"})

    stale = {"action": "reject", "reason": "covered", "next": BOARD}
    refused = call_web(deps, "POST", "/items/seat-0001", PLANNER, lambda_context, form=stale)

    assert refused["statusCode"] == 409
    assert "already approved by P0002" in unescape(refused["body"])
    assert '<a href="/dev/crew?day=2026-03-04&amp;shift=2">Back to the crew board</a>' in refused["body"]
