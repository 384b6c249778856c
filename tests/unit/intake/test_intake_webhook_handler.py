"""punch_webhook with fakes: signed punches are enqueued (202); anything else enqueues nothing."""

from __future__ import annotations

import base64
import copy
import json
import time
from typing import Any

import pytest

from functions.punch_webhook import handler as webhook
from plexlabor.audit import InMemoryLinkNonceStore
from plexlabor.intake.messages import MAX_WEBHOOK_RECORDS, RECORDABLE_ID, PunchMessage
from plexlabor.intake.queue import InMemoryPunchQueue
from plexlabor.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from tests.support import FakeLambdaContext, load_event
from tests.unit.intake.intake_samples import WEBHOOK_SECRET, WEBHOOK_SIGNED_AT, captured_logs

PUNCH = {"id": "T1", "employeeId": "E1", "clockinTime": "2026-03-02T05:52:00.0000000Z"}
LABOR = {
    "id": "L1",
    "employeeId": "E1",
    "workcenterId": "WC1",
    "jobId": "J1",
    "jobOperationId": "JO1",
    "startTime": "2026-03-02T06:02:00.0000000Z",
}


@pytest.fixture
def queue() -> InMemoryPunchQueue:
    return InMemoryPunchQueue()


@pytest.fixture
def deps(queue: InMemoryPunchQueue) -> webhook.Dependencies:
    return webhook.Dependencies(
        queue=queue, hmac_secret=lambda: WEBHOOK_SECRET, replay_window_s=300, clock=lambda: WEBHOOK_SIGNED_AT + 30
    )


def post(body: Any, *, secret: str = WEBHOOK_SECRET, timestamp: int = WEBHOOK_SIGNED_AT) -> dict[str, Any]:
    """The canonical event with another body, signed with `secret` at `timestamp`."""
    event = load_event("punch_webhook")
    raw = body if isinstance(body, str) else json.dumps(body)
    event["body"] = raw
    event["headers"].update(sign(raw.encode(), secret, timestamp))
    return event


def call(event: dict[str, Any], deps: webhook.Dependencies) -> tuple[int, dict[str, Any]]:
    response = webhook.handler(event, FakeLambdaContext(), dependencies=deps)
    return response["statusCode"], json.loads(response["body"])


def test_the_canonical_signed_punch_is_enqueued_and_answered_202(deps, queue) -> None:
    # Given the canonical event, signed with the test secret
    event = load_event("punch_webhook")
    # When it arrives within the replay window
    status, body = call(event, deps)
    # Then it is accepted, and exactly that record is on the queue in the message shape
    assert status == 202
    assert body["accepted"] == 1 and body["record_keys"] == ["time-clock-entries:T0000002"]
    (message,) = [PunchMessage.model_validate_json(b) for b in queue.bodies()]
    assert message.source == "webhook" and message.resource == "time-clock-entries"
    assert message.record["employeeId"] == "E0002" and message.record_key == "time-clock-entries:T0000002"


def test_a_list_of_time_clock_and_labor_entries_is_enqueued_one_message_each(deps, queue) -> None:
    status, body = call(post([PUNCH, LABOR]), deps)
    assert status == 202
    assert body["record_keys"] == ["time-clock-entries:T1", "labor-entries:L1"]
    assert [m.resource for m in queue.messages] == ["time-clock-entries", "labor-entries"]


def test_a_base64_encoded_body_is_verified_over_its_decoded_bytes(deps, queue) -> None:
    event = post(PUNCH)
    event["body"] = base64.b64encode(event["body"].encode()).decode()
    event["isBase64Encoded"] = True
    status, _ = call(event, deps)
    assert status == 202 and len(queue.messages) == 1


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda e: e.__setitem__("body", e["body"].replace("E0002", "E0003")), "does not match"),
        (lambda e: e["headers"].__setitem__(SIGNATURE_HEADER, "sha256=" + "0" * 64), "does not match"),
        (lambda e: e["headers"].pop(SIGNATURE_HEADER), "missing"),
        (lambda e: e["headers"].pop(TIMESTAMP_HEADER), "missing"),
        (lambda e: e["headers"].__setitem__(SIGNATURE_HEADER, "md5=abc"), "must look like"),
    ],
    ids=["body-changed", "wrong-signature", "no-signature", "no-timestamp", "wrong-scheme"],
)
def test_a_bad_signature_is_401_and_nothing_is_enqueued(deps, queue, tamper, reason) -> None:
    event = load_event("punch_webhook")
    tamper(event)
    status, body = call(event, deps)
    assert status == 401 and reason in body["message"]
    assert queue.messages == []


