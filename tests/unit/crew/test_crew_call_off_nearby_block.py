"""A call-off rules out its person's overtime seat next to it on the board and in the claims only until the re-plan of
that seat's shift decides (review_s16 lead 5). The board knows the shift's span (first segment's start to the shift's
end), crew_replan the person's Plex block (`stretches.with_call_offs`). Here A's block of shift 1 ends at 12:00 while
the shift runs to 14:30 (C works on until then), and A holds a shift-2 overtime seat J5 from 14:30 (the plant's rest
rule is 30 minutes): it touches the span, not A's block. The re-plan after A's call-off of shift 1 keeps A in J5;
until now the claim refused its Accept ("re-plan pending") and the board kept it marked until the call-off's undo."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

import plexlabor.crew.build as crew_build
from plexlabor.audit import AuditEvent, InMemoryAuditStore
from plexlabor.crew.claims import ClaimRefusedError, SeatClaims
from plexlabor.crew.messages import ReplanMessage, nearby
from plexlabor.crew.models import CrewPolicy, CrewProblem
from plexlabor.crew.optimizer import solve
from plexlabor.crew.publish import publish_plan
from plexlabor.crew.replanning import run
from plexlabor.crew.suggestions import read_day
from plexlabor.webapp.crewboard import Board, board_reader, read_board
from tests.unit.crew.crew_builder import DAY, T0, WELD, block, job, operator, place, problem
from tests.unit.crew.test_crew_replan_events import container

CNC1, CNC2, CNC3 = place("CNC-01"), place("CNC-02", x=10), place("CNC-03", x=5)
A_ENDS = 6.0
"""Hours after 06:00 that A's block of shift 1 ends (the shift ends 8.5 h after)."""
SPAN = (T0, T0 + timedelta(hours=8.5))
"""Shift 1 as the board has it."""


def _day() -> CrewProblem:
    a_block = block("1", workcenter="WC-CNC-01").model_copy(update={"end": T0 + timedelta(hours=A_ENDS)})
    others = {"SK-CNC": 3, "SK-WELD": 0}
    return problem(
        [
            job("J1", CNC1, hours=A_ENDS),
            job("J2", CNC3, start=A_ENDS, hours=8.5 - A_ENDS),
            job("J5", CNC1, start=8.5, hours=2.0, shift="2", requirements=(WELD,)),
            job("J6", CNC2, start=8.5, hours=8.0, shift="2"),
        ],
        [
            operator("A", shifts=(a_block,), planned=CNC1, week=30.0, levels={"SK-CNC": 3, "SK-WELD": 2}),
            operator("C", shifts=(block("1", workcenter="WC-CNC-03"),), planned=CNC3, levels=others),
            operator("B", shifts=(block("2", workcenter="WC-CNC-02"),), planned=CNC2, levels=others),
        ],
        CrewPolicy(min_rest_hours=0.5),
    )


def _shift(code: str) -> CrewProblem:
    day = _day()
    return day.model_copy(update={"shift_codes": (code,), "jobs": tuple(j for j in day.jobs if j.shift_code == code)})


def _j5(store: InMemoryAuditStore) -> AuditEvent:
    read = read_day(store, DAY)
    [seat] = [
        e
        for e in read.openings
        if e.payload.get("segment") == "J5" and e.employee_id == "A" and e.event_id not in read.closed
    ]
    return seat


def _board(store: InMemoryAuditStore, now: datetime) -> Board:
    return read_board(board_reader(store).day(DAY, now, fresh=True), DAY, None, now)


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> InMemoryAuditStore:
    monkeypatch.setattr(crew_build, "build_problem", lambda _port, _day, shift, **__: _shift(shift))
    store = InMemoryAuditStore()
    night = solve(_day(), 10)
    assert {(a.job_key, a.employee_id, a.outside_hours) for a in night.assignments} >= {
        ("J1", "A", 0.0),
        ("J5", "A", 2.0),
    }
    publish_plan(night, store, T0 - timedelta(hours=10))
    return store


def test_a_seat_next_to_the_shift_but_not_to_the_persons_block_is_accepted_once_the_re_plan_kept_it(
    store: InMemoryAuditStore,
) -> None:
    clock = [T0 - timedelta(hours=1)]
    claims = SeatClaims(store, lambda: clock[0])
    claims.call_off("A", DAY, "1", "family", "P1", clock[0], SPAN)  # as the board records it
    call_off = ReplanMessage(
        reason="call_off", day=DAY, shift="1", detected_at=clock[0], employee_id="A", reported_by="P1"
    )
    seat = _j5(store)
    start, end = T0 + timedelta(hours=8.5), T0 + timedelta(hours=10.5)

    # before the re-plan of shift 2: the span rule holds it ("re-plan pending"), on the board and in the claim
    with pytest.raises(ClaimRefusedError, match="re-plan pending"):
        claims.seat("A", DAY, "2", seat.event_id, "CNC-01", start, end, "S1", clock[0])
    pending = _board(store, clock[0])
    [segment] = [s for s in pending.shifts["2"] if s.key == "J5"]
    assert pending.pending("2", segment, "A", 2.0) is not None

    deps = container(store, clock)
    run(deps, call_off)
    clock[0] += timedelta(minutes=1)
    run(deps, nearby(call_off, DAY, "2"))  # the re-plan decides on A's block (06:00-12:00): J5 stands

    assert _j5(store).event_id == seat.event_id  # kept, not closed
    clock[0] += timedelta(minutes=1)
    board = _board(store, clock[0])
    [segment] = [s for s in board.shifts["2"] if s.key == "J5"]
    assert board.pending("2", segment, "A", 2.0) is None
    claims.seat("A", DAY, "2", seat.event_id, "CNC-01", start, end, "S1", clock[0])  # refused before
