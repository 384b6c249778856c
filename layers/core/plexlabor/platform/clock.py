"""The clock every capability uses by default (tests inject their own)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def utc_now() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """Midnight at the start of `day` in the plant's zone, as UTC."""
    return datetime.combine(day, time(), zone).astimezone(UTC)
