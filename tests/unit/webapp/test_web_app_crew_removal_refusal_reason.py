"""The crew board knows a removal plex_writeback refused because plant IT withdrew the assignment from Plex already by
the refusal's reason code (`writeback_failed` `refused_because`), not by its message's words: until 2026-12-06 it read
the words (`crew.removals`), so a change of wording offered the Retry again that plex_writeback refuses the same way."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from plexlabor.approval.errors import WritebackRefusedError
from plexlabor.approval.messages import RecommendationWriteback
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web
from tests.unit.webapp.test_web_app_crew_call_off_day import FORM, _board, _row, _text, world
from tests.unit.webapp.test_web_app_crew_removals import _refused_as_withdrawn, _totals
from tests.unit.webapp.viewers import PLANNER, SUPERVISOR

__all__ = ["world"]  # the fixture, used by name

REWORDED = "Nothing to take out of Plex: the assignment is no longer there."


def test_the_board_knows_the_refusal_by_its_reason_whatever_its_words(
    world: World, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(WritebackRefusedError, "__str__", lambda self: REWORDED)  # plex_writeback words it otherwise
    deps, removal = _refused_as_withdrawn(world, lambda_context)

    row = _row(_board(deps, lambda_context, FORM), "E0042", "WC-10")
    assert "Retry the removal" not in row
    assert "nothing to remove: it-admin withdrew the assignment from Plex at " in _text(row)
    again = call_web(
        deps,
        "POST",
        "/crew/removal",
        SUPERVISOR,
        lambda_context,
        form={"item": removal, "next": "/crew?day=2026-03-04"},
    )
    assert again["statusCode"] == 409 and REWORDED in _text(str(again["body"]))
    assert len([m for m in world.writebacks.sent if isinstance(m, RecommendationWriteback)]) == 2


def test_a_seat_withdrawn_in_plex_already_counts_as_free_once_its_person_is_back(
    world: World, lambda_context: Any
) -> None:
    # until 2026-12-06 the seat whose removal was refused as IT had withdrawn the assignment stood "accepted" and filled
    # once the call-off was undone, and re-plans held its person there: Plex gives them no such seat
    deps, _ = _refused_as_withdrawn(world, lambda_context)
    world.clock.now += timedelta(minutes=1)
    undo = {"undo": "E0042", "day": "2026-03-04", "shift": "1"}
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=undo)["statusCode"] == 303

    body = _board(deps, lambda_context, FORM)

    row = _text(_row(body, "E0042", "WC-10"))
    assert "accepted, then removed: nothing to remove: it-admin withdrew the assignment from Plex at " in row
    assert "0 accepted" in _totals(body)
