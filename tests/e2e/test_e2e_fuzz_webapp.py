"""Fuzzing every route of the web app from its OpenAPI document (`plexlabor.webapp.document`) with
schemathesis, on the local runtime (127.0.0.1), signed in as each role, a bounded number of examples
per operation:

- every answer is documented (status, content type) and none is a 5xx;
- every schema-invalid query or form is refused (a 4xx), never acted on;
- the real items of a busy day, decided with fuzzed forms, are each decided at most once.

The runtime holds what the pages draw: a busy day's review findings (signed webhook), a crew plan,
and the nightly reports (skills, forecasts, analytics, allocation, incident trends). Each person signs
in through the dev login (the session cookie); a POST carries `Sec-Fetch-Site: same-origin` as a
browser's own form does (`platform.csrf`). The counts of each answer are printed (`pytest -s`), for
docs/reliability.md.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import given
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from plexlabor.audit import AuditEventType, AuditStatus
from plexlabor.copilot import PROCEDURES_PREFIX
from plexlabor.copilot.indexing import PROCEDURES_KEY
from plexlabor.webapp.document import webapp_document
from plexlabor.webhooks import sign
from plexlabor_dev.local.scenario import labelled_punches
from plexlabor_dev.local.signin import LOCAL_PASSWORD, LOGIN_PATH, SESSION_COOKIE, plant_users
from plexlabor_dev.local.stack import LocalStack
from tests.support import fuzz_settings
from tests.unit.copilot.copilot_world import lines

EXAMPLES = 3
"""Per operation and role, valid and invalid requests each (23 operations, 7 of them with something a
request can get wrong; 6 roles): about 540 requests, the module about a minute on a quiet machine."""
API_EXAMPLES = 8
"""Per mode and role on the JSON-or-form APIs the pages post to (incidents, copilot)."""
ITEMS = 2
ITEM_EXAMPLES = 8
"""Fuzzed forms per real item and mode."""
ROLES = ("planner", "hr", "ehs", "admin", "operator")
"""The plant-wide users; a supervisor of the plant is added (`sessions`)."""
BROWSER_FORM = {"Sec-Fetch-Site": "same-origin"}
FORM_TYPE = "application/x-www-form-urlencoded"
UNCONSTRAINED = {"type", "description"}


@pytest.fixture(scope="module")
def stack(e2e_plant: Path, busy_days: list[date]) -> Iterator[LocalStack]:
    """A busy day's review findings, its crew plan, every nightly report the pages draw and the copilot's
    index (of the unit tests' procedures)."""
    from infra.constants import SecretName

    with LocalStack(e2e_plant, approval_wait_s=3600) as started:
        body = json.dumps(labelled_punches(e2e_plant, busy_days[0])).encode()
        headers = {"Content-Type": "application/json"}
        headers.update(sign(body, started.runtime.secret_value(SecretName.WEBHOOK_HMAC), int(time.time())))
        assert requests.post(started.punches_url, data=body, headers=headers, timeout=60).status_code == 202
        started.runtime.fire("crew_planner", detail={"date": busy_days[0].isoformat()})
        assert started.runtime.resources is not None
        procedures = f"{PROCEDURES_PREFIX}{PROCEDURES_KEY}"  # the plant's SOPs, for copilot_index
        bucket = started.runtime.resources.artifacts_bucket
        started.runtime.client("s3").put_object(Bucket=bucket, Key=procedures, Body="\n".join(lines()).encode())
        for nightly in (
            "skills_daily",
            "forecast_nightly",
            "analytics_nightly",
            "allocation_nightly",
            "incident_trends",
            "copilot_index",
        ):
            started.runtime.fire(nightly)
        started.runtime.drain(timeout_s=180)
        yield started


@pytest.fixture(scope="module")
def sessions(stack: LocalStack) -> dict[str, dict[str, str]]:
    """The session cookie of each role's user, signed in through the dev login."""
    supervisor = next(user.username for user in plant_users(stack.plant_dir) if "supervisor" in user.groups)
    cookies = {}
    for username in (supervisor, *ROLES):
        with requests.Session() as browser:
            form = {"username": username, "password": LOCAL_PASSWORD, "next": "/queue"}
            assert browser.post(f"{stack.runtime.api_url}{LOGIN_PATH}", data=form, timeout=30).status_code == 200
            cookies["supervisor" if username == supervisor else username] = {
                SESSION_COOKIE: browser.cookies[SESSION_COOKIE]
            }
    return cookies


def _operations(stack: LocalStack) -> dict[str, Any]:
    schema = schemathesis.openapi.from_dict(webapp_document())
    schema.config.update(base_url=stack.runtime.api_url)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]  # a bad document raises
    return {f"{operation.method.upper()} {operation.path}": operation for operation in operations}


def _negatable(operation: Any) -> bool:
    """An operation a request can get wrong: a form field required or constrained, or a constrained
    query parameter (a path parameter's `minLength: 1` is not: a path with an empty segment is another path)."""
    form = operation.definition.raw.get("requestBody", {}).get("content", {}).get(FORM_TYPE, {}).get("schema", {})
    if form.get("required") or any(set(field) - UNCONSTRAINED for field in form.get("properties", {}).values()):
        return True
    return any(
        parameter.location == "query" and set(parameter.definition.get("schema", {})) - UNCONSTRAINED
        for parameter in operation.iter_parameters()
    )


