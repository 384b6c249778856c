"""Reading an audit index to the end, page after page.

The store answers one page per query (`AuditStore.by_status`, `by_kind`: oldest first, at most `limit`), so a read
that must see every event from a time on pages: the next page starts at the last event's time, an event read twice is
kept once, and a page that ends at the instant it started from (a batch published at one instant) is asked again
twice as large. The crew day's reads, the KPIs, the review queue and the incidents' kind index read so.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from plexlabor.audit.events import AuditEvent


@dataclass(frozen=True)
class Pages:
    events: list[AuditEvent]
    """Every event read, oldest first, each once."""
    complete: bool
    """Every event from `since` on was read (False: cut at the page bound or the deadline, the newest left out)."""
    stopped_at: datetime | None
    """Where the last page started: when cut, the time a read that goes on starts from."""


def read_to_end(
    read: Callable[[datetime | None, int], list[AuditEvent]],
    since: datetime | None,
    size: int,
    pages: int,
    deadline: float | None = None,
) -> Pages:
    """The events `read(since, size)` (one index, oldest first, at most `size`) answers from `since` on (None: all),
    page after page; at most `pages` pages, and none begun after `deadline` (`time.monotonic()` seconds) when one is
    given. The caller logs a read that was cut (`complete` False) in its own words."""
    found: dict[str, AuditEvent] = {}
    for _ in range(pages):
        page = read(since, size)
        found.update((event.event_id, event) for event in page)
        if len(page) < size:
            return Pages(list(found.values()), True, since)
        if since is None or page[-1].occurred_at > since:
            since = page[-1].occurred_at
        else:
            size *= 2  # a whole page at one instant: ask for more at once
        if deadline is not None and time.monotonic() > deadline:
            break
    return Pages(list(found.values()), False, since)
