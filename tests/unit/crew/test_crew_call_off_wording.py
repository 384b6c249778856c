"""A seat a call-off of another shift rules out is worded by one function on the crew board (`claims.next_to`, before
the re-plan) and in its removal from Plex (`stretches.ruled_out`, after it), ux_verify_s16 B: the board said "this
seat starts as that shift ends" and the removal "overlaps that shift", two functions with two vocabularies ("overlaps
it"). What each is measured against still differs: the board has the shift's span, the re-plan the person's block of
it (docs/crew.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from plexlabor.crew.claims import next_to
from plexlabor.crew.pairs import compile_problem
from plexlabor.crew.stretches import CalledOff, ruled_out
from tests.unit.crew.crew_builder import DAY, SHIFT, T0, block, job, operator, place, problem


@pytest.mark.parametrize(
    ("start", "hours", "words"),
    [(8.5, 1.0, "starts as that shift ends"), (8.0, 1.0, "overlaps that shift")],
)
def test_the_removal_and_the_board_word_a_seat_alike(start: float, hours: float, words: str) -> None:
    crew = problem(
        [job("J1", place("CNC-01"), hours=8.0), job("J7", place("CNC-02"), start=start, hours=hours, shift="2")],
        [operator("A", shifts=(block("1"),))],
    )
    off = CalledOff("A", DAY, "1", T0 - timedelta(hours=1), "family")

    how = ruled_out(compile_problem(crew), [off])[("J7", "A")].how

    seat_start, seat_end = T0 + timedelta(hours=start), T0 + timedelta(hours=start + hours)
    assert how == next_to(seat_start, seat_end, *SHIFT["1"]) == words
