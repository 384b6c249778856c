"""The clock every capability uses by default (tests inject their own)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

Moment = TypeVar("Moment", datetime, float)
"""A point in time: a datetime, or epoch seconds."""


EARLIEST_DATE = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_DATE = datetime(2100, 1, 1, tzinfo=UTC)
"""Every date plexlabor takes from a person or a sender (a webhook punch, a form, a CLI flag, a request) lies in
[EARLIEST_DATE, LATEST_DATE): anything else is a mistake (a year typed as `0560`, a `9999-12-31` placeholder),
refused where it comes in rather than left to overflow the date arithmetic downstream. Plex's own records are
read as they are."""


def outside_dates(moment: date | datetime) -> str | None:
    """What is wrong with `moment` if it lies outside the dates plexlabor takes (None when inside); a time
    without a zone is compared as it reads, a day by its date."""
    if isinstance(moment, datetime):
        zone = moment.tzinfo and UTC
        inside = EARLIEST_DATE.replace(tzinfo=zone) <= moment < LATEST_DATE.replace(tzinfo=zone)
    else:
        inside = EARLIEST_DATE.date() <= moment < LATEST_DATE.date()
    return None if inside else f"a date from {EARLIEST_DATE:%Y-%m-%d} up to {LATEST_DATE:%Y-%m-%d} is expected"


def aware_utc(name: str, value: datetime) -> datetime:
    """`value` in UTC; a time without a zone is refused (ValueError naming `name`), never read in the
    machine's zone."""
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value.isoformat()}")
    return value.astimezone(UTC)


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
