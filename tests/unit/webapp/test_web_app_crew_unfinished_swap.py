"""A swap on the crew board whose write to Plex could not be queued leaves the choice recorded, waiting, beside the
suggestion it was to replace (`ReviewService.approve_new`). Until 2026-12-06 the planner then had to accept it, reject
the other and re-plan the shift by hand (pressing Swap again was refused: "already suggested for this job operation").
Now the board marks it "swap not finished" with one action, "Finish the swap" (the same swap posted again), which
approves the recorded choice once (its write queued), rejects the one it replaces and asks for the re-plan."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from plexlabor.approval.messages import RecommendationWriteback
from plexlabor.audit import AuditEventType, AuditStatus
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web
from tests.unit.webapp.test_web_app_crew import Replans, _with_replan, board_world
from tests.unit.webapp.test_web_app_crew_board_ux_s13 import BOARD, _board, _text
from tests.unit.webapp.viewers import PLANNER, SUPERVISOR

FORM = {"item": "crew-0001", "employee": "E0050", "next": BOARD}


@pytest.fixture
def world() -> World:
    return board_world()


def _row(body: str, employee: str) -> str:
    return next(row for row in re.findall(r"<tr.*?</tr>", body, re.S) if employee in row.split("</td>")[0])


def test_a_swap_not_queued_is_finished_from_the_board_once(world: World, lambda_context: Any) -> None:
    # Given a swap of E0050 in for E0042 whose write the write-back queue did not take
    replans = Replans()
    deps = _with_replan(world, replans)
    world.writebacks.failing = True
    refused = call_web(deps, "POST", "/crew/swap", PLANNER, lambda_context, form=FORM)
    [location] = refused["multiValueHeaders"]["Location"]
    assert "why=not_queued" in location

    # Then the board it goes back to marks the recorded choice, with one action that posts the same swap again
    body = _board(deps, lambda_context, **dict(parse_qsl(urlsplit(location).query)))
    assert '"Finish the swap" there in a moment' in _text(body).replace("&#34;", '"').replace("&quot;", '"')
    row = _row(body, "E0050")
    assert "swap not finished: chosen on the board for E0042" in _text(row)
    finish = re.search(r'<form method="post" action="[^"]*/crew/swap" class="inline finish-swap">(.*?)</form>', row)
    assert finish is not None and "Finish the swap" in finish.group(1)
    posted = dict(re.findall(r'name="(item|employee)" value="([^"]+)"', finish.group(1)))
    assert posted == {"item": "crew-0001", "employee": "E0050"}
    assert "Accept</button>" not in row  # accepting alone would leave the replaced one waiting

    # When the queue is back and the planner finishes it
    world.writebacks.failing = False
    done = call_web(deps, "POST", "/crew/swap", PLANNER, lambda_context, form=FORM | posted)

    # Then the recorded choice is approved once (one write), the replaced one rejected, the re-plan asked once
    assert "done=swap" in done["multiValueHeaders"]["Location"][0]
    writes = [m for m in world.writebacks.sent if isinstance(m, RecommendationWriteback)]
    record = world.audit.for_finding("crew-0001")[0].record_key
    history = world.audit.history(record)
    [choice] = [e for e in history if e.event_type is AuditEventType.RECOMMENDATION and e.employee_id == "E0050"]
    assert [m.item_id for m in writes] == [choice.event_id]
    assert [e.status for e in world.audit.for_finding("crew-0001") if e.event_type is AuditEventType.DECISION] == [
        AuditStatus.REJECTED
    ]
    assert [(m.reason, m.employee_id) for m in replans.sent] == [("swap", "E0050")]
    row = _row(_board(deps, lambda_context, day="2026-03-04", shift="1", done="swap"), "E0050")
    assert "swap not finished" not in _text(row) and "accepted" in _text(row)

    # and pressing it again changes nothing
    again = call_web(deps, "POST", "/crew/swap", PLANNER, lambda_context, form=FORM)
    assert "why=not_waiting" in again["multiValueHeaders"]["Location"][0]
    assert len([m for m in world.writebacks.sent if isinstance(m, RecommendationWriteback)]) == 1


def _not_queued_choice(world: World, lambda_context: Any, replans: Replans) -> tuple[Any, str]:
    """A swap of E0050 in for E0042 (crew-0001) whose write the write-back queue did not take: the choice recorded,
    waiting beside crew-0001; then the queue is back. Returns the web app's dependencies and the choice's item id."""
    deps = _with_replan(world, replans)
    world.writebacks.failing = True
    refused = call_web(deps, "POST", "/crew/swap", PLANNER, lambda_context, form=FORM)
    assert "why=not_queued" in refused["multiValueHeaders"]["Location"][0]
    world.writebacks.failing = False
    history = world.audit.history(world.audit.for_finding("crew-0001")[0].record_key)
    [choice] = [e for e in history if e.event_type is AuditEventType.RECOMMENDATION and e.employee_id == "E0050"]
    return deps, choice.event_id


def test_accepting_an_unfinished_swap_in_the_review_queue_is_refused_pointing_to_the_board(
    world: World, lambda_context: Any
) -> None:
    # Until 2026-12-06 a supervisor's Accept of the recorded choice in the queue approved it alone: crew-0001 stayed
    # waiting beside it (two suggestions for one seat, one accepted) and the shift was not re-planned
    replans = Replans()
    deps, choice = _not_queued_choice(world, lambda_context, replans)

    accepted = call_web(deps, "POST", f"/items/{choice}", SUPERVISOR, lambda_context, form={"action": "approve"})

    assert accepted["statusCode"] == 409
    said = _text(str(accepted["body"])).replace("&#34;", '"').replace("&quot;", '"')
    assert "Not accepted here: E0050 was chosen on the crew board in place of E0042" in said
    assert '"Finish the swap"' in said
    assert world.writebacks.sent == [] and replans.sent == []
    assert not [e for e in world.audit.for_finding(choice) if e.event_type is AuditEventType.DECISION]
    assert not [e for e in world.audit.for_finding("crew-0001") if e.event_type is AuditEventType.DECISION]
    # the board still finishes it
    done = call_web(deps, "POST", "/crew/swap", PLANNER, lambda_context, form=FORM)
    assert "done=swap" in done["multiValueHeaders"]["Location"][0]
    assert [m.item_id for m in world.writebacks.sent if isinstance(m, RecommendationWriteback)] == [choice]


def test_a_choice_whose_replaced_suggestion_was_closed_is_accepted_in_the_queue(
    world: World, lambda_context: Any
) -> None:
    # near miss: once the suggestion it replaced is no longer waiting (rejected here), there is no swap left to
    # finish, and the choice is accepted in the queue as any suggestion
    deps, choice = _not_queued_choice(world, lambda_context, Replans())
    reject = {"action": "reject", "reason": "E0050 takes it"}
    assert call_web(deps, "POST", "/items/crew-0001", SUPERVISOR, lambda_context, form=reject)["statusCode"] == 303

    accepted = call_web(deps, "POST", f"/items/{choice}", SUPERVISOR, lambda_context, form={"action": "approve"})

    assert accepted["statusCode"] == 303
    assert [m.item_id for m in world.writebacks.sent if isinstance(m, RecommendationWriteback)] == [choice]


def test_the_item_page_of_an_unfinished_swap_offers_no_approve_but_the_board(world: World, lambda_context: Any) -> None:
    # Until 2026-12-06 the choice's item page offered Approve, which the queue refuses (409 above): the supervisor
    # learned it only by pressing. Now it says where the swap is finished, linking the shift; Reject stays
    deps, choice = _not_queued_choice(world, lambda_context, Replans())

    page = call_web(deps, "GET", f"/items/{choice}", SUPERVISOR, lambda_context)

    assert page["statusCode"] == 200
    body = str(page["body"])
    assert 'value="approve"' not in body and 'value="reject"' in body
    said = _text(body)
    assert "Finish this swap on the crew board: Shift 1 of Wed 2026-03-04 on the crew board" in said
    assert "in place of E0042, whose suggestion still waits" in said
    [finish] = re.findall(r'<p class="finish-swap">.*?href="([^"]+)"', body)
    assert finish.replace("&amp;", "&").endswith(BOARD)  # after the stage's base path


def test_the_item_page_of_a_choice_whose_replaced_suggestion_was_closed_offers_approve(
    world: World, lambda_context: Any
) -> None:
    # near miss: no swap left to finish, so the page offers Approve as for any suggestion (and the queue accepts it)
    deps, choice = _not_queued_choice(world, lambda_context, Replans())
    reject = {"action": "reject", "reason": "E0050 takes it"}
    assert call_web(deps, "POST", "/items/crew-0001", SUPERVISOR, lambda_context, form=reject)["statusCode"] == 303

    body = str(call_web(deps, "GET", f"/items/{choice}", SUPERVISOR, lambda_context)["body"])

    assert 'value="approve"' in body and "Finish this swap" not in body
