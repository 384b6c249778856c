"""Fuzzing the approval pages (`GET|POST /approvals/{token}`, public: the link is the credential) from
their OpenAPI document (`plexlabor.approval.document`) with schemathesis, on the local runtime,
127.0.0.1 only, a bounded number of examples per case:

- any token, valid and invalid forms alike: every answer is documented (status, content type) and none
  is a 5xx;
- the real mailed links with fuzzed forms: the same, and each finding ends with at most one decision
  (a valid form decides once, every later POST is 410).

The counts of each answer are printed (`pytest -s`), for docs/reliability.md.
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
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from plexlabor.approval.document import APPROVAL_PATH, approval_document
from plexlabor.audit import AuditEventType
from plexlabor.webhooks import sign
from plexlabor_dev.local.scenario import ApprovalLink, labelled_punches, latest_links
from plexlabor_dev.local.stack import LocalStack
from tests.support import fuzz_settings

EXAMPLES = 25
"""Per case (4 any-token cases, 2 per real link): about 50 s for the module on the local runtime."""
FUZZ_SETTINGS = fuzz_settings(EXAMPLES)


@pytest.fixture(scope="module")
def stack(e2e_plant: Path) -> Iterator[LocalStack]:
    with LocalStack(e2e_plant, approval_wait_s=3600) as started:
        yield started


@pytest.fixture(scope="module")
def links(stack: LocalStack, busy_days: list[date]) -> list[ApprovalLink]:
    """Mailed links of a busy day's review findings (the punches delivered by signed webhook)."""
    from infra.constants import SecretName

    punches = labelled_punches(stack.plant_dir, busy_days[0])
    body = json.dumps(punches).encode()
    headers = {"Content-Type": "application/json"}
    headers.update(sign(body, stack.runtime.secret_value(SecretName.WEBHOOK_HMAC), int(time.time())))
    assert requests.post(stack.punches_url, data=body, headers=headers, timeout=60).status_code == 202
    stack.runtime.drain(timeout_s=180)
    found = list(latest_links(stack.approval_links()).values())
    assert found
    return found


def _operation(stack: LocalStack, method: str) -> Any:
    schema = schemathesis.openapi.from_dict(approval_document())
    schema.config.update(base_url=stack.runtime.api_url)
    return schema[APPROVAL_PATH][method]


def _fuzz(stack: LocalStack, method: str, mode: GenerationMode, token: str | None = None) -> Counter[int]:
    """Send EXAMPLES generated requests (on `token`'s link when given); the status of each, counted.
    On a real link the form's own checks are left out: once the link is used every POST is 410 (valid
    form or not), and a form field sent twice (`action=approve&action=x`, schema-invalid) is read by
    its first value, as browsers send it; the test asserts the decisions instead."""
    operation = _operation(stack, method)
    statuses: Counter[int] = Counter()
    excluded = [positive_data_acceptance] + ([negative_data_rejection] if token is not None else [])

    @FUZZ_SETTINGS
    @given(operation.as_strategy(generation_mode=mode))
    def one(case: Any) -> None:
        if token is not None:
            case.path_parameters = {"token": token}
        response = case.call(timeout=30)
        statuses[response.status_code] += 1
        assert response.status_code < 500 or response.status_code == 503, (response.status_code, response.text[:300])
        # a schema-valid form on a forged, used or expired link is refused by design (403/410): not a failure
        case.validate_response(response, excluded_checks=excluded)

    one()
    return statuses


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_any_token_and_form_is_answered_as_documented(stack: LocalStack, method: str, mode: GenerationMode) -> None:
    statuses = _fuzz(stack, method, mode)
    print(f"any token, {method} {mode.value}: {dict(statuses)}")
    assert 200 not in statuses  # no generated token is a valid link


def test_real_links_with_fuzzed_forms_decide_each_finding_at_most_once(
    stack: LocalStack, links: list[ApprovalLink]
) -> None:
    statuses: Counter[int] = Counter()
    for link in links:
        for mode in (GenerationMode.NEGATIVE, GenerationMode.POSITIVE):
            statuses += _fuzz(stack, "POST", mode, token=link.token)
    print(f"{len(links)} real links, fuzzed forms: {dict(statuses)}")
    assert statuses[200] <= len(links)
    decided: Counter[str] = Counter(
        event.finding_id or ""
        for link in links
        for event in stack.audit().store.for_finding(link.finding_id)
        if event.event_type is AuditEventType.DECISION
    )
    assert all(count == 1 for count in decided.values()) and sum(decided.values()) == statuses[200]
