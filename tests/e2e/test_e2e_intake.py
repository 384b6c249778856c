"""Intake end to end: the webhook refuses what it cannot trust or read and enqueues nothing; the
poller, fired like its schedule, feeds the same queue; the OpenAPI document is published."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from infra.constants import QueueName, SecretName
from plexlabor.audit.dynamodb import DynamoDbValidationCounter
from plexlabor.audit.events import AuditEventType
from plexlabor.webhooks import sign
from plexlabor_dev.local.scenario import day_replay, record_key_of
from plexlabor_dev.local.stack import LocalStack


@pytest.fixture(scope="module")
def stack(e2e_plant: Path) -> Iterator[LocalStack]:
    with LocalStack(e2e_plant, approval_wait_s=60) as started:
        yield started


def _validator_runs(stack: LocalStack) -> int:
    return len(stack.runtime.invocations("punch_validator"))


def test_bad_signature_and_bad_body_enqueue_nothing(stack: LocalStack, busy_days: list[date]) -> None:
    punch = day_replay(stack.plant_dir, busy_days[0]).punches[0]
    body = json.dumps(punch).encode()
    secret = stack.runtime.secret_value(SecretName.WEBHOOK_HMAC)
    now = int(time.time())
    runs = _validator_runs(stack)
    post = stack.punches_url
    bad = json.dumps({**punch, "clockinTime": "yesterday"}).encode()
    cases = {
        "wrong secret": (body, sign(body, "not-the-secret", now), 401),
        "stale timestamp": (body, sign(body, secret, now - 3600), 401),
        "unsigned": (body, {}, 401),
        "body changed after signing": (body.replace(b'"id"', b'"id" '), sign(body, secret, now), 401),
        "bad body, good signature": (bad, sign(bad, secret, now), 400),
        "not JSON, good signature": (b"{not json", sign(b"{not json", secret, now), 400),
    }
    for name, (data, headers, status) in cases.items():
        response = requests.post(post, data=data, headers={"Content-Type": "application/json", **headers}, timeout=10)
        assert response.status_code == status, name
        if status == 400 and name.startswith("bad body"):
            assert "clockinTime" in response.text  # the field is named
    time.sleep(stack.runtime.poll_wait_s + 0.5)  # what would have been enqueued has had time to arrive
    assert stack.runtime.queue_depth(QueueName.PUNCH) == 0
    assert _validator_runs(stack) == runs


def test_openapi_document_is_published(stack: LocalStack) -> None:
    response = requests.get(f"{stack.runtime.api_url}/punches/openapi.json", timeout=10)
    assert response.status_code == 200
    assert "/punches" in response.json()["paths"]


def test_scheduled_poll_feeds_the_validator(stack: LocalStack, busy_days: list[date]) -> None:
    # Given a day whose records changed within a known window
    day = busy_days[3]
    zone = ZoneInfo(stack.meta.timezone)
    since = datetime.combine(day, clock_time(0), zone)
    until = since + timedelta(days=1)
    # When the poller's schedule fires for that window
    result = stack.runtime.fire("punch_poller", detail={"since": since.isoformat(), "until": until.isoformat()})
    # Then the records are enqueued, validated, and findings are recorded for them
    assert result["punches"] > 0
    stack.runtime.drain(timeout_s=60)
    replayed = {record_key_of(punch) for punch in day_replay(stack.plant_dir, day).punches}
    found = [
        e
        for key in replayed
        for e in stack.audit().history(key)
        if e.event_type is AuditEventType.FINDING and e.actor == "punch_validator"
    ]
    assert found, "the poll's records produced findings"
    assert stack.runtime.queue_depth(QueueName.PUNCH, dlq=True) == 0
    # ...and every record validated is counted once for the KPI page, on today's plant-local date
    assert stack.runtime.resources is not None
    counts = DynamoDbValidationCounter(stack.runtime.resources.state_table, client=stack.runtime.client("dynamodb"))
    today = datetime.now(zone).date()
    counted = counts.days(today - timedelta(days=1), today)  # (yesterday: a run across midnight)
    assert sum(day.validated for day in counted) >= result["punches"]
