"""The local API gateway picks a route as API Gateway picks a resource: the most specific one, whatever
the order the functions declare them in (a literal segment before a `{parameter}` before a `{greedy+}`)."""

from __future__ import annotations

import pytest

from plexlabor_dev.local.apigw import LocalApiGateway, Route

ROUTES = [
    Route("GET", "/{proxy+}", "catch_all"),
    Route("GET", "/incidents/{incident_id}", "web_app"),
    Route("GET", "/incidents/openapi.json", "incident_log"),
    Route("POST", "/incidents", "incident_log"),
]


@pytest.mark.parametrize(
    ("method", "path", "function"),
    [
        ("GET", "/incidents/openapi.json", "incident_log"),  # before: web_app's incident page (declared first)
        ("GET", "/incidents/inc-42", "web_app"),
        ("POST", "/incidents", "incident_log"),
        ("GET", "/anything/else", "catch_all"),
    ],
)
def test_the_most_specific_route_answers(method: str, path: str, function: str) -> None:
    gateway = LocalApiGateway(lambda name, event: None, ROUTES)
    matched = gateway.match(method, path)
    assert matched is not None and matched[0].function == function
