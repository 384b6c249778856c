"""Before the re-plan of a seat's shift decides on a call-off of the shift next to it, the crew board and the claims
rule the seat out on the person's Plex block of the shift called off, which that re-plan decides on
(`stretches.with_call_offs`), once it is known: recorded by the re-plan of the shift called off (`messages.PLEX_BLOCK`)
or held by a detected call-off's claim (`replanning._hold_detected`); the board's span of the shift only until then.
Until 2026-12-06 the board and a board call-off's claim used the span until the seat's own re-plan: A's block of
shift 1 ends at 12:00 while the span runs to 14:30, so A's shift-2 seat from 14:30 read "re-plan pending" and its
Accept was refused, then the re-plan kept it; and a block running past the span read "starts as that shift ends"
on the board and "overlaps that shift" in the removal (ux_verify_s16 B). The fixture is
`test_crew_call_off_nearby_block.py`'s."""

from __future__ import annotations

from datetime import timedelta

import pytest

from plexlabor.audit import InMemoryAuditStore
from plexlabor.crew.claims import ClaimRefusedError, SeatClaims
from plexlabor.crew.messages import DETECTOR, PLEX_BLOCK, ReplanMessage
from plexlabor.crew.replanning import applied_event, run
from tests.unit.crew.crew_builder import DAY, T0
from tests.unit.crew.test_crew_call_off_nearby_block import A_ENDS, SPAN, _board, _j5, store
from tests.unit.crew.test_crew_replan_events import container

__all__ = ["store"]  # the fixture

J5 = (T0 + timedelta(hours=8.5), T0 + timedelta(hours=10.5))
A_BLOCK = (T0, T0 + timedelta(hours=A_ENDS))


def test_the_re_plan_of_the_shift_called_off_records_the_block_and_the_seat_next_door_is_judged_on_it(
    store: InMemoryAuditStore,
) -> None:
    clock = [T0 - timedelta(hours=1)]
    claims = SeatClaims(store, lambda: clock[0])
    claims.call_off("A", DAY, "1", "family", "P1", clock[0], SPAN)  # as the board records it: the shift's span
    call_off = ReplanMessage(
        reason="call_off", day=DAY, shift="1", detected_at=clock[0], employee_id="A", reported_by="P1"
    )
    run(container(store, clock), call_off)  # shift 1 re-planned without A; shift 2's re-plan not run yet
    clock[0] += timedelta(minutes=1)

    [applied] = store.history("crew-shifts:2026-11-23/1")
    assert applied.payload[PLEX_BLOCK] == [A_BLOCK[0].isoformat(), A_BLOCK[1].isoformat()]
    # J5 (14:30-16:30) is apart from A's block (06:00-12:00): neither marked nor refused, as its re-plan will keep it
    board = _board(store, clock[0])
    [segment] = [s for s in board.shifts["2"] if s.key == "J5"]
    assert board.next_to("2", segment, "A", 2.0) is None
    claims.seat("A", DAY, "2", _j5(store).event_id, "CNC-01", *J5, "S1", clock[0])  # refused before


def test_a_detected_call_off_is_judged_on_its_block_from_its_claim_on(store: InMemoryAuditStore) -> None:
    now = T0 + timedelta(minutes=17)
    claims = SeatClaims(store, lambda: now)
    claims.call_off("A", DAY, "1", None, DETECTOR, now, A_BLOCK)  # as crew_call_offs holds it

    board = _board(store, now)
    [segment] = [s for s in board.shifts["2"] if s.key == "J5"]
    assert board.next_to("2", segment, "A", 2.0) is None  # the board marked it on the span before: pending
    claims.seat("A", DAY, "2", _j5(store).event_id, "CNC-01", *J5, "S1", now)  # and the claim accepts it


def test_a_block_running_past_the_span_reads_as_the_removal_will(store: InMemoryAuditStore) -> None:
    now = T0 + timedelta(minutes=17)
    late = (
        T0,
        SPAN[1] + timedelta(minutes=30),
    )  # A's block runs 30 minutes into shift 2, as Jamal's in ux_verify_s16 B
    SeatClaims(store, lambda: now).call_off("A", DAY, "1", None, DETECTOR, now, late)

    board = _board(store, now)
    [segment] = [s for s in board.shifts["2"] if s.key == "J5"]
    near = board.next_to("2", segment, "A", 2.0)
    assert near is not None and not near.replanned
    assert near.lies == "overlaps that shift"  # "starts as that shift ends" on the span before


def test_a_refusal_on_the_recorded_block_says_how_the_seat_lies_against_the_block(store: InMemoryAuditStore) -> None:
    now = T0 + timedelta(minutes=17)
    claims = SeatClaims(store, lambda: now)
    claims.call_off("A", DAY, "1", "family", "P1", now, SPAN)  # as the board records it: the shift's span
    call_off = ReplanMessage(reason="call_off", day=DAY, shift="1", detected_at=now, employee_id="A", reported_by="P1")
    late = (T0, SPAN[1] + timedelta(minutes=30))
    store.append(applied_event(call_off, now + timedelta(seconds=5), block=late))  # shift 1's re-plan read it so

    with pytest.raises(ClaimRefusedError, match="this seat overlaps that shift: re-plan pending"):
        claims.seat("A", DAY, "2", _j5(store).event_id, "CNC-01", *J5, "S1", now + timedelta(minutes=1))
