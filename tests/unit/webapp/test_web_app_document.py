"""The web app's OpenAPI document (`plexlabor.webapp.document`) describes exactly the routes API Gateway
sends to web_app, each registered on the app, and a signed-in route answers 401 where its sign-in is
missing: a route added to the app or the stack without its description fails here."""

from __future__ import annotations

import re

from infra.function_specs import FUNCTION_SPECS
from plexlabor.webapp.app import app
from plexlabor.webapp.document import READABLE_PATTERN, webapp_document

DOCUMENT = webapp_document()
WEB_APP_ROUTES = {route for spec in FUNCTION_SPECS if spec.name == "web_app" for route in spec.routes}


def _operations() -> set[tuple[str, str]]:
    return {
        (method.upper(), path) for path, item in DOCUMENT["paths"].items() for method in item if method != "parameters"
    }


def test_the_document_describes_every_route_of_the_api_and_nothing_else() -> None:
    assert _operations() == {(route.method, route.path) for route in WEB_APP_ROUTES}


def test_every_described_route_is_registered_on_the_app() -> None:
    registered = {
        (route.method, re.sub(r"<(\w+)>", r"{\1}", route.path)) for route in app._static_routes + app._dynamic_routes
    }
    assert _operations() - {("GET", "/{proxy+}")} <= registered  # any other path: the app's `not_found` page


def test_signed_in_routes_document_401_and_the_sign_in_routes_do_not() -> None:
    for route in WEB_APP_ROUTES:
        responses = DOCUMENT["paths"][route.path][route.method.lower()]["responses"]
        assert ("401" in responses) == (route.authorizer is not None), route


def test_the_readable_pattern_refuses_what_the_pages_refuse() -> None:
    readable = re.compile(READABLE_PATTERN)
    assert readable.match("approve: the badge reader was down\ttoday\r\n")
    for invisible in ("\x00", "\x1b", "\u202e", "\u2066", "\x85"):
        assert not readable.match(f"approve {invisible}")
