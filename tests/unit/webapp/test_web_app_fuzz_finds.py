"""Defects the fuzzing of the web app's routes found (tests/e2e/test_e2e_fuzz_webapp.py), each pinned
here on the handler: the answer a route gives now, where it answered 502 (an unhandled error) before."""

from __future__ import annotations

from typing import Any

import pytest

from plexlabor.audit import AuditEventType
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, crew_assignment, web_deps
from tests.unit.webapp.viewers import ADMIN


@pytest.fixture
def world() -> World:
    world = World()
    crew_assignment(world)
    return world


def _get(world: World, path: str, query: dict[str, str], lambda_context: Any) -> dict[str, Any]:
    return call_web(web_deps(world), "GET", path, ADMIN, lambda_context, query=query)


@pytest.mark.parametrize("counts", [{"decided": "x"}, {"decided": "1", "failed": "\x0c"}, {"decided": "9" * 5000}])
def test_the_queue_with_counts_that_are_not_numbers_is_shown_without_a_message(
    world: World, lambda_context: Any, counts: dict[str, str]
) -> None:
    # Given a queue address whose bulk-decision counts were typed or forged (before: ValueError, 502)
    response = _get(world, "/queue", counts, lambda_context)

    # Then the queue is shown, without the "N decided" message
    assert response["statusCode"] == 200
    assert "decided." not in response["body"] and "crew" in response["body"].lower()


@pytest.mark.parametrize("chosen", [[""], ["crew-0001", ""]])
def test_a_bulk_decision_naming_an_empty_item_is_refused_and_decides_nothing(
    world: World, lambda_context: Any, chosen: list[str]
) -> None:
    # Given a bulk approval whose items include an empty id (before: the empty id went to a DynamoDB query,
    # which refused it; logged as an error with its traceback, and the answer was 303 "1 could not be")
    response = call_web(
        web_deps(world), "POST", "/queue", ADMIN, lambda_context, form={"item": chosen, "action": "approve"}
    )

    # Then it is refused as a form without items, and nothing is decided
    assert response["statusCode"] == 400 and "Select at least one item." in response["body"]
    assert [e.event_type for e in world.audit.for_finding("crew-0001")] == [AuditEventType.RECOMMENDATION]


@pytest.mark.parametrize("form", [{"item": "", "employee": "E00001"}, {"employee": "E00001"}])
def test_a_swap_without_the_suggestion_is_refused_and_changes_nothing(
    world: World, lambda_context: Any, form: dict[str, str]
) -> None:
    # Given a crew-board swap that names no suggestion (before: the empty id reached a DynamoDB query: 502)
    response = call_web(web_deps(world), "POST", "/crew/swap", ADMIN, lambda_context, form=form)

    # Then it is refused as a malformed form (400, saying what is missing), and the suggestion stays as it was
    assert response["statusCode"] == 400 and "Choose the suggestion to swap." in response["body"]
    assert [e.event_type for e in world.audit.for_finding("crew-0001")] == [AuditEventType.RECOMMENDATION]
