"""A call-off whose person then clocked in (crew_replan found it: its `clocked_in` record, and its release of the
board's claim) is over on the crew board: "clocked in at …", no Undo button, the accepted seat filled and not
withdrawn (no "remove it from Plex"), the person offered and swapped again (review 163 D2: the board kept the
call-off holding, with the removal banner and an Undo that gave a 409)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from plexlabor.crew.claims import SeatClaims
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.replanning import applied_event
from plexlabor.crew.suggestions import REPLAN_ACTOR
from plexlabor.webapp.crewboard import board_reader, read_board
from tests.unit.review.review_world import call_web
from tests.unit.webapp.test_web_app_crew import Replans, _decide, _with_replan, board_world
from tests.unit.webapp.test_web_app_crew_call_off_undo import CALL_OFF
from tests.unit.webapp.viewers import PLANNER

DAY = date(2026, 3, 4)


def test_a_call_off_whose_person_clocked_in_is_over_on_the_board(lambda_context: Any) -> None:
    world = board_world()  # shift 1 of 2026-03-04, 06:00-14:30 UTC: E0042 waiting on crew-0001
    world.clock.now = datetime(2026, 3, 4, 5, 30, tzinfo=UTC)
    replans = Replans()
    deps = _with_replan(world, replans)
    assert _decide(deps, "crew-0001", lambda_context, action="approve")["statusCode"] == 303  # sent to Plex
    assert call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=CALL_OFF)["statusCode"] == 303
    for message in replans.sent:
        world.audit.append(applied_event(message, world.clock.now))  # crew_replan applied it
    world.clock.now = datetime(2026, 3, 4, 6, 30, tzinfo=UTC)
    # crew_replan's next read of shift 1 finds E0042 clocked in at 06:25: records it, lets the board's claim go
    back = ReplanMessage(
        reason="clocked_in",
        day=DAY,
        shift="1",
        detected_at=datetime(2026, 3, 4, 6, 25, tzinfo=UTC),
        employee_id="E0042",
    )
    world.audit.append(applied_event(back, world.clock.now))
    assert SeatClaims(world.audit).release_call_off("E0042", DAY, "1", REPLAN_ACTOR) is not None

    query = {"day": DAY.isoformat(), "shift": "1", "done": "calloff"}
    body = str(call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=query)["body"])

    assert 'id="withdrawn"' not in body and "Undo call-off" not in body
    assert "over: clocked in at" in body and "undone at" not in body
    board = read_board(board_reader(world.audit).day(DAY, world.clock.now, fresh=True), DAY, None, world.clock.now)
    assert board.called_off("1", "E0042") is None
    [seat] = [s for s in board.shifts["1"][0].assigned if s.item.employee_id == "E0042"]
    assert seat.state == "accepted" and board.fills("1", seat) and not board.withdrawn("1", seat)
    assert board.totals("1").withdrawn == 0
    undo = call_web(deps, "POST", "/crew/calloff", PLANNER, lambda_context, form=CALL_OFF | {"undo": "E0042"})
    assert undo["statusCode"] == 409  # nothing to undo: it is over (and the page no longer offers it)
