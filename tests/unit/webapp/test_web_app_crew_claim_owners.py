"""Who owns a seat claim (review 155, R1, R2 and R4; `crew.claims`): every approval of a crew seat holds the seat's own
log too, so a swap of it and its acceptance in the queue at the same moment do not both go to Plex (R1); each
approval's entries are its own, so a failed approval lets go only its own and a concurrent approval of the same seat
stays held (R2); a release that cannot be written is logged, the decision's own error is what is said, and the entry
no longer holds once `GRACE` is over with no approval behind it (R4)."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest

from plexlabor.approval.errors import WritebackNotQueuedError
from plexlabor.audit.errors import AuditUnavailableError
from plexlabor.crew.claims import GRACE, ClaimRefusedError, SeatClaims, live, person_log, seat_log
from plexlabor.webapp import dashboards
from plexlabor.webapp.viewer import viewer_from_claims
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, crew_assignment, web_deps
from tests.unit.webapp.test_web_app_crew import Replans, _decide, _with_replan, board_world
from tests.unit.webapp.viewers import PLANNER

DAY = date(2026, 3, 4)


def test_a_swap_and_the_queues_acceptance_of_the_same_seat_at_once_write_one_person(
    lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = board_world()
    deps = _with_replan(world, Replans())
    checked = dashboards.plan_swap

    def checked_then_accepted_elsewhere(*args: Any, **kw: Any) -> Any:
        swap = checked(*args, **kw)  # the swap found crew-0001 waiting ...
        # ... and at that moment another planner accepts crew-0001 (E0042) in the queue
        assert _decide(deps, "crew-0001", lambda_context, action="approve")["statusCode"] == 303
        return swap

    monkeypatch.setattr(dashboards, "plan_swap", checked_then_accepted_elsewhere)
    form = {"item": "crew-0001", "employee": "E0050", "next": "/crew?day=2026-03-04&shift=1"}
    response = call_web(deps, "POST", "/crew/swap", PLANNER, lambda_context, form=form)

    assert [w.item_id for w in world.recommendations_sent] == ["crew-0001"]
    assert response["statusCode"] == 409
    assert "Not swapped: this seat was just accepted for" in " ".join(response["body"].split())


def test_an_acceptance_is_refused_while_a_swap_of_its_seat_holds() -> None:
    world = board_world()
    review = web_deps(world).review
    claims = SeatClaims(review.audit, review.clock)
    review.guard = claims
    claims.swap("crew-0001", "E0050", DAY, "1", "crew-swap", "P0002", review.clock(), token="swap")

    with pytest.raises(ClaimRefusedError, match="this seat was just swapped for E0050 by P0002"):
        review.decide(viewer_from_claims(PLANNER), "crew-0001", "approve", None)
    assert world.writebacks.sent == []


class _Gated:
    """The write-back queue: the first send fails, the second reaches the queue, each when the test lets it."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.calls, self.lock = inner, 0, threading.Lock()
        self.entered = [threading.Event(), threading.Event()]
        self.go = [threading.Event(), threading.Event()]

    def send(self, message: Any) -> None:
        with self.lock:
            n, self.calls = self.calls, self.calls + 1
        if n < 2:
            self.entered[n].set()
            assert self.go[n].wait(10)
            if n == 0:
                raise ConnectionError("the write-back queue is unreachable")
        self.inner.send(message)


def _two_seats_of_e0050() -> World:
    world = World()
    crew_assignment(world, "crew-a", employee_id="E0050", workcenter_code="WC-10")  # 06:00-14:00
    crew_assignment(
        world, "crew-b", employee_id="E0050", segment="op-9|1", workcenter_code="WC-20", end="2026-03-04T10:00:00+00:00"
    )
    return world


