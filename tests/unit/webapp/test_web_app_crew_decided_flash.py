"""ux_s15 #1: a decision from an item page opened from the crew board comes back to the board told what it did, in the
words of its kind. Before, every approval read "Accepted: the assignment is on its way to Plex and held in every
re-plan", also after approving a removal (the assignment is being withdrawn in Plex) or acknowledging a short seat
(nothing is sent to Plex). Derived over every kind the board links a decision of (`CREW_KINDS`, `CREW_REMOVAL`)."""

from __future__ import annotations

import dataclasses
import re
from html import unescape
from typing import Any

import pytest

from plexlabor.approval.directory import PeopleDisplay, Person, StaticPeopleDirectory
from plexlabor.approval.recommendations import CREW_REMOVAL
from plexlabor.crew.suggestions import CREW_KINDS
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web
from tests.unit.webapp.test_web_app_crew import Replans, _with_replan
from tests.unit.webapp.test_web_app_crew_call_off_day import world
from tests.unit.webapp.test_web_app_crew_removals import _accept_and_call_off, _removal_id
from tests.unit.webapp.viewers import PLANNER

__all__ = ["world"]  # the fixture (shift 1 of 2026-03-04 under way: crew-0001 waiting, crew-0003 an empty seat)

BOARD = "/crew?day=2026-03-04&shift=1&dept=all"
SAYS = {
    ("crew_assignment", "approve"): ("Accepted: the assignment is on its way to Plex", "withdrawn"),
    ("crew_assignment", "reject"): ("Rejected", "on its way to Plex"),
    ("crew_unstaffed", "approve"): ("Acknowledged: the seat stays empty", "on its way to Plex"),
    ("crew_unstaffed", "reject"): ("nothing is sent to Plex", "on its way to Plex"),
    (CREW_REMOVAL, "approve"): (
        "Removal approved: the called-off person's assignment is being withdrawn in Plex",
        "on its way",
    ),
    (CREW_REMOVAL, "reject"): ("Removal rejected: nothing is sent to Plex", "on its way"),
}
"""What the board's flash says after each kind's decision, and what it must not say."""


def _item(world: World, lambda_context: Any, kind: str) -> tuple[Any, str]:
    if kind == CREW_REMOVAL:
        return _accept_and_call_off(world, lambda_context), _removal_id(world)
    return _with_replan(world, Replans()), {"crew_assignment": "crew-0001", "crew_unstaffed": "crew-0003"}[kind]


def _flash(body: str) -> str:
    [flash] = re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', body, re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", flash)).split())


def test_every_kind_the_board_decides_has_its_own_words() -> None:
    assert {kind for kind, _ in SAYS} == {*CREW_KINDS, CREW_REMOVAL}


@pytest.mark.parametrize(("kind", "action"), sorted(SAYS))
def test_a_decision_from_the_board_comes_back_saying_what_it_did(
    world: World, lambda_context: Any, kind: str, action: str
) -> None:
    deps, item = _item(world, lambda_context, kind)
    form = {"action": action, "next": BOARD} | ({"reason": "not needed"} if action == "reject" else {})

    decided = call_web(deps, "POST", f"/items/{item}", PLANNER, lambda_context, form=form)

    assert decided["statusCode"] == 303
    [location] = decided["multiValueHeaders"]["Location"]
    query = dict(part.split("=", 1) for part in location.split("?", 1)[1].split("&"))
    board = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=query)
    says, never = SAYS[(kind, action)]
    assert says in _flash(board["body"])
    assert never not in _flash(board["body"])


def test_a_removals_flash_names_its_person(world: World, lambda_context: Any) -> None:
    named = PeopleDisplay(StaticPeopleDirectory([Person("E0042", "E00042", "Zoe Adams")]))
    deps = dataclasses.replace(_accept_and_call_off(world, lambda_context), people=named)
    form = {"action": "approve", "next": BOARD}

    decided = call_web(deps, "POST", f"/items/{_removal_id(world)}", PLANNER, lambda_context, form=form)

    [location] = decided["multiValueHeaders"]["Location"]
    assert location.endswith("&done=approve_removal&who=E00042")  # the employee number, no Plex id
    query = dict(part.split("=", 1) for part in location.split("?", 1)[1].split("&"))
    board = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=query)
    assert "Removal approved: Zoe Adams (E00042)'s assignment is being withdrawn in Plex" in _flash(board["body"])
