"""`SqsJsonSender` puts a message's JSON on its queue (SQS on moto): the write-back queue's plain field
names, the replan queue's aliases (`date`)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import boto3
import pytest
from moto import mock_aws

from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.wiring import REPLAN_GROUP, replan_sender
from plexlabor.platform.sqs import SqsJsonSender
from tests.support import REGION

MESSAGE = ReplanMessage(
    reason="call_off",
    day=date(2026, 3, 2),
    shift="1",
    employee_id="E01",
    detected_at=datetime(2026, 3, 2, 6, tzinfo=UTC),
)


def _bodies(sqs: object, queue_url: str) -> list[dict[str, object]]:
    answer = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)  # type: ignore[attr-defined]
    return [json.loads(m["Body"]) for m in answer.get("Messages", [])]


@pytest.mark.parametrize("by_alias", [False, True])
def test_a_message_reaches_its_queue_as_json(by_alias: bool) -> None:
    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        queue_url = sqs.create_queue(QueueName=f"sender-{uuid.uuid4().hex[:12]}")["QueueUrl"]
        SqsJsonSender(queue_url, sqs, by_alias=by_alias).send(MESSAGE)
        [body] = _bodies(sqs, queue_url)
    assert body["date" if by_alias else "day"] == "2026-03-02"
    assert ("day" in body) is not by_alias
    assert ReplanMessage.model_validate(body) == MESSAGE


def test_the_replan_sender_writes_what_crew_replan_reads_on_its_fifo_queue_in_one_group() -> None:
    """The replan queue is FIFO (infra QueueName.fifo): every sender (web_app, crew_call_offs) goes through
    `replan_sender`, which names the one message group and a deduplication id, or SQS refuses the message."""
    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        queue_url = sqs.create_queue(
            QueueName=f"replan-{uuid.uuid4().hex[:12]}.fifo", Attributes={"FifoQueue": "true"}
        )["QueueUrl"]
        sender = replan_sender(queue_url)
        sender._client = sqs
        sender.send(MESSAGE)
        sender.send(MESSAGE.model_copy(update={"employee_id": "E02"}))
        sender.send(MESSAGE)  # the same message again within 5 minutes (a retried run): kept once
        answer = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"])
        messages = answer["Messages"]
    assert [json.loads(m["Body"])["employee_id"] for m in messages] == ["E01", "E02"]
    assert {m["Attributes"]["MessageGroupId"] for m in messages} == {REPLAN_GROUP}
    body = json.loads(messages[0]["Body"])
    assert body["date"] == "2026-03-02" and "day" not in body
