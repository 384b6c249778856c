"""Items read while the people directory could not be read are placed once it can be (review_s14 L4): the queue
keeps what it read between requests, so a certification alert read at a full read when Plex's employees were not
reachable (the directory then knows nobody) stayed out of its department until the next full read, 5 minutes on:
its department's supervisor neither saw it nor found it by the Department filter."""

from __future__ import annotations

from collections.abc import Collection

from plexlabor.approval.directory import Person, StaticPeopleDirectory
from plexlabor.review.queue import Filters, ReviewQueue, Role, Viewer
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import recommendation

BO = Person("E0003", "E00003", "Bo Chen", "ASSY", "1")
ASSEMBLY = Viewer("E0300", frozenset({Role.SUPERVISOR}), frozenset({"ASSY"}))
"""A supervisor of ASSY who is nobody's supervisor of record here."""


class FlakyDirectory:
    """Plex's employees, which can be unreachable: then the directory knows nobody (as `PlexEmployeeDirectory`
    after a failed read)."""

    def __init__(self) -> None:
        self.reachable = False
        self._people = StaticPeopleDirectory([BO])

    def person_of(self, employee_id: str) -> Person | None:
        return self._people.person_of(employee_id) if self.reachable else None

    def numbered(self, number: str) -> Person | None:
        return self._people.numbered(number) if self.reachable else None

    def everyone(self) -> Collection[Person]:
        return self._people.everyone() if self.reachable else []


def test_an_item_read_while_the_directory_was_unreadable_is_placed_when_it_can_be_read() -> None:
    world, directory = World(), FlakyDirectory()
    recommendation(world, "cert-0001", "certification_lapsed", employee_id="E0003", supervisor_id="E0100")
    queue = ReviewQueue(world.audit, clock=world.clock, people=directory)
    # Given the full read found the alert while Plex's employees could not be read: nowhere to place it
    assert queue.for_viewer(ASSEMBLY) == []
    # When the directory can be read again, a minute on (before the next full read)
    directory.reachable = True
    world.clock.advance(minutes=1)
    # Then the alert is in ASSY, shift 1: its supervisor sees it and the filters keep it
    assert [item.item_id for item in queue.for_viewer(ASSEMBLY)] == ["cert-0001"]
    admin = Viewer("A0001", frozenset({Role.ADMIN}))
    assert [item.item_id for item in queue.for_viewer(admin, Filters(department="ASSY", shift="1"))] == ["cert-0001"]
