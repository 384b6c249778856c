"""An address no page has (ux141 #13: "/settings", a typo): API Gateway sends every GET path no route names to the
web app (`/{proxy+}`, signed in), which answers a 404 page with the menu and the person's first page, not API
Gateway's raw JSON 403 "Missing Authentication Token" that read as being signed out."""

from __future__ import annotations

from typing import Any

import pytest

from infra.function_specs import FUNCTION_SPECS
from plexlabor_dev.local.apigw import DEFAULT_ROUTES, LocalApiGateway
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.webapp.viewers import OPERATOR, PLANNER


@pytest.mark.parametrize("path", ["/settings", "/queue/typo", "/items/x/y"])
def test_a_signed_in_person_gets_a_page_saying_there_is_none_with_the_menu(path: str, lambda_context: Any) -> None:
    answer = call_web(web_deps(World()), "GET", path, PLANNER, lambda_context)

    body = answer["body"]
    assert answer["statusCode"] == 404 and answer["multiValueHeaders"]["Content-Type"][0].startswith("text/html")
    assert "<h1>No such page</h1>" in body and "check it for a typo, or choose a page from the menu" in body
    assert '<nav aria-label="Main">' in body and 'href="/dev/queue">Go to the review queue' in body
    assert "Missing Authentication Token" not in body


def test_an_operator_is_offered_their_own_first_page(lambda_context: Any) -> None:
    body = call_web(web_deps(World()), "GET", "/settings", OPERATOR, lambda_context)["body"]

    assert "No such page" in body and "review queue" not in body and "Go to: <a" in body


def test_without_a_sign_in_it_is_the_words_alone(lambda_context: Any) -> None:
    answer = call_web(web_deps(World()), "GET", "/settings", None, lambda_context)

    assert answer["statusCode"] == 404 and answer["body"] == "No such page."


def test_the_gateway_sends_any_other_get_path_to_the_web_app_signed_in_and_keeps_the_named_routes() -> None:
    [catch_all] = [r for spec in FUNCTION_SPECS if spec.name == "web_app" for r in spec.routes if "+" in r.path]
    assert (catch_all.method, catch_all.path) == ("GET", "/{proxy+}") and catch_all.authorizer is not None
    gateway = LocalApiGateway(lambda name, event: None, DEFAULT_ROUTES)  # the local runtime picks as AWS does
    for method, path, function in (
        ("GET", "/settings", "web_app"),
        ("GET", "/queue", "web_app"),
        ("POST", "/punches", "punch_webhook"),
        ("GET", "/incidents/openapi.json", "incident_log"),
        ("GET", "/approvals/some-token", "approval_callback"),
    ):
        matched = gateway.match(method, path)
        assert matched is not None and matched[0].function == function, path
    assert gateway.match("GET", "/settings")[0].resource == "/{proxy+}"  # type: ignore[index]
