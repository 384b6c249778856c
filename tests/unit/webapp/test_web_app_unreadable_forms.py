"""A form body the web app cannot read as URL-encoded UTF-8 text (a multipart upload's bytes, which API
Gateway passes base64-encoded: `binary_media_types` in infra/constructs/api.py) is refused with a 400
saying so, on every form the app takes, and nothing is decided (before: UnicodeDecodeError, a 502)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from functions.web_app import handler as web_app
from plexlabor.audit import AuditEventType
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import awaiting_decision, crew_assignment, web_deps, web_event
from tests.unit.webapp.viewers import ADMIN

FINDING = "f-000000000000000000000007"
BINARY = b"\xff\xfe\x00action=approve&item=crew-0001"
"""Not UTF-8 (a recording's first bytes, say), with a decision's fields after them."""
FORMS = ["/queue", f"/items/{FINDING}", "/items/crew-0001", "/crew/swap", "/crew/replan", "/crew/calloff"]
"""The forms that act without a stored report (/skills/training reads its form through the same `_form`)."""


@pytest.fixture
def world() -> World:
    world = awaiting_decision(FINDING)
    crew_assignment(world)
    return world


def _multipart(path: str) -> dict[str, Any]:
    event = web_event("POST", path, form={}, authorizer={"claims": ADMIN})
    event["body"], event["isBase64Encoded"] = base64.b64encode(BINARY).decode("ascii"), True
    content_type = "multipart/form-data; boundary=x"
    event["headers"] = {**event["headers"], "Content-Type": content_type, "Sec-Fetch-Site": "same-origin"}
    event["multiValueHeaders"] = {name: [value] for name, value in event["headers"].items()}
    return event


@pytest.mark.parametrize("path", FORMS)
def test_a_form_that_is_not_utf8_text_is_a_400_saying_so_and_decides_nothing(
    world: World, lambda_context: Any, path: str
) -> None:
    # Given a form POST whose body is bytes that are not UTF-8 (API Gateway sends them base64-encoded)
    response = web_app.handler(_multipart(path), lambda_context, dependencies=web_deps(world))

    # Then it is refused with the reason, and neither item has a decision
    assert response["statusCode"] == 400, response["body"][:300]
    assert "URL-encoded" in response["body"]
    for item in (FINDING, "crew-0001"):
        assert AuditEventType.DECISION not in {event.event_type for event in world.audit.for_finding(item)}
