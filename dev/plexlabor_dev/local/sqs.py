"""SQS event source mappings, locally: one thread per consuming function.

Each `QueuePoller` long-polls its queue (short waits, so it stops within about a second), turns a
batch into the event Lambda's SQS integration sends (`Records` with `messageId`, `receiptHandle`,
`body`, `attributes` including `ApproximateReceiveCount`, `messageAttributes`, `md5OfBody`,
`eventSource` `aws:sqs`, `eventSourceARN`, `awsRegion`), invokes the handler and, as with
`ReportBatchItemFailures` on: deletes the messages that succeeded and leaves the failed ones to
come back after the queue's visibility timeout. The queues' redrive policies move a message that
keeps failing to its DLQ (moto does that on the receive after `maxReceiveCount`).

A batch holds each message once. Locally the visibility timeout is short (a failed message comes back
within seconds, after the queue's batching window: `LocalRuntime.visibility_s`), so a message can become visible
again while the poller is still collecting its batch (a slow receive on a loaded machine) and be received a second
time; it then keeps its place in the
batch with its newest receipt handle (`add_to_batch`) instead of reaching the handler twice (for
approval_notify: two links for one finding, the first already superseded). On AWS the visibility
timeout outlasts the batching window and the function, so the poller never receives what it holds.

Batch response rules (AWS "Reporting batch item failures"): an empty or null `batchItemFailures`,
or no response, is a complete success; an identifier that is empty, null or not in the batch, or a
response that is not an object, fails the whole batch; a handler that raises fails the whole batch.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

logger = logging.getLogger(__name__)

MAX_SQS_BATCH = 10  # one ReceiveMessage returns at most 10 messages (more needs a batching window)

Invoke = Callable[[str, dict[str, Any], int], Any]
"""(function name, event, number of records) -> handler result."""


def _lambda_message_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    """SQS API attribute (`StringValue`, `BinaryValue` bytes) -> Lambda event shape (camelCase, base64)."""
    binary = value.get("BinaryValue")
    return {
        "stringValue": value.get("StringValue"),
        "binaryValue": base64.b64encode(binary).decode("ascii") if binary is not None else None,
        "stringListValues": list(value.get("StringListValues", [])),
        "binaryListValues": [base64.b64encode(item).decode("ascii") for item in value.get("BinaryListValues", [])],
        "dataType": value["DataType"],
    }


def build_sqs_event(messages: Sequence[Mapping[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """The Lambda SQS event for messages as `ReceiveMessage` returned them."""
    records = []
    for message in messages:
        record: dict[str, Any] = {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": dict(message.get("Attributes", {})),
            "messageAttributes": {
                name: _lambda_message_attribute(value) for name, value in message.get("MessageAttributes", {}).items()
            },
            "md5OfBody": message.get("MD5OfBody") or hashlib.md5(message["Body"].encode()).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": queue_arn,
            "awsRegion": region,
        }
        if message.get("MD5OfMessageAttributes"):
            record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
        records.append(record)
    return {"Records": records}


def failed_message_ids(result: Any, message_ids: Sequence[str]) -> set[str]:
    """The messages Lambda would leave on the queue, given the handler's response."""
    if result is None:
        return set()
    if not isinstance(result, Mapping):
        return set(message_ids)
    failures = result.get("batchItemFailures")
    if not failures:
        return set()
    if not isinstance(failures, list):
        return set(message_ids)
    failed: set[str] = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, Mapping) else None
        if not identifier or identifier not in message_ids:
            return set(message_ids)  # malformed report: the whole batch failed
        failed.add(identifier)
    return failed


def add_to_batch(batch: list[dict[str, Any]], received: Sequence[dict[str, Any]]) -> int:
    """Append the `received` messages that `batch` does not hold yet; one it holds already (received
    again after its visibility timeout lapsed) takes the newest receipt handle in its place. Returns how
    many were new."""
    held = {message["MessageId"]: index for index, message in enumerate(batch)}
    new = 0
    for message in received:
        index = held.get(message["MessageId"])
        if index is None:
            held[message["MessageId"]] = len(batch)
            batch.append(message)
            new += 1
        else:
            batch[index] = message
    return new


