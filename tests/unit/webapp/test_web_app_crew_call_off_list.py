"""Who the crew board's call-off form offers: the people of the shift as the board knows them, not only those the plan
gave a seat (ux_s14 #2: two of the nine people Plex scheduled could be called off): its live seats, the operators the
planner offered for its seats (scheduled on it and free), and the plant's people whose usual shift in Plex it is (the
people directory); less those already off it (ux_s14 #7: a person called off stayed offered, and recording them again
was one click away)."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from plexlabor.approval.directory import PeopleDisplay, Person, StaticPeopleDirectory
from plexlabor.crew.replanning import applied_event
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web
from tests.unit.webapp.test_web_app_crew import DAY, Replans, _with_replan
from tests.unit.webapp.test_web_app_crew_call_offs import _called_off, world
from tests.unit.webapp.viewers import PLANNER, SUPERVISOR

__all__ = ["world"]  # the fixture of shift 1 under way, used by name

PEOPLE = StaticPeopleDirectory(
    [
        Person("E0042", "E0042", None, "PRESS", "1"),
        Person("E0060", "E0060", None, "PRESS", "1"),  # on shift 1 in Plex, no seat and no offer in the plan
        Person("E0061", "E0061", None, "PRESS", "2"),  # another shift's
    ]
)
FORM = {"day": "2026-03-04", "shift": "1", "reason": "sick", "for": "shift"}


def _deps(world: World, replans: Replans | None = None) -> Any:
    return dataclasses.replace(_with_replan(world, replans or Replans()), people=PeopleDisplay(PEOPLE))


def offered(world: World, lambda_context: Any) -> list[str]:
    """The employee ids the board's call-off form offers for shift 1."""
    deps = _deps(world)
    body = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query={**DAY, "done": "calloff"})["body"]
    [form] = re.findall(r'<form [^>]*id="record-call-off".*?</form>', body, re.S)
    [who] = re.findall(r'<select name="employee".*?</select>', form, re.S)
    return re.findall(r"<option value=\"(E\d+)\">", who)


def test_someone_already_off_the_shift_is_not_offered_for_a_call_off_again(world: World, lambda_context: Any) -> None:
    assert "E0042" in offered(world, lambda_context)

    _called_off(world, "E0042")

    assert "E0042" not in offered(world, lambda_context)
    again = call_web(_deps(world), "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM | {"employee": "E0042"})
    assert again["statusCode"] == 409 and "E0042 is already off shift 1 of 2026-03-04" in again["body"]


def test_a_call_off_of_another_shift_leaves_them_offered_here(world: World, lambda_context: Any) -> None:
    _called_off(world, "E0042", shift="2")

    assert "E0042" in offered(world, lambda_context)


def test_everyone_of_the_shift_the_board_knows_may_be_called_off(world: World, lambda_context: Any) -> None:
    # seated (E0042, E0043), offered for a seat (E0050, E0051), on shift 1 in Plex without either (E0060)
    assert sorted(offered(world, lambda_context)) == ["E0042", "E0043", "E0050", "E0051", "E0060"]
    replans = Replans()

    response = call_web(
        _deps(world, replans), "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM | {"employee": "E0060"}
    )

    assert response["statusCode"] == 303
    [sent] = replans.sent
    assert (sent.reason, sent.employee_id, sent.shift) == ("call_off", "E0060", "1")
    assert "E0060" not in offered(world, lambda_context)


def test_a_person_of_another_shift_is_refused_saying_why(world: World, lambda_context: Any) -> None:
    replans = Replans()

    response = call_web(
        _deps(world, replans), "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM | {"employee": "E0061"}
    )

    assert response["statusCode"] == 400 and replans.sent == []
    assert "E0061 is not on shift 1 of 2026-03-04 as far as the board knows" in response["body"]


def test_a_call_off_of_someone_with_no_seat_reads_recorded_with_nothing_to_re_plan(
    world: World, lambda_context: Any
) -> None:
    # E0060 (on shift 1 in Plex, no seat in its plan) called off on the board; crew_replan records it with no seat
    replans = Replans()
    deps = _deps(world, replans)
    assert (
        call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM | {"employee": "E0060"})[
            "statusCode"
        ]
        == 303
    )
    [sent] = replans.sent
    world.audit.append(applied_event(sent, world.clock(), no_seat=True))

    body = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query={**DAY, "done": "calloff"})["body"]

    [line] = [li for li in re.findall(r"<li>(.*?)</li>", body, re.S) if "E0060 called off" in li]
    assert "· no seat in the plan: nothing to re-plan" in line
    assert "re-planned" not in line and "re-plan pending" not in line


def test_someone_the_board_does_not_list_is_called_off_by_employee_number(world: World, lambda_context: Any) -> None:
    # E0061: shift 2 in Plex's people directory, scheduled on shift 1 today (the board cannot know), no seat or offer
    replans = Replans()
    deps = _deps(world, replans)
    assert "E0061" not in offered(world, lambda_context)

    response = call_web(
        deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM | {"employee": "", "number": "e0061 "}
    )

    assert response["statusCode"] == 303
    [sent] = replans.sent
    assert (sent.reason, sent.employee_id, sent.shift, sent.reported_by) == ("call_off", "E0061", "1", "P0001")
    world.audit.append(applied_event(sent, world.clock(), no_seat=True))  # crew_replan: no seat, nothing re-planned
    body = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query={**DAY, "done": "calloff"})["body"]
    [line] = [li for li in re.findall(r"<li>(.*?)</li>", body, re.S) if "E0061 called off" in li]
    assert "· no seat in the plan: nothing to re-plan" in line


def test_an_employee_number_of_nobody_the_viewer_may_call_off_is_refused(world: World, lambda_context: Any) -> None:
    replans = Replans()
    deps = _deps(world, replans)

    unknown = call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=FORM | {"number": "E0999"})
    # a supervisor names only the people of their departments (Molding): E0061 is of PRESS
    other = call_web(deps, "POST", "/crew/calloff", SUPERVISOR, lambda_context, form=FORM | {"number": "E0061"})

    assert unknown["statusCode"] == other["statusCode"] == 400 and replans.sent == []
    assert (
        "nobody has employee number &#39;E0999&#39; in Plex (the plant&#39;s numbers are E followed by 4 digits)."
        in unknown["body"]
    )
    assert "nobody in your departments (Molding) has employee number &#39;E0061&#39;" in other["body"]
