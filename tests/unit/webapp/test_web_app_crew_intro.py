"""The crew board's intro says what a seat that keeps the supervisor's plan is, as the day's plan was published
(ux164 #17: it promised an "As planned" control that does not exist with CREW_APPROVAL=all, the default)."""

from __future__ import annotations

import re
from typing import Any

from plexlabor.audit import AuditStatus
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, crew_assignment, web_deps
from tests.unit.webapp.viewers import PLANNER

DAY = {"day": "2026-03-04", "shift": "1"}


def _intro(world: World, lambda_context: Any) -> str:
    body = str(call_web(web_deps(world), "GET", "/crew", PLANNER, lambda_context, query=DAY)["body"])
    return " ".join(re.sub(r"<[^>]+>", " ", body.split('<p class="muted">', 1)[1].split("</p>", 1)[0]).split())


def test_with_every_seat_waiting_the_intro_promises_no_as_planned_state(lambda_context: Any) -> None:
    world = World()  # CREW_APPROVAL=all: every seat waits, the one keeping the plan as the one changing it
    crew_assignment(world, "crew-0001", employee_id="E0042", segment="op-7|1")
    crew_assignment(world, "crew-0002", employee_id="E0043", segment="op-8|1", changes_current_plan=True)
    intro = _intro(world, lambda_context)
    assert "As planned" not in intro and "as planned" not in intro
    assert "A seat that keeps the supervisor's current plan waits for a decision like the others" in intro


def test_with_seats_logged_as_planned_the_intro_says_what_they_are(lambda_context: Any) -> None:
    world = World()  # CREW_APPROVAL=changes: the seat that keeps the plan is logged
    crew_assignment(world, "crew-0001", employee_id="E0042", segment="op-7|1", changes_current_plan=True)
    crew_assignment(
        world, "crew-0002", employee_id="E0043", supervisor_id="E0001", segment="op-8|1", status=AuditStatus.LOGGED
    )
    assert "A seat “as planned” keeps the supervisor's current plan and is recorded without a decision" in _intro(
        world, lambda_context
    )
