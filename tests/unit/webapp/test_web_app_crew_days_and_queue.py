"""The crew board's forms when the day is not one it can read or the replan queue does not answer (ux141 #13,
review 140 R6 and R9): a day that is not a date, or lies outside the dates plexlabor takes, is a 400 naming the
field in plain words and linking back to the board (never only the queue; a call-off of year 1 was a 500); a
re-plan or a swap whose message cannot be put on the replan queue is a 503 saying what was and was not done
(a bare 502 before), and a call-off is then not recorded (helper 146's fix, checked here as well)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from plexlabor.audit import AuditStatus
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web
from tests.unit.webapp.test_web_app_crew import DAY, Replans, _with_replan, board_world
from tests.unit.webapp.test_web_app_crew_call_offs import FORM, _Unreachable
from tests.unit.webapp.viewers import PLANNER


@pytest.fixture
def world() -> World:
    world = board_world()  # shift 1 of 2026-03-04: E0042 waiting, E0043 as planned, 06:00-14:30 UTC
    world.clock.now = datetime(2026, 3, 4, 9, 40, tzinfo=UTC)  # 04:40 in Detroit, the shift under way
    return world


def _text(body: str) -> str:
    return body.replace("&#39;", "'")


@pytest.mark.parametrize(
    ("day", "why"),
    [
        ("bogus", "Day: give a date like 2026-03-04 ('bogus' is not one)."),
        ("04/03/2026", "Day: give a date like 2026-03-04 ('04/03/2026' is not one)."),
        ("0001-01-01", "Day: a date from 2000-01-01 up to 2100-01-01 is expected (not 0001-01-01)."),
        ("9999-12-31", "Day: a date from 2000-01-01 up to 2100-01-01 is expected (not 9999-12-31)."),
    ],
)
def test_a_board_day_it_cannot_read_is_a_400_naming_the_field_with_a_way_back(
    world: World, lambda_context: Any, day: str, why: str
) -> None:
    response = call_web(
        _with_replan(world, Replans()), "GET", "/crew", PLANNER, lambda_context, query={"day": day, "shift": "1"}
    )

    assert response["statusCode"] == 400 and why in _text(response["body"])
    assert '<a href="/dev/crew?shift=1">Back to the crew board (today)</a>' in response["body"]


@pytest.mark.parametrize(
    ("day", "why"),
    [
        ("0001-01-01", "Day: a date from 2000-01-01 up to 2100-01-01 is expected (not 0001-01-01)."),
        ("9999-12-31", "Day: a date from 2000-01-01 up to 2100-01-01 is expected (not 9999-12-31)."),
        ("03/04/2026", "Day: give a date like 2026-03-04 ('03/04/2026' is not one)."),
    ],
)
def test_a_call_off_for_a_day_it_cannot_read_is_a_400_not_a_500(
    world: World, lambda_context: Any, day: str, why: str
) -> None:
    replans = Replans()

    response = call_web(
        _with_replan(world, replans), "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM | {"day": day}
    )

    assert response["statusCode"] == 400 and f"Call-off not recorded: {why}" in _text(response["body"])
    assert '<a href="/dev/crew?shift=1">Back to the crew board</a>' in response["body"]
    assert replans.sent == []


def test_a_call_off_the_queue_cannot_take_is_a_503_and_not_recorded(world: World, lambda_context: Any) -> None:
    response = call_web(
        _with_replan(world, _Unreachable()), "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM
    )

    assert response["statusCode"] == 503
    assert "Call-off not recorded: it could not be sent to the crew planner. Try again in a moment." in response["body"]
    board = call_web(_with_replan(world, Replans()), "GET", "/crew", PLANNER, lambda_context, query=DAY)["body"]
    assert "called off at" not in board


def test_a_re_plan_the_queue_cannot_take_is_a_503_saying_so(world: World, lambda_context: Any) -> None:
    response = call_web(
        _with_replan(world, _Unreachable()),
        "POST",
        "/crew/replan",
        PLANNER,
        lambda_context,
        form=DAY | {"dept": "MOLD"},
    )

    assert response["statusCode"] == 503
    assert (
        "Not re-planned: the request could not be passed to the crew planner (its queue did not answer). "
        "Nothing was changed: press Re-plan again in a moment." in response["body"]
    )
    assert '<a href="/dev/crew?day=2026-03-04&amp;shift=1&amp;dept=MOLD">Back to the crew board</a>' in response["body"]


def test_a_swap_whose_re_plan_the_queue_cannot_take_stands_and_says_to_re_plan(
    world: World, lambda_context: Any
) -> None:
    form = {"item": "crew-0001", "employee": "E0050", "next": "/crew?day=2026-03-04&shift=1"}

    response = call_web(_with_replan(world, _Unreachable()), "POST", "/crew/swap", PLANNER, lambda_context, form=form)

    assert response["statusCode"] == 503
    body = _text(response["body"])
    assert (
        "Swapped: E0050 is accepted (on its way to Plex) and the suggestion it replaces rejected. The re-plan of the "
        "rest of shift 1 could not be asked (the crew planner's queue did not answer): press 'Re-plan the rest of "
        "shift 1' on the board in a moment." in body
    )
    assert '<a href="/dev/crew?day=2026-03-04&amp;shift=1&amp;done=swap">Back to the crew board</a>' in response["body"]
    [replaced] = [e for e in world.audit.for_finding("crew-0001") if e.status is AuditStatus.REJECTED]
    assert replaced.payload["reason"] == "swapped for E0050 on the crew board"
    assert len(world.writebacks.sent) == 1  # the choice's write to Plex is queued: the swap stands
