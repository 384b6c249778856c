"""ux_s15 #8: a removal from Plex says when its person called off with the weekday when that was not the seat's day
("called off at Sun 19:35" for Wednesday's seat), not a bare "19:35" that reads as the seat's day."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from plexlabor.crew.removals import removal_event
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import crew_assignment

ZONE = ZoneInfo("America/Detroit")


def _note(called_off: datetime) -> str:
    world = World()
    seat = crew_assignment(world, "crew-0001", employee_id="E0042")  # shift 1 of Wed 2026-03-04
    return str(removal_event(seat, called_off, 0, world.clock(), ZONE).payload["note"])


def test_a_call_off_of_another_day_names_its_weekday() -> None:
    assert "(called off at Sun 19:35)" in _note(datetime(2026, 3, 2, 0, 35, tzinfo=UTC))  # Sun 19:35 in Detroit


def test_a_call_off_of_the_seats_day_keeps_the_bare_time() -> None:
    assert "(called off at 04:40)" in _note(datetime(2026, 3, 4, 9, 40, tzinfo=UTC))
