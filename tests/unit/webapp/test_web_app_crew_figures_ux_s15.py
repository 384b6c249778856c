"""ux_s15 #4: the crew board's objective panel. A re-plan that seated nobody (every plan fills none of its seats)
showed a table of zeros, "worth $0 more than supervisor's plan", beside "6 seats stay empty": it now says the plan
found nobody free, no comparison. The other shifts of the day kept the day plan's figures, which count the re-planned
shift's seats as they were (a withdrawn seat among them), without a word: they now say they are from before that
re-plan."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, crew_assignment, web_deps
from tests.unit.webapp.test_web_app_crew import FIGURES, board_world
from tests.unit.webapp.test_web_app_crew_call_off_day import LATER
from tests.unit.webapp.viewers import PLANNER

NOBODY = {"objective": 0.0, "value": 0.0, "unstaffed_penalty": 0.0, "plan_change": 0.0, "seats_filled": 0}
EMPTY_REPLAN = {"shifts": ["1"], "recommended": NOBODY, "current": NOBODY, "greedy": NOBODY}


def _replanned_to_nobody() -> World:
    """Shift 1 and 2 planned together at night (FIGURES), then shift 1 re-planned an hour later seating nobody."""
    world = board_world()
    crew_assignment(world, "crew-0201", employee_id="E0044", segment="op-8|2", plan_figures=FIGURES, **LATER)
    world.clock.now += timedelta(hours=1)
    crew_assignment(world, "crew-0100", employee_id="E0045", segment="op-9|1", plan_figures=EMPTY_REPLAN)
    return world


def _board(world: World, shift: str, lambda_context: Any) -> str:
    query = {"day": "2026-03-04", "shift": shift}
    return str(call_web(web_deps(world), "GET", "/crew", PLANNER, lambda_context, query=query)["body"])


def test_a_re_plan_that_seated_nobody_says_so_instead_of_a_table_of_zeros(lambda_context: Any) -> None:
    body = _board(_replanned_to_nobody(), "1", lambda_context)

    assert "found nobody free for these seats: no comparison" in body
    assert 'class="figure-delta"' not in body and 'data-part="seats_filled"' not in body


def test_the_other_shifts_say_their_figures_are_from_before_the_re_plan(lambda_context: Any) -> None:
    world = _replanned_to_nobody()

    shift_2 = _board(world, "2", lambda_context)

    assert 'class="small sev-medium replanned-since">These figures are from before the re-plan of shift 1 at' in shift_2
    assert 'data-part="seats_filled"' in shift_2  # its own comparison stands


def test_a_day_plan_not_re_planned_since_says_nothing_of_it(lambda_context: Any) -> None:
    world = board_world()
    crew_assignment(world, "crew-0201", employee_id="E0044", segment="op-8|2", plan_figures=FIGURES, **LATER)

    assert "replanned-since" not in _board(world, "2", lambda_context)
    assert "no comparison" not in _board(world, "1", lambda_context)
