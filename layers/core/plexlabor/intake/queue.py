"""The punch queue port: put messages on the queue that feeds `punch_validator`, or fail loudly.

`send` either enqueues every message or raises `EnqueueError` naming the records that did not make
it (some of the others may have): nothing accepted is dropped silently, and a sender that retries
the whole lot only causes duplicates, which the validator's idempotency absorbs.
The SQS adapter lives in `plexlabor.intake.aws`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from plexlabor.intake.errors import EnqueueError
from plexlabor.intake.messages import PunchMessage


@runtime_checkable
class PunchQueue(Protocol):
    def send(self, messages: Sequence[PunchMessage]) -> None:
        """Enqueue every message, or raise EnqueueError listing the record keys not enqueued."""
        ...


class InMemoryPunchQueue:
    """The fake: a list. `fail_next(n)` makes the next n messages fail, as SQS's `Failed` entries would."""

    def __init__(self) -> None:
        self.messages: list[PunchMessage] = []
        self._fail = 0
        self._lock = threading.Lock()

    def fail_next(self, count: int) -> None:
        self._fail = count

    def send(self, messages: Sequence[PunchMessage]) -> None:
        failed: list[str] = []
        with self._lock:
            for message in messages:
                if self._fail > 0:
                    self._fail -= 1
                    failed.append(message.record_key)
                else:
                    self.messages.append(message)
        if failed:
            raise EnqueueError(failed, "queue refused the messages")

    def bodies(self) -> list[str]:
        """The messages as SQS would carry them (JSON strings)."""
        return [message.model_dump_json() for message in self.messages]
