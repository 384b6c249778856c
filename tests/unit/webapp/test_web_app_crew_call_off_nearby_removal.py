"""The removal from Plex of an accepted seat a call-off of another shift rules out (issue 16, helper-271's find), in
the review queue: E0042's accepted overtime seat in shift 2 (starting as shift 1 ends) gets its removal when E0042
calls off shift 1 (the re-plan of shift 2 opens it, `removals.open_removals` with the seats `stretches.ruled_out`
names); the supervisor reads why on its page ("called off shift 1 ...; this seat starts as that shift ends") and
approving it sends the withdrawal to plex_writeback like any removal."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from plexlabor.approval.messages import RecommendationWriteback
from plexlabor.crew.removals import open_removals
from plexlabor.crew.stretches import CalledOff, RuledOut
from plexlabor.crew.suggestions import read_day
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web
from tests.unit.webapp.test_web_app_crew import Replans, _with_replan
from tests.unit.webapp.test_web_app_crew_call_off_day import FORM, _text
from tests.unit.webapp.test_web_app_crew_call_off_nearby import world
from tests.unit.webapp.viewers import PLANNER

__all__ = ["world"]  # the fixture, used by name

DAY = date(2026, 3, 4)


def test_the_removal_of_an_accepted_seat_next_to_a_call_off_is_decided_in_the_queue(
    world: World, lambda_context: Any
) -> None:
    deps = _with_replan(world, Replans())
    accept = call_web(deps, "POST", "/items/crew-0201", PLANNER, lambda_context, form={"action": "approve"})
    assert accept["statusCode"] == 303
    form = FORM | {"for": "shift", "reason": "family"}
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=form)["statusCode"] == 303
    at = world.clock()
    ruled = {("op-8|2", "E0042"): RuledOut(CalledOff("E0042", DAY, "1", at, "family"), "starts as that shift ends")}
    read = read_day(world.audit, DAY)
    assert open_removals(world.audit, read, "2", {}, at, ZoneInfo("America/Detroit"), {"op-8|2"}, ruled).count == 1
    [removal] = read_day(world.audit, DAY).removals

    page = call_web(deps, "GET", f"/items/{removal.event_id}", PLANNER, lambda_context)

    assert page["statusCode"] == 200
    assert (
        "Remove E0042 from WC-20 shift 2 in Plex (called off shift 1 at 04:40, family or personal; this seat starts "
        "as that shift ends): the seat was accepted and sent to Plex; the re-plan found nobody for it"
        in _text(page["body"])
    )
    sent_before = len(world.writebacks.sent)
    decided = call_web(deps, "POST", f"/items/{removal.event_id}", PLANNER, lambda_context, form={"action": "approve"})
    assert decided["statusCode"] == 303
    [sent] = [m for m in world.writebacks.sent[sent_before:] if isinstance(m, RecommendationWriteback)]
    assert sent.item_id == removal.event_id
    assert datetime.fromisoformat(str(removal.payload["called_off_at"])) == at
