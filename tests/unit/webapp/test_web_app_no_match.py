"""Filters that match nothing say so in words (ux141 #13): the queue, its expired list and the certification
timeline read "No items match: department XX, shift 9." with a link clearing the filters, where they said
"Nothing to decide with these filters" (or nothing about which); the KPI page's period likewise. A filter value
the page cannot read stays a 400 naming the field, and the KPIs' period joins them (`?days=5` was quietly 28)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from plexlabor.approval.directory import PeopleDisplay, Person, StaticPeopleDirectory
from plexlabor.platform.artifacts import InMemoryArtifactStore
from plexlabor.webapp.reports import SkillsReports
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.skills.skills_report_world import stored_report
from tests.unit.webapp.viewers import ADMIN, HR

PEOPLE = StaticPeopleDirectory(
    [Person("E1", "E00001", "Ann Lee", "ASSY"), Person("E0002", "E00002", "Robin Diaz", "WELD")]
)


def _get(
    world: World, path: str, claims: dict[str, Any], lambda_context: Any, people: Any = PEOPLE, **query: str
) -> dict[str, Any]:
    store = InMemoryArtifactStore()
    stored_report(store)
    deps = dataclasses.replace(web_deps(world), people=PeopleDisplay(people), reports=SkillsReports(store))
    return call_web(deps, "GET", path, ADMIN if claims is None else claims, lambda_context, query=query or None)


def _text(body: str) -> str:
    return body.replace("&#39;", "'")


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"department": "ASSY"}, "No items match: department ASSY."),
        ({"shift": "9", "kind": "crew_assignment"}, "No items match: kind Crew assignment, shift 9."),
        (
            {"employee": "e00002", "day": "2026-12-05"},
            "No items match: employee Robin Diaz (E00002), day Sat 2026-12-05.",
        ),
    ],
)
def test_a_queue_filter_that_matches_nothing_says_which_and_clears(
    world: World, lambda_context: Any, query: dict[str, str], words: str
) -> None:
    response = _get(world, "/queue", ADMIN, lambda_context, **query)

    assert response["statusCode"] == 200
    assert f'{words} <a href="/dev/queue">Clear the filters</a>' in response["body"]
    assert "Nothing to decide" not in response["body"]
    unfiltered = _get(world, "/queue", ADMIN, lambda_context)["body"]
    assert "No items match" not in unfiltered and "f-000000000000000000000001" in unfiltered


def test_a_queue_filter_it_cannot_read_stays_a_400(world: World, lambda_context: Any) -> None:
    response = _get(world, "/queue", ADMIN, lambda_context, type="bogus")

    assert response["statusCode"] == 400 and "Type: 'bogus' is not a type of suggestion." in _text(response["body"])


def test_the_expired_list_says_which_filter_matches_nothing(world: World, lambda_context: Any) -> None:
    response = _get(world, "/queue", ADMIN, lambda_context, show="expired", department="WELD")

    assert response["statusCode"] == 200
    assert (
        'No items match: department WELD. <a href="/dev/queue?show=expired">Clear the filters</a>' in response["body"]
    )


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"department": "PAINT"}, "Department: 'PAINT' is not a department of this plant: choose one from the list."),
        ({"employee": "bogus"}, "Employee number: no employee of this plant has the number 'bogus'."),
    ],
)
def test_a_queue_filter_naming_nothing_in_the_plant_is_a_400_naming_the_field(
    world: World, lambda_context: Any, query: dict[str, str], words: str
) -> None:
    """ux141 #13: a mistyped department or employee number read "No items match", where an unreadable day is a 400
    naming the field (and so is the certification timeline's unknown department now): the queue is shown not
    narrowed by it, its links keeping the other filters."""
    response = _get(world, "/queue", ADMIN, lambda_context, shift="1", **query)

    assert response["statusCode"] == 400
    body = _text(response["body"])
    assert f"{words} The queue below is not narrowed by it." in body and "No items match" not in body
    assert 'action="/dev/queue?shift=1"' in body and "crew-0001" in body
    expired = _get(world, "/queue", ADMIN, lambda_context, show="expired", **query)
    assert expired["statusCode"] == 400 and f"{words} The list below is not narrowed by it." in _text(expired["body"])


def test_a_queue_filter_is_not_called_unknown_while_the_directory_knows_nobody(
    world: World, lambda_context: Any
) -> None:
    """No Plex (or Plex unreachable): the directory cannot tell a mistyped department from a real one."""
    response = _get(world, "/queue", ADMIN, lambda_context, StaticPeopleDirectory(), department="PAINT")

    assert response["statusCode"] == 200 and "No items match: department PAINT." in response["body"]


def test_a_department_or_employee_of_the_viewers_items_is_never_unknown(world: World, lambda_context: Any) -> None:
    """An item's employee the directory does not name (one who left Plex, an id typed) is still a filter."""
    response = _get(
        world, "/queue", ADMIN, lambda_context, StaticPeopleDirectory([Person("E9", "E00009")]), employee="E0002"
    )

    assert response["statusCode"] == 200 and "f-000000000000000000000001" in response["body"]


def test_a_certification_filter_that_matches_nothing_says_which_and_clears(world: World, lambda_context: Any) -> None:
    response = _get(world, "/certifications", HR, lambda_context, department="ASSY", workcenter="WC-10")

    assert response["statusCode"] == 200
    assert (
        'No items match: department ASSY, workcenter WC-10. <a href="/dev/certifications">Clear the filters</a>'
        in response["body"]
    )
    assert "No items match" not in _get(world, "/certifications", HR, lambda_context)["body"]


@pytest.mark.parametrize(
    ("query", "words", "back"),
    [
        ({"employee": "bogus"}, "Employee number: no employee of this plant has the number 'bogus'.", ""),
        (
            {"department": "PAINT", "workcenter": "WC-20"},
            "Department: 'PAINT' is not a department of this plant: choose one from the list.",
            "?workcenter=WC-20",
        ),
        (
            {"workcenter": "WC-99", "employee": "e00001"},
            "Workcenter: 'WC-99' is not a workcenter of this plant: choose one from the list.",
            "?employee=e00001",
        ),
    ],
)
def test_a_certification_filter_naming_nothing_in_the_plant_is_a_400_naming_the_field(
    world: World, lambda_context: Any, query: dict[str, str], words: str, back: str
) -> None:
    """ux141 #13: an unknown employee or department read "No items match", where the queue's unreadable filters are
    400s naming the field; the link back keeps the filters that can be read."""
    response = _get(world, "/certifications", HR, lambda_context, **query)

    assert response["statusCode"] == 400
    body = _text(response["body"])
    assert words in body and "No items match" not in body
    assert f'<a href="/dev/certifications{back}">Back to the certification timeline</a>' in body


def test_a_kpi_period_with_nothing_says_so_and_an_unknown_one_is_a_400(world: World, lambda_context: Any) -> None:
    empty = _get(World(), "/kpis", ADMIN, lambda_context, days="7")
    assert empty["statusCode"] == 200
    assert 'No items match: the last 7 days. <a href="/dev/kpis">Clear the filter</a>' in empty["body"]

    unknown = _get(world, "/kpis", ADMIN, lambda_context, days="5")
    assert unknown["statusCode"] == 400
    assert "Days: choose 7, 28 or 90 (the last 28 days are shown)." in unknown["body"]
    assert "The last 28 days" in unknown["body"]
