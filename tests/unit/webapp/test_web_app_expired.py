"""Items that expired with nobody deciding them do not vanish (ux119 #23): the queue links to a list of
them, each with what that means for Plex; each person sees only the ones they may see."""

from __future__ import annotations

from typing import Any

import pytest

from plexlabor.audit import AuditStatus
from plexlabor.review.queue import ReviewQueue, Role, Viewer
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, closed, crew_assignment, finding_event, web_deps
from tests.unit.webapp.viewers import ASSEMBLY, PLANNER, SUPERVISOR

HIGH = "f-000000000000000000000001"
LOW = "f-000000000000000000000002"


@pytest.fixture
def world() -> World:
    # Given two punch findings and a crew assignment; the high one and the crew assignment expire undecided,
    # the low one is decided
    world = World()
    finding_event(world, HIGH, confidence=0.99, severity="high")
    finding_event(world, LOW, confidence=0.95, severity="low")
    crew_assignment(world)
    world.clock.advance(hours=49)
    closed(world, HIGH, AuditStatus.EXPIRED, record_key="time-clock-entries:0001")
    closed(world, "crew-0001", AuditStatus.EXPIRED)
    closed(world, LOW, AuditStatus.REJECTED, record_key="time-clock-entries:0002")
    return world


def test_the_queue_keeps_the_items_that_expired_undecided_for_those_who_may_see_them(world: World) -> None:
    queue = ReviewQueue(world.audit, clock=world.clock)
    supervisor = Viewer("E0001", frozenset({Role.SUPERVISOR}), frozenset({"Molding"}))
    assert [item.item_id for item, _ in queue.expired_items(supervisor)] == [HIGH]
    assert [item.item_id for item, _ in queue.expired_items(Viewer("P0001", frozenset({Role.PLANNER})))] == [
        "crew-0001"
    ]
    assert queue.expired_items(Viewer("E0200", frozenset({Role.SUPERVISOR}), frozenset({"Assembly"}))) == []
    assert queue.for_viewer(supervisor) == []  # still out of the queue


def test_the_expired_page_lists_them_with_what_it_means_for_plex(world: World, lambda_context: Any) -> None:
    deps = web_deps(world)
    # When the supervisor opens the queue, then the list it links to
    queue = call_web(deps, "GET", "/queue", SUPERVISOR, lambda_context)["body"]
    assert '<a href="/dev/queue?show=expired">Expired without a decision (1)</a>' in queue
    page = call_web(deps, "GET", "/queue", SUPERVISOR, lambda_context, query={"show": "expired"})
    # Then the expired finding is there, linked to its page, with what it means for Plex; not the decided one
    assert page["statusCode"] == 200
    body = page["body"]
    assert f'href="/dev/items/{HIGH}"' in body and LOW not in body
    assert "Nothing was written to Plex: the record still holds the values the finding flagged." in body
    # and the planner's crew assignment says the assignment was not sent
    planner = call_web(deps, "GET", "/queue", PLANNER, lambda_context, query={"show": "expired"})["body"]
    assert "Nothing was written to Plex (the assignment record was not sent)" in planner
    # a supervisor with none sees no link, and a list that says so
    assert "show=expired" not in call_web(deps, "GET", "/queue", ASSEMBLY, lambda_context)["body"]
    none = call_web(deps, "GET", "/queue", ASSEMBLY, lambda_context, query={"show": "expired"})["body"]
    assert "Nothing expired undecided in the last 30 days." in none


def test_an_unknown_show_is_a_400_naming_it(world: World, lambda_context: Any) -> None:
    response = call_web(web_deps(world), "GET", "/queue", SUPERVISOR, lambda_context, query={"show": "everything"})
    assert response["statusCode"] == 400 and "Show: only &#39;expired&#39;" in response["body"]


def test_the_expired_page_honours_the_queues_kind_day_and_page(world: World, lambda_context: Any) -> None:
    """ux136 #2: ?kind=, ?day= and ?page= showed the same first page of everything."""
    admin = {"cognito:username": "admin", "cognito:groups": "admin"}

    def listed(**query: str) -> tuple[int, str]:
        page = call_web(web_deps(world), "GET", "/queue", admin, lambda_context, query={"show": "expired", **query})
        return page["statusCode"], page["body"]

    _, everything = listed()
    assert f"/items/{HIGH}" in everything and "/items/crew-0001" in everything
    _, crew = listed(kind="crew_assignment")
    assert f"/items/{HIGH}" not in crew and "/items/crew-0001" in crew and "matching the queue's filters" in crew
    _, other_day = listed(kind="crew_assignment", day="2026-03-05")
    assert (
        "/items/crew-0001" not in other_day and "No items match: kind Crew assignment, day Thu 2026-03-05." in other_day
    )
    status, bad = listed(day="someday")
    assert status == 400 and "Day: &#39;someday&#39; is not a day" in bad and f"/items/{HIGH}" in bad
    for n in range(2, 103):  # 101 more expired crew assignments: two pages of 100
        crew_assignment(world, f"crew-{n:04d}")
        closed(world, f"crew-{n:04d}", AuditStatus.EXPIRED)
    _, first = listed(kind="crew_assignment")
    _, second = listed(kind="crew_assignment", page="2")
    assert first.count('href="/dev/items/crew-') == 100 and second.count('href="/dev/items/crew-') == 2
    assert "Showing 101–102 of 102" in second and "kind=crew_assignment&amp;page=1" in second
