"""Fuzzing the webhook from its own OpenAPI document (schemathesis) on the local runtime, 127.0.0.1 only,
a bounded number of examples per mode:

- unsigned, valid and invalid bodies alike: every answer is documented (status, content type, body
  schema) and none is a 5xx;
- signed with the runtime's secret: a body the schema allows is accepted (202), or refused with each
  field named (400) for what a schema cannot say (a date outside 2000-2099); a body the schema refuses
  is never accepted; none is a 5xx; and every accepted punch is validated, none dead-lettered.

The counts of each answer are printed (`pytest -s`), for docs/reliability.md. And hostile repetition:
the same signed delivery of 3 punches 50 times at once has its effects once (one link per finding).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import given
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from infra.constants import QueueName, SecretName
from plexlabor.audit import AuditStatus
from plexlabor.webhooks import sign
from plexlabor_dev.local.scenario import labelled_punches, record_key_of
from plexlabor_dev.local.stack import LocalStack
from tests.support import fuzz_settings

EXAMPLES = 60
"""Per mode and per signing: 4 x 60 requests, about 10 s on the local runtime."""
OWN_CHECKS = [negative_data_rejection, positive_data_acceptance]
"""What this module asserts itself, with the signature on: an invalid body is never accepted (unsigned,
a 401 would pass schemathesis' check for the wrong reason); a valid one is accepted or refused with
each field named (a date outside 2000-2099 is schema-valid, and refused by name)."""
DUPLICATED_PUNCHES = 3
"""The delivery sent 50 times at once: 3 punches with an injected anomaly (150 messages; 50 x 20 did
not drain in 180 s on 2 cores)."""
DATE_RANGE_PROBLEM = "a date from 2000-01-01 up to (not including) 2100-01-01"
FUZZ_SETTINGS = fuzz_settings(EXAMPLES)


@pytest.fixture(scope="module")
def stack(e2e_plant: Path) -> Iterator[LocalStack]:
    with LocalStack(e2e_plant, approval_wait_s=60) as started:
        yield started


def _operation(stack: LocalStack) -> Any:
    schema = schemathesis.openapi.from_url(f"{stack.runtime.api_url}/punches/openapi.json")
    schema.config.update(base_url=stack.runtime.api_url)
    return schema["/punches"]["POST"]


def _body(case: Any) -> bytes:
    if isinstance(case.body, bytes):
        return case.body
    if case.body is None or type(case.body).__name__ == "NotSet":
        return b""
    return json.dumps(case.body).encode()


def _fuzz(stack: LocalStack, mode: GenerationMode, *, signed: bool) -> Counter[int]:
    """Send EXAMPLES generated requests of `mode`; every answer validated against the document. The
    status of each, counted."""
    operation = _operation(stack)
    secret = stack.runtime.secret_value(SecretName.WEBHOOK_HMAC)
    statuses: Counter[int] = Counter()

    @FUZZ_SETTINGS
    @given(operation.as_strategy(generation_mode=mode))
    def one(case: Any) -> None:
        body = _body(case)
        headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "content-length"}
        headers.setdefault("Content-Type", case.media_type or "application/json")
        if signed:
            headers.update(sign(body, secret, int(time.time())))
        response = requests.post(stack.punches_url, data=body, headers=headers, timeout=30)
        statuses[response.status_code] += 1
        assert response.status_code < 500, (response.status_code, response.text[:300])
        if mode is GenerationMode.NEGATIVE:
            assert response.status_code != 202, f"an invalid body was accepted: {body[:300]!r}"
        if response.status_code == 400:
            errors = response.json()["errors"]
            assert all(error["field"] and error["problem"] for error in errors)
            if mode is GenerationMode.POSITIVE:  # schema-valid: refused only for what a schema cannot say
                assert [e for e in errors if not e["problem"].startswith(DATE_RANGE_PROBLEM)] == []
        case.validate_response(response, excluded_checks=OWN_CHECKS)

    one()
    return statuses


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_unsigned_fuzzed_requests_are_refused_as_documented(stack: LocalStack, mode: GenerationMode) -> None:
    statuses = _fuzz(stack, mode, signed=False)
    print(f"unsigned {mode.value}: {dict(statuses)}")
    assert set(statuses) == {401}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_signed_fuzzed_requests_are_answered_as_documented_and_nothing_is_lost(
    stack: LocalStack, mode: GenerationMode
) -> None:
    statuses = _fuzz(stack, mode, signed=True)
    print(f"signed {mode.value}: {dict(statuses)}")
    assert set(statuses) <= {202, 400}
    stack.runtime.drain(timeout_s=120)
    assert stack.runtime.queue_depth(QueueName.PUNCH, dlq=True) == 0


def test_the_same_delivery_fifty_times_at_once_has_its_effects_once(stack: LocalStack, busy_days: list[date]) -> None:
    punches = labelled_punches(stack.plant_dir, busy_days[0])[:DUPLICATED_PUNCHES]
    body = json.dumps(punches).encode()
    headers = {"Content-Type": "application/json"}
    headers.update(sign(body, stack.runtime.secret_value(SecretName.WEBHOOK_HMAC), int(time.time())))

    def deliver(_: int) -> int:
        return requests.post(stack.punches_url, data=body, headers=headers, timeout=60).status_code

    # 10 at a time (the local gateway's listen backlog is 128 since issue 17; 10 keeps the drain short)
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = Counter(pool.map(deliver, range(50)))
    assert statuses == {202: 50}
    stack.runtime.drain(timeout_s=180)
    keys = {record_key_of(punch) for punch in punches}
    review = {e.finding_id for e in stack.audit().findings(AuditStatus.PENDING_APPROVAL) if e.record_key in keys}
    links = Counter(link.finding_id for link in stack.approval_links() if link.finding_id in review)
    print(f"50 deliveries of {len(punches)} punches: {len(review)} review findings, links {sorted(links.values())}")
    assert review and set(links) == review and set(links.values()) == {1}
    assert stack.runtime.queue_depth(QueueName.PUNCH, dlq=True) == 0
