"""A call-off recorded on the crew board is taken back (review 155 R3): its claim no longer holds once the person
clocks in (crew_replan lets it go: `replanning._release_call_offs`, tested in test_crew_replan_events) or once who
recorded it, or a planner, undoes it on the board (`POST /crew/calloff` with `undo`); then the person's seats of the
shift are accepted again. Before, every later seat of theirs that day was refused "called off shift 1" for good."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from plexlabor.crew.claims import SeatClaims
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, crew_assignment
from tests.unit.webapp.test_web_app_crew import SUPERVISOR, Replans, _decide, _with_replan, board_world
from tests.unit.webapp.viewers import PLANNER

CALL_OFF = {"day": "2026-03-04", "shift": "1", "employee": "E0042", "reason": "sick"}
UNDO = {"day": "2026-03-04", "shift": "1", "undo": "E0042"}


@pytest.fixture
def world() -> World:
    world = board_world()  # shift 1 of 2026-03-04: E0042 waiting, 06:00-14:30 UTC
    world.clock.now = datetime(2026, 3, 4, 9, 40, tzinfo=UTC)
    return world


def two_shift_world() -> World:
    """E0042 waiting in shift 1 (crew-0001) and shift 2 (crew-0200) of 2026-03-04, at 05:30, before shift 1 starts."""
    world = board_world()
    crew_assignment(
        world,
        "crew-0200",
        employee_id="E0042",
        segment="op-9|2",
        shift_code="2",
        workcenter_code="WC-30",
        start="2026-03-04T14:30:00+00:00",
        end="2026-03-04T22:30:00+00:00",
    )
    world.clock.now = datetime(2026, 3, 4, 5, 30, tzinfo=UTC)
    return world


def _called_off_then_back(world: World, lambda_context: Any) -> Any:
    """E0042's call-off recorded on the board by the planner; E0042 then turns up and crew_replan suggests them for a
    seat from 10:30, which is refused while the call-off holds."""
    deps = _with_replan(world, Replans())
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=CALL_OFF)["statusCode"] == 303
    world.clock.now = datetime(2026, 3, 4, 10, 20, tzinfo=UTC)
    crew_assignment(
        world,
        "crew-0100",
        employee_id="E0042",
        segment="op-12|1",
        workcenter_code="WC-30",
        start="2026-03-04T10:30:00+00:00",
        end="2026-03-04T14:30:00+00:00",
    )
    assert _decide(deps, "crew-0100", lambda_context, action="approve")["statusCode"] == 409
    return deps


def test_a_person_who_clocked_in_after_a_call_off_is_accepted_again(world: World, lambda_context: Any) -> None:
    deps = _called_off_then_back(world, lambda_context)

    # crew_replan's next read of the shift finds E0042 clocked in and lets the call-off go
    assert SeatClaims(world.audit).release_call_off("E0042", date(2026, 3, 4), "1", "crew_replan") is not None

    assert _decide(deps, "crew-0100", lambda_context, action="approve")["statusCode"] == 303
    assert [w.item_id for w in world.recommendations_sent] == ["crew-0100"]


def test_who_recorded_a_call_off_undoes_it_on_the_board_and_the_person_is_accepted_again(
    world: World, lambda_context: Any
) -> None:
    deps = _called_off_then_back(world, lambda_context)
    board = call_web(
        deps, "GET", "/crew", PLANNER, lambda_context, query={"day": "2026-03-04", "shift": "1", "done": "calloff"}
    )
    assert "Undo call-off" in board["body"]

    undone = call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=UNDO)

    assert undone["statusCode"] == 303
    assert "done=calloff_undone" in undone["multiValueHeaders"]["Location"][0]
    assert SeatClaims(world.audit).call_offs_held("E0042", date(2026, 3, 4)) == []  # the later shifts' too
    assert _decide(deps, "crew-0100", lambda_context, action="approve")["statusCode"] == 303
    assert [w.item_id for w in world.recommendations_sent] == ["crew-0100"]
    again = call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=UNDO)
    assert again["statusCode"] == 409 and "undone already, or they clocked in" in again["body"]


def test_another_supervisor_may_not_undo_a_call_off_and_a_form_without_its_day_is_a_400(
    world: World, lambda_context: Any
) -> None:
    deps = _called_off_then_back(world, lambda_context)

    refused = call_web(deps, "POST", "/crew/calloff", SUPERVISOR, lambda_context, form=UNDO)
    malformed = call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=UNDO | {"day": "soon"})

    assert refused["statusCode"] == 403 and "who recorded it, or a planner may undo it" in refused["body"]
    assert malformed["statusCode"] == 400 and "no valid day (YYYY-MM-DD)" in malformed["body"]
    assert [c.shift for c in SeatClaims(world.audit).call_offs_held("E0042", date(2026, 3, 4))] == ["1"]


def test_an_undo_on_a_later_shifts_board_leaves_the_earlier_shift_over_called_off(lambda_context: Any) -> None:
    # review 163 D3: the rest-of-day call-off's shift 1 (over, the absence real) was undone from shift 2's board
    world = two_shift_world()
    replans = Replans()
    deps = _with_replan(world, replans)
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=CALL_OFF)["statusCode"] == 303
    assert [m.shift for m in replans.sent] == ["1", "2"]  # the rest of the day
    world.clock.now = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)  # shift 1 is over; E0042 turns up for shift 2

    undone = call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=UNDO | {"shift": "2"})

    assert undone["statusCode"] == 303
    assert [(m.reason, m.shift) for m in replans.sent[2:]] == [("call_off_undone", "2")]
    assert [c.shift for c in SeatClaims(world.audit).call_offs_held("E0042", date(2026, 3, 4))] == ["1"]
    board = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query={"day": "2026-03-04", "shift": "1"})
    assert "Undo call-off" not in board["body"]  # a shift over keeps its call-off
    over = call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=UNDO)
    assert over["statusCode"] == 409 and "is over" in over["body"]
    assert [c.shift for c in SeatClaims(world.audit).call_offs_held("E0042", date(2026, 3, 4))] == ["1"]