def test_a_failed_approval_lets_go_only_its_own_claim_not_a_concurrent_approvals_of_the_same_seat() -> None:
    world = _two_seats_of_e0050()
    review = web_deps(world).review
    review.guard = SeatClaims(review.audit, review.clock)
    gated = _Gated(world.writebacks)
    review.writeback = gated
    one = viewer_from_claims(PLANNER)
    two = viewer_from_claims({"cognito:username": "P0002", "cognito:groups": "planner"})
    errors: list[BaseException] = []

    def approve(viewer: Any) -> None:
        try:
            review.decide(viewer, "crew-a", "approve", None)
        except Exception as error:  # the thread's outcome, asserted below
            errors.append(error)

    first = threading.Thread(target=approve, args=(one,))
    first.start()
    assert gated.entered[0].wait(10)  # planner 1 holds E0050 for crew-a; its write is being queued
    second = threading.Thread(target=approve, args=(two,))
    second.start()
    assert gated.entered[1].wait(10)  # planner 2 holds its own entries for the same seat
    gated.go[0].set()
    first.join(10)  # planner 1's queue fails: its claim is let go
    gated.go[1].set()
    second.join(10)  # planner 2's approval is recorded

    assert [type(e) for e in errors] == [WritebackNotQueuedError]
    held = live(SeatClaims(review.audit)._entries(person_log(DAY, "E0050")))
    assert [(c.what, c.item_id, c.by) for c in held] == [("seat", "crew-a", "P0002")]
    with pytest.raises(ClaimRefusedError, match="E0050 was just placed on WC-10"):
        review.decide(one, "crew-b", "approve", None)  # overlapping crew-a
    assert [w.item_id for w in world.recommendations_sent] == ["crew-a"]


def _approval_whose_release_is_lost(world: World) -> Any:
    """crew-a's approval fails to queue its write (the queue unreachable) and its release fails too (the store
    unreachable a moment): the review service, its error."""
    review = web_deps(world).review
    review.guard = SeatClaims(review.audit, review.clock)
    world.writebacks.failing = True
    append = world.audit.append

    def unreachable_for_releases(event: Any) -> None:
        if event.payload.get("claim") == "release":
            raise AuditUnavailableError("DynamoDB unreachable during append")
        append(event)

    world.audit.append = unreachable_for_releases  # type: ignore[method-assign]
    with pytest.raises(WritebackNotQueuedError, match="could not be sent on its way to Plex"):
        review.decide(viewer_from_claims(PLANNER), "crew-a", "approve", None)  # its own error, not the release's
    world.audit.append = append  # type: ignore[method-assign]
    world.writebacks.failing = False
    held = live(SeatClaims(world.audit)._entries(person_log(DAY, "E0050")))
    assert [(c.what, c.item_id) for c in held] == [("seat", "crew-a")]  # the release was not written
    return review


def test_a_claim_whose_release_was_lost_holds_no_longer_than_the_grace_without_an_approval() -> None:
    world = _two_seats_of_e0050()
    review = _approval_whose_release_is_lost(world)

    world.clock.advance(seconds=GRACE.total_seconds() + 1)
    review.decide(viewer_from_claims(PLANNER), "crew-b", "approve", None)  # crew-a never approved: E0050 is free

    assert [w.item_id for w in world.recommendations_sent] == ["crew-b"]


def test_a_claim_whose_release_was_lost_still_holds_within_the_grace() -> None:
    world = _two_seats_of_e0050()
    review = _approval_whose_release_is_lost(world)

    world.clock.advance(seconds=GRACE.total_seconds() - 10)  # the approval may still be on its way
    with pytest.raises(ClaimRefusedError, match="E0050 was just placed on WC-10"):
        review.decide(viewer_from_claims(PLANNER), "crew-b", "approve", None)
    assert world.writebacks.sent == []


def test_an_approved_seats_claim_holds_after_the_grace() -> None:
    world = _two_seats_of_e0050()
    review = web_deps(world).review
    review.guard = SeatClaims(review.audit, review.clock)
    review.decide(viewer_from_claims(PLANNER), "crew-a", "approve", None)

    world.clock.advance(hours=1)
    with pytest.raises(ClaimRefusedError, match="E0050 was placed on WC-10"):
        review.decide(viewer_from_claims(PLANNER), "crew-b", "approve", None)
    assert [w.item_id for w in world.recommendations_sent] == ["crew-a"]
    assert [c.what for c in live(SeatClaims(world.audit)._entries(seat_log(DAY, "crew-a")))] == ["accept"]
