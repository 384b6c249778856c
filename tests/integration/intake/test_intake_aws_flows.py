"""The intake flows against moto's SQS, DynamoDB, S3, Secrets Manager and Step Functions, with each
handler building its adapters from its environment, as on Lambda."""

from __future__ import annotations

import json
from datetime import timedelta

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from functions.norms_refresh import handler as norms_refresh
from functions.punch_poller import handler as punch_poller
from functions.punch_validator import handler as punch_validator
from functions.punch_webhook import handler as punch_webhook
from plexlabor.audit import AuditEventType, AuditStatus
from plexlabor.intake.aws import DynamoDbCursorStore, S3NormsStore
from plexlabor.intake.cursor import TIME_CLOCK_CURSOR
from plexlabor.intake.messages import PunchMessage, change_marker
from plexlabor.intake.norms_store import LATEST_KEY
from plexlabor.webhooks import sign
from plexlabor_dev.simulator.server import SimulatorServer
from tests.integration.intake.conftest import BUCKET, IDEMPOTENCY_TABLE, STATE_TABLE, Stack
from tests.support import load_event
from tests.unit.intake.intake_samples import WEBHOOK_SECRET, scheduled_event, sqs_event


def signed_webhook(body: str, secret: str = WEBHOOK_SECRET, seconds_ago: int = 0) -> dict:
    """The canonical API Gateway event carrying `body`, signed now (or `seconds_ago`)."""
    import time

    event = load_event("punch_webhook")
    event["body"] = body
    event["headers"].update(sign(body.encode(), secret, int(time.time()) - seconds_ago))
    return event


def as_sqs_event(messages: list[dict]) -> dict:
    """Messages received from SQS, as the event source mapping hands them to the function."""
    event = sqs_event([m["Body"] for m in messages])
    for record, message in zip(event["Records"], messages, strict=True):
        record["messageId"] = message["MessageId"]
        record["receiptHandle"] = message["ReceiptHandle"]
    return event


# ---- punch_webhook ---------------------------------------------------------------------------------------
def test_a_signed_webhook_lands_on_the_queue(stack: Stack, samples, lambda_context) -> None:
    body = json.dumps([samples.review.entry.to_plex(), samples.clean_labor.entry.to_plex()])
    response = punch_webhook.handler(signed_webhook(body), lambda_context)
    assert response["statusCode"] == 202
    messages = stack.receive_all()
    parsed = [PunchMessage.model_validate_json(m["Body"]) for m in messages]
    assert [m.record_key for m in parsed] == [samples.review.key, samples.clean_labor.key]
    assert [m["MessageAttributes"]["record_key"]["StringValue"] for m in messages] == [
        samples.review.key,
        samples.clean_labor.key,
    ]


def test_a_webhook_signed_with_another_secret_enqueues_nothing(stack: Stack, samples, lambda_context) -> None:
    body = json.dumps(samples.review.entry.to_plex())
    response = punch_webhook.handler(signed_webhook(body, secret="not-the-secret"), lambda_context)
    assert response["statusCode"] == 401
    assert stack.receive_all() == []


def test_a_webhook_that_cannot_be_enqueued_is_503(stack: Stack, samples, lambda_context) -> None:
    stack.sqs.delete_queue(QueueUrl=stack.queue_url)
    response = punch_webhook.handler(signed_webhook(json.dumps(samples.review.entry.to_plex())), lambda_context)
    assert response["statusCode"] == 503
    assert json.loads(response["body"])["errors"] == [{"field": samples.review.key, "problem": "not enqueued"}]


# ---- punch_poller ----------------------------------------------------------------------------------------
def test_the_poller_enqueues_and_keeps_its_cursor_in_the_state_table(
    stack: Stack, plant_source, lambda_context
) -> None:
    end = plant_source.plant.meta().end
    first = {"since": (end - timedelta(days=1)).isoformat(), "until": (end - timedelta(hours=12)).isoformat()}
    result = punch_poller.handler(scheduled_event(first), lambda_context)
    assert result["enqueued"] == len(stack.receive_all()) > 0
    cursors = DynamoDbCursorStore(STATE_TABLE, client=stack.dynamodb)
    assert cursors.get(TIME_CLOCK_CURSOR) == end - timedelta(hours=12)
    # A later window moves it on; replaying an older one does not move it back
    punch_poller.handler(scheduled_event({"since": first["until"], "until": end.isoformat()}), lambda_context)
    assert cursors.get(TIME_CLOCK_CURSOR) == end
    again = punch_poller.handler(scheduled_event(first), lambda_context)
    assert again["cursor_advanced"] is False and cursors.get(TIME_CLOCK_CURSOR) == end


