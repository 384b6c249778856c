"""A swap on the crew board whose write to Plex could not be queued waits in the review queue as its choice
(`ReviewService.unfinished_swap`); a re-plan then closes the suggestion it was to replace (review_close_s15, after
43db6603). The choice can no longer be approved (the re-plan planned that seat again), so until 2026-12-06 it stayed
open behind an Approve that was refused with words about the old suggestion ("this suggestion was just replaced by the
re-plan ..."), a dead end until someone rejected it or it expired. Now its refusal and its page say what happened to
this choice, and the page offers Reject only."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from plexlabor.approval.messages import RecommendationWriteback
from plexlabor.audit import AuditEventType
from plexlabor.crew.claims import SeatClaims
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.replan import CurrentPlan
from plexlabor.crew.replanning import _superseding, close_dropped, superseded_event
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web
from tests.unit.webapp.test_web_app_crew import Replans, board_world
from tests.unit.webapp.test_web_app_crew_board_ux_s13 import _text
from tests.unit.webapp.test_web_app_crew_unfinished_swap import _not_queued_choice
from tests.unit.webapp.viewers import SUPERVISOR

DAY = date(2026, 3, 4)
WORDS = (
    "this swap's choice can no longer be written: the re-plan after a call-off of E0099 at {at} closed the suggestion "
    "of E0042 it was to replace and planned that seat again; reject it to close it"
)


@pytest.fixture
def world() -> World:
    return board_world()


def _re_planned(world: World) -> str:
    """The re-plan after a call-off of E0099 closes crew-0001 (E0042), as `replanning._superseding` and `run` do: its
    `supersede` entry in the seat's claim log, then its `expired` event. Returns the words' time."""
    now = world.clock()
    SeatClaims(world.audit).supersede(
        "crew-0001", "E0042", DAY, "1", "a call-off of E0099", ["E0051"], "crew_replan", now
    )
    [opening] = [e for e in world.audit.for_finding("crew-0001") if e.event_type is AuditEventType.RECOMMENDATION]
    call_off = ReplanMessage(reason="call_off", day=DAY, shift="1", detected_at=now, employee_id="E0099")
    world.audit.append(superseded_event(opening, call_off, now, "a call-off of E0099"))
    return f"{now:%H:%M} UTC"


def test_approving_a_swap_choice_whose_replaced_suggestion_a_re_plan_closed_says_what_happened_to_it(
    world: World, lambda_context: Any
) -> None:
    deps, choice = _not_queued_choice(world, lambda_context, Replans())
    at = _re_planned(world)

    approved = call_web(deps, "POST", f"/items/{choice}", SUPERVISOR, lambda_context, form={"action": "approve"})

    assert approved["statusCode"] == 409
    said = _text(str(approved["body"])).replace("&#39;", "'")
    assert WORDS.format(at=at) in said
    assert "this suggestion was just replaced" not in said  # the old suggestion's words, not this item's
    assert world.writebacks.sent == []
    assert not [e for e in world.audit.for_finding(choice) if e.event_type is AuditEventType.DECISION]


def test_the_item_page_of_such_a_choice_offers_reject_only_and_rejecting_closes_it(
    world: World, lambda_context: Any
) -> None:
    deps, choice = _not_queued_choice(world, lambda_context, Replans())
    at = _re_planned(world)

    body = str(call_web(deps, "GET", f"/items/{choice}", SUPERVISOR, lambda_context)["body"])

    assert 'value="approve"' not in body and 'value="reject"' in body
    assert "Finish this swap" not in body
    words = WORDS.format(at=at)
    assert f"{words[0].upper()}{words[1:]}." in _text(body).replace("&#39;", "'")
    reject = {"action": "reject", "reason": "the re-plan filled the seat"}
    assert call_web(deps, "POST", f"/items/{choice}", SUPERVISOR, lambda_context, form=reject)["statusCode"] == 303
    assert [e for e in world.audit.for_finding(choice) if e.event_type is AuditEventType.DECISION]


def _re_planned_keeping(world: World, choice: str) -> None:
    """The re-plan after a call-off of E0099 reads crew-0001 (E0042) and the choice (E0050) in its seat, keeps E0050
    there and drops crew-0001 (its solve stubbed: issue 16), closing it as `replanning.run` does."""
    now = world.clock()
    [old, new] = (
        next(e for e in world.audit.for_finding(item) if e.event_type is AuditEventType.RECOMMENDATION)
        for item in ("crew-0001", choice)
    )
    seat = str(old.payload["segment"])
    openings = {(seat, "E0042"): old, (seat, "E0050"): new}
    call_off = ReplanMessage(reason="call_off", day=DAY, shift="1", detected_at=now, employee_id="E0099")

    def e0050_kept(current: CurrentPlan) -> tuple[Any, Any]:
        return None, SimpleNamespace(assignments=[SimpleNamespace(job_key=seat, employee_id="E0050")])

    current = CurrentPlan(assignments=frozenset(openings))
    *_, dropped = _superseding(world.audit, call_off, now, "a call-off of E0099", current, openings, e0050_kept)
    close_dropped(world.audit, dropped, openings, {(seat, "E0050")}, call_off, now, "a call-off of E0099")


def test_a_swap_choice_the_re_plan_kept_in_the_seat_is_approved_in_the_queue(world: World, lambda_context: Any) -> None:
    # issue 16: the re-plan kept E0050 in the seat it closed crew-0001 of; until 2026-12-06 the choice was refused as
    # if the re-plan had planned the seat for someone else ("... reject it to close it")
    deps, choice = _not_queued_choice(world, lambda_context, Replans())
    _re_planned_keeping(world, choice)

    page = str(call_web(deps, "GET", f"/items/{choice}", SUPERVISOR, lambda_context)["body"])
    approved = call_web(deps, "POST", f"/items/{choice}", SUPERVISOR, lambda_context, form={"action": "approve"})

    assert 'value="approve"' in page and "can no longer be written" not in _text(page)
    assert approved["statusCode"] == 303
    assert [m.item_id for m in world.writebacks.sent if isinstance(m, RecommendationWriteback)] == [choice]
    assert [e.status.value for e in world.audit.for_finding(choice) if e.event_type is AuditEventType.DECISION] == [
        "approved"
    ]
