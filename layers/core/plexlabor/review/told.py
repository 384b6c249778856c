"""Recording that people were told: one way for the sweep's notices, its EHS digest and the held-escalation digest.

After a mail went out, each item in it gets its events (`approval.notified.record_sent`). An item whose events the
audit table refused is logged and left unrecorded, so the next run tells of it again: at least once, never lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

logger = logging.getLogger(__name__)

ItemT = TypeVar("ItemT")


def record_told(
    items: Iterable[ItemT], record: Callable[[ItemT], None], item_id: Callable[[ItemT], str]
) -> list[ItemT]:
    """Call `record` on each of `items`; those it recorded, in order (a failure is logged with the item's id)."""
    recorded: list[ItemT] = []
    for item in items:
        try:
            record(item)
        except Exception:
            logger.exception("notification not recorded", extra={"finding_id": item_id(item)})
            continue
        recorded.append(item)
    return recorded
