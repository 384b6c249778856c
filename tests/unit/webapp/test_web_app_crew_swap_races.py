"""Crew board swaps against the board a container keeps (`BOARD_TTL_S`; review 123, defects 1 and 2): a swap is
checked against a fresh read of the day, so the same operator swapped into two overlapping seats (two tabs, two
planners) is accepted once and refused the second time; a seat the status index does not show yet (its eventual
consistency, or a seat published after the container's read) is swapped from what its own opening says, never
a crash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from plexlabor.audit import AuditStatus
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, crew_assignment, web_deps
from tests.unit.webapp.test_web_app_crew import (
    CANDIDATES,
    DAY,
    SUPERVISOR,
    Replans,
    _decide,
    _refusal,
    _swap_options,
    _with_replan,
    board_world,
)
from tests.unit.webapp.viewers import PLANNER


@pytest.fixture
def world() -> World:
    return board_world()


def _second_seat(world: World, item: str = "crew-0009", segment: str = "op-9|1") -> None:
    """A second waiting seat of the shift at WC-20 until 10:00, overlapping crew-0001's (06:00-14:30), offering the
    same candidates."""
    crew_assignment(
        world,
        item,
        employee_id="E0051",
        segment=segment,
        workcenter_code="WC-20",
        end="2026-03-04T10:00:00+00:00",
        swap_candidates=CANDIDATES,
    )


def _swap_in(deps: Any, item: str, lambda_context: Any) -> Any:
    form = {"item": item, "employee": "E0050", "next": "/crew?day=2026-03-04&shift=1"}
    return call_web(deps, "POST", "/crew/swap", PLANNER, lambda_context, form=form)


def test_one_operator_swapped_into_two_overlapping_seats_is_accepted_once(world: World, lambda_context: Any) -> None:
    # Given a shift with two overlapping waiting seats, both offering E0050, and the board drawn (kept 10 s)
    _second_seat(world)
    deps = _with_replan(world, Replans())
    assert call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=DAY)["statusCode"] == 200

    # When one tab swaps E0050 into crew-0001 and another, drawn before, into crew-0009 within those 10 s
    first = _swap_in(deps, "crew-0001", lambda_context)
    second = _swap_in(deps, "crew-0009", lambda_context)

    # Then the first is accepted and written to Plex; the second is refused, saying where E0050 is accepted
    assert first["multiValueHeaders"]["Location"] == ["/dev/crew?day=2026-03-04&shift=1&done=swap"]
    assert len(world.writebacks.sent) == 1
    assert "is accepted at WC-10 at the same time" in _refusal(deps, second, PLANNER, lambda_context)
    approved = world.audit.by_status(AuditStatus.APPROVED, datetime.fromisoformat("2026-01-01T00:00:00+00:00"), 100)
    assert [e.employee_id for e in approved if e.payload.get("swapped_for") or e.actor == "P0001"] == ["E0050"]


def test_a_seat_published_after_the_containers_read_is_swapped(world: World, lambda_context: Any) -> None:
    # Given the board read by this container, then a new waiting seat published (crew_replan; another container
    # drew the page that shows it)
    deps = _with_replan(world, Replans())
    assert call_web(deps, "GET", "/crew", PLANNER, lambda_context, query=DAY)["statusCode"] == 200
    _second_seat(world, "crew-0010", "op-11|1")

    response = _swap_in(deps, "crew-0010", lambda_context)

    assert response["statusCode"] == 303 and "done=swap" in response["multiValueHeaders"]["Location"][0]
    assert [w.item_id for w in world.recommendations_sent] != []


def test_a_seat_the_status_index_does_not_show_yet_is_checked_from_its_opening(
    world: World, lambda_context: Any
) -> None:
    # Given E0050 accepted at WC-20 until 10:00, and a new waiting seat the status index does not show yet (its
    # eventual consistency: the item is found by its id, the board's read does not hold it)
    deps = _with_replan(world, Replans())
    _second_seat(world)
    assert _swap_in(deps, "crew-0009", lambda_context)["statusCode"] == 303
    assert len(world.writebacks.sent) == 1
    _second_seat(world, "crew-0010", "op-11|1")
    by_status = world.audit.by_status

    def lagging(status: AuditStatus, *args: Any, **kwargs: Any) -> Any:
        return [e for e in by_status(status, *args, **kwargs) if e.finding_id != "crew-0010"]

    world.audit.by_status = lagging  # type: ignore[method-assign]

    # When E0050 is swapped into it too (op-11's seat overlaps WC-20's until 10:00)
    response = _swap_in(deps, "crew-0010", lambda_context)

    # Then the swap is refused for the accepted seat, from what the seat's own opening says (no 500)
    assert "is accepted at WC-20 at the same time" in _refusal(deps, response, PLANNER, lambda_context)
    assert len(world.writebacks.sent) == 1


def test_a_supervisor_is_not_offered_someone_accepted_in_a_seat_they_do_not_see(
    world: World, lambda_context: Any
) -> None:
    # Given E0050 accepted at WC-20 until 10:00 in a seat routed to another supervisor (E0200)
    crew_assignment(
        world,
        "crew-0009",
        employee_id="E0050",
        supervisor_id="E0200",
        segment="op-9|1",
        workcenter_code="WC-20",
        end="2026-03-04T10:00:00+00:00",
    )
    _decide(web_deps(world), "crew-0009", lambda_context, action="approve")
    # When supervisor E0001 opens the board: crew-0001 (theirs) does not offer E0050, whom a swap would refuse
    body = call_web(web_deps(world), "GET", "/crew", SUPERVISOR, lambda_context, query=DAY)["body"]
    assert _swap_options(body) == ["E0051"]
    # and a planner, who sees it, is not offered E0050 either
    assert _swap_options(call_web(web_deps(world), "GET", "/crew", PLANNER, lambda_context, query=DAY)["body"]) == [
        "E0051"
    ]
