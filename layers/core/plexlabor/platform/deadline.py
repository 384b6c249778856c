"""How long the running invocation has left, for code that would otherwise wait past the function's timeout.

Every handler's decorators (`platform.observability.lambda_handler`) set it from the Lambda context; the Plex
client bounds each call, retry and 429 wait by it (`plexlabor.plex.transport`). Outside a handler (a shell,
most tests) nothing is set and `remaining_s()` is None. A context variable: an invocation's own thread sees it; a
thread it starts does not, so work handed to one that calls Plex runs in a copy of the caller's context
(`pool.submit(contextvars.copy_context().run, fn, ...)`, as crew_replan's read-ahead does).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_ENDS_AT: ContextVar[float | None] = ContextVar("invocation_ends_at", default=None)
"""`time.monotonic()` when the invocation's time runs out, or None."""


def remaining_s() -> float | None:
    """Seconds the running invocation has left (never below 0), or None when unknown."""
    ends_at = _ENDS_AT.get()
    return None if ends_at is None else max(0.0, ends_at - time.monotonic())


@contextmanager
def invocation_deadline(seconds_left: float | None) -> Iterator[None]:
    """Within the block, `remaining_s()` counts down from `seconds_left` (None: unknown)."""
    token = _ENDS_AT.set(None if seconds_left is None else time.monotonic() + seconds_left)
    try:
        yield
    finally:
        _ENDS_AT.reset(token)


def seconds_left_of(context: object) -> float | None:
    """What a Lambda context says is left (`get_remaining_time_in_millis`), or None for a context without it."""
    remaining_ms = getattr(context, "get_remaining_time_in_millis", None)
    if not callable(remaining_ms):
        return None
    try:
        return float(remaining_ms()) / 1000
    except (TypeError, ValueError):
        return None
