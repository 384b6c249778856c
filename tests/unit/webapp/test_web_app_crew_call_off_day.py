"""Call-offs and ended seats on the crew board (ux141 #2, #3, #5): a call-off is for the rest of the day unless the
supervisor says "this shift only" (each later shift re-planned without the person, their seats marked, not accepted
and not offered there); an accepted seat whose person then called off is marked for removal from Plex and no longer
counted as filled; a seat whose time is over is neither accepted nor swapped (409 saying when it ended), and the
board draws no decision for it; a seat a swap replaced names the person swapped in, not their Plex id (#12)."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from plexlabor.approval.directory import PeopleDisplay, Person, StaticPeopleDirectory
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, crew_assignment
from tests.unit.webapp.test_web_app_crew import PRICED, Replans, _swap, _with_replan, board_world
from tests.unit.webapp.viewers import PLANNER

FORM = {"day": "2026-03-04", "shift": "1", "employee": "E0042", "reason": "sick"}
SHIFT_2 = {"day": "2026-03-04", "shift": "2"}
LATER = {
    "shift_code": "2",
    "start": "2026-03-04T14:30:00+00:00",
    "end": "2026-03-04T22:30:00+00:00",
    "workcenter_id": "W2",
    "job_no": "J100002",
    "operation_code": "10",
    **PRICED,
}


@pytest.fixture
def world() -> World:
    """Shift 1 (06:00-14:30 UTC) under way, E0042 waiting there (crew-0001); in shift 2 E0042 waiting at WC-20
    (crew-0201), and E0044 at WC-21 (crew-0202), for whom E0042 is offered."""
    world = board_world()
    world.clock.now = datetime(2026, 3, 4, 9, 40, tzinfo=UTC)  # 04:40 in Detroit
    crew_assignment(world, "crew-0201", employee_id="E0042", segment="op-8|2", workcenter_code="WC-20", **LATER)
    offered = [{"employee_id": "E0042", "supervisor_id": "E0001", **PRICED, "outside_hours": 0.0, "busy_at": "WC-20"}]
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


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _row(body: str, who: str, where: str) -> str:
    """The seat row of `who` in the segment at `where`."""
    [segment] = [s for s in re.findall(r'<div class="panel segment">.*?</table>', body, re.S) if f"· {where} ·" in s]
    [row] = [r for r in re.findall(r"<tr[^>]*>.*?</tr>", segment, re.S) if who in r]
    return row


def _board(deps: Any, lambda_context: Any, query: dict[str, str]) -> str:
    return str(call_web(deps, "GET", "/crew", PLANNER, lambda_context, query={**query, "done": "calloff"})["body"])


def test_a_call_off_takes_the_person_off_the_rest_of_the_day(world: World, lambda_context: Any) -> None:
    replans = Replans()
    deps = _with_replan(world, replans)
    form = re.findall(r'<form [^>]*id="record-call-off".*?</form>', _board(deps, lambda_context, FORM), re.S)[0]
    assert '<option value="day" selected>the rest of the day</option>' in form

    response = call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM)

    # one message per shift left of the day, each re-planned without E0042
    assert response["statusCode"] == 303
    assert response["multiValueHeaders"]["Location"] == ["/dev/crew?day=2026-03-04&shift=1&done=calloff_day"]
    assert [(m.shift, m.employee_id, m.call_off_reason) for m in replans.sent] == [
        ("1", "E0042", "sick"),
        ("2", "E0042", "sick"),
    ]
    # shift 2 marks E0042's seat, without an Accept, and no longer offers E0042 for crew-0202
    later = _board(deps, lambda_context, SHIFT_2)
    own = _row(later, "E0042", "WC-20")
    assert "called off at 04:40, re-plan pending" in _text(own) and 'value="approve"' not in own
    assert 'value="crew-0202"' not in "".join(re.findall(r'action="/dev/crew/swap".*?</form>', later, re.S))
    # an Accept posted before (the queue, a tab left open) is a 409 saying why; nothing goes to Plex
    accept = call_web(deps, "POST", "/items/crew-0201", PLANNER, lambda_context, form={"action": "approve"})
    assert accept["statusCode"] == 409
    assert "Not accepted: E0042 just called off shift 2" in _text(accept["body"])
    # a swap into shift 2 (a form posted before the call-off) is refused
    swap = _swap(world, lambda_context, Replans(), PLANNER, item="crew-0202", employee="E0042")
    assert swap["statusCode"] == 303 and "why=called_off" in swap["multiValueHeaders"]["Location"][0]
    assert world.writebacks.sent == []


def test_a_call_off_for_this_shift_only_leaves_the_later_shifts(world: World, lambda_context: Any) -> None:
    replans = Replans()
    deps = _with_replan(world, replans)

    response = call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM | {"for": "shift"})

    assert response["statusCode"] == 303
    assert [m.shift for m in replans.sent] == ["1"]
    assert 'value="approve"' in _row(_board(deps, lambda_context, SHIFT_2), "E0042", "WC-20")
    wrong = call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM | {"for": "week"})
    assert wrong["statusCode"] == 400 and "choose what the call-off covers" in wrong["body"]


def test_an_accepted_seat_whose_person_calls_off_is_marked_for_removal_and_not_counted(
    world: World, lambda_context: Any
) -> None:
    deps = _with_replan(world, Replans())
    accepted = call_web(deps, "POST", "/items/crew-0001", PLANNER, lambda_context, form={"action": "approve"})
    assert accepted["statusCode"] == 303 and len(world.writebacks.sent) == 1
    before = _text(_board(deps, lambda_context, FORM))
    assert "1 accepted" in before

    form = FORM | {"for": "shift", "reason": "family"}
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=form)["statusCode"] == 303

    body = _board(deps, lambda_context, FORM)
    row = _text(_row(body, "E0042", "WC-10"))
    # before crew_replan applied it: its removal from Plex is not opened yet (`test_web_app_crew_removals.py`: after)
    assert "accepted, then called off at 04:40: its removal from Plex opens with the re-plan" in row
    assert "The re-plan fills it if someone qualified is free." in row
    totals = _text(re.findall(r'<div class="panel" id="totals">.*?</div>', body, re.S)[0])
    assert "0 accepted" in totals and "8.0 h assigned" in totals  # E0043's seat alone (E0042's 8 h not counted)
    assert "1 seat accepted, then called off (marked below): no removal from Plex waits for a decision" in totals


def test_an_ended_seat_is_neither_accepted_nor_swapped(world: World, lambda_context: Any) -> None:
    world.clock.now = datetime(2026, 3, 4, 17, 40, tzinfo=UTC)  # 12:40 in Detroit: crew-0001 ended at 09:30
    deps = _with_replan(world, Replans())

    row = _row(_board(deps, lambda_context, FORM), "E0042", "WC-10")

    assert "ended at 09:30: no longer decided, nothing sent to Plex" in _text(row)
    assert "<form" not in row
    accept = call_web(deps, "POST", "/items/crew-0001", PLANNER, lambda_context, form={"action": "approve"})
    assert accept["statusCode"] == 409
    assert "Not accepted: this seat ended at" in _text(accept["body"])
    swap = _swap(world, lambda_context, Replans(), PLANNER, employee="E0050")
    assert swap["statusCode"] == 409 and "Not swapped: this seat ended at 09:30" in _text(swap["body"])
    assert world.writebacks.sent == []


def test_a_seat_replaced_by_a_swap_names_who_was_swapped_in(world: World, lambda_context: Any) -> None:
    people = [Person("E0050", "E00050", "Sara Miller"), Person("E0042", "E00042", "Tomas Usman")]
    deps = dataclasses.replace(_with_replan(world, Replans()), people=PeopleDisplay(StaticPeopleDirectory(people)))
    form = {"item": "crew-0001", "employee": "E0050", "next": "/crew?day=2026-03-04&shift=1"}
    assert call_web(deps, "POST", "/crew/swap", PLANNER, lambda_context, form=form)["statusCode"] == 303

    page = _text(call_web(deps, "GET", "/items/crew-0001", PLANNER, lambda_context)["body"])

    assert "(swapped for Sara Miller (E00050) on the crew board)" in page
    assert "swapped for E0050" not in page
