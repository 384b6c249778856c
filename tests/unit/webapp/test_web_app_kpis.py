"""The KPI page's flagged share of all punches: punches validated, flagged and sent for review per day and
in total, the share per anomaly type; and, before any count exists, why there is none."""

from __future__ import annotations

import dataclasses
from typing import Any

from functions.web_app import handler as web_app
from plexlabor.audit.validations import InMemoryValidationCounter, ValidatedRecord
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import ZONE, finding_event, web_deps, web_event

ADMIN = {"cognito:username": "A0001", "cognito:groups": "admin"}
SUPERVISOR = {"cognito:username": "E0001", "cognito:groups": "supervisor", "custom:departments": "Molding"}


def _kpis(world: World, counts: InMemoryValidationCounter | None, claims: dict[str, Any], lambda_context: Any) -> str:
    deps = dataclasses.replace(web_deps(world), validations=counts)
    response = web_app.handler(
        web_event("GET", "/kpis", query={"days": "7"}, authorizer={"claims": claims}), lambda_context, dependencies=deps
    )
    assert response["statusCode"] == 200
    return str(response["body"])


def test_the_page_shows_the_share_of_validated_punches_flagged(lambda_context: Any) -> None:
    # Given two punch findings recorded today and 400 punches validated today (Molding)
    world = World()
    finding_event(world, "f-000000000000000000000001", confidence=0.93, severity="high")
    finding_event(world, "f-000000000000000000000002", confidence=0.95, severity="low")
    today = world.clock().astimezone(ZONE).date()
    counts = InMemoryValidationCounter()
    counts.count([ValidatedRecord(f"time-clock-entries:{n}", today, "Molding") for n in range(400)], today)

    body = _kpis(world, counts, SUPERVISOR, lambda_context)

    assert "Flagged share of all punches" in body
    day = today.strftime("%a %Y-%m-%d")
    assert f"<tr><td>{day}</td><td>400</td><td>2</td><td>0.5%</td><td>2</td><td>0.5%</td></tr>" in body
    assert '<th scope="row">Total</th><td>400</td><td>2</td><td>0.5%</td><td>2</td><td>0.5%</td>' in body
    assert "Validated by department: Molding 400." in body
    # ...and the anomaly type's row its share of the validated punches (both findings: one type)
    assert "<td>2</td><td>0.5%</td><td>2</td><td>0.5%</td>" in body.split('id="by-kind"')[1]


def test_before_any_count_the_page_says_why_there_is_no_share(lambda_context: Any) -> None:
    world = World()
    finding_event(world, "f-000000000000000000000001", confidence=0.93, severity="high")

    empty = _kpis(world, InMemoryValidationCounter(), ADMIN, lambda_context)
    unconfigured = _kpis(world, None, ADMIN, lambda_context)

    assert "No punch counts in this period yet" in empty and "<tfoot>" not in empty
    assert "no state table configured" in unconfigured
    for body in (empty, unconfigured):
        assert "<td>1</td><td>—</td><td>1</td><td>—</td>" in body  # the type's row: suggested, no share