def test_a_stale_timestamp_is_401_and_nothing_is_enqueued(queue) -> None:
    # Given a correctly signed request replayed ten minutes later
    late = webhook.Dependencies(queue=queue, hmac_secret=lambda: WEBHOOK_SECRET, clock=lambda: WEBHOOK_SIGNED_AT + 600)
    status, body = call(load_event("punch_webhook"), late)
    assert status == 401 and "away from now" in body["message"]
    assert queue.messages == []


def test_a_timestamp_a_minute_in_the_future_is_401_and_nothing_is_enqueued(queue) -> None:
    # Given a correctly signed request whose timestamp is 60 s ahead of the receiver's clock
    early = webhook.Dependencies(queue=queue, hmac_secret=lambda: WEBHOOK_SECRET, clock=lambda: WEBHOOK_SIGNED_AT - 60)
    status, body = call(load_event("punch_webhook"), early)
    assert status == 401 and "in the future" in body["message"]
    assert queue.messages == []


def test_a_signature_made_with_another_secret_is_401(deps, queue) -> None:
    status, _ = call(post(PUNCH, secret="someone-else"), deps)
    assert status == 401 and queue.messages == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id": "T1", "employeeId": "E1", "clockinTime": "yesterday"}, "clockinTime"),
        ({"id": "T1", "clockinTime": "2026-03-02T05:52:00Z"}, "employeeId"),
        ({"id": "L1", "employeeId": "E1", "startTime": "2026-03-02T06:02:00Z"}, "workcenterId"),
        (
            [PUNCH, {"id": "T2", "employeeId": "E1", "clockinTime": "2026-03-02T05:52:00Z", "biometricScore": 7}],
            "[1].biometricScore",
        ),
        ({"id": "X"}, "(body)"),
        ("{not json", "(body)"),
        ([], "(body)"),
    ],
    ids=[
        "bad-date",
        "missing-employee",
        "labor-missing-workcenter",
        "list-item",
        "neither-kind",
        "not-json",
        "empty-list",
    ],
)
def test_a_bad_body_is_400_naming_the_field_and_nothing_is_enqueued(deps, queue, body, field) -> None:
    status, answer = call(post(body), deps)
    assert status == 400
    assert field in [error["field"] for error in answer["errors"]], answer
    assert queue.messages == []


def test_too_many_records_is_400(deps, queue) -> None:
    punches = [dict(PUNCH, id=f"T{i}") for i in range(MAX_WEBHOOK_RECORDS + 1)]
    status, answer = call(post(punches), deps)
    assert status == 400 and str(MAX_WEBHOOK_RECORDS) in answer["errors"][0]["problem"]
    assert queue.messages == []


def test_a_bad_body_with_a_bad_signature_is_401_not_400(deps, queue) -> None:
    # An unauthenticated caller learns nothing about the schema.
    status, answer = call(post({"id": "X"}, secret="someone-else"), deps)
    assert status == 401 and "errors" in answer and answer["errors"] == []


def test_when_the_queue_refuses_a_record_the_answer_is_503_so_the_sender_retries(deps, queue) -> None:
    queue.fail_next(1)
    status, answer = call(post([PUNCH, LABOR]), deps)
    assert status == 503
    assert [e["field"] for e in answer["errors"]] == ["time-clock-entries:T1"]


