"""'Retry the removal' after the seat is over (review_s14 L10's follow-up): a removal from Plex still waiting expires at
its seat's end (`review.sweep.SEAT_KINDS`), so a refused one is not sent again after it either. Until 2026-12-06 the
board offered the Retry on an ended seat and `crewboard.plan_retry` sent a new removal, withdrawing a past seat's
assignment from Plex."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from plexlabor.approval.messages import RecommendationWriteback
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web
from tests.unit.webapp.test_web_app_crew_call_off_day import FORM, _board, _row, _text, world
from tests.unit.webapp.test_web_app_crew_removals import _refused
from tests.unit.webapp.viewers import SUPERVISOR

__all__ = ["world"]  # the fixture, used by name


def _sent(world: World) -> list[str]:
    return [m.item_id for m in world.writebacks.sent if isinstance(m, RecommendationWriteback)]


def test_a_refused_removal_is_not_retried_after_its_seat_ended(world: World, lambda_context: Any) -> None:
    # Given E0042's removal refused by Plex while E0042 is still off, and the seat (09:30 in Detroit) over
    deps, _, refused = _refused(world, lambda_context)
    before = _sent(world)
    world.clock.now = datetime(2026, 3, 4, 14, 45, tzinfo=UTC)  # 09:45 in Detroit

    # Then the board offers no Retry there
    row = _row(_board(deps, lambda_context, FORM), "E0042", "WC-10")
    assert "not removed: Plex refused it" in _text(row)
    assert "Retry the removal" not in row and 'action="/dev/crew/removal"' not in row

    # and a Retry posted anyway (a page loaded before the end) is refused saying why, with nothing sent
    form = {"item": refused, "next": "/crew?day=2026-03-04&shift=1"}
    retried = call_web(deps, "POST", "/crew/removal", SUPERVISOR, lambda_context, form=form)

    assert retried["statusCode"] == 409
    assert "Removal not sent again: the seat ended at 09:30" in _text(str(retried["body"]))
    assert _sent(world) == before


def test_a_refused_removal_is_retried_until_its_seat_ends(world: World, lambda_context: Any) -> None:
    # near miss: a minute before the seat's end the Retry is offered and sends the removal again
    deps, _, refused = _refused(world, lambda_context)
    world.clock.now = datetime(2026, 3, 4, 14, 29, tzinfo=UTC)  # 09:29 in Detroit
    assert "Retry the removal" in _row(_board(deps, lambda_context, FORM), "E0042", "WC-10")
    form = {"item": refused, "next": "/crew?day=2026-03-04&shift=1"}

    retried = call_web(deps, "POST", "/crew/removal", SUPERVISOR, lambda_context, form=form)

    assert retried["statusCode"] == 303 and len(_sent(world)) == 3
