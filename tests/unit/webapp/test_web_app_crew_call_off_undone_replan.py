"""An undo of a call-off on the crew board tells crew_replan (a `call_off_undone` per shift the call-off covered, on
the replan queue), so its re-plans take the person back; the board lists the call-off "undone at … by …" with no Undo
button, before and after the re-plan. A queue that cannot be reached is a 503 and lets nothing go. Before, crew_replan
was not told, and the board kept listing a call-off a re-plan applied with an Undo button that gave a 409."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from plexlabor.crew.claims import SeatClaims
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.replanning import applied_event
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web
from tests.unit.webapp.test_web_app_crew import Replans, _with_replan, board_world
from tests.unit.webapp.test_web_app_crew_call_off_undo import CALL_OFF, UNDO
from tests.unit.webapp.viewers import PLANNER

BOARD = {"day": "2026-03-04", "shift": "1"}


class DownQueue(Replans):
    def send(self, message: ReplanMessage) -> None:
        if message.reason == "call_off_undone":
            raise ConnectionError("replan queue unreachable")
        super().send(message)


@pytest.fixture
def world() -> World:
    world = board_world()  # shift 1 of 2026-03-04: E0042 waiting, 06:00-14:30 UTC
    world.clock.now = datetime(2026, 3, 4, 9, 40, tzinfo=UTC)
    return world


def _called_off_and_replanned(world: World, replans: Replans, lambda_context: Any) -> Any:
    """E0042's call-off recorded on the board by the planner, and crew_replan's re-plans of it applied."""
    deps = _with_replan(world, replans)
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=CALL_OFF)["statusCode"] == 303
    for message in replans.sent:
        world.audit.append(applied_event(message, world.clock.now))
    world.clock.now += timedelta(minutes=5)
    return deps


def _board(deps: Any, lambda_context: Any) -> str:
    """The board as it is now (after a board form, `done`: read fresh)."""
    query = BOARD | {"done": "calloff"}
    return str(call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=query)["body"])


def test_an_undo_tells_crew_replan_and_the_board_lists_the_call_off_undone(world: World, lambda_context: Any) -> None:
    replans = Replans()
    deps = _called_off_and_replanned(world, replans, lambda_context)
    called_off = [m.shift for m in replans.sent]
    assert "Undo call-off" in _board(deps, lambda_context)

    undone = call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=UNDO)

    assert undone["statusCode"] == 303
    undos = [m for m in replans.sent if m.reason == "call_off_undone"]
    assert [(m.shift, m.employee_id, m.reported_by) for m in undos] == [(s, "E0042", "P0001") for s in called_off]
    before_replan = _board(deps, lambda_context)
    assert "undone at" in before_replan and "Undo call-off" not in before_replan
    for message in undos:  # crew_replan's re-plans of the undo
        world.audit.append(applied_event(message, world.clock.now))
    after_replan = _board(deps, lambda_context)
    assert "undone at" in after_replan and "by P0001" in after_replan
    assert "Undo call-off" not in after_replan

    world.clock.now += timedelta(minutes=5)  # they leave again: a call-off may be recorded again, and undone
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=CALL_OFF)["statusCode"] == 303
    assert "Undo call-off" in _board(deps, lambda_context)


def test_an_undo_the_replan_queue_cannot_take_is_a_503_and_lets_nothing_go(world: World, lambda_context: Any) -> None:
    replans = DownQueue()
    deps = _called_off_and_replanned(world, replans, lambda_context)
    held = [c.shift for c in SeatClaims(world.audit).call_offs_held("E0042", date(2026, 3, 4))]

    refused = call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=UNDO)

    assert refused["statusCode"] == 503 and "could not be sent to the crew planner" in refused["body"]
    assert [c.shift for c in SeatClaims(world.audit).call_offs_held("E0042", date(2026, 3, 4))] == held
    assert "Undo call-off" in _board(deps, lambda_context)


def test_an_undo_whose_re_plan_gave_no_seat_says_why(world: World, lambda_context: Any) -> None:
    """ux164 #2's follow-up: the undo's re-plan could not place the person; the board says why, as empty seats do."""
    replans = Replans()
    deps = _called_off_and_replanned(world, replans, lambda_context)
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=UNDO)["statusCode"] == 303
    why = "each seat they may take is worth more with the person planned there"
    for message in (m for m in replans.sent if m.reason == "call_off_undone"):
        world.audit.append(applied_event(message, world.clock.now, why))
    assert f"the re-plan gave them no seat: {why}" in " ".join(_board(deps, lambda_context).split())