def test_the_openapi_document_is_published_with_the_real_statuses(deps) -> None:
    event = copy.deepcopy(load_event("punch_webhook"))
    event.update(httpMethod="GET", path=webhook.OPENAPI_PATH, resource=webhook.OPENAPI_PATH, body=None)
    status, document = call(event, deps)
    assert status == 200 and document["openapi"].startswith("3.")
    post_op = document["paths"][webhook.PUNCHES_PATH]["post"]
    assert set(post_op["responses"]) == {"202", "400", "401", "503"}
    assert {"TimeClockEntry", "LaborEntry", "WebhookPunches"} <= set(document["components"]["schemas"])
    assert webhook.OPENAPI_PATH not in document["paths"]


def test_logs_carry_record_keys_never_the_body(deps) -> None:
    with captured_logs(webhook.logger) as stream:
        call(load_event("punch_webhook"), deps)
    logs = stream.getvalue()
    assert "time-clock-entries:T0000002" in logs
    assert "CLK-1" not in logs and "clockinTime" not in logs


# ---- hostile input: authenticate on the raw bytes first, then read (issue 17) ----------------------
def raw_post(body: bytes, content_type: str | None = "application/json", *, signed: bool = True) -> dict[str, Any]:
    """The canonical event carrying `body` as API Gateway passes bytes that are not UTF-8 (base64),
    signed over those exact bytes (or not signed at all)."""
    event = load_event("punch_webhook")
    event["headers"] = {k: v for k, v in event["headers"].items() if k not in (SIGNATURE_HEADER, TIMESTAMP_HEADER)}
    event["headers"].pop("Content-Type", None)
    event["multiValueHeaders"] = {}
    if content_type is not None:
        event["headers"]["Content-Type"] = content_type
    try:
        event["body"], event["isBase64Encoded"] = body.decode("utf-8"), False
    except UnicodeDecodeError:
        event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode("ascii"), True
    if signed:
        event["headers"].update(sign(body, WEBHOOK_SECRET, WEBHOOK_SIGNED_AT))
    return event


HOSTILE_BODIES = {
    "not-utf8": (b"\xff\xfe\x00{", "application/json"),
    "nested-10000": (b"[" * 10_000 + b"]" * 10_000, "application/json"),
    "multipart-no-boundary": (b"--x\r\n\r\n", "multipart/form-data"),
    "form": (b"id=T1&employeeId=E1", "application/x-www-form-urlencoded"),
    "text-plain": (json.dumps(PUNCH).encode(), "text/plain"),
    "huge-integer": (b'{"id": "T1", "employeeId": "E1", "clockinTime": ' + b"9" * 5000 + b"}", "application/json"),
    "empty": (b"", "application/json"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_BODIES))
def test_an_unsigned_hostile_body_is_401_before_anything_reads_it(deps, queue, name) -> None:
    body, content_type = HOSTILE_BODIES[name]
    status, answer = call(raw_post(body, content_type, signed=False), deps)
    assert status == 401 and answer == {"message": f"missing {TIMESTAMP_HEADER} header", "errors": []}
    assert queue.messages == []


@pytest.mark.parametrize("name", sorted(HOSTILE_BODIES))
def test_a_signed_malformed_body_is_400_with_a_clear_reason(deps, queue, name) -> None:
    body, content_type = HOSTILE_BODIES[name]
    status, answer = call(raw_post(body, content_type), deps)
    assert status == 400, answer
    assert answer["message"] == "invalid punch payload" and answer["errors"][0]["field"] == "(body)"
    assert queue.messages == []


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("not-utf8", "not UTF-8"),
        ("nested-10000", "nested deeper than"),
        ("text-plain", "Content-Type must be application/json"),
        ("multipart-no-boundary", "Content-Type must be application/json"),
        ("empty", "not valid JSON"),
    ],
)
def test_the_reason_for_a_malformed_body_says_what_is_wrong(deps, name, problem) -> None:
    body, content_type = HOSTILE_BODIES[name]
    _, answer = call(raw_post(body, content_type), deps)
    assert problem in answer["errors"][0]["problem"], answer


