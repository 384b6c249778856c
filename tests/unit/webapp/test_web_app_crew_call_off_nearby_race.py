"""A re-plan of the seat's shift that did not see the call-off next to it (review2_s16 #1): a message of shift 2 queued
just ahead of the call-off runs after it, before the call-off's `call_off_nearby`. Until 2026-12-06 its `applied`
event ended "re-plan pending": the board offered Accept on the called-off person's overtime seat and the approval went
to Plex. Only the `call_off_nearby`, or a re-plan begun after shift 1's re-plan applied the call-off, ends it now."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.replanning import applied_event
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web
from tests.unit.webapp.test_web_app_crew import Replans, _with_replan
from tests.unit.webapp.test_web_app_crew_call_off_day import FORM, SHIFT_2, _board, _row
from tests.unit.webapp.test_web_app_crew_call_off_nearby import world
from tests.unit.webapp.viewers import PLANNER

__all__ = ["world"]  # the fixture, used by name


def _called_off(world: World, lambda_context: Any) -> tuple[Any, ReplanMessage, ReplanMessage]:
    """E0042 called off shift 1 "this shift only" on the board: the web app's deps, the call-off and its nearby."""
    replans = Replans()
    deps = _with_replan(world, replans)
    form = FORM | {"for": "shift"}
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=form)["statusCode"] == 303
    [call_off, next_door] = replans.sent
    return deps, call_off, next_door


def _ahead(call_off: ReplanMessage) -> ReplanMessage:
    """A re-plan of shift 2 detected 30 s before the call-off (queued ahead of it)."""
    return ReplanMessage(
        reason="plan_changed", day=call_off.day, shift="2", detected_at=call_off.detected_at - timedelta(seconds=30)
    )


def test_a_re_plan_queued_ahead_of_the_call_off_leaves_the_seat_pending(world: World, lambda_context: Any) -> None:
    deps, call_off, _ = _called_off(world, lambda_context)
    world.clock.now += timedelta(seconds=5)
    world.audit.append(applied_event(_ahead(call_off), world.clock()))  # applied after the call-off, unaware

    own = _row(_board(deps, lambda_context, SHIFT_2), "E0042", "WC-20")
    assert "re-plan pending" in own and 'value="approve"' not in own
    accept = call_web(deps, "POST", "/items/crew-0201", PLANNER, lambda_context, form={"action": "approve"})
    assert accept["statusCode"] == 409 and "re-plan pending" in accept["body"]
    assert world.writebacks.sent == []


def test_a_re_plan_begun_after_the_call_off_was_applied_decides(world: World, lambda_context: Any) -> None:
    # crew_replan reads the call-offs of other shifts from their applied events: one begun after shift 1's saw it
    deps, call_off, _ = _called_off(world, lambda_context)
    world.clock.now += timedelta(seconds=5)
    world.audit.append(applied_event(call_off, world.clock()))
    world.clock.now += timedelta(seconds=5)
    world.audit.append(applied_event(_ahead(call_off), world.clock()))  # crew-0201 kept: not superseded

    own = _row(_board(deps, lambda_context, SHIFT_2), "E0042", "WC-20")
    assert "re-plan pending" not in own and 'value="approve"' in own
    accept = call_web(deps, "POST", "/items/crew-0201", PLANNER, lambda_context, form={"action": "approve"})
    assert accept["statusCode"] == 303