def _fuzz(
    operation: Any, mode: GenerationMode, cookies: dict[str, str], examples: int, record: dict[str, str] | None = None
) -> Counter[int]:
    """Send `examples` generated requests (on a real record's page when `record` names its path parameter);
    the status of each, counted.
    A valid request may still be refused (an unknown item is 404, a role without access 403): the check
    that valid data is accepted is left out, and so is the one that sends a made-up Bearer token beside
    the valid session (locally the dev sign-in reads only the cookie; on AWS web_authorizer refuses a bad
    Bearer first, tests/unit/webapp/test_auth_authorizer.py); the others (documented status and content
    type, invalid data refused, no 5xx) kept."""
    statuses: Counter[int] = Counter()

    @fuzz_settings(examples)
    @given(operation.as_strategy(generation_mode=mode))
    def one(case: Any) -> None:
        if record is not None:
            case.path_parameters = record
        headers = BROWSER_FORM if case.method.upper() == "POST" else None
        response = case.call(cookies=cookies, headers=headers, allow_redirects=False, timeout=30)
        statuses[response.status_code] += 1
        assert response.status_code < 500 or response.status_code == 503, (response.status_code, response.text[:300])
        case.validate_response(response, excluded_checks=[positive_data_acceptance, ignored_auth], headers=headers)

    one()
    return statuses


@pytest.mark.parametrize("role", ["supervisor", *ROLES])
def test_every_route_answers_every_role_as_documented(
    stack: LocalStack, sessions: dict[str, dict[str, str]], role: str
) -> None:
    answered: dict[str, Counter[int]] = {}
    for label, operation in _operations(stack).items():
        statuses = _fuzz(operation, GenerationMode.POSITIVE, sessions[role], EXAMPLES)
        if _negatable(operation):
            statuses += _fuzz(operation, GenerationMode.NEGATIVE, sessions[role], EXAMPLES)
        answered[label] = statuses
    print(
        f"{role}: {sum(sum(c.values()) for c in answered.values())} requests, {dict(sum(answered.values(), Counter()))}"
    )
    assert not any(status >= 500 and status != 503 for statuses in answered.values() for status in statuses)


@pytest.fixture(scope="module")
def incidents(stack: LocalStack, sessions: dict[str, dict[str, str]]) -> list[str]:
    """Two incidents reported by an operator through incident_log's API (JSON), for the EHS lead to code."""
    reported = []
    for narrative in ("Operator cut a finger on the saw blade at the end of the shift", "Forklift near miss at dock 3"):
        answer = requests.post(
            f"{stack.runtime.api_url}/incidents",
            json={"narrative": narrative},
            cookies=sessions["operator"],
            headers=BROWSER_FORM,
            timeout=60,
        )
        assert answer.status_code == 201, answer.text[:300]
        reported.append(answer.json()["incident_id"])
    return reported


def _fuzz_records(operation: Any, cookies: dict[str, str], records: list[str], parameter: str) -> Counter[int]:
    statuses: Counter[int] = Counter()
    for record in records:
        for mode in (GenerationMode.NEGATIVE, GenerationMode.POSITIVE):
            statuses += _fuzz(operation, mode, cookies, ITEM_EXAMPLES, record={parameter: record})
    return statuses


def _decisions(stack: LocalStack, record: str, kind: AuditEventType) -> int:
    return sum(1 for event in stack.audit().store.for_finding(record) if event.event_type is kind)


def test_real_items_with_fuzzed_forms_are_decided_at_most_once(
    stack: LocalStack, sessions: dict[str, dict[str, str]]
) -> None:
    pending = [e.finding_id for e in stack.audit().by_status(AuditStatus.PENDING_APPROVAL) if e.finding_id]
    items = sorted(set(pending))[:ITEMS]
    assert items, "the busy day left items to decide"
    statuses = _fuzz_records(_operations(stack)["POST /items/{item_id}"], sessions["admin"], items, "item_id")
    print(f"{len(items)} real items, fuzzed forms: {dict(statuses)}")
    decided = [_decisions(stack, item, AuditEventType.DECISION) for item in items]
    assert all(count <= 1 for count in decided) and sum(decided) == statuses[303], (decided, statuses)


def test_real_incidents_with_fuzzed_codes_are_coded_at_most_once(
    stack: LocalStack, sessions: dict[str, dict[str, str]], incidents: list[str]
) -> None:
    operation = _operations(stack)["POST /incidents/{incident_id}"]
    statuses = _fuzz_records(operation, sessions["ehs"], incidents, "incident_id")
    print(f"{len(incidents)} real incidents, fuzzed coding forms: {dict(statuses)}")
    coded = [_decisions(stack, incident, AuditEventType.DECISION) for incident in incidents]
    assert all(count <= 1 for count in coded), coded


@pytest.mark.parametrize("role", ["operator", "ehs", "admin"])
@pytest.mark.parametrize("document", ["/incidents/openapi.json", "/copilot/openapi.json"])
def test_the_apis_the_pages_post_to_answer_as_their_documents_say(
    stack: LocalStack, sessions: dict[str, dict[str, str]], document: str, role: str
) -> None:
    """incident_log's `POST /incidents` (the incident form's target) and copilot_ask's `POST /copilot/ask`
    (the copilot page's), fuzzed from the documents they serve, JSON and form bodies alike."""
    schema = schemathesis.openapi.from_url(f"{stack.runtime.api_url}{document}")
    schema.config.update(base_url=stack.runtime.api_url)
    statuses: Counter[int] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # a bad document raises
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            statuses += _fuzz(operation, mode, sessions[role], API_EXAMPLES)
    print(f"{document} as {role}: {dict(statuses)}")
