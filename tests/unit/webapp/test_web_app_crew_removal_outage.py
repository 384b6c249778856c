"""'Retry the removal' (POST /crew/removal) when its write cannot be queued (review_s13 #5's shape, same
`ReviewService.approve_new` path): the new removal stays recorded, waiting in the review queue, and the 503 says so
(it said "nothing was recorded: try again", and pressing again is refused: it is the seat's newest removal now);
approved from the queue, it is the one write."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from plexlabor.approval.messages import RecommendationWriteback
from plexlabor.review.queue import ReviewQueue
from plexlabor.webapp.viewer import viewer_from_claims
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web
from tests.unit.webapp.test_web_app_crew_call_off_day import _text, world
from tests.unit.webapp.test_web_app_crew_removals import _refused
from tests.unit.webapp.viewers import SUPERVISOR

__all__ = ["world"]  # the fixture, used by name


def test_a_retry_whose_write_could_not_be_queued_says_it_waits_in_the_queue(world: World, lambda_context: Any) -> None:
    deps, _, refused = _refused(world, lambda_context)
    world.clock.now += timedelta(minutes=2)
    form = {"item": refused, "next": "/crew?day=2026-03-04&shift=1"}
    world.writebacks.failing = True

    retried = call_web(deps, "POST", "/crew/removal", SUPERVISOR, lambda_context, form=form)

    world.writebacks.failing = False
    body = _text(str(retried["body"]))
    assert retried["statusCode"] == 503
    assert "it waits in the review queue, to be approved there" in body and "nothing was recorded" not in body
    supervisor = viewer_from_claims(SUPERVISOR)
    [waiting] = [i for i in ReviewQueue(world.audit, clock=world.clock).for_viewer(supervisor) if i.item_id != refused]
    assert waiting.evidence.get("retry_of") == refused
    # pressing again sends nothing; approving it in the queue is its one write
    assert call_web(deps, "POST", "/crew/removal", SUPERVISOR, lambda_context, form=form)["statusCode"] == 409
    deps.review.decide(supervisor, waiting.item_id, "approve", None)
    sent = [m.item_id for m in world.writebacks.sent if isinstance(m, RecommendationWriteback)]
    assert sent.count(waiting.item_id) == 1 and len(sent) == 3