def test_a_signed_body_without_a_content_type_is_read_as_json(deps, queue) -> None:
    status, _ = call(raw_post(json.dumps(PUNCH).encode(), content_type=None), deps)
    assert status == 202 and len(queue.messages) == 1


def test_a_signed_json_content_type_with_a_charset_is_accepted(deps, queue) -> None:
    status, _ = call(raw_post(json.dumps(PUNCH).encode(), "application/json; charset=utf-8"), deps)
    assert status == 202 and len(queue.messages) == 1


# ---- dates outside a plausible range are refused at the door (issue 17) ------------------------------
@pytest.mark.parametrize(
    ("body", "field"),
    [
        (dict(PUNCH, clockinTime="0560-03-02T05:52:00Z"), "clockinTime"),
        (dict(PUNCH, clockinTime="1999-12-31T23:59:59Z"), "clockinTime"),
        (dict(PUNCH, clockinTime="2100-01-01T00:00:00Z"), "clockinTime"),
        (dict(PUNCH, clockoutTime="9999-12-31T00:00:00Z"), "clockoutTime"),
        (dict(PUNCH, modifiedDate="0001-01-01T00:00:00Z"), "modifiedDate"),
        ([PUNCH, dict(LABOR, endTime="0999-03-02T07:00:00Z")], "[1].endTime"),
    ],
    ids=["year-560", "before-2000", "year-2100", "clockout-9999", "modified-year-1", "labor-in-a-list"],
)
def test_a_signed_punch_with_an_implausible_date_is_400_naming_the_field(deps, queue, body, field) -> None:
    status, answer = call(post(body), deps)
    assert status == 400, answer
    (error,) = answer["errors"]
    assert error["field"] == field and "2000-01-01" in error["problem"] and "2100-01-01" in error["problem"]
    assert queue.messages == []


def test_a_punch_at_the_edges_of_the_plausible_range_is_accepted(deps, queue) -> None:
    body = [
        dict(PUNCH, id="T1", clockinTime="2000-01-01T00:00:00Z"),
        dict(PUNCH, id="T2", clockinTime="2099-12-31T23:59:59.9999999Z"),
    ]
    status, _ = call(post(body), deps)
    assert status == 202
    assert [m.record["clockinTime"] for m in queue.messages] == [
        "2000-01-01T00:00:00.0000000Z",
        "2099-12-31T23:59:59.9999990Z",
    ]


MB = 1_000_000
SQS_MESSAGE_LIMIT = 262_144


# hostile sizes, signed (the signature is no defence against a sender's bug or a leaked key)
def test_a_1_mb_field_is_a_400_naming_it(deps, queue: InMemoryPunchQueue) -> None:
    status, body = call(post({**PUNCH, "employeeId": "E" * MB}), deps)
    assert status == 400 and body["errors"] == [
        {"field": "employeeId", "problem": "String should have at most 64 characters"}
    ]
    assert queue.messages == []


def test_a_10_mb_delivery_is_a_400_in_well_under_a_second_of_work(deps, queue: InMemoryPunchQueue) -> None:
    records = [{**PUNCH, "id": f"T{i}", "employeeId": "E" * 100_000} for i in range(100)]
    event = post(records)
    assert len(event["body"]) > 10 * MB
    started = time.process_time()
    status, body = call(event, deps)
    assert status == 400 and {e["field"] for e in body["errors"]} >= {"[0].employeeId", "[99].employeeId"}
    assert time.process_time() - started < 5  # CPU seconds: ~0.3 on a quiet machine
    assert queue.messages == []


def test_1000_records_in_one_delivery_is_a_400_saying_the_bound(deps, queue: InMemoryPunchQueue) -> None:
    status, body = call(post([{**PUNCH, "id": f"T{i}"} for i in range(1000)]), deps)
    assert status == 400 and "1 to 100 records, not 1000" in body["errors"][0]["problem"]
    assert queue.messages == []


def test_a_valid_punch_padded_to_1_mb_is_accepted_once_as_one_small_message(deps, queue: InMemoryPunchQueue) -> None:
    status, body = call(post(json.dumps(PUNCH) + " " * MB), deps)
    assert status == 202 and body["accepted"] == 1
    [message] = queue.messages
    assert len(message.model_dump_json()) < 1000


