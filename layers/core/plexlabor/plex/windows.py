"""Date windows: every windowed read is half-open, `begin <= t < end`, in UTC.

Plex has no pagination, so long windows are read in `date_chunk_days` pieces. Whether Plex's own
`beginDate`/`endDate` bounds are inclusive is not documented, so callers re-check each record against
the whole window and de-duplicate by id: a record exactly on a chunk edge is counted once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from plexlabor.models import TimeClockEntry


def as_utc(value: datetime) -> datetime:
    """Naive datetimes are read as UTC, like every Plex date."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def check_window(begin: datetime, end: datetime) -> tuple[datetime, datetime]:
    begin, end = as_utc(begin), as_utc(end)
    if end <= begin:
        raise ValueError(f"empty date window: end {end.isoformat()} is not after begin {begin.isoformat()}")
    return begin, end


def date_windows(begin: datetime, end: datetime, days: int) -> list[tuple[datetime, datetime]]:
    """Split [begin, end) into consecutive pieces of at most `days` days (the last may be shorter)."""
    begin, end = check_window(begin, end)
    if days < 1:
        raise ValueError("chunk length must be at least one day")
    step, pieces, cursor = timedelta(days=days), [], begin
    while cursor < end:
        upper = min(cursor + step, end)
        pieces.append((cursor, upper))
        cursor = upper
    return pieces


def in_window(moment: datetime | None, begin: datetime, end: datetime) -> bool:
    return moment is not None and begin <= moment < end


def modified_marker(entry: TimeClockEntry) -> datetime:
    """When a punch last changed: modifiedDate, else createdDate, else clock-out, else clock-in."""
    return entry.modified_date or entry.created_date or entry.clockout_time or entry.clockin_time
