"""One coding per stretch of unallocated time, whichever way it is approved (review_s14 #3).

`take_stretch` keeps one coding standing per stretch and refuses a coding of a decided suggestion, but nothing refused
the approval of the suggestion itself while a coding of its stretch stood: a coding left waiting (its write could not
be queued and it could not be let go: the page says "approve it there in a moment") and the suggestion it codes (a
likely job, waiting beside it) were both approved in the queue, and both went to Plex. The web app's guard
(`allocation.coding.StretchHold`) now refuses the second approval with a 409 naming what holds the stretch.
"""

from __future__ import annotations

import pytest

from plexlabor.allocation.coding import Coding, StretchHeldError, coded_event
from plexlabor.audit import AuditEvent
from plexlabor.review.decisions import Outcome
from plexlabor.review.queue import ReviewQueue
from tests.unit.allocation.test_unallocated_coding import SUPERVISOR, deps, publish
from tests.unit.allocation.test_unallocated_coding_outage import _code_while_decisions_unreachable, _written
from tests.unit.approval.approval_fakes import World


@pytest.fixture
def world() -> World:
    return World()


def _stuck_coding(world: World, opening: AuditEvent) -> str:
    """Code the stretch while the write-back queue and then the audit's decisions are unreachable: the coding stays
    recorded, waiting in the queue beside the suggestion it codes (`allocationpage._stuck`, a 503); its item id."""
    assert _code_while_decisions_unreachable(world, opening)["statusCode"] == 503
    waiting = [i.item_id for i in ReviewQueue(world.audit, clock=world.clock).for_viewer(SUPERVISOR)]
    assert opening.event_id in waiting and len(waiting) == 2
    (coding,) = set(waiting) - {opening.event_id}
    return coding


def test_approving_both_the_coding_and_its_suggestion_writes_the_stretch_once(world: World) -> None:
    opening = publish(world, job=True)  # a likely job: its approval writes a labor entry
    coding = _stuck_coding(world, opening)
    review = deps(world).review

    outcomes = review.decide_many(SUPERVISOR, [coding, opening.event_id], "approve", None)

    assert _written(world) == [coding]  # one stretch, one write to Plex
    refused = {outcome.item_id: outcome.problem for outcome in outcomes if outcome.problem}
    assert list(refused) == [opening.event_id]
    assert "coded by hand already" in str(refused[opening.event_id]) and coding in str(refused[opening.event_id])


def test_the_suggestion_is_refused_with_a_409_naming_the_waiting_coding(world: World) -> None:
    opening = publish(world, job=True)
    coding = _stuck_coding(world, opening)

    with pytest.raises(StretchHeldError) as refused:
        deps(world).review.decide(SUPERVISOR, opening.event_id, "approve", None)

    assert refused.value.http_status == 409
    assert f"item {coding}" in str(refused.value) and "waiting to be approved" in str(refused.value)
    assert _written(world) == []
    outcome: Outcome = deps(world).review.decide(SUPERVISOR, opening.event_id, "reject", "coded by hand")
    assert outcome.action == "reject"  # rejecting it is what is left to do


def test_a_coding_is_not_approved_once_its_suggestion_was(world: World) -> None:
    """Two tabs: one approves the suggestion in the queue after the other's coding read it waiting (`take_stretch`)."""
    opening = publish(world, job=True)
    coded = coded_event(opening, Coding(indirect_code="TRAINING"), "E0007", world.clock(), 1)
    review = deps(world).review
    review.decide(SUPERVISOR, opening.event_id, "approve", None)

    with pytest.raises(StretchHeldError) as refused:
        review.approve_new(SUPERVISOR, coded, "allocation")

    assert f"charge 40 min to job J100007 op 20; item {opening.event_id}) was approved by E0001" in str(refused.value)

    assert _written(world) == [opening.event_id]
