"""The crew board's re-plan (`POST /crew/replan`; review 123, defect 8): asked only for a shift the viewer's board of
the day has suggestions of and that is not over; otherwise a 400 saying why, and nothing sent to crew_replan. The
board's own button is shown only for a shift it may re-plan."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web
from tests.unit.webapp.test_web_app_crew import DAY, Replans, _with_replan, board_world
from tests.unit.webapp.viewers import PLANNER


@pytest.fixture
def world() -> World:
    return board_world()  # shift 1 of 2026-03-04 planned, its seats 06:00-14:30 UTC; the clock the day before


@pytest.mark.parametrize(
    ("form", "why"),
    [
        ({"day": "2026-03-04", "shift": "2"}, "shift 2 of 2026-03-04 has no crew plan on the board"),
        ({"day": "2026-02-20", "shift": "1"}, "shift 1 of 2026-02-20 has no crew plan on the board"),
    ],
)
def test_a_shift_without_a_plan_is_not_re_planned(
    world: World, lambda_context: Any, form: dict[str, str], why: str
) -> None:
    replans = Replans()

    response = call_web(_with_replan(world, replans), "POST", "/crew/replan", PLANNER, lambda_context, form=form)

    assert response["statusCode"] == 400 and f"Not re-planned: {why}." in response["body"]
    assert replans.sent == []


def test_a_shift_that_is_over_is_not_re_planned_and_its_board_offers_no_re_plan(
    world: World, lambda_context: Any
) -> None:
    replans = Replans()
    deps = _with_replan(world, replans)
    world.clock.now = datetime(2026, 3, 4, 15, tzinfo=UTC)  # half an hour after the shift's last seat ended

    response = call_web(deps, "POST", "/crew/replan", PLANNER, lambda_context, form={"day": "2026-03-04", "shift": "1"})

    assert response["statusCode"] == 400 and "shift 1 of 2026-03-04 is over" in response["body"]
    assert replans.sent == []
    board = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=DAY)["body"]
    assert "Re-plan the rest of shift 1" not in board
    # while the shift runs, the board offers it and the re-plan is sent
    world.clock.now = datetime(2026, 3, 4, 14, tzinfo=UTC)
    board = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=DAY)["body"]
    assert "Re-plan the rest of shift 1" in board
    response = call_web(deps, "POST", "/crew/replan", PLANNER, lambda_context, form={"day": "2026-03-04", "shift": "1"})
    assert response["statusCode"] == 303 and [m.shift for m in replans.sent] == ["1"]
