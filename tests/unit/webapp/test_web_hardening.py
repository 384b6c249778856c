"""Web hardening of every HTML page (the web app's routes and the approval pages): no framing, no
caching, no inline script, typed text escaped where it is shown, and text with invisible control
characters (NUL, U+202E) refused with a 400 before anything is recorded (`platform.text`)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import pytest
from pydantic import ValidationError

from functions.approval_callback import handler as approval_callback
from functions.incident_log.handler import handler as incident_log
from functions.web_app import handler as web_app
from plexlabor.audit import AuditEventType, AuditStatus
from plexlabor.copilot.wiring import AskRequest
from plexlabor.incidents.service import IncidentDeps, IncidentReport, log_incident
from plexlabor.platform.text import unreadable_character
from plexlabor.webapp.app import app
from plexlabor.webapp.auth import SignIn
from tests.support import FakeLambdaContext, load_event
from tests.unit.approval.approval_fakes import World, api_event
from tests.unit.review.review_world import awaiting_decision, call_web, web_deps, web_event
from tests.unit.webapp.test_auth_sign_in import SETTINGS, TokenEndpoint
from tests.unit.webapp.test_auth_tokens import Issuer

ADMIN = {"cognito:username": "admin1", "cognito:groups": "admin", "custom:employee_id": "E0001"}
FINDING = "f-000000000000000000000007"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
UNREADABLE = {
    "NUL": "late \x00 punch was fine",
    "right-to-left override": "approve \u202eevorppa",
    "escape": "\x1b[31m",
}


@pytest.fixture
def world() -> World:
    return awaiting_decision(FINDING)


def _headers(response: Mapping[str, Any]) -> dict[str, str]:
    return {name: values[-1] for name, values in response["multiValueHeaders"].items()}


def _assert_hardened(response: Mapping[str, Any]) -> None:
    headers = _headers(response)
    policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert policy["frame-ancestors"] == "'none'" and policy["default-src"] == "'none'"
    assert policy.get("script-src", "'self'") == "'self'"  # no inline script, no eval, nothing external
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store" and headers["Content-Type"].startswith("text/html")


def _scripts_are_files(body: str) -> bool:
    """Every <script> loads a file of the site; no handler attribute (onclick=...) anywhere."""
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", body, flags=re.S | re.I)
    return all('src="' in attrs and not inner.strip() for attrs, inner in scripts) and not re.search(
        r"<[^>]+\son[a-z]+\s*=", body, flags=re.I
    )


def _path(rule: str, item_id: str) -> str:
    return rule.replace("<item_id>", item_id).replace("<incident_id>", "inc-none").replace("<name>", "dashboards.js")


ROUTES = sorted({(route.method, route.path) for route in app._static_routes + app._dynamic_routes})


@pytest.mark.parametrize(("method", "rule"), ROUTES)
def test_every_web_app_route_answers_with_the_security_headers(world: World, method: str, rule: str) -> None:
    # Given every route the web app registers (the sign-in routes with a sign-in flow to call)
    event = web_event(method, _path(rule, FINDING), form={} if method == "POST" else None, authorizer={"claims": ADMIN})
    app.append_context(sign_in=SignIn(SETTINGS, TokenEndpoint(Issuer())))
    response = web_app.handler(event, FakeLambdaContext(), dependencies=web_deps(world))
    # Then whatever it answers carries the headers, and its HTML runs no inline script
    assert response["statusCode"] not in (500, 502)  # 503: the crew re-plan queue is not configured here
    if rule == "/static/<name>":  # a script file of the pages: cached for a year, never sniffed as HTML
        assert _headers(response)["X-Content-Type-Options"] == "nosniff"
        assert _headers(response)["Content-Type"].startswith("text/javascript")
        return
    _assert_hardened(response)
    assert _scripts_are_files(response["body"])


def test_an_unknown_path_and_a_missing_sign_in_are_hardened_pages_too(world: World) -> None:
    unknown = call_web(web_deps(world), "GET", "/no/such/page", ADMIN)
    assert unknown["statusCode"] == 404 and _headers(unknown)["Content-Type"].startswith("text/html")
    _assert_hardened(unknown)  # was Powertools' JSON 404 without them
    anonymous = call_web(web_deps(world), "GET", "/queue", None)
    assert anonymous["statusCode"] == 401
    _assert_hardened(anonymous)


def _token(world: World) -> str:
    [token] = [item.link_url.rsplit("/", 1)[1] for digest in world.notifier.sent for item in digest.items]
    return token


def test_the_approval_pages_are_hardened(world: World) -> None:
    token = _token(world)
    for event in (api_event("GET", token), api_event("GET", "not-a-token"), api_event("GET", token[:-3] + "AAA")):
        response = approval_callback.handler(event, FakeLambdaContext(), dependencies=world.callback)
        _assert_hardened(response)
        assert _scripts_are_files(response["body"])


@pytest.mark.parametrize("reason", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_a_reject_reason_with_an_invisible_character_is_a_400_on_the_mailed_link(world: World, reason: str) -> None:
    token = _token(world)
    event = api_event("POST", token, urlencode({"action": "reject", "reason": reason}))
    refused = approval_callback.handler(event, FakeLambdaContext(), dependencies=world.callback)
    assert refused["statusCode"] == 400 and "invisible character U+" in refused["body"]
    assert world.tasks.succeeded == [] and AuditEventType.DECISION.value not in world.events(FINDING)
    # the link is not used up: the same reason without the character decides
    event = api_event("POST", token, urlencode({"action": "reject", "reason": "punch was right"}))
    assert approval_callback.handler(event, FakeLambdaContext(), dependencies=world.callback)["statusCode"] == 200


def _decide_in_app(world: World, path: str, form: dict[str, Any]) -> dict[str, Any]:
    return call_web(web_deps(world), "POST", path, ADMIN, form=form)


@pytest.mark.parametrize("path", [f"/items/{FINDING}", "/queue"])
def test_a_reject_reason_with_an_invisible_character_is_a_400_in_the_web_app(world: World, path: str) -> None:
    form = {"action": "reject", "reason": UNREADABLE["right-to-left override"], "item": [FINDING]}
    refused = _decide_in_app(world, path, form)
    assert refused["statusCode"] == 400 and "U+202E" in refused["body"]
    assert world.tasks.succeeded == [] and AuditEventType.DECISION.value not in world.events(FINDING)


def test_a_typed_reason_shown_again_is_escaped(world: World) -> None:
    # Given a rejection refused (too long) whose reason is shown again in the form
    refused = _decide_in_app(world, f"/items/{FINDING}", {"action": "reject", "reason": HOSTILE + "x" * 1000})
    assert refused["statusCode"] == 400
    # Then the markup is text, not markup
    assert "<script>alert" not in refused["body"] and "&lt;script&gt;alert" in refused["body"]
    assert "<img src=x" not in refused["body"]


def test_a_stored_reject_reason_is_escaped_where_the_closed_link_names_it(world: World) -> None:
    token = _token(world)
    event = api_event("POST", token, urlencode({"action": "reject", "reason": HOSTILE}))
    decided = approval_callback.handler(event, FakeLambdaContext(), dependencies=world.callback)
    assert decided["statusCode"] == 200 and "<script>alert" not in decided["body"]
    again = approval_callback.handler(api_event("GET", token), FakeLambdaContext(), dependencies=world.callback)
    assert again["statusCode"] == 410 and "<script>" not in again["body"] and "<img" not in again["body"]
    assert "&lt;script&gt;" in again["body"]  # the reason is named, as text


def test_an_incident_narrative_is_escaped_on_its_page(world: World) -> None:
    deps = IncidentDeps(world.audit, None, clock=world.clock)  # uncoded: its page shows the narrative
    logged = log_incident(deps, IncidentReport(narrative=f"Operator slipped near press 4. {HOSTILE}"), "E0001")
    page = call_web(web_deps(world), "GET", f"/incidents/{logged.incident_id}", ADMIN)
    assert page["statusCode"] == 200 and "Operator slipped" in page["body"]
    assert "<script>alert" not in page["body"] and "<img src=x" not in page["body"]
    assert "&lt;script&gt;" in page["body"]


@pytest.mark.parametrize("narrative", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_an_incident_narrative_with_an_invisible_character_is_a_400_naming_it(narrative: str) -> None:
    world = World()
    deps = IncidentDeps(world.audit, None, clock=world.clock)
    event = load_event("incident_log")
    event["body"] = json.dumps({"narrative": f"Operator fell off a ladder: {narrative}"})
    refused = incident_log(event, FakeLambdaContext(), dependencies=deps)
    assert refused["statusCode"] == 400
    problem = json.loads(refused["body"])["errors"][0]
    assert problem["field"] == "narrative" and "invisible character U+" in json.dumps(problem)
    assert not world.audit.by_status(AuditStatus.LOGGED) and not world.audit.by_status(AuditStatus.PENDING_APPROVAL)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("fine text, tabs\tand\nlines, émigré, 日本, emoji 👍", None),
        ("a\x00b", "U+0000 at character 2"),
        ("\u2066isolated", "U+2066 at character 1"),
        ("\ud800", "U+D800 at character 1"),
    ],
)
def test_unreadable_character_names_the_first_one(text: str, problem: str | None) -> None:
    found = unreadable_character(text)
    assert (found is None) if problem is None else (found is not None and problem in found)


@pytest.mark.parametrize("question", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_a_copilot_question_with_an_invisible_character_is_refused_naming_it(question: str) -> None:
    # the question is kept in the audit and on the job's Plex record, as a reason or a narrative is
    with pytest.raises(ValidationError, match="invisible character U\\+"):
        AskRequest(question=f"how do I {question}")
    assert AskRequest(question="how do I change the\tbelt?").question
