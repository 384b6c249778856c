"""The local runtime itself, with toy handlers: API event shape, SQS partial failures, redelivery and
DLQ, schedules, per-function environments, and a process environment put back as it was."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from toy_functions import MAX_RECEIVE_COUNT, attempts, send_toy, state_item, toy_runtime

from infra.constants import QueueName, SecretName, secret_path
from plexlabor_dev.local.runtime import LocalRuntime


@pytest.fixture(scope="module")
def runtime(toy_package: str) -> Iterator[LocalRuntime]:
    with toy_runtime(toy_package) as started:
        yield started


def test_resources_follow_the_infra_names(runtime: LocalRuntime) -> None:
    # Given a started runtime
    resources = runtime.resources
    assert resources is not None
    # Then every queue has a DLQ with the configured redrive, and secrets use the CDK names
    sqs = runtime.client("sqs")
    for queue in QueueName:
        attributes = sqs.get_queue_attributes(QueueUrl=resources.queue_urls[queue], AttributeNames=["All"])
        redrive = json.loads(attributes["Attributes"]["RedrivePolicy"])
        assert redrive == {"deadLetterTargetArn": resources.dlq_arns[queue], "maxReceiveCount": MAX_RECEIVE_COUNT}
        assert (attributes["Attributes"].get("FifoQueue") == "true") is queue.fifo  # as the stack's
    names = {s["Name"] for s in runtime.client("secretsmanager").list_secrets()["SecretList"]}
    assert names == {secret_path("local", secret) for secret in SecretName}
    assert len(runtime.secret_value(SecretName.WEBHOOK_HMAC)) == 64
    tables = set(runtime.client("dynamodb").list_tables()["TableNames"])
    assert {resources.audit_table, resources.state_table, resources.idempotency_table} <= tables
    assert runtime.skipped == ("toy_missing",)


def test_api_request_becomes_a_rest_proxy_event(runtime: LocalRuntime) -> None:
    # When a client calls a route with a path parameter, a repeated query parameter and headers
    response = requests.get(
        f"{runtime.api_url}/toy/it%20em?a=1&a=2&b=",
        headers={"X-Custom": "yes", "User-Agent": "pytest"},
        timeout=10,
    )
    # Then the handler saw API Gateway's v1 proxy event
    assert response.status_code == 200
    assert response.headers["X-Toy"] == "yes"
    event = response.json()["event"]
    assert event["httpMethod"] == "GET"
    assert event["resource"] == "/toy/{item}"
    assert event["path"] == "/toy/it em"
    assert event["pathParameters"] == {"item": "it em"}
    assert event["queryStringParameters"] == {"a": "2", "b": ""}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": [""]}
    assert event["headers"]["X-Custom"] == "yes"
    assert event["multiValueHeaders"]["X-Custom"] == ["yes"]
    assert event["body"] is None and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["stage"] == "local"
    assert context["resourcePath"] == "/toy/{item}"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["identity"]["userAgent"] == "pytest"
    assert context["requestId"]
    # and ran with its own environment only
    env = response.json()["env"]
    assert env["PUNCH_QUEUE_URL"] == runtime.resources.queue_urls[QueueName.PUNCH]  # type: ignore[union-attr]
    assert env["STATE_TABLE_NAME"] is None and env["AUDIT_TABLE_NAME"] is None  # not granted
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "plexlabor-local-toy_api"
    assert env["POWERTOOLS_SERVICE_NAME"] == "plexlabor" and env["PLEXLABOR_STAGE"] == "local"
    assert env["AWS_ENDPOINT_URL"] == runtime.moto_url
    assert env["TOY_EXTRA"] == "for-every-function"
    assert 0 < response.json()["context"]["remaining_ms"] <= 5000


def test_api_body_greedy_path_errors_and_unknown_routes(runtime: LocalRuntime) -> None:
    binary = requests.post(f"{runtime.api_url}/files/a/b.bin", data=b"\xff\x00", timeout=10)
    event = binary.json()["event"]
    assert event["pathParameters"] == {"path": "a/b.bin"}
    assert event["isBase64Encoded"] is True and event["body"] == "/wA="
    assert binary.headers["Set-Cookie"]  # multiValueHeaders are sent
    assert requests.get(f"{runtime.api_url}/toy/x?raise=1", timeout=10).status_code == 502
    malformed = requests.get(f"{runtime.api_url}/toy/x?malformed=1", timeout=10)
    assert malformed.status_code == 502 and malformed.json() == {"message": "Internal server error"}
    for method, path in (("GET", "/nowhere"), ("DELETE", "/toy/x"), ("GET", "/missing")):
        unknown = requests.request(method, f"{runtime.api_url}{path}", timeout=10)
        assert unknown.status_code == 403 and unknown.json() == {"message": "Missing Authentication Token"}
    assert runtime.invocations("toy_api")[-1].function == "toy_api"


def test_sqs_event_shape_and_api_to_queue_chain(runtime: LocalRuntime) -> None:
    # When the API handler enqueues a body
    response = requests.post(f"{runtime.api_url}/toy/chain", json={"id": "chain-1"}, timeout=10)
    assert response.status_code == 201
    # Then the consumer receives it as an SQS event record
    runtime.drain(timeout_s=15)
    item = state_item(runtime, "toy#chain-1", "record#1")
    assert item is not None
    record = json.loads(item["record"]["S"])
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == runtime.resources.queue_arns[QueueName.PUNCH]  # type: ignore[union-attr]
    assert record["awsRegion"] == "us-east-1"
    assert json.loads(record["body"]) == {"id": "chain-1"}
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= set(record["attributes"])
    assert record["messageId"] and record["receiptHandle"] and record["md5OfBody"]
    assert runtime.queue_depth(QueueName.PUNCH) == 0


def test_partial_failure_is_redelivered_until_it_succeeds(runtime: LocalRuntime) -> None:
    # Given one message that fails once and one that succeeds at once, in the same batch
    send_toy(runtime, {"id": "flaky-1", "fail_times": 1})
    send_toy(runtime, {"id": "fine-1"})
    # When the runtime drains
    runtime.drain(timeout_s=20)
    # Then only the failed one came back, once, with its receive count raised; both are gone
    assert attempts(runtime, "fine-1") == 1
    assert attempts(runtime, "flaky-1") == 2
    retried = json.loads(state_item(runtime, "toy#flaky-1", "record#2")["record"]["S"])  # type: ignore[index]
    assert retried["attributes"]["ApproximateReceiveCount"] == "2"
    assert retried["messageAttributes"]["origin"] == {
        "stringValue": "test",
        "binaryValue": None,
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "String",
    }
    assert runtime.queue_depth(QueueName.PUNCH) == 0
    assert runtime.queue_depth(QueueName.PUNCH, dlq=True) == 0


def test_a_message_that_keeps_failing_lands_in_the_dlq(runtime: LocalRuntime) -> None:
    # Given a message that always fails
    send_toy(runtime, {"id": "poison-1", "fail_times": 99})
    # When the runtime drains (redelivered every second, moved after maxReceiveCount receives)
    runtime.drain(timeout_s=20)
    # Then it was tried exactly maxReceiveCount times and now waits in the DLQ
    assert attempts(runtime, "poison-1") == MAX_RECEIVE_COUNT
    assert runtime.queue_depth(QueueName.PUNCH, dlq=True) == 1
    assert runtime.dlq_bodies(QueueName.PUNCH) == [{"id": "poison-1", "fail_times": 99}]
    consumer = runtime.invocations("toy_consumer")
    assert any(entry.failed_records for entry in consumer)


def test_schedule_fires_on_demand(runtime: LocalRuntime) -> None:
    # When the schedule of toy_tick is fired
    result = runtime.fire("toy_tick", detail={"why": "test"})
    # Then the handler got an EventBridge scheduled event
    item = state_item(runtime, f"tick#{result['id']}", "event")
    assert item is not None
    event = json.loads(item["event"]["S"])
    assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"
    assert event["resources"] == ["arn:aws:events:us-east-1:123456789012:rule/plexlabor-local-toy_tick"]
    assert event["detail"] == {"why": "test"}
    assert item["function"]["S"] == "plexlabor-local-toy_tick"
    assert runtime.invocations("toy_tick")[-1].trigger == "schedule"


def test_local_controls_fire_schedules_and_list_mail(runtime: LocalRuntime) -> None:
    fired = requests.post(f"{runtime.api_url}/_local/schedules/toy_tick", json={"why": "curl"}, timeout=10)
    assert fired.status_code == 200 and fired.json()["ok"] is True
    assert requests.post(f"{runtime.api_url}/_local/schedules/nope", timeout=10).status_code == 404
    assert requests.post(f"{runtime.api_url}/_local/schedules/toy_tick", data="[1]", timeout=10).status_code == 400
    # a detail the function's event model refuses is a 400 naming the field (before: 500, "ValidationError: ...")
    refused = requests.post(f"{runtime.api_url}/_local/schedules/toy_tick", json={"why": 1, "when": "x"}, timeout=10)
    assert refused.status_code == 400, refused.text
    assert {error["field"] for error in refused.json()["errors"]} == {"why", "when"}
    assert requests.get(f"{runtime.api_url}/_local/emails", timeout=10).json() == []
