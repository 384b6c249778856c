"""The incident form in plain words (ux141 #13): it opens with nothing chosen for "What was it?" (a hurried near
miss is not filed as an injury unless the reporter changes it), a form sent without the choice is refused saying
so, and a field left out is named with what to do, never pydantic's "Field required"."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html import unescape
from typing import Any
from urllib.parse import urlencode

import pytest

from functions.incident_log.handler import handler
from plexlabor.audit import AuditStatus
from plexlabor.audit.store import InMemoryAuditStore
from plexlabor.incidents.classifier import IncidentClassifier
from plexlabor.incidents.service import IncidentDeps, opening
from tests.support import FakeLambdaContext, load_event
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.webapp.viewers import OPERATOR

NARRATIVE = "A pallet slid off the forks and landed next to a walker at the dock."
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def deps(trained: IncidentClassifier) -> IncidentDeps:
    return IncidentDeps(InMemoryAuditStore(), trained, clock=lambda: datetime(2026, 12, 4, 15, tzinfo=UTC))


def _post(deps: IncidentDeps, body: str, headers: dict[str, str]) -> dict[str, Any]:
    event = load_event("incident_log")
    event["headers"] = {**event["headers"], **headers}
    event["multiValueHeaders"] = {key: [value] for key, value in event["headers"].items()}
    event["body"] = body
    return handler(event, FakeLambdaContext(), dependencies=deps)


def test_the_form_opens_with_no_kind_chosen_and_the_browser_asks_for_one(lambda_context: Any) -> None:
    body = call_web(web_deps(World()), "GET", "/incidents/new", OPERATOR, lambda_context)["body"]

    radios = [line for line in body.splitlines() if 'name="kind"' in line]
    assert len(radios) == 2 and not any(" checked" in line for line in radios)
    assert 'value="injury" required' in body


def test_a_form_sent_without_the_kind_or_the_text_names_both_in_plain_words(deps: IncidentDeps) -> None:
    refused = _post(deps, urlencode({"workcenter_code": ""}), FORM)

    body = unescape(refused["body"])
    assert refused["statusCode"] == 400
    assert "What was it: say whether anyone was hurt: choose an injury or a near miss" in body
    assert "What happened: say what happened, in a line or more" in body
    assert "Field required" not in body
    assert not deps.audit.by_status(AuditStatus.LOGGED) and not deps.audit.by_status(AuditStatus.PENDING_APPROVAL)


def test_a_near_miss_chosen_on_the_form_is_kept_when_another_field_is_refused(deps: IncidentDeps) -> None:
    refused = _post(deps, urlencode({"narrative": "tiny", "kind": "near_miss"}), FORM)

    body = refused["body"]
    assert refused["statusCode"] == 400 and "What was it" not in body.split("</ul>")[0]
    assert 'value="near_miss" checked' in body and 'value="injury" required' in body


def test_the_json_api_keeps_its_default_kind(deps: IncidentDeps) -> None:
    answer = _post(deps, json.dumps({"narrative": NARRATIVE}), {"Content-Type": "application/json"})

    assert answer["statusCode"] == 201
    event = opening(deps.audit, json.loads(answer["body"])["incident_id"])
    assert event is not None and event.payload["incident"]["kind"] == "injury"
