"""The event of a function that consumes an SQS queue of JSON messages.

`SqsEventOf[Message]` is such a function's `EVENT_MODEL`: Powertools' SQS event whose record bodies
are JSON parsed into `Message`; `SqsRecordOf[Message]` is one of its records (a `BatchProcessor`
model). A body that is not JSON, or not a `Message`, fails that record's validation.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from aws_lambda_powertools.utilities.parser.models import SqsModel, SqsRecordModel
from aws_lambda_powertools.utilities.parser.types import Json

MessageT = TypeVar("MessageT")


class SqsRecordOf(SqsRecordModel, Generic[MessageT]):
    body: Json[MessageT]  # type: ignore[assignment]


class SqsEventOf(SqsModel, Generic[MessageT]):
    Records: list[SqsRecordOf[MessageT]]  # type: ignore[assignment]
