"""The expired list holds what ran out undecided, not what a re-plan replaced (ux136 #2), and honours the
queue's filters."""

from __future__ import annotations

from datetime import date

import pytest

from plexlabor.approval.display import Reader
from plexlabor.approval.pages import closed_message
from plexlabor.audit import AuditStatus
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.replanning import superseded_event
from plexlabor.review.kpis import compute_kpis
from plexlabor.review.queue import Filters, ReviewQueue
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import ADMIN, PLANNER, call_web, closed, crew_assignment, finding_event, web_deps


@pytest.fixture
def world() -> World:
    world = World()
    finding_event(world, "f-000000000000000000000001", confidence=0.93, severity="high")
    crew_assignment(world, "crew-0001", employee_id="E0007")
    crew_assignment(world, "crew-0002", employee_id="E0008")
    return world


def _replaced(world: World, item_id: str) -> None:
    """crew_replan closes the item after a call-off of E0009, as its run does."""
    [opening] = world.audit.for_finding(item_id)
    message = ReplanMessage.model_validate(
        {"reason": "call_off", "date": "2026-03-04", "shift": "1", "detected_at": world.clock(), "employee_id": "E0009"}
    )
    world.audit.append(superseded_event(opening, message, world.clock(), "a call-off of E0009"))


def test_an_item_a_replan_replaced_is_not_listed_as_expired(world: World) -> None:
    # Given one crew assignment a re-plan replaced and one whose time ran out
    world.clock.advance(hours=2)
    _replaced(world, "crew-0001")
    closed(world, "crew-0002", AuditStatus.EXPIRED)
    queue = ReviewQueue(world.audit, clock=world.clock)
    # Then both left the queue, and only the one that ran out is listed as expired undecided
    assert [i.item_id for i in queue.for_viewer(PLANNER)] == []
    assert [item.item_id for item, _ in queue.expired_items(PLANNER)] == ["crew-0002"]


def test_a_warm_queue_does_not_list_an_item_replaced_between_its_reads(world: World) -> None:
    queue = ReviewQueue(world.audit, clock=world.clock)
    assert len(queue.for_viewer(PLANNER)) == 2
    world.clock.advance(minutes=1)
    _replaced(world, "crew-0001")
    assert [i.item_id for i in queue.for_viewer(PLANNER)] == ["crew-0002"]
    assert queue.expired_items(PLANNER) == []


def test_the_expired_list_honours_the_queues_filters(world: World) -> None:
    world.clock.advance(hours=2)
    closed(world, "crew-0002", AuditStatus.EXPIRED)
    closed(world, "f-000000000000000000000001", AuditStatus.EXPIRED, record_key="time-clock-entries:0001")
    expired = [item for item, _ in ReviewQueue(world.audit, clock=world.clock).expired_items(ADMIN)]
    assert len(expired) == 2

    def kept(filters: Filters) -> list[str]:
        return [item.item_id for item in expired if filters.keep(item)]

    assert kept(Filters(kind="crew_assignment")) == ["crew-0002"]
    assert kept(Filters(kind="crew_assignment", day=date(2026, 3, 4))) == ["crew-0002"]
    assert kept(Filters(day=date(2026, 3, 5))) == []


def test_a_replaced_items_page_says_the_replan_replaced_it_not_that_it_expired(world: World) -> None:
    world.clock.advance(hours=2)
    _replaced(world, "crew-0001")
    admin = {"cognito:username": "admin", "cognito:groups": "admin"}
    page = call_web(web_deps(world), "GET", "/items/crew-0001", admin)
    assert page["statusCode"] == 200
    body = page["body"]
    assert "Replaced by the re-plan after a call-off of E0009 on " in body
    assert "nothing was written to Plex for it" in body
    assert "Expired" not in body and "by hand" not in body


def test_the_kpis_do_not_count_a_replaced_item_as_expired(world: World) -> None:
    world.clock.advance(hours=2)
    _replaced(world, "crew-0001")
    closed(world, "crew-0002", AuditStatus.EXPIRED)
    [crew] = [row for row in compute_kpis(world.audit, clock=world.clock).by_kind if row.kind == "crew_assignment"]
    assert (crew.sent_for_review, crew.expired) == (2, 1)


def test_a_replaced_items_closed_message_says_the_replan_replaced_it(world: World) -> None:
    world.clock.advance(hours=2)
    _replaced(world, "crew-0001")
    message = closed_message(world.audit.for_finding("crew-0001"), "crew-0001", Reader())
    assert message is not None and message.startswith("This suggestion was no longer needed: Replaced by the re-plan")
    assert "after a call-off of E0009 on " in message and "expired" not in message
