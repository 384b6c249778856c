"""Deciding many at once (ux104 #16): "Select all on this page" decides every item the page listed, ticked
or not; approving an item that changes nothing in Plex (a short seat, an overtime projection) says in plain
words what approving means, on its page and beside the queue's buttons."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from plexlabor.audit import AuditStatus
from plexlabor.review.items import APPROVING_MEANS
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, recommendation, web_deps
from tests.unit.webapp.viewers import PLANNER

SEATS = ["seat-0001", "seat-0002", "seat-0003"]


def _world() -> World:
    world = World()
    for seat in SEATS:
        recommendation(world, seat, "crew_unstaffed", workcenter_code="ASM-04", shift_code="2", seats=1)
    recommendation(world, "ot-0001", "overtime_projection", department="MAINT")
    return world


def _status(world: World, item_id: str) -> AuditStatus:
    latest = world.audit.latest_for_finding(item_id)
    assert latest is not None
    return latest.status


def test_the_queue_offers_select_all_on_this_page_with_the_pages_items(lambda_context: Any) -> None:
    body = call_web(web_deps(_world()), "GET", "/queue", PLANNER, lambda_context)["body"]

    assert '<input type="checkbox" name="all_on_page" value="1">' in body and "Select all 4 on this page" in body
    for item_id in [*SEATS, "ot-0001"]:
        assert f'<input type="hidden" name="on_page" value="{item_id}">' in body


def test_select_all_decides_every_item_the_page_listed_ticked_or_not(lambda_context: Any) -> None:
    world = _world()
    form = {"all_on_page": "1", "on_page": SEATS, "item": ["seat-0002"], "action": "approve"}

    response = call_web(web_deps(world), "POST", "/queue", PLANNER, lambda_context, form=form)

    did = "%2C".join(SEATS)
    assert response["multiValueHeaders"]["Location"] == [f"/dev/queue?done=approve&did={did}&decided=3&failed=0"]
    assert [_status(world, seat) for seat in SEATS] == [AuditStatus.APPROVED] * 3
    assert _status(world, "ot-0001") is AuditStatus.PENDING_APPROVAL  # not listed with the form


def test_without_select_all_only_the_ticked_items_are_decided(lambda_context: Any) -> None:
    world = _world()
    form = {"on_page": SEATS, "item": ["seat-0002"], "action": "approve"}

    call_web(web_deps(world), "POST", "/queue", PLANNER, lambda_context, form=form)

    assert [_status(world, seat) for seat in SEATS] == [
        AuditStatus.PENDING_APPROVAL,
        AuditStatus.APPROVED,
        AuditStatus.PENDING_APPROVAL,
    ]


def test_a_refused_select_all_comes_back_with_its_items_ticked_not_the_box(lambda_context: Any) -> None:
    form = {"all_on_page": "1", "on_page": SEATS, "action": "reject", "reason": ""}

    response = call_web(web_deps(_world()), "POST", "/queue", PLANNER, lambda_context, form=form)

    assert response["statusCode"] == 400 and "needs a reason" in response["body"]
    assert '<input type="checkbox" name="all_on_page" value="1">' in response["body"]  # not ticked again
    ticked = re.findall(r'<input type="checkbox" name="item" value="([^"]+)" id="[^"]+" checked', response["body"])
    assert sorted(ticked) == SEATS


def test_a_refused_select_all_on_page_2_sent_again_decides_only_page_2s_items(lambda_context: Any) -> None:
    world = World()
    seats = [f"seat-{n:04d}" for n in range(130)]
    for seat in seats:
        recommendation(world, seat, "crew_unstaffed", workcenter_code="ASM-04", shift_code="2", seats=1)
    deps = web_deps(world)
    page_2 = call_web(deps, "GET", "/queue", PLANNER, lambda_context, query={"page": "2"})["body"]
    listed = re.findall(r'name="on_page" value="([^"]+)"', page_2)
    action = re.search(r'<form method="post" action="/dev/queue([^"]*)"', page_2)
    assert action is not None and action.group(1) == "?page=2" and len(listed) == 30

    form = {"all_on_page": "1", "on_page": listed, "action": "reject", "reason": ""}
    refused = call_web(deps, "POST", "/queue", PLANNER, lambda_context, query={"page": "2"}, form=form)["body"]
    ticked = re.findall(r'<input type="checkbox" name="item" value="([^"]+)" id="[^"]+" checked', refused)
    resent = {"item": ticked, "on_page": re.findall(r'name="on_page" value="([^"]+)"', refused)}
    call_web(deps, "POST", "/queue", PLANNER, lambda_context, form={**resent, "action": "reject", "reason": "r"})

    rejected = {seat for seat in seats if _status(world, seat) is AuditStatus.REJECTED}
    assert rejected == set(listed)


def test_approving_advice_says_what_approving_means_in_plain_words(lambda_context: Any) -> None:
    deps = web_deps(_world())

    seat = call_web(deps, "GET", "/items/seat-0001", PLANNER, lambda_context)["body"]
    projection = call_web(deps, "GET", "/items/ot-0001", PLANNER, lambda_context)["body"]
    queue = call_web(deps, "GET", "/queue", PLANNER, lambda_context)["body"]

    assert "each seat here stays empty" in seat and "nobody is assigned" in seat
    assert "accept this projection" in projection and "no hours are booked" in projection
    for page in (seat, projection):
        assert "approving confirms the suggestion" not in page
    assert "What approving means" in queue
    assert "Short seat</strong>: " + APPROVING_MEANS["crew_unstaffed"] in queue
    assert "Overtime projection</strong>: " + APPROVING_MEANS["overtime_projection"] in queue


def _after(deps: Any, form: dict[str, Any], lambda_context: Any) -> str:
    """The queue a bulk decision's answer leads to."""
    location = call_web(deps, "POST", "/queue", PLANNER, lambda_context, form=form)["multiValueHeaders"]["Location"]
    query = dict(parse_qsl(urlsplit(location[0]).query))
    return str(call_web(deps, "GET", "/queue", PLANNER, lambda_context, query=query)["body"])


def test_the_bulk_flash_says_what_was_done_and_to_which_items(lambda_context: Any) -> None:
    # Given a planner who approves two short seats and an item that is gone (ux119 #14)
    deps = web_deps(_world())
    body = _after(deps, {"item": ["seat-0001", "seat-0002", "gone-1"], "action": "approve"}, lambda_context)
    # Then the flash says "Approved", names each decided item, and counts the one not decided
    assert "Approved 2: Short seat, ASM-04 · shift 2; Short seat, ASM-04 · shift 2. 1 not decided" in body
    assert "(decided elsewhere, closed, or refused here: open one to see why)" in body
    assert "2 decided." not in body
    # and a rejection says so
    reject = {"item": ["seat-0003"], "action": "reject", "reason": "the seat is covered"}
    assert "Rejected 1: Short seat, ASM-04 · shift 2." in _after(deps, reject, lambda_context)