def test_when_sqs_refuses_the_poll_fails_and_the_cursor_stays(stack: Stack, plant_source, lambda_context) -> None:
    end = plant_source.plant.meta().end
    cursors = DynamoDbCursorStore(STATE_TABLE, client=stack.dynamodb)
    cursors.advance(TIME_CLOCK_CURSOR, end - timedelta(days=1))
    stack.sqs.delete_queue(QueueUrl=stack.queue_url)
    with pytest.raises(Exception, match="not enqueued"):
        punch_poller.handler(scheduled_event({"until": end.isoformat()}), lambda_context)
    assert cursors.get(TIME_CLOCK_CURSOR) == end - timedelta(days=1)


# ---- punch_validator -------------------------------------------------------------------------------------
def test_webhook_to_validator_records_one_finding_and_one_approval_per_duplicate(
    stack: Stack, samples, lambda_context
) -> None:
    # Given the same flagged punch in two deliveries (a sender's retry signs again: another timestamp, so it is
    # not the byte-identical replay the webhook's nonce refuses), plus a clean one
    deliveries = ((samples.review, 1), (samples.review, 0), (samples.clean, 0))
    for sample, seconds_ago in deliveries:
        delivery = signed_webhook(json.dumps(sample.entry.to_plex()), seconds_ago=seconds_ago)
        assert punch_webhook.handler(delivery, lambda_context)["statusCode"] == 202
    messages = stack.receive_all()
    assert len(messages) == 3
    # When the validator gets them (and SQS redelivers the batch once more)
    for _ in range(2):
        response = punch_validator.handler(as_sqs_event(messages), lambda_context)
        assert response == {"batchItemFailures": []}
    # Then the audit holds the one finding, pending approval, and one execution was started for it
    (finding,) = samples.review.findings
    (event,) = stack.audit.history(samples.review.key)
    assert event.event_type is AuditEventType.FINDING and event.status is AuditStatus.PENDING_APPROVAL
    assert event.finding_id == finding.finding_id
    assert stack.audit.history(samples.clean.key) == []
    (execution,) = stack.executions()
    assert execution["name"] == finding.finding_id
    started = stack.sfn.describe_execution(executionArn=execution["executionArn"])
    request = json.loads(started["input"])
    assert request["finding"]["finding_id"] == finding.finding_id and request["supervisor_id"] == event.supervisor_id


def test_a_malformed_message_is_the_only_failure_of_its_batch(stack: Stack, samples, lambda_context) -> None:
    good = samples.other_review.message().model_dump_json()
    event = sqs_event([good, '{"source": "webhook"}'])
    response = punch_validator.handler(event, lambda_context)
    assert response == {"batchItemFailures": [{"itemIdentifier": event["Records"][1]["messageId"]}]}
    assert len(stack.audit.history(samples.other_review.key)) == len(samples.other_review.findings)


def test_when_plex_is_unreachable_the_whole_batch_is_retried_and_nothing_is_written(
    stack: Stack, samples, lambda_context, monkeypatch
) -> None:
    # Given the Plex path (key from Secrets Manager) pointing at a port nobody listens on
    monkeypatch.delenv("PLEXLABOR_PLANT_DIR")
    for name, value in {
        "PLEXLABOR_TIMEZONE": "America/Detroit",
        "PLEXLABOR_PLEX_BASE_URL": "http://127.0.0.1:9",
        "PLEXLABOR_PLEX_DATASOURCE_BASE_URL": "http://127.0.0.1:9",
        "PLEXLABOR_PLEX_MAX_RETRIES": "0",
        "PLEXLABOR_PLEX_CONNECT_TIMEOUT_S": "0.2",
        "PLEXLABOR_PLEX_RATE_LIMIT_PER_MINUTE": "0",
    }.items():
        monkeypatch.setenv(name, value)
    event = sqs_event([samples.review.message().model_dump_json(), samples.clean.message().model_dump_json()])
    # When the batch runs, every record fails: Powertools raises, Lambda reports an error, SQS retries
    with pytest.raises(BatchProcessingError):
        punch_validator.handler(event, lambda_context)
    assert stack.audit.history(samples.review.key) == [] and stack.executions() == []
    # And no idempotency record stayed behind: once Plex is back, the retry validates for real
    items = stack.dynamodb.scan(TableName=IDEMPOTENCY_TABLE)["Items"]
    assert items == []


