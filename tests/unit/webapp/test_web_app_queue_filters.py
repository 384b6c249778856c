"""The queue's filters refuse what they cannot read, and a refusal page leads each person somewhere of theirs."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.webapp.viewers import ADMIN, OPERATOR, SUPERVISOR


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"day": "notaday"}, "Day: &#39;notaday&#39; is not a day (YYYY-MM-DD"),
        ({"kind": "bogus"}, "Kind: &#39;bogus&#39; is not a kind of suggestion."),
        ({"type": "NOT_A_TYPE", "kind": "punch_finding"}, "Type: &#39;NOT_A_TYPE&#39; is not a type of suggestion."),
    ],
)
def test_a_malformed_filter_is_a_400_naming_it_not_a_silent_queue(
    world: World, lambda_context: Any, query: dict[str, str], named: str
) -> None:
    # When the admin opens the queue with a filter it cannot read (ux119 #21)
    response = call_web(web_deps(world), "GET", "/queue", ADMIN, lambda_context, query=query)
    # Then a 400 says which and why, and the queue is shown without it (its links do not carry it)
    assert response["statusCode"] == 400
    body = response["body"]
    assert named in body and "The queue below is not narrowed by it." in body
    assert "f-000000000000000000000001" in body
    assert "notaday" not in body.split(named)[1] and "bogus" not in body.split(named)[1]


def test_well_formed_filters_are_still_a_200(world: World, lambda_context: Any) -> None:
    query = {"day": "2026-03-04", "kind": "crew_assignment", "type": "crew_assignment"}
    response = call_web(web_deps(world), "GET", "/queue", ADMIN, lambda_context, query=query)
    assert response["statusCode"] == 200 and "crew-0001" in response["body"]
    punch = call_web(web_deps(world), "GET", "/queue", SUPERVISOR, lambda_context, query={"type": "MISSED_PUNCH"})
    assert punch["statusCode"] == 200 and "f-000000000000000000000001" in punch["body"]


def test_an_operators_refusal_leads_to_her_own_page_not_a_queue_she_has_none_of(
    world: World, lambda_context: Any
) -> None:
    # When an operator opens a page for those who decide (ux119 #21)
    refused = call_web(web_deps(world), "GET", "/kpis", OPERATOR, lambda_context)
    # Then the 403 page offers the copilot, her landing page, and not the review queue
    assert refused["statusCode"] == 403
    assert "Go to the review queue" not in refused["body"]
    assert 'Go to: <a href="/dev/copilot">Copilot</a>' in refused["body"]
    # and a supervisor's refusal still offers the queue
    other = call_web(web_deps(world), "GET", "/items/no-such-item", SUPERVISOR, lambda_context)
    assert other["statusCode"] == 404 and "Go to the review queue" in other["body"]
