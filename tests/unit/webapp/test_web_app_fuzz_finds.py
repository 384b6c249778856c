"""Defects the fuzzing of the web app's routes found (tests/e2e/test_e2e_fuzz_webapp.py), each pinned
here on the handler: the answer a route gives now, where it answered 502 (an unhandled error) before."""

from __future__ import annotations

from typing import Any

import pytest

from functions.web_app import handler as web_app
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import crew_assignment, web_deps, web_event
from tests.unit.webapp.viewers import ADMIN


@pytest.fixture
def world() -> World:
    world = World()
    crew_assignment(world)
    return world


def _get(world: World, path: str, query: dict[str, str], lambda_context: Any) -> dict[str, Any]:
    event = web_event("GET", path, query=query, authorizer={"claims": ADMIN})
    return web_app.handler(event, lambda_context, dependencies=web_deps(world))


@pytest.mark.parametrize("counts", [{"decided": "x"}, {"decided": "1", "failed": "\x0c"}, {"decided": "9" * 5000}])
def test_the_queue_with_counts_that_are_not_numbers_is_shown_without_a_message(
    world: World, lambda_context: Any, counts: dict[str, str]
) -> None:
    # Given a queue address whose bulk-decision counts were typed or forged (before: ValueError, 502)
    response = _get(world, "/queue", counts, lambda_context)

    # Then the queue is shown, without the "N decided" message
    assert response["statusCode"] == 200
    assert "decided." not in response["body"] and "crew" in response["body"].lower()