# ---- norms_refresh ---------------------------------------------------------------------------------------
def test_nightly_norms_land_in_s3_and_the_validator_uses_them(
    stack: Stack, samples, plant_source, lambda_context
) -> None:
    as_of = plant_source.plant.meta().end
    result = norms_refresh.handler(scheduled_event({"as_of": as_of.isoformat()}), lambda_context)
    keys = {o["Key"] for o in stack.s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert keys == {LATEST_KEY, result["norms_key"]}
    stored = S3NormsStore(BUCKET, client=stack.s3).latest()
    assert stored is not None and stored.version == result["norms_version"]
    # The sweep recorded its findings in the audit table and started their approvals
    sweep = result["sweep"]
    assert sweep["new"] == sweep["findings"] > 0 and len(stack.executions()) == sweep["approvals_started"]
    # The validator now reads those norms
    punch_validator.handler(sqs_event([samples.clean.message().model_dump_json()]), lambda_context)
    body = samples.other_review.message().model_dump_json()
    punch_validator.handler(sqs_event([body]), lambda_context)
    versions = {e.model_version for e in stack.audit.history(samples.other_review.key)}
    assert versions and all(v is not None and v.endswith("+" + result["norms_version"]) for v in versions)


# ---- the Plex path (the simulator over HTTP, the key from Secrets Manager) ---------------------------------
def read_plex_from(sim: SimulatorServer, stack: Stack, timezone: str, monkeypatch, **variables: str) -> None:
    """The intake functions read Plex from the simulator: the Plex secret holds its API key and Data
    Source credentials, no plant folder; `variables` add PLEXLABOR_PLEX_* settings (e.g. retries)."""
    secret = {
        "api_key": sim.state.api_key,
        "datasource_username": sim.state.datasource_user,
        "datasource_password": sim.state.datasource_password,
    }
    stack_secrets = boto3.client("secretsmanager", region_name="us-east-1")
    stack_secrets.put_secret_value(SecretId=stack.plex_secret_arn, SecretString=json.dumps(secret))
    monkeypatch.delenv("PLEXLABOR_PLANT_DIR")
    for name, value in {
        "PLEXLABOR_TIMEZONE": timezone,
        "PLEXLABOR_PLEX_BASE_URL": sim.base_url,
        "PLEXLABOR_PLEX_DATASOURCE_BASE_URL": sim.base_url,
        "PLEXLABOR_PLEX_RATE_LIMIT_PER_MINUTE": "0",
        **variables,
    }.items():
        monkeypatch.setenv(name, value)


def test_poll_and_validate_through_the_plex_client(stack: Stack, plant_source, samples, lambda_context, monkeypatch):
    with SimulatorServer(plant_source.plant.path, api_key="sim-key-from-secrets", rate_limit=100_000) as sim:
        # Given the Plex secret holding the API key and the Data Source credentials, and no plant folder
        read_plex_from(sim, stack, samples.timezone, monkeypatch)
        # When the poller runs over the moment the review punch last changed, and the validator gets it
        changed = change_marker(samples.review.entry)
        window = {"since": changed.isoformat(), "until": (changed + timedelta(seconds=1)).isoformat()}
        polled = punch_poller.handler(scheduled_event(window), lambda_context)
        messages = [
            m
            for m in stack.receive_all()
            if PunchMessage.model_validate_json(m["Body"]).record_key == samples.review.key
        ]
        assert polled["enqueued"] > 0 and len(messages) == 1
        assert punch_validator.handler(as_sqs_event(messages), lambda_context) == {"batchItemFailures": []}
        # Then the finding is the one the plant-folder path finds, read over Plex's API with the stored key
        (event,) = stack.audit.history(samples.review.key)
        assert event.finding_id == samples.review.findings[0].finding_id
        assert any(r["path"].endswith("/time-clock-entries") for r in sim.requests())
