"""The crew board and the removal from Plex of an accepted seat a call-off of another shift rules out (issue 16, after
9ea51f20): E0042's accepted overtime seat in shift 2 starts as shift 1 ends; E0042 calls off shift 1 and the re-plan of
shift 2 opens the seat's removal. Until 2026-12-06 the board read only call-offs of the seat's own shift: the row kept
saying "...: re-plan pending ... accepted" after the re-plan, showed no removal, did not count the seat as withdrawn
and offered no Retry once Plex refused the removal. Now it reads like the removal of a person off the seat's shift."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from plexlabor.approval.messages import RecommendationWriteback
from plexlabor.crew.messages import nearby
from plexlabor.crew.removals import open_removals
from plexlabor.crew.replanning import applied_event
from plexlabor.crew.stretches import CalledOff, RuledOut
from plexlabor.crew.suggestions import read_day
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, crew_assignment
from tests.unit.webapp.test_web_app_crew import Replans, _with_replan
from tests.unit.webapp.test_web_app_crew_call_off_day import FORM, SHIFT_2, _board, _row, _text
from tests.unit.webapp.test_web_app_crew_call_off_nearby import SEGMENT_1, world
from tests.unit.webapp.test_web_app_crew_removals import _Plex, _totals, _written_back
from tests.unit.webapp.viewers import PLANNER

__all__ = ["world"]  # the fixture, used by name

DAY = date(2026, 3, 4)
ZONE = ZoneInfo("America/Detroit")
NOTE = "called off shift 1 at 04:40 (family or personal); this seat starts as that shift ends"


def _accepted_then_called_off(world: World, lambda_context: Any) -> tuple[Any, Replans]:
    """E0042's overtime seat in shift 2 (crew-0201) accepted and written to Plex, then E0042 called off shift 1 'this
    shift only' on the board (the re-plan of shift 2 not run yet)."""
    replans = Replans()
    deps = _with_replan(world, replans)
    accept = call_web(deps, "POST", "/items/crew-0201", PLANNER, lambda_context, form={"action": "approve"})
    assert accept["statusCode"] == 303
    _written_back(world, "custom_object")
    form = FORM | {"for": "shift", "reason": "family"}
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=form)["statusCode"] == 303
    return deps, replans


def _replanned(world: World, replans: Replans) -> str:
    """crew_replan's runs of the call-off (shift 1) and of its re-plan of shift 2 (`call_off_nearby`), a minute
    later: their applied events and the removal the second opens for the seat (`open_removals` with what
    `stretches.ruled_out` names); the removal's id."""
    [call_off, next_door] = replans.sent
    world.clock.now += timedelta(minutes=1)
    world.audit.append(applied_event(call_off, world.clock()))
    off = CalledOff("E0042", DAY, "1", call_off.detected_at, "family")
    ruled = {("op-8|2", "E0042"): RuledOut(off, "starts as that shift ends")}
    read = read_day(world.audit, DAY)
    assert open_removals(world.audit, read, "2", {}, world.clock(), ZONE, {"op-8|2"}, ruled).count == 1
    world.audit.append(applied_event(next_door, world.clock()))
    [removal] = read_day(world.audit, DAY).removals
    return removal.event_id


def test_the_seat_reads_re_plan_pending_until_the_re_plan_then_its_removal_waiting(
    world: World, lambda_context: Any
) -> None:
    deps, replans = _accepted_then_called_off(world, lambda_context)
    # before the re-plan: marked pending, counted withdrawn, its removal opens with the re-plan
    row = _text(_row(_board(deps, lambda_context, SHIFT_2), "E0042", "WC-20"))
    assert f"{NOTE}: re-plan pending" in row
    assert "accepted, then called off shift 1 at 04:40: its removal from Plex opens with the re-plan" in row

    _replanned(world, replans)

    body = _board(deps, lambda_context, SHIFT_2)
    row = _text(_row(body, "E0042", "WC-20"))
    assert "re-plan pending" not in row and f"{NOTE}: re-planned" in row
    assert "accepted, then called off shift 1 at 04:40: removal from Plex waiting for approval" in row
    assert "Decide the removal" in row
    assert "1 removal from Plex waiting for a supervisor's approval in the review queue" in _totals(body)
    assert "1 seat accepted, then called off" in _totals(body) and "0 accepted" in _totals(body)


