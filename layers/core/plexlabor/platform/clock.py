"""The clock every capability uses by default (tests inject their own)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def utc_now() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """Midnight at the start of `day` in the plant's zone, as UTC."""
    return datetime.combine(day, time(), zone).astimezone(UTC)


def day_before(instant: datetime, zone: ZoneInfo) -> date:
    """The last plant-local day that ended before `instant`: the day a nightly report covers by default."""
    return instant.astimezone(zone).date() - timedelta(days=1)
