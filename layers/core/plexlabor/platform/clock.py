"""The clock every capability uses by default (tests inject their own)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

Moment = TypeVar("Moment", datetime, float)
"""A point in time: a datetime, or epoch seconds."""


def utc_now() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """Midnight at the start of `day` in the plant's zone, as UTC."""
    return datetime.combine(day, time(), zone).astimezone(UTC)


def day_before(instant: datetime, zone: ZoneInfo) -> date:
    """The last plant-local day that ended before `instant`: the day a nightly report covers by default."""
    return instant.astimezone(zone).date() - timedelta(days=1)


def merge_spans(spans: Iterable[tuple[Moment, Moment]]) -> list[tuple[Moment, Moment]]:
    """Disjoint spans covering every input span (overlapping or touching spans merge), in time order."""
    merged: list[tuple[Moment, Moment]] = []
    for low, high in sorted(spans):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged
