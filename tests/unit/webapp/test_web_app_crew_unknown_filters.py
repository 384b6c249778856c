"""The crew board's shift and department that the plant does not have are a 400 naming the field and the value, as
the queue's (ux_s14 #3: `/crew?shift=7` silently showed shift 1, `&dept=XYZ` the whole shift), judged by the queue's
own check (`plantfilters.queue_unknowns`: the people directory's departments and default shifts, and the board's).
One the plant has is no error: a department with nothing on the shift shows the board empty, saying so."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from plexlabor.approval.directory import PeopleDisplay, Person, StaticPeopleDirectory
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web
from tests.unit.webapp.test_web_app_crew import DAY, Replans, _with_replan, board_world
from tests.unit.webapp.viewers import PLANNER

PEOPLE = StaticPeopleDirectory(
    [Person("E0042", "E00042", "Ann Lee", "PRESS", "1"), Person("E0043", "E00043", "Robin Diaz", "MOLD", "2")]
)


@pytest.fixture
def world() -> World:
    world = board_world()  # shift 1 of 2026-03-04 (06:00-14:30 UTC): E0042 waiting, E0043 as planned
    world.clock.now = datetime(2026, 3, 4, 9, 40, tzinfo=UTC)
    return world


def _board(world: World, lambda_context: Any, **query: str) -> dict[str, Any]:
    deps = dataclasses.replace(_with_replan(world, Replans()), people=PeopleDisplay(PEOPLE))
    return call_web(deps, "GET", "/crew", PLANNER, lambda_context, query={**DAY, **query})


@pytest.mark.parametrize(
    ("query", "words", "back"),
    [
        ({"shift": "7"}, "Shift: '7' is not a shift of this plant", "/dev/crew?day=2026-03-04"),
        (
            {"shift": "1", "dept": "XYZ"},
            "Department: 'XYZ' is not a department of this plant",
            "/dev/crew?day=2026-03-04&amp;shift=1",
        ),
    ],
)
def test_a_shift_or_department_the_plant_does_not_have_is_a_400_naming_it(
    world: World, lambda_context: Any, query: dict[str, str], words: str, back: str
) -> None:
    response = _board(world, lambda_context, **query)

    assert response["statusCode"] == 400
    body = response["body"].replace("&#39;", "'")
    assert f"{words}: choose one from the list." in body and "Record a call-off" not in body
    assert f'<a href="{back}">Back to the crew board</a>' in body


def test_a_shift_and_department_the_plant_has_are_no_error(world: World, lambda_context: Any) -> None:
    assert _board(world, lambda_context, shift="1", dept="all")["statusCode"] == 200
    assert _board(world, lambda_context, shift="2")["statusCode"] == 200  # the plant's shift, no plan that day
    mold = _board(world, lambda_context, shift="1", dept="MOLD")
    assert mold["statusCode"] == 200 and "No seats you may see in department MOLD on shift 1." in mold["body"]
