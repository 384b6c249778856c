"""The local runtime's SQS poller holds each message once per batch, even when the message's visibility
timeout (1 s locally) lapses while the poller is still collecting the batch, as a slow receive on a
loaded machine makes it: before, the message reached the handler twice (approval_notify then mailed two
links for one finding, the first already superseded)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import boto3
import pytest
from moto import mock_aws

from plexlabor_dev.local.sqs import QueuePoller, add_to_batch
from tests.support import ACCOUNT, REGION, use_fake_aws


class SlowReceives:
    """An SQS client whose receives inside the batching window (WaitTimeSeconds=0) answer `delay_s` late."""

    def __init__(self, sqs: Any, delay_s: float) -> None:
        self._sqs, self.delay_s = sqs, delay_s

    def receive_message(self, **request: Any) -> Any:
        if request.get("WaitTimeSeconds") == 0:
            time.sleep(self.delay_s)
        return self._sqs.receive_message(**request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sqs, name)


def _message(message_id: str, receipt: str) -> dict[str, Any]:
    return {"MessageId": message_id, "ReceiptHandle": receipt, "Body": message_id}


def test_add_to_batch_keeps_one_entry_per_message_with_its_newest_receipt() -> None:
    batch = [_message("a", "a1"), _message("b", "b1")]
    assert add_to_batch(batch, [_message("a", "a2"), _message("c", "c1")]) == 1
    assert [(m["MessageId"], m["ReceiptHandle"]) for m in batch] == [("a", "a2"), ("b", "b1"), ("c", "c1")]
    assert add_to_batch(batch, []) == 0


def test_a_message_received_again_while_its_batch_is_collected_reaches_the_handler_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_fake_aws(monkeypatch, REGION)
    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        # a queue of its own: another test of this worker may have left a "notify" queue with messages in
        # moto's shared backend (seen once in a full run: 3 messages instead of 1)
        url = sqs.create_queue(QueueName=f"notify-{uuid.uuid4().hex[:8]}", Attributes={"VisibilityTimeout": "1"})[
            "QueueUrl"
        ]
        sqs.send_message(QueueUrl=url, MessageBody="finding")
        batches: list[list[dict[str, Any]]] = []
        poller = QueuePoller(
            sqs=SlowReceives(sqs, delay_s=1.5),  # the window's receive comes after the 1 s visibility
            function="approval_notify",
            queue_url=url,
            queue_arn=f"arn:aws:sqs:{REGION}:{ACCOUNT}:notify",
            region=REGION,
            invoke=lambda name, event, count: batches.append(event["Records"]),
            batch_size=10,
            wait_s=1,
            batching_window_s=0.5,
        )

        assert poller.poll_once() == 1
        [records] = batches
        assert [record["body"] for record in records] == ["finding"]
        assert records[0]["attributes"]["ApproximateReceiveCount"] == "2"  # it was received twice
        depth = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        assert depth == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}
