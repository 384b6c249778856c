"""The crew board counts the empty seats a call-off's re-plan leaves as the re-plan does (ux_s16 #1): a segment
whose short-seat suggestion the re-plan closed and planned empty again shows its seats, open, not only "History: ...
superseded by a re-plan", and the board's "seats stay empty" is the re-plan's `unstaffed_seats`."""

from __future__ import annotations

from datetime import timedelta

import pytest

import plexlabor.crew.build as crew_build
from plexlabor.audit import InMemoryAuditStore
from plexlabor.crew.optimizer import solve
from plexlabor.crew.publish import publish_plan
from plexlabor.crew.replanning import run
from plexlabor.webapp.crewboard import LIVE, read_board
from tests.unit.crew.crew_builder import DAY, T0, WELD, job, operator, place, problem
from tests.unit.crew.test_crew_replan_events import container, message

AT = T0 + timedelta(minutes=15)


def test_the_board_shows_every_seat_a_call_off_leaves_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    # J1 needs two welders and the plant has one (A), who calls off: J1's empty seat of the night becomes two
    crew = problem(
        [job("J1", place("WLD-01"), requirements=(WELD,), crew=2), job("J3", place("WLD-03"), requirements=(WELD,))],
        [operator("A", levels={"SK-WELD": 2}), operator("B")],
    )
    monkeypatch.setattr(crew_build, "build_problem", lambda *_, **__: crew)
    store, clock = InMemoryAuditStore(), [AT]
    publish_plan(solve(crew, 10), store, T0 - timedelta(hours=10))

    summary = run(container(store, clock), message("call_off", clock[0], employee_id="A"))

    board = read_board(store, DAY, None, clock[0])
    assert board.totals("1").short_seats == summary["unstaffed_seats"] == 3
    [j1] = [segment for segment in board.segments("1") if segment.workcenter == "WLD-01"]
    assert [seat.seats for seat in j1.short if seat.state in LIVE] == [2]