def test_a_refused_removal_of_such_a_seat_is_retried_from_the_board(world: World, lambda_context: Any) -> None:
    deps, replans = _accepted_then_called_off(world, lambda_context)
    removal = _replanned(world, replans)
    assert (
        call_web(deps, "POST", f"/items/{removal}", PLANNER, lambda_context, form={"action": "approve"})["statusCode"]
        == 303
    )
    _written_back(world, "custom_object", _Plex(refusing=True))  # the removal: Plex answers 400

    row = _row(_board(deps, lambda_context, SHIFT_2), "E0042", "WC-20")
    assert "accepted, then called off shift 1 at 04:40: not removed: Plex refused it (" in _text(row)
    assert "Retry the removal" in row and f'value="{removal}"' in row
    form = {"item": removal, "next": "/crew?day=2026-03-04&shift=2"}
    retried = call_web(deps, "POST", "/crew/removal", PLANNER, lambda_context, form=form)
    assert retried["statusCode"] == 303
    sent = [m for m in world.writebacks.sent if isinstance(m, RecommendationWriteback)]
    assert sent[-1].item_id not in (removal, "crew-0201")


def test_once_the_call_off_is_undone_the_seat_stands_accepted_and_its_shift_is_re_planned_with_them_back(
    world: World, lambda_context: Any
) -> None:
    deps, replans = _accepted_then_called_off(world, lambda_context)
    _replanned(world, replans)
    undo = {"undo": "E0042", "day": "2026-03-04", "shift": "1"}

    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=undo)["statusCode"] == 303

    body = _board(deps, lambda_context, SHIFT_2)
    row = _text(_row(body, "E0042", "WC-20"))
    assert "called off" not in row and "accepted" in row and "withdrawn" not in _totals(body)
    # the undo of shift 1, then (FIFO) the re-plan of shift 2, whose seat the call-off took, with E0042 back
    [call_off, next_door, undone, back] = replans.sent
    assert next_door == nearby(call_off, DAY, "2")
    assert (undone.reason, undone.shift) == ("call_off_undone", "1")
    assert back == nearby(undone, DAY, "2")
    assert (back.off_day, back.off_shift, back.employee_id) == (DAY, "1", "E0042")


def test_an_undo_re_plans_no_shift_next_door_where_the_call_off_took_nothing(world: World, lambda_context: Any) -> None:
    # E0044 holds shift 2's seat at WC-21 within their scheduled shift: their call-off of shift 1 takes nothing there
    crew_assignment(world, "crew-0103", employee_id="E0044", segment="op-3|1", workcenter_code="WC-11", **SEGMENT_1)
    replans = Replans()
    deps = _with_replan(world, replans)
    form = FORM | {"for": "shift", "employee": "E0044"}
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=form)["statusCode"] == 303
    undo = {"undo": "E0044", "day": "2026-03-04", "shift": "1"}

    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=undo)["statusCode"] == 303

    assert [(m.reason, m.shift) for m in replans.sent] == [("call_off", "1"), ("call_off_undone", "1")]


def test_an_undo_before_the_re_plan_next_door_ran_re_plans_that_shift_too(world: World, lambda_context: Any) -> None:
    # E0042's waiting overtime seat in shift 2: the call-off's re-plan of shift 2 is on the queue, not run yet
    replans = Replans()
    deps = _with_replan(world, replans)
    form = FORM | {"for": "shift", "reason": "family"}
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=form)["statusCode"] == 303
    undo = {"undo": "E0042", "day": "2026-03-04", "shift": "1"}

    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=undo)["statusCode"] == 303

    [_, _, undone, back] = replans.sent
    assert back == nearby(undone, DAY, "2")
