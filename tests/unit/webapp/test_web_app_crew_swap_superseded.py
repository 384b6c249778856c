"""A swap on the crew board under way when a re-plan supersedes the suggestion it replaces (review_close_s15 #5): the
swap is refused on the board naming the re-plan's replacement, nothing goes to Plex and no re-plan is sent; until
2026-12-06 the re-plan left the suggestion to the swap and the swap went on, its choice written beside the
re-plan's replacement (or, when it failed, the old suggestion stayed open beside it)."""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from typing import Any

import pytest

from plexlabor.crew.claims import ClaimRefusedError, Release, SeatClaims
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web
from tests.unit.webapp.test_web_app_crew import Replans, _with_replan, board_world
from tests.unit.webapp.viewers import PLANNER


def test_a_swap_whose_suggestion_a_re_plan_supersedes_meanwhile_is_refused_on_the_board(
    lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the board's waiting seat crew-0001 (E0042); a re-plan (a call-off of E0099) supersedes it, E0051 suggested
    # instead, right after the swap of E0050 into it held the seat's log (before the swap's own seat is held)
    world: World = board_world()
    replans = Replans()
    deps = _with_replan(world, replans)
    accept = SeatClaims.accept

    def re_plan_then_accept(
        claims: SeatClaims, employee_id: str, day: date, shift: str, item_id: str, by: str, now: datetime, token: Any
    ) -> Release:
        with contextlib.suppress(ClaimRefusedError):  # refused: the re-plan leaves the suggestion to the swap
            SeatClaims(claims.store).supersede(
                "crew-0001", "E0042", day, shift, "a call-off of E0099", ["E0051"], "crew_replan", now
            )
        return accept(claims, employee_id, day, shift, item_id, by, now, token)

    monkeypatch.setattr(SeatClaims, "accept", re_plan_then_accept)

    # When the planner swaps E0050 in
    form = {"item": "crew-0001", "employee": "E0050", "next": "/crew?day=2026-03-04&shift=1"}
    response = call_web(deps, "POST", "/crew/swap", PLANNER, lambda_context, form=form)

    # Then the swap is refused (409, the board) naming the replacement; nothing is written to Plex, no re-plan sent
    assert response["statusCode"] == 409
    assert (
        "Not swapped: this suggestion was just replaced by the re-plan after a call-off of E0099 at 23:00 (E0051 "
        "suggested for the seat instead): it is no longer open to swap. Nothing was changed."
    ) in " ".join(str(response["body"]).split())
    assert world.writebacks.sent == [] and replans.sent == []
