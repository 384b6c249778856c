"""ux_s15 #7: the crew board folds what re-plans superseded under "History: n superseded by a re-plan" (a
details/summary per segment), so the open seats lead: after two call-offs, an undo and a re-plan one block listed 7
"superseded by a re-plan" rows and the page was 7,276 px tall at 390 px. The board's red line about seats accepted,
then called off, stays red only while a removal from Plex waits (it read "0 removals ... waiting" in red)."""

from __future__ import annotations

import re
from typing import Any

from plexlabor.audit.events import expiry_event
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.webapp.test_web_app_crew import DAY, board_world
from tests.unit.webapp.viewers import PLANNER


def _superseded(world: World, item_id: str) -> None:
    [opening] = world.audit.for_finding(item_id)
    world.audit.append(
        expiry_event(opening.record_key, item_id, occurred_at=world.clock(), actor="crew_replan", payload={})
    )


def superseded_board(lambda_context: Any) -> str:
    """The board of one segment: crew-0001 (E0042) and the empty seat crew-0003 superseded by a re-plan, crew-0002
    (E0043) as planned (also the browser test's page)."""
    world = board_world()
    _superseded(world, "crew-0001")
    _superseded(world, "crew-0003")
    return str(call_web(web_deps(world), "GET", "/crew", PLANNER, lambda_context, query=DAY)["body"])


def test_superseded_seats_and_empty_seat_notes_are_folded_as_history(lambda_context: Any) -> None:
    body = superseded_board(lambda_context)

    [segment] = re.findall(r'<div class="panel segment">.*?</main>', body, re.S)  # the shift's one segment
    folded = re.findall(r'<details class="history">(.*?)</details>', segment, re.S)
    assert len(folded) == 2
    assert "History: 1 superseded by a re-plan" in folded[0] and "E0042" in folded[0]
    assert "History: 1 empty-seat note superseded by a re-plan" in folded[1]
    open_part = re.sub(r'<details class="history">.*?</details>', "", segment, flags=re.S)
    assert "E0043" in open_part and "superseded by a re-plan" not in open_part


def test_nothing_is_folded_while_nothing_was_superseded(lambda_context: Any) -> None:
    body = call_web(web_deps(board_world()), "GET", "/crew", PLANNER, lambda_context, query=DAY)["body"]

    assert "<details" not in body
