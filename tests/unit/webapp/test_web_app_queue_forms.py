"""What the queue's forms say back (ux_s13 #3, #13): a refused employee number stays in its box, marked, with what is
wrong; a bulk decision names each item's day, so seats of different days do not read as duplicates; a page number
past the last says so instead of silently showing page 1 (whose "Select all" would then decide page 1's items)."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from plexlabor.approval.directory import PeopleDisplay, Person, StaticPeopleDirectory
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, recommendation, web_deps
from tests.unit.webapp.viewers import PLANNER


def _seats() -> World:
    """Two short seats at ASM-04 on shift 2, of two days."""
    world = World()
    for seat, day in (("seat-0001", "2026-12-07"), ("seat-0002", "2026-12-08")):
        recommendation(world, seat, "crew_unstaffed", workcenter_code="ASM-04", shift_code="2", seats=1, plan_day=day)
    return world


def test_a_refused_employee_number_stays_in_its_box_with_what_is_wrong(lambda_context: Any) -> None:
    deps = web_deps(_seats())
    deps.people = PeopleDisplay(StaticPeopleDirectory([Person("E0002", "E00002", "Ana Ruiz", "MACH")]))
    response = call_web(deps, "GET", "/queue", PLANNER, lambda_context, query={"employee": "abc", "shift": "2"})
    body = html.unescape(response["body"])
    assert response["statusCode"] == 400
    box = '<input name="employee" value="abc" size="10" aria-invalid="true" aria-describedby="employee-problem">'
    assert box in body
    assert '<span id="employee-problem" class="field-problem">Employee number: no employee of this plant' in body
    assert "<option selected>2</option>" in body  # the other filter is kept as before


def test_a_bulk_decision_names_each_items_day(lambda_context: Any) -> None:
    deps = web_deps(_seats())
    form = {"item": ["seat-0001", "seat-0002"], "action": "approve"}
    location = call_web(deps, "POST", "/queue", PLANNER, lambda_context, form=form)["multiValueHeaders"]["Location"]
    query = dict(parse_qsl(urlsplit(location[0]).query))
    body = html.unescape(call_web(deps, "GET", "/queue", PLANNER, lambda_context, query=query)["body"])
    named = "Short seat, ASM-04 · shift 2 · Mon 2026-12-07; Short seat, ASM-04 · shift 2 · Tue 2026-12-08."
    assert f"Approved 2: {named}" in body


def test_a_page_past_the_last_says_so(lambda_context: Any) -> None:
    deps = web_deps(_seats())
    response = call_web(deps, "GET", "/queue", PLANNER, lambda_context, query={"page": "2"})
    body = html.unescape(response["body"])
    assert response["statusCode"] == 200
    assert "There is no page 2 any more: the 2 items you may decide make one page, shown here." in body
    query = {"show": "expired", "page": "3"}
    expired = html.unescape(call_web(deps, "GET", "/queue", PLANNER, lambda_context, query=query)["body"])
    assert "There is no page 3 any more: no item that expired is left." in expired