class QueuePoller:
    """Feeds one queue to one function until `stop()`; bounded waits everywhere."""

    def __init__(
        self,
        *,
        sqs: Any,
        function: str,
        queue_url: str,
        queue_arn: str,
        region: str,
        invoke: Invoke,
        batch_size: int = 10,
        wait_s: int = 1,
        batching_window_s: float = 0.0,
        visibility_timeout_s: int | None = None,
    ) -> None:
        self._sqs = sqs
        self.function, self.queue_url, self.queue_arn, self.region = function, queue_url, queue_arn, region
        self._invoke = invoke
        self.batch_size = max(1, batch_size)
        self.wait_s = wait_s
        self.batching_window_s = batching_window_s
        self.visibility_timeout_s = visibility_timeout_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.busy = False
        self.batches = 0
        self.failed_batches = 0
        self.deleted = 0

    def start(self) -> QueuePoller:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name=f"sqs-{self.function}", daemon=True)
            self._thread.start()
        return self

    def signal_stop(self) -> None:
        """Ask the thread to stop after its current poll; `stop` waits for it."""
        self._stop.set()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout_s)
            if self._thread.is_alive():
                logger.warning("poller for %s did not stop within %.0f s", self.function, timeout_s)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except (BotoCoreError, ClientError) as error:
                if self._stop.is_set():
                    break
                logger.warning("poller for %s: %s", self.function, error)
                self._stop.wait(0.5)

    def poll_once(self) -> int:
        """Receive one batch and process it; the number of messages received."""
        request: dict[str, Any] = {
            "QueueUrl": self.queue_url,
            "MaxNumberOfMessages": min(self.batch_size, MAX_SQS_BATCH),
            "WaitTimeSeconds": self.wait_s,
            "MessageSystemAttributeNames": ["All"],
            "MessageAttributeNames": ["All"],
        }
        if self.visibility_timeout_s is not None:
            request["VisibilityTimeout"] = self.visibility_timeout_s
        messages = self._sqs.receive_message(**request).get("Messages", [])
        if not messages:
            return 0
        self.busy = True
        try:
            deadline = time.monotonic() + self.batching_window_s
            while len(messages) < self.batch_size and time.monotonic() < deadline and not self._stop.is_set():
                more = self._sqs.receive_message(
                    **{
                        **request,
                        "MaxNumberOfMessages": min(self.batch_size - len(messages), MAX_SQS_BATCH),
                        "WaitTimeSeconds": 0,
                    }
                ).get("Messages", [])
                if not add_to_batch(messages, more):
                    self._stop.wait(min(0.1, max(0.0, deadline - time.monotonic())))
            self._process(messages)
            return len(messages)
        finally:
            self.busy = False

    def _process(self, messages: list[dict[str, Any]]) -> None:
        ids = [message["MessageId"] for message in messages]
        event = build_sqs_event(messages, self.queue_arn, self.region)
        self.batches += 1
        try:
            result = self._invoke(self.function, event, len(messages))
        except Exception as error:  # Lambda: the whole batch comes back; the invocation log keeps the error
            logger.info("%s raised on a batch of %d (%s); all will be retried", self.function, len(ids), error)
            failed = set(ids)
        else:
            failed = failed_message_ids(result, ids)
        if failed:
            self.failed_batches += 1
        done = [message for message in messages if message["MessageId"] not in failed]
        if done:
            answer = self._sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]} for index, message in enumerate(done)
                ],
            )
            self.deleted += len(answer.get("Successful", []))
            for failure in answer.get("Failed", []):
                logger.warning("could not delete a %s message: %s", self.function, failure.get("Message"))
