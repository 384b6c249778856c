"""From the crew board to an item and back (ux_s14 #6): the board's "Decide it" (a seat that stays empty) and "Decide
the removal" links carry `back` (the board's same day, shift and filter), so the item page leads back to the board and
its decision comes back to it, not to the queue's next item; a `back` that is not one of the pages decisions return
to (`app.RETURN_PAGES`) is ignored. A crew suggestion's item page links its shift on the board (where its Swap is)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web
from tests.unit.webapp.test_web_app_crew import DAY, Replans, _with_replan
from tests.unit.webapp.test_web_app_crew_call_off_day import FORM, world
from tests.unit.webapp.test_web_app_crew_removals import _accept_and_call_off, _removal_id
from tests.unit.webapp.viewers import PLANNER

__all__ = ["world"]  # the fixture (shift 1 of 2026-03-04 under way: crew-0001 waiting, crew-0003 an empty seat)

BOARD = "/crew?day=2026-03-04&shift=1&dept=all"


def _links(body: str, item: str) -> list[str]:
    """The board's links to `item`'s page, as the browser reads them."""
    return [unescape(href) for href in re.findall(rf'href="(/dev/items/{item}[^"]*)"', body)]


def _back_of(link: str) -> str:
    [back] = parse_qs(urlsplit(link).query)["back"]
    return back


def test_the_empty_seats_decide_it_comes_back_to_the_board(world: World, lambda_context: Any) -> None:
    # the empty seat crew-0003 is decided with its workcenter shift's others (`review.groups`): its group's page
    deps = _with_replan(world, Replans())
    group = "short-seats~2026-03-04~1~WC-10"
    board = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query={**DAY, "dept": "all"})["body"]
    [link] = _links(board, group)
    assert _back_of(link) == BOARD

    page = call_web(deps, "GET", f"/items/{group}", PLANNER, lambda_context, query={"back": BOARD})["body"]

    assert '<a href="/dev/crew?day=2026-03-04&amp;shift=1&amp;dept=all">← Back to the crew board</a>' in page
    assert "Back to the queue" not in page
    [form] = re.findall(rf'<form method="post" action="/dev/items/{group}">.*?</form>', page, re.S)
    assert f'<input type="hidden" name="next" value="{BOARD.replace("&", "&amp;")}">' in form
    approve = {"action": "approve", "next": BOARD, "seat": re.findall(r'name="seat" value="([^"]+)"', form)}
    decided = call_web(deps, "POST", f"/items/{group}", PLANNER, lambda_context, form=approve)
    done = f"&done=approve_short_seat&group={group}&seats=1"  # ux_s15 #1; the seats it names: ux_verify_s16 D
    assert decided["multiValueHeaders"]["Location"] == [f"/dev{BOARD}{done}"]
    assert [e.status.value for e in world.audit.for_finding("crew-0003") if e.event_type.value == "decision"] == [
        "approved"
    ]


def test_the_removals_decide_link_comes_back_to_the_board(world: World, lambda_context: Any) -> None:
    deps = _accept_and_call_off(world, lambda_context)
    removal = _removal_id(world)
    board = call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=FORM | {"done": "calloff"})["body"]

    [link] = _links(board, removal)

    assert _back_of(link) == "/crew?day=2026-03-04&shift=1"
    page = call_web(deps, "GET", f"/items/{removal}", PLANNER, lambda_context, query={"back": _back_of(link)})
    assert "← Back to the crew board" in page["body"]


@pytest.mark.parametrize(
    "back", ["https://evil.example/crew?day=2026-03-04", "//evil.example/crew", "/queue?kind=crew_unstaffed", "crew"]
)
def test_a_back_that_is_not_a_return_page_is_ignored(world: World, lambda_context: Any, back: str) -> None:
    deps = _with_replan(world, Replans())

    page = call_web(deps, "GET", "/items/crew-0003", PLANNER, lambda_context, query={"back": back})["body"]

    assert '<a href="/dev/queue">← Back to the queue</a>' in page
    assert 'name="next"' not in page and "evil" not in page


def test_a_crew_suggestions_page_links_its_shift_on_the_board(world: World, lambda_context: Any) -> None:
    deps = _with_replan(world, Replans())

    page = call_web(deps, "GET", "/items/crew-0001", PLANNER, lambda_context)["body"]

    link = '<a href="/dev/crew?day=2026-03-04&amp;shift=1">Shift 1 of Wed 2026-03-04 on the crew board</a>'
    assert link in page and "swap" in page.split(link)[1].split("</p>")[0]
