"""The queue's bulk form and incident codings (ux141 #11): an incident's codes are confirmed or corrected on the
incident's page, never approved in the queue, so the form does not offer "Approve selected" where every item is
one, says so where some are, and a bulk approval that includes one names it as not decided and says why."""

from __future__ import annotations

from html import unescape
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from plexlabor.audit import AuditStatus
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, recommendation, web_deps
from tests.unit.webapp.viewers import ADMIN, EHS

CODES: dict[str, Any] = {"codes": {"nature": "0", "source": "6"}}


def _world(*, seat: bool = False) -> World:
    world = World()
    for incident in ("inc-0001", "inc-0002"):
        recommendation(
            world, incident, "incident_coding", record_key=f"incidents:{incident}", workcenter_code="WLD-03", **CODES
        )
    if seat:
        recommendation(world, "seat-0001", "crew_unstaffed", workcenter_code="ASM-04", shift_code="2", seats=1)
    return world


def test_a_queue_of_incident_codings_offers_no_bulk_approval_and_says_where_they_are_coded(lambda_context: Any) -> None:
    body = unescape(call_web(web_deps(_world()), "GET", "/queue", EHS, lambda_context)["body"])

    assert "Incident coding (2)" in body  # the items are listed
    assert 'value="approve"' not in body and 'value="reject"' in body
    assert "confirmed or corrected on the incident's own page" in body
    assert '/incidents/inc-0001">Code it on the incident' in body
    # the select-all label names only the button shown (ux_s16 #9: it named "Approve selected" too)
    assert "(Reject selected, at the foot of the screen, then decides every item listed here" in body
    assert "Approve selected" not in body


def test_a_mixed_page_offers_approval_and_says_it_leaves_the_incident_codings(lambda_context: Any) -> None:
    body = call_web(web_deps(_world(seat=True)), "GET", "/queue", ADMIN, lambda_context)["body"]

    assert 'value="approve"' in body
    assert "Approve selected leaves the incident codings undecided" in body
    assert "(Approve selected and Reject selected, at the foot of the screen, then decide every item" in body


def test_a_bulk_approval_with_incident_codings_says_which_were_not_decided_and_why(lambda_context: Any) -> None:
    # Given an admin who ticks everything and approves
    world = _world(seat=True)
    deps = web_deps(world)
    form = {"item": ["inc-0001", "seat-0001", "inc-0002"], "action": "approve"}
    answer = call_web(deps, "POST", "/queue", ADMIN, lambda_context, form=form)
    query = dict(parse_qsl(urlsplit(answer["multiValueHeaders"]["Location"][0]).query))
    body = unescape(str(call_web(deps, "GET", "/queue", ADMIN, lambda_context, query=query)["body"]))
    # Then the seat is approved, the incidents stay open, and the flash names them and says why in plain words
    assert "Approved 1: Short seat, ASM-04 · shift 2." in body
    assert "2 not decided: Incident coding, WLD-03" in body
    assert "an incident's codes are confirmed or corrected on its own page, not approved in the queue" in body
    assert "open one to see why" not in body
    for incident in ("inc-0001", "inc-0002"):
        latest = world.audit.latest_for_finding(incident)
        assert latest is not None and latest.status is AuditStatus.PENDING_APPROVAL
