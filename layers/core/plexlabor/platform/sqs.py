"""The event of a function that consumes an SQS queue of JSON messages.

`SqsEventOf[Message]` is such a function's `EVENT_MODEL`: Powertools' SQS event whose record bodies
are JSON parsed into `Message`; `SqsRecordOf[Message]` is one of its records (a `BatchProcessor`
model). A body that is not JSON, or not a `Message`, fails that record's validation.
`SqsJsonSender` is the other end: it puts a message, as JSON, on one queue (on a FIFO queue in one message group,
deduplicated by its JSON: a message sent again within SQS's 5 minutes, as by a retried run, is kept once).
"""

from __future__ import annotations

import hashlib
from typing import Any, Generic, TypeVar

from aws_lambda_powertools.utilities.parser.models import SqsModel, SqsRecordModel
from aws_lambda_powertools.utilities.parser.types import Json
from pydantic import BaseModel

from plexlabor.platform.aws import LazyClient

MessageT = TypeVar("MessageT")


class SqsRecordOf(SqsRecordModel, Generic[MessageT]):
    body: Json[MessageT]  # type: ignore[assignment]


class SqsEventOf(SqsModel, Generic[MessageT]):
    Records: list[SqsRecordOf[MessageT]]  # type: ignore[assignment]


class SqsJsonSender:
    """Puts a message (its JSON, field aliases used when `by_alias`) on the queue at `queue_url`; with `group`, a
    FIFO queue's, in that message group."""

    def __init__(
        self, queue_url: str, sqs: Any | None = None, *, by_alias: bool = False, group: str | None = None
    ) -> None:
        self.queue_url = queue_url
        self.by_alias = by_alias
        self.group = group
        self._client = sqs

    sqs = LazyClient("sqs")

    def send(self, message: BaseModel) -> None:
        body = message.model_dump_json(by_alias=self.by_alias)
        fifo = {} if self.group is None else {"MessageGroupId": self.group, "MessageDeduplicationId": sha256_hex(body)}
        self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=body, **fifo)


def sha256_hex(text: str) -> str:
    """A FIFO message's deduplication id (at most 128 characters): the sha256 of its body."""
    return hashlib.sha256(text.encode()).hexdigest()
