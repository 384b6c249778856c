"""Deciding an item someone else decided a moment before (two tabs, a planner and a supervisor on one queue, a
second tap) is a 409 saying who decided it, when and how, with a link to its page; it was a bare 404 "no longer open,
or it is not yours to decide" (ux_s14 #19). Someone who may not see the item still gets the 404."""

from __future__ import annotations

import re
from typing import Any

import pytest

from plexlabor.audit import AuditEventType
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, closed, recommendation, web_deps
from tests.unit.webapp.viewers import ADMIN, ASSEMBLY, PLANNER

SEAT = "seat-0001"
WHEN = r"\w{3} \d{4}-\d{2}-\d{2} \d{2}:\d{2} [A-Z]{3,4}"
"""When, as the pages show a time (plant time with its date and zone)."""


@pytest.fixture
def world() -> World:
    world = World()
    recommendation(world, SEAT, "crew_unstaffed", workcenter_code="WC-10", shift_code="1", plan_day="2026-03-04")
    return world


def _decide(world: World, claims: dict[str, Any], ctx: Any, **form: str) -> dict[str, Any]:
    return call_web(web_deps(world), "POST", f"/items/{SEAT}", claims, ctx, form=form)


def _decisions(world: World) -> list[Any]:
    return [e for e in world.audit.for_finding(SEAT) if e.event_type is AuditEventType.DECISION]


@pytest.mark.parametrize(("action", "noun"), [("approve", "approval"), ("reject", "rejection")])
def test_a_decision_on_an_item_another_person_decided_says_who_and_when(
    world: World, lambda_context: Any, action: str, noun: str
) -> None:
    # Given the admin rejected the short seat the planner has open in another tab
    first = _decide(world, ADMIN, lambda_context, action="reject", reason="no job that day")
    assert first["statusCode"] == 303
    # When the planner decides it from the page opened before
    refused = _decide(world, PLANNER, lambda_context, action=action, reason="staffed by hand")
    # Then a 409 says who decided it, when and why, that nothing was recorded, and leads to the item's page
    assert refused["statusCode"] == 409, refused["body"]
    body = str(refused["body"])
    said = f"This suggestion was already rejected by A0001 on {WHEN} \\(no job that day\\). Your {noun} was not"
    assert re.search(said, body), body
    assert f'<a href="/dev/items/{SEAT}">Open the suggestion</a>' in body
    assert len(_decisions(world)) == 1


def test_an_item_decided_from_elsewhere_names_that_decision(world: World, lambda_context: Any) -> None:
    closed(world, SEAT)  # approved by E0100 (the mailed link, another container)

    refused = _decide(world, PLANNER, lambda_context, action="approve")

    assert refused["statusCode"] == 409
    assert re.search(f"This suggestion was already approved by E0100 on {WHEN}.", str(refused["body"]))


def test_someone_who_may_not_see_the_item_is_told_nothing_of_it(world: World, lambda_context: Any) -> None:
    closed(world, SEAT)

    refused = _decide(world, ASSEMBLY, lambda_context, action="approve")

    assert refused["statusCode"] == 404
    assert "already" not in refused["body"] and "Open the suggestion" not in refused["body"]
