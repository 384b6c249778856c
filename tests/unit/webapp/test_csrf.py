"""CSRF: a form POST from another site's page decides nothing, on the web app and on the approval
pages; the site's own pages and non-browser clients are unaffected (`plexlabor.platform.csrf`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from functions.approval_callback import handler as approval_callback
from functions.web_app import handler as web_app
from plexlabor.audit import AuditEventType
from plexlabor.platform.csrf import cross_site_problem
from tests.support import FakeLambdaContext
from tests.unit.approval.approval_fakes import World, api_event
from tests.unit.review.review_world import awaiting_decision, web_deps, web_event
from tests.unit.webapp.viewers import SUPERVISOR

HOST = "abc123.execute-api.us-east-1.amazonaws.com"
FINDING = "f-000000000000000000000001"
CROSS_SITE = [
    {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "same-site", "Origin": f"https://other.{HOST}"},
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Referer": "https://evil.example/page"},
    {"Origin": f"https://{HOST}.evil.example"},
]
SAME_SITE = [
    {"Sec-Fetch-Site": "same-origin", "Origin": f"https://{HOST}"},
    {"Origin": f"https://{HOST}"},
    {"Referer": f"https://{HOST}/dev/items/{FINDING}"},
    {},  # not a browser: no Origin, Referer or Fetch Metadata
]


@pytest.mark.parametrize("headers", CROSS_SITE)
def test_a_post_from_another_site_is_refused(headers: dict[str, str]) -> None:
    assert cross_site_problem({"Host": HOST, **headers})


@pytest.mark.parametrize("headers", SAME_SITE)
def test_a_post_from_the_sites_own_pages_or_a_script_passes(headers: dict[str, str]) -> None:
    assert cross_site_problem({"host": HOST.upper(), **{k.lower(): v for k, v in headers.items()}}) is None


def test_without_a_host_an_origin_cannot_be_matched() -> None:
    assert cross_site_problem({"Origin": f"https://{HOST}"})


@pytest.fixture
def world() -> World:
    return awaiting_decision(FINDING)


def _with_headers(event: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    event["headers"] = {"Host": HOST, **headers}
    event["multiValueHeaders"] = {name: [value] for name, value in event["headers"].items()}
    return event


def _post(world: World, path: str, headers: dict[str, str], form: dict[str, Any]) -> dict[str, Any]:
    event = web_event("POST", path, form=form, authorizer={"claims": SUPERVISOR})
    return web_app.handler(_with_headers(event, headers), FakeLambdaContext(), dependencies=web_deps(world))


@pytest.mark.parametrize("headers", CROSS_SITE[:3])
def test_the_web_app_refuses_a_cross_site_decision_and_decides_nothing(world: World, headers: dict[str, str]) -> None:
    response = _post(world, f"/items/{FINDING}", headers, {"action": "approve", "reason": ""})
    assert response["statusCode"] == 403 and "another site" in response["body"]
    assert world.tasks.succeeded == [] and world.events(FINDING).count(AuditEventType.DECISION.value) == 0


def test_the_web_app_refuses_a_cross_site_bulk_decision(world: World) -> None:
    response = _post(world, "/queue", {"Sec-Fetch-Site": "cross-site"}, {"item": [FINDING], "action": "approve"})
    assert response["statusCode"] == 403 and world.tasks.succeeded == []


def test_the_web_app_decides_a_post_from_its_own_page(world: World) -> None:
    same_origin = {"Sec-Fetch-Site": "same-origin", "Origin": f"https://{HOST}"}
    response = _post(world, f"/items/{FINDING}", same_origin, {"action": "approve"})
    assert response["statusCode"] == 303 and len(world.tasks.succeeded) == 1


def _post_link(world: World, token: str, headers: dict[str, str]) -> dict[str, Any]:
    event = _with_headers(api_event("POST", token, urlencode({"action": "approve"})), headers)
    return approval_callback.handler(event, FakeLambdaContext(), dependencies=world.callback)


def test_the_approval_page_refuses_a_cross_site_post_and_the_link_still_works(world: World) -> None:
    [token] = [item.link_url.rsplit("/", 1)[1] for digest in world.notifier.sent for item in digest.items]
    refused = _post_link(world, token, {"Origin": "https://evil.example"})
    assert refused["statusCode"] == 403 and "another site" in refused["body"]
    assert world.tasks.succeeded == []
    # the link was not used up: the supervisor's own POST decides
    assert _post_link(world, token, {"Origin": f"https://{HOST}"})["statusCode"] == 200
    assert len(world.tasks.succeeded) == 1
