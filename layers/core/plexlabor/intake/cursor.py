"""The poll cursor port: where the poller resumes, kept so that it can only move forward.

A cursor is a UTC instant per stream (`time-clock-entries`). `advance` moves it to a later instant
and refuses to move it back, so two pollers racing (or a late retry of an old poll) cannot make the
next poll skip records or re-read a long way. The DynamoDB adapter (state table, item
`pk = cursor#<name>`, `sk = cursor`) lives in `plexlabor.intake.aws`.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Protocol, runtime_checkable

from plexlabor.platform.clock import aware_utc

CURSOR_PK_PREFIX = "cursor#"
CURSOR_SK = "cursor"
TIME_CLOCK_CURSOR = "time-clock-entries"


@runtime_checkable
class CursorStore(Protocol):
    def get(self, name: str) -> datetime | None:
        """The stored instant (UTC), or None before the first successful poll."""
        ...

    def advance(self, name: str, to: datetime) -> bool:
        """Move the cursor to `to` if that is later than the stored instant (or none is stored).
        Return False, changing nothing, when the cursor is already at or past `to`."""
        ...


class InMemoryCursorStore:
    def __init__(self, initial: dict[str, datetime] | None = None) -> None:
        self._cursors = dict(initial or {})
        self._lock = threading.Lock()

    def get(self, name: str) -> datetime | None:
        with self._lock:
            return self._cursors.get(name)

    def advance(self, name: str, to: datetime) -> bool:
        aware_utc("the cursor", to)
        with self._lock:
            current = self._cursors.get(name)
            if current is not None and current >= to:
                return False
            self._cursors[name] = to
            return True
