"""The main menu shows each person the pages they may open: no link leads to a refusal, and every page it
leaves out refuses them; signing in lands on the first page of their work."""

from __future__ import annotations

import re
from typing import Any

import pytest

from plexlabor.webapp.menu import MENU
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.webapp.viewers import ADMIN, EHS, HR, OPERATOR, PLANNER, SUPERVISOR

PEOPLE = {"admin": ADMIN, "hr": HR, "planner": PLANNER, "ehs": EHS, "supervisor": SUPERVISOR, "operator": OPERATOR}


def _get(world: World, path: str, claims: dict[str, Any], lambda_context: Any) -> dict[str, Any]:
    return call_web(web_deps(world), "GET", path, claims, lambda_context)


def _location(response: dict[str, Any]) -> str:
    return str(response["multiValueHeaders"]["Location"][0])


def _menu(body: str) -> list[str]:
    nav = body[body.index('<nav aria-label="Main">') : body.index("</nav>")]
    return re.findall(r'href="/dev([^"]+)"', nav)


@pytest.mark.parametrize("role", sorted(PEOPLE))
def test_the_menu_links_the_pages_a_person_may_open_and_no_other(role: str, lambda_context: Any) -> None:
    world = World()
    claims = PEOPLE[role]
    shown = _menu(_get(world, "/incidents/new", claims, lambda_context)["body"])

    assert shown  # everyone signed in may at least report an incident
    for entry in MENU:
        response = _get(world, entry.path, claims, lambda_context)
        opened = response["statusCode"] == 200
        assert opened == (entry.path in shown), (role, entry.path, response["statusCode"])
        if not opened:  # refused, or (the queue, where signing in lands) sent on to their own first page
            assert response["statusCode"] == 403 or _location(response).removeprefix("/dev") in shown, (
                role,
                entry.path,
            )


def test_an_operator_lands_on_the_copilot_and_does_not_see_the_review_kpis(lambda_context: Any) -> None:
    world = World()

    landing = _get(world, "/queue", OPERATOR, lambda_context)  # where signing in goes
    assert landing["statusCode"] in (302, 303) and _location(landing).endswith("/copilot")
    menu = _menu(_get(world, "/copilot", OPERATOR, lambda_context)["body"])
    assert menu == ["/incidents", "/incidents/new", "/copilot"]  # their own reports, the form, the copilot
    assert _get(world, "/kpis", OPERATOR, lambda_context)["statusCode"] == 403
    assert _get(world, "/queue", SUPERVISOR, lambda_context)["statusCode"] == 200
