"""ux_verify_s16 H: a swap pressed within the board's read window (`BOARD_TTL_S`) after a re-plan replaced the
suggestion was refused "Not swapped: This suggestion is no longer waiting: only a waiting one is swapped here.",
which did not say why; the board now names the re-plan and when it replaced the suggestion."""

from __future__ import annotations

from typing import Any

from plexlabor.audit.events import expiry_event
from plexlabor.crew.suggestions import REPLAN_ACTOR
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import web_deps
from tests.unit.webapp.test_web_app_crew import Replans, _decide, _refusal, _swap, board_world
from tests.unit.webapp.test_web_app_crew_board_ux_s13 import _text
from tests.unit.webapp.viewers import PLANNER


def test_a_swap_of_a_suggestion_a_re_plan_replaced_says_which_re_plan_and_when(lambda_context: Any) -> None:
    world: World = board_world()  # crew-0001: E0042 waiting on op-7|1, offering E0050
    replaced_at = world.clock()
    world.audit.append(
        expiry_event(
            "jobs:crew-0001",
            "crew-0001",
            occurred_at=replaced_at,
            actor=REPLAN_ACTOR,
            payload={
                "kind": "crew_assignment",
                "superseded_by": REPLAN_ACTOR,
                "replaced_after": "a call-off of E0051",
                "replan_employee_id": "E0051",
            },
        )
    )

    response = _swap(world, lambda_context, Replans(), PLANNER, employee="E0050")

    said = _text(_refusal(web_deps(world), response, PLANNER, lambda_context))
    at = replaced_at.astimezone(web_deps(world).zone).strftime("%H:%M")
    assert f"Not swapped: a re-plan after a call-off of E0051 replaced this suggestion at {at}; reload to see" in said
    assert "no longer waiting" not in said
    assert world.recommendations_sent == []


def test_a_swap_of_a_suggestion_decided_meanwhile_says_so_lower_case_after_the_colon(lambda_context: Any) -> None:
    world = board_world()
    _decide(web_deps(world), "crew-0001", lambda_context, action="reject", reason="no")

    response = _swap(world, lambda_context, Replans(), PLANNER, employee="E0050")

    said = _text(_refusal(web_deps(world), response, PLANNER, lambda_context))
    assert "Not swapped: this suggestion is no longer waiting: only a waiting one is swapped here." in said
