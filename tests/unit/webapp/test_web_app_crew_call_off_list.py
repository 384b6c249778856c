"""Who the crew board's call-off form offers (ux_s14 #7): the people of the shift, less those already off it (a
person called off stayed offered, and recording them again was one click away)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.replanning import applied_event
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web
from tests.unit.webapp.test_web_app_crew import DAY, Replans, _with_replan, board_world
from tests.unit.webapp.viewers import PLANNER


@pytest.fixture
def world() -> World:
    world = board_world()  # shift 1 of 2026-03-04: E0042 waiting, E0043 as planned, 06:00-14:30 UTC
    world.clock.now = datetime(2026, 3, 4, 9, 40, tzinfo=UTC)  # 04:40 in Detroit, the shift under way
    return world


def _call_off(world: World, employee_id: str, shift: str = "1") -> None:
    """`employee_id`'s call-off of `shift` taken now, as crew_replan records it once applied."""
    taken = world.clock()
    message = ReplanMessage(
        reason="call_off",
        day=world.clock().date(),
        shift=shift,
        employee_id=employee_id,
        detected_at=taken,
        reported_by="P0001",
        call_off_reason="sick",
    )
    world.audit.append(applied_event(message, taken))


def offered(world: World, lambda_context: Any) -> list[str]:
    """The employee ids the board's call-off form offers for shift 1."""
    deps = _with_replan(world, Replans())
    body = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query={**DAY, "done": "calloff"})["body"]
    [form] = re.findall(r'<form [^>]*id="record-call-off".*?</form>', body, re.S)
    [who] = re.findall(r'<select name="employee".*?</select>', form, re.S)
    return re.findall(r"<option value=\"(E\d+)\">", who)


def test_someone_already_off_the_shift_is_not_offered_for_a_call_off_again(world: World, lambda_context: Any) -> None:
    assert offered(world, lambda_context) == ["E0042", "E0043"]

    _call_off(world, "E0042")

    assert offered(world, lambda_context) == ["E0043"]
    again = call_web(
        _with_replan(world, Replans()),
        "POST",
        "/crew/calloff",
        PLANNER,
        lambda_context,
        form={"day": "2026-03-04", "shift": "1", "employee": "E0042", "reason": "sick"},
    )
    assert again["statusCode"] == 409 and "E0042 is already off shift 1 of 2026-03-04" in again["body"]


def test_a_call_off_of_another_shift_leaves_them_offered_here(world: World, lambda_context: Any) -> None:
    _call_off(world, "E0042", shift="2")

    assert offered(world, lambda_context) == ["E0042", "E0043"]
