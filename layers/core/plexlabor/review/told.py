"""Recording that people were told: one way for the sweep's notices, its EHS digest and the held-escalation digest.

After a mail went out, each item in it gets its events (`approval.notified.record_sent`). An item whose events the
audit table refused is logged and left unrecorded, so the next run tells of it again: at least once, never lost.

What an item was told is read from its own events (`AuditStore.for_finding`, one read per item): the plant's
`notified` and `escalated` events of the lookback, oldest first and capped, lost the newest, those of the items still
open, in a plant past the cap, so every run mailed them again (review_s13 L3). `to_read` bounds those reads per run:
past the bound, the oldest half (due to escalate or expire) and the newest half (those not told yet). It read the
oldest alone, so while they stayed open an item opened after them was never read nor told (review_s14 L9).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from plexlabor.review.items import ReviewItem

logger = logging.getLogger(__name__)

ItemT = TypeVar("ItemT")

ITEM_READS = 5_000
"""At most this many items' own events are read per run by each of the sweep's notices and its held-escalation
digest (one Query each, some milliseconds: well inside the sweep's 300 s)."""


def to_read(items: Sequence[ReviewItem], what: str) -> list[ReviewItem]:
    """`items` (in their order) whose own events this run reads: all of them, or past `ITEM_READS` (logged) the
    oldest half, due to escalate or expire first, so they leave and the others come in turn, and the newest half, so
    an item opened since the last run is told of though the oldest stay open. Those between wait until they are among
    the oldest (they were among the newest, and read, when they opened)."""
    if len(items) <= ITEM_READS:
        return list(items)
    by_age = sorted(items, key=lambda item: (item.created_at, item.item_id))
    oldest = ITEM_READS // 2
    kept = {item.item_id for item in (*by_age[:oldest], *by_age[oldest - ITEM_READS :])}
    logger.error(
        "review sweep (%s): %d of %d open items read, the oldest and the newest; the others wait for a later run",
        what,
        len(kept),
        len(items),
    )
    return [item for item in items if item.item_id in kept]


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
