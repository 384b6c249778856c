"""A shift the plant does not have on the queue, and a department it does not have on the skill coverage page, are a
400 naming the field and the value (ux_s14 #3: `/queue?shift=9` read "No items match: shift 9" with the Shift select
on "any", `/skills?department=XYZ` read "No workcenter in view is short of qualified operators")."""

from __future__ import annotations

import dataclasses
from typing import Any

from plexlabor.approval.directory import PeopleDisplay, Person, StaticPeopleDirectory
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.webapp.reports import SkillsReports
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.skills.skills_report_world import stored_report
from tests.unit.webapp.viewers import ADMIN, PLANNER

PEOPLE = StaticPeopleDirectory(
    [Person("E1", "E00001", "Ann Lee", "ASSY", "1"), Person("E0002", "E00002", "Robin Diaz", "MOLD", "2")]
)


def _get(world: World, path: str, claims: dict[str, Any], lambda_context: Any, **query: str) -> dict[str, Any]:
    store = InMemoryArtifactStore()
    stored_report(store)
    deps = dataclasses.replace(web_deps(world), people=PeopleDisplay(PEOPLE), reports=SkillsReports(store))
    return call_web(deps, "GET", path, claims, lambda_context, query=query or None)


def _text(body: str) -> str:
    return body.replace("&#39;", "'")


def test_a_shift_the_plant_does_not_have_is_a_400_naming_it(world: World, lambda_context: Any) -> None:
    response = _get(world, "/queue", ADMIN, lambda_context, shift="9", kind="crew_assignment")

    assert response["statusCode"] == 400
    body = _text(response["body"])
    words = "Shift: '9' is not a shift of this plant: choose one from the list."
    assert f"{words} The queue below is not narrowed by it." in body and "No items match" not in body
    assert 'action="/dev/queue?kind=crew_assignment"' in body and "crew-0001" in body


def test_a_shift_the_plant_has_that_matches_nothing_still_says_so(world: World, lambda_context: Any) -> None:
    response = _get(world, "/queue", ADMIN, lambda_context, shift="2", kind="crew_assignment")

    assert response["statusCode"] == 200
    assert "No items match: kind Crew assignment, shift 2." in response["body"]
    kept = _get(world, "/queue", ADMIN, lambda_context, shift="1", kind="crew_assignment")
    assert kept["statusCode"] == 200 and "crew-0001" in kept["body"]


def test_a_department_the_plant_does_not_have_is_a_400_on_the_skill_coverage(world: World, lambda_context: Any) -> None:
    response = _get(world, "/skills", PLANNER, lambda_context, department="XYZ")

    assert response["statusCode"] == 400
    body = _text(response["body"])
    assert "Department: 'XYZ' is not a department of this plant: choose one from the list." in body
    assert "is short" not in body
    assert '<a href="/dev/skills">Back to the skill coverage</a>' in body
    assert _get(world, "/skills", PLANNER, lambda_context, department="ASSY")["statusCode"] == 200
