"""Fault injection on intake (moto, the real handlers built from their environment): SQS refusing the
webhook's send, DynamoDB throttled and Step Functions throttled while the validator records; the
sender and SQS retry, and then every accepted punch is validated once: one finding event per finding,
one approval execution per review finding, nothing left over in the idempotency table."""

from __future__ import annotations

import json

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from functions.punch_validator import handler as punch_validator
from functions.punch_webhook import handler as punch_webhook
from plexlabor.audit import AuditEventType
from tests.fault_injection import failing
from tests.integration.intake.conftest import Stack
from tests.integration.intake.test_intake_aws_flows import as_sqs_event, signed_webhook


def assert_validated_once(stack: Stack, samples) -> None:
    review = samples.review
    events = stack.audit.history(review.key)
    assert [e.event_type for e in events] == [AuditEventType.FINDING] * len(review.findings)
    assert sorted(e.finding_id for e in events) == sorted(f.finding_id for f in review.findings)
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
