"""A call-off "for this shift only" and the seats next to it (ux_s16 #2, what 616163be left): the person's seat in
the next shift that starts as the called-off shift ends (overtime extending it) stayed offered and approvable, and
the person a swap choice there, until some other event re-planned that shift. Now the board sends a
`call_off_nearby` of that shift behind the call-off, marks the seat, offers no Accept, refuses the approval naming
the call-off (the claim) and no longer offers the person there. And a swap that empties a longer seat says that the
re-plan fills it (or marks it short)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from plexlabor.crew.messages import nearby
from plexlabor.crew.replanning import applied_event
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, crew_assignment
from tests.unit.webapp.test_web_app_crew import PRICED, Replans, _swap, _with_replan, board_world
from tests.unit.webapp.test_web_app_crew_call_off_day import FORM, LATER, SHIFT_2, _board, _row, _text
from tests.unit.webapp.viewers import PLANNER

SEGMENT_1 = {"shift_code": "1", "start": "2026-03-04T06:00:00+00:00", "end": "2026-03-04T14:30:00+00:00", **PRICED}
OVERTIME = {"start": "2026-03-04T14:30:00+00:00", "end": "2026-03-04T17:12:00+00:00", "hours": 2.7}


@pytest.fixture
def world() -> World:
    """Shift 1 (06:00-14:30 UTC) under way, E0042 waiting there (crew-0001); in shift 2 E0042 waiting at WC-20
    14:30-17:12 as overtime extending shift 1 (crew-0201, 2.7 h outside their shift), and E0044 at WC-21 (crew-0202),
    for whom E0042 is offered, 2.7 h outside their shift too."""
    world = board_world()
    world.clock.now = datetime(2026, 3, 4, 9, 40, tzinfo=UTC)  # 04:40 in Detroit
    extends = LATER | OVERTIME | {"outside_hours": 2.7}
    crew_assignment(world, "crew-0201", employee_id="E0042", segment="op-8|2", workcenter_code="WC-20", **extends)
    offered = [{"employee_id": "E0042", "supervisor_id": "E0001", **PRICED, "outside_hours": 2.7, "busy_at": "WC-20"}]
    crew_assignment(
        world,
        "crew-0202",
        employee_id="E0044",
        segment="op-9|2",
        workcenter_code="WC-21",
        swap_candidates=offered,
        **LATER,
    )
    return world


def test_a_call_off_for_this_shift_only_re_plans_and_refuses_their_seat_starting_as_it_ends(
    world: World, lambda_context: Any
) -> None:
    replans = Replans()
    deps = _with_replan(world, replans)

    form = FORM | {"for": "shift", "reason": "family"}
    response = call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=form)

    # the call-off of shift 1, then (FIFO) the re-plan of shift 2, where E0042's seat at WC-20 starts as it ends
    assert response["statusCode"] == 303
    [call_off, next_door] = replans.sent
    assert (call_off.reason, call_off.shift) == ("call_off", "1")
    assert next_door == nearby(call_off, call_off.day, "2")
    # shift 2 marks that seat, without an Accept, and no longer offers E0042 for crew-0202
    later = _board(deps, lambda_context, SHIFT_2)
    own = _row(later, "E0042", "WC-20")
    assert (
        "called off shift 1 at 04:40 (family or personal); this seat starts as that shift ends: re-plan pending"
        in _text(own)
    )
    assert 'value="approve"' not in own
    assert 'value="crew-0202"' not in "".join(re.findall(r'action="/dev/crew/swap".*?</form>', later, re.S))
    # an Accept posted before (the queue, a tab left open) is a 409 naming the call-off; nothing goes to Plex
    accept = call_web(deps, "POST", "/items/crew-0201", PLANNER, lambda_context, form={"action": "approve"})
    assert accept["statusCode"] == 409
    assert (
        "Not accepted: E0042 called off shift 1 (family or personal); this seat starts as that shift ends: re-plan "
        "pending" in _text(accept["body"])
    )
    # a swap of E0042 into shift 2 (a form posted before the call-off) is refused
    swap = _swap(world, lambda_context, Replans(), PLANNER, item="crew-0202", employee="E0042")
    assert swap["statusCode"] == 303 and "why=called_off_nearby" in swap["multiValueHeaders"]["Location"][0]
    assert world.writebacks.sent == []


def test_a_seat_the_re_plan_next_door_kept_is_accepted_again(world: World, lambda_context: Any) -> None:
    # review_s16 lead 5: the board and the claim rule on shift 1's span, crew_replan on E0042's Plex block of it; a
    # block ending before the shift does leaves the seat starting as the shift ends within the rules, so the re-plan
    # of shift 2 keeps it (nothing closed). Until now it stayed marked and refused until the call-off's undo.
    replans = Replans()
    deps = _with_replan(world, replans)
    assert (
        call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM | {"for": "shift"})["statusCode"]
        == 303
    )
    [call_off, next_door] = replans.sent
    world.clock.now += timedelta(minutes=1)
    world.audit.append(applied_event(call_off, world.clock()))
    world.audit.append(applied_event(next_door, world.clock()))  # crew-0201 kept: not superseded

    own = _row(_board(deps, lambda_context, SHIFT_2), "E0042", "WC-20")
    assert "re-plan pending" not in own and "this seat starts as that shift ends" not in own
    assert 'value="approve"' in own
    accept = call_web(deps, "POST", "/items/crew-0201", PLANNER, lambda_context, form={"action": "approve"})
    assert accept["statusCode"] == 303


def test_a_call_off_re_plans_no_shift_where_the_person_holds_no_overtime_seat_next_to_it(
    world: World, lambda_context: Any
) -> None:
    replans = Replans()
    deps = _with_replan(world, replans)
    # E0044's seat at WC-21 starts as shift 1 ends too, but within their scheduled shift 2: it stands
    crew_assignment(world, "crew-0103", employee_id="E0044", segment="op-3|1", workcenter_code="WC-11", **SEGMENT_1)
    form = FORM | {"for": "shift", "employee": "E0044"}

    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=form)["statusCode"] == 303

    assert [(m.reason, m.shift) for m in replans.sent] == [("call_off", "1")]
    assert 'value="approve"' in _row(_board(deps, lambda_context, SHIFT_2), "E0044", "WC-21")


def test_a_swap_that_empties_a_longer_seat_says_the_re_plan_fills_it(world: World, lambda_context: Any) -> None:
    # a 0.5 h seat in shift 2 offers E0042, whose 2.7 h seat at WC-20 (job J100002) nobody free may take
    leaves = {"hours": 2.7, "loss": 405.0, "empty": True}
    offered = [{"employee_id": "E0042", **PRICED, "outside_hours": 0.0, "busy_at": "WC-20", "leaves": leaves}]
    short = {"start": "2026-03-04T15:00:00+00:00", "end": "2026-03-04T15:30:00+00:00", "hours": 0.5}
    crew_assignment(
        world,
        "crew-0203",
        employee_id="E0045",
        segment="op-10|2",
        workcenter_code="WC-22",
        swap_candidates=offered,
        **(LATER | short),
    )

    body = _board(_with_replan(world, Replans()), lambda_context, SHIFT_2)

    [swap] = [f for f in re.findall(r'action="/dev/crew/swap".*?</form>', body, re.S) if 'value="crew-0203"' in f]
    [option] = re.findall(r'<option value="E0042">(.*?)</option>', swap)
    assert (
        "leaves WC-20 job J100002 op 10 empty (2.7 h); the re-plan fills it with the best free operator or marks it "
        "short" in option
    )


def test_an_overtime_seat_within_an_hour_of_the_shift_called_off_is_re_planned_too(
    world: World, lambda_context: Any
) -> None:
    # E0043's overtime seat starts 30 minutes after shift 1's last segment ends: their Plex block of shift 1 may run
    # that long (shifts overlap at handover), so crew_replan is asked and decides on the block
    later = {"start": "2026-03-04T15:00:00+00:00", "end": "2026-03-04T17:00:00+00:00", "hours": 2.0}
    extends = LATER | later | {"outside_hours": 2.0}
    crew_assignment(world, "crew-0204", employee_id="E0043", segment="op-11|2", workcenter_code="WC-23", **extends)
    replans = Replans()
    deps = _with_replan(world, replans)
    form = FORM | {"for": "shift", "employee": "E0043"}

    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=form)["statusCode"] == 303

    assert [(m.reason, m.shift) for m in replans.sent] == [("call_off", "1"), ("call_off_nearby", "2")]
    # apart from the board's span of shift 1: not marked, its Accept stays until the re-plan decides
    assert 'value="approve"' in _row(_board(deps, lambda_context, SHIFT_2), "E0043", "WC-23")