def test_the_largest_valid_delivery_fits_sqs_one_message_per_record(deps, queue: InMemoryPunchQueue) -> None:
    # every string at its schema's bound: each record's message still fits SQS's 256 KB many times over
    long = {**PUNCH, "employeeId": "E" * 64}
    status, _ = call(post([{**long, "id": f"T{i:063d}"} for i in range(100)]), deps)
    assert status == 202 and len(queue.messages) == 100
    assert max(len(m.model_dump_json()) for m in queue.messages) < SQS_MESSAGE_LIMIT // 100


# replays: the same signed delivery again within the window (a delivery's nonce is its signature)
@pytest.fixture
def ledger_deps(queue: InMemoryPunchQueue) -> webhook.Dependencies:
    return webhook.Dependencies(
        queue=queue,
        hmac_secret=lambda: WEBHOOK_SECRET,
        replay_window_s=300,
        clock=lambda: WEBHOOK_SIGNED_AT + 30,
        deliveries=InMemoryLinkNonceStore(),
    )


def test_a_replayed_delivery_is_answered_202_duplicate_and_enqueued_once(ledger_deps, queue) -> None:
    event = post([PUNCH, LABOR])
    first = call(event, ledger_deps)
    again = call(copy.deepcopy(event), ledger_deps)
    assert first[0] == again[0] == 202 and first[1]["duplicate"] is False and again[1]["duplicate"] is True
    assert again[1]["record_keys"] == first[1]["record_keys"] and len(queue.messages) == 2  # not 4


def test_the_same_records_signed_again_are_a_new_delivery(ledger_deps, queue) -> None:
    # a sender's retry re-signed at a later second: its signature differs, so it is enqueued (the
    # validator's idempotency keeps the effect once)
    assert call(post(PUNCH), ledger_deps)[0] == 202
    status, body = call(post(PUNCH, timestamp=WEBHOOK_SIGNED_AT + 1), ledger_deps)
    assert status == 202 and body["duplicate"] is False and len(queue.messages) == 2


def test_a_delivery_not_enqueued_can_come_again(ledger_deps, queue) -> None:
    event = post(PUNCH)
    queue.fail_next(1)
    assert call(event, ledger_deps)[0] == 503
    status, body = call(copy.deepcopy(event), ledger_deps)  # the same signed request, retried
    assert status == 202 and body["duplicate"] is False and len(queue.messages) == 1


def test_a_refused_delivery_uses_no_nonce(ledger_deps, queue) -> None:
    bad = post({**PUNCH, "employeeId": ""})
    assert call(bad, ledger_deps)[0] == 400 and call(copy.deepcopy(bad), ledger_deps)[0] == 400
    assert call(post(PUNCH), ledger_deps)[0] == 202


@pytest.mark.parametrize(
    ("record", "field"),
    [({**PUNCH, "employeeId": "'¨"}, "employeeId"), ({**PUNCH, "id": "T 1"}, "id"), ({**LABOR, "id": "#1"}, "id")],
)
def test_an_id_the_audit_cannot_record_is_a_400_naming_it(deps, queue, record, field) -> None:
    # found by fuzzing: accepted (202), then its finding could never be recorded (retried, dead-lettered)
    status, body = call(post(record), deps)
    assert status == 400 and body["errors"][0]["field"] == field and "letters, digits" in body["errors"][0]["problem"]
    assert queue.messages == []


def test_the_document_states_which_ids_are_accepted(deps) -> None:
    event = copy.deepcopy(load_event("punch_webhook"))
    event.update(httpMethod="GET", path=webhook.OPENAPI_PATH, resource=webhook.OPENAPI_PATH, body=None)
    schemas = call(event, deps)[1]["components"]["schemas"]
    for model in ("TimeClockEntry", "LaborEntry"):
        for field in ("id", "employeeId"):
            assert schemas[model]["properties"][field]["pattern"] == RECORDABLE_ID
