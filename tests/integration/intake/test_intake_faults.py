"""Fault injection on intake (moto, the real handlers built from their environment): SQS refusing the
webhook's send, DynamoDB throttled and Step Functions throttled while the validator records, Plex
failing or too slow during a poll; the sender, SQS or the next poll retry, and then every accepted punch
is validated once (one finding event per finding, one approval execution per review finding) and every
polled change is enqueued once the poll succeeds (the cursor moves only then)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from functions.punch_poller import handler as punch_poller
from functions.punch_validator import handler as punch_validator
from functions.punch_webhook import handler as punch_webhook
from plexlabor.audit import AuditEventType
from plexlabor.intake.aws import DynamoDbCursorStore
from plexlabor.intake.cursor import TIME_CLOCK_CURSOR
from plexlabor.intake.messages import PunchMessage, change_marker
from plexlabor.plex.errors import PlexError
from plexlabor_dev.simulator.server import SimulatorServer
from tests.fault_injection import failing
from tests.integration.intake.conftest import STATE_TABLE, Stack
from tests.integration.intake.test_intake_aws_flows import as_sqs_event, read_plex_from, signed_webhook
from tests.unit.intake.intake_samples import scheduled_event


def assert_validated_once(stack: Stack, samples) -> None:
    review = samples.review
    events = stack.audit.history(review.key)
    assert [e.event_type for e in events] == [AuditEventType.FINDING] * len(review.findings)
    assert sorted((e.finding_id for e in events), key=str) == sorted(f.finding_id for f in review.findings)
    assert sorted(x["name"] for x in stack.executions()) == sorted(f.finding_id for f in review.findings)
    assert stack.audit.history(samples.clean.key) == []


def _deliver(stack: Stack, samples, lambda_context) -> list[dict]:
    body = json.dumps([samples.review.entry.to_plex(), samples.clean.entry.to_plex()])
    # SQS unavailable on both of the webhook's attempts: 503, nothing on the queue
    with failing("SendMessageBatch", 2, "ServiceUnavailable"):
        assert punch_webhook.handler(signed_webhook(body), lambda_context)["statusCode"] == 503
    assert stack.receive_all() == []
    # the sender retries; SQS unavailable once more, the webhook's own second attempt gets through once
    with failing("SendMessageBatch", 1, "ServiceUnavailable"):
        assert punch_webhook.handler(signed_webhook(body), lambda_context)["statusCode"] == 202
    messages = stack.receive_all()
    assert len(messages) == 2
    return messages


@pytest.mark.parametrize(
    ("operation", "code"),
    [("TransactWriteItems", "ThrottlingException"), ("StartExecution", "ThrottlingException")],
    ids=["audit-throttled", "step-functions-throttled"],
)
def test_a_throttled_dependency_while_validating_validates_each_punch_once(
    stack: Stack, samples, lambda_context, operation: str, code: str
) -> None:
    messages = _deliver(stack, samples, lambda_context)
    # When the validator's recording is throttled once, the review punch fails and SQS brings it back
    with failing(operation, 1, code) as injected:
        try:
            response = punch_validator.handler(as_sqs_event(messages), lambda_context)
        except BatchProcessingError:  # every record failed: Lambda reports an error, SQS retries them all
            response = {"batchItemFailures": [{"itemIdentifier": m["MessageId"]} for m in messages]}
    assert injected[operation] == 1 and response["batchItemFailures"]
    failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
    again = [m for m in messages if m["MessageId"] in failed]
    assert punch_validator.handler(as_sqs_event(again), lambda_context) == {"batchItemFailures": []}
    # and a redelivery of the whole batch changes nothing
    assert punch_validator.handler(as_sqs_event(messages), lambda_context) == {"batchItemFailures": []}
    assert_validated_once(stack, samples)


@pytest.mark.parametrize(
    "fault",
    [{"rate_500": 1.0}, {"latency_ms": 1500}, {"rate_truncate": 1.0}],
    ids=["plex-500", "plex-timeout", "plex-truncated-body"],
)
def test_plex_failing_during_a_poll_loses_nothing_and_the_cursor_waits(
    stack: Stack, plant_source, samples, lambda_context, monkeypatch, fault: dict
) -> None:
    with SimulatorServer(plant_source.plant.path, rate_limit=100_000) as sim:
        fast = {"PLEXLABOR_PLEX_MAX_RETRIES": "1", "PLEXLABOR_PLEX_TIMEOUT_S": "0.5"}
        read_plex_from(sim, stack, samples.timezone, monkeypatch, PLEXLABOR_PLEX_BACKOFF_FACTOR="0.01", **fast)
        cursors = DynamoDbCursorStore(STATE_TABLE, client=stack.dynamodb)
        changed = change_marker(samples.review.entry)
        cursors.advance(TIME_CLOCK_CURSOR, changed - timedelta(minutes=1))
        window = {"until": (changed + timedelta(seconds=1)).isoformat()}
        # When Plex fails every read of the poll (500s, or answers after the client's timeout)
        sim.set_faults(paths=["/hcm/"], **fault)
        with pytest.raises(PlexError):
            punch_poller.handler(scheduled_event(window), lambda_context)
        # Then nothing is enqueued and the cursor stays, so the next poll reads the same changes
        assert stack.receive_all() == [] and cursors.get(TIME_CLOCK_CURSOR) == changed - timedelta(minutes=1)
        sim.set_faults(reset=True)
        polled = punch_poller.handler(scheduled_event(window), lambda_context)
        keys = [PunchMessage.model_validate_json(m["Body"]).record_key for m in stack.receive_all()]
        assert polled["enqueued"] == len(keys) and keys.count(samples.review.key) == 1
        assert cursors.get(TIME_CLOCK_CURSOR) == changed + timedelta(seconds=1)


@pytest.mark.parametrize("fault", [{"rate_500": 1.0}, {"rate_truncate": 1.0}], ids=["plex-500", "plex-truncated-body"])
def test_plex_failing_on_the_validators_context_reads_validates_each_punch_once_after(
    stack: Stack, plant_source, samples, lambda_context, monkeypatch, fault: dict
) -> None:
    with SimulatorServer(plant_source.plant.path, rate_limit=100_000) as sim:
        fast = {"PLEXLABOR_PLEX_MAX_RETRIES": "1", "PLEXLABOR_PLEX_BACKOFF_FACTOR": "0.01"}
        read_plex_from(sim, stack, samples.timezone, monkeypatch, **fast)
        body = json.dumps([samples.review.entry.to_plex(), samples.clean.entry.to_plex()])
        assert punch_webhook.handler(signed_webhook(body), lambda_context)["statusCode"] == 202
        messages = stack.receive_all()
        # When every Plex read of the validator (employees, routings, time clock...) fails or is cut short
        sim.set_faults(**fault)
        with pytest.raises(BatchProcessingError):  # every record failed: SQS brings the batch back
            punch_validator.handler(as_sqs_event(messages), lambda_context)
        assert stack.audit.history(samples.review.key) == [] and stack.executions() == []
        assert any(r.get("fault") for r in sim.requests())
        # Then, Plex back, the redelivered batch validates each punch once, and again changes nothing
        sim.set_faults(reset=True)
        assert punch_validator.handler(as_sqs_event(messages), lambda_context) == {"batchItemFailures": []}
        assert punch_validator.handler(as_sqs_event(messages), lambda_context) == {"batchItemFailures": []}
        assert_validated_once(stack, samples)
