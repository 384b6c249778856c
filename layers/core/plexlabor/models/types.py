"""Shared constrained types: ids, UTC timestamps and Plex's date format, defined once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, PlainSerializer, StringConstraints

PLEX_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"
"""For reading; writing is `format_plex_datetime` (four-digit years)."""


def parse_plex_datetime(value: object) -> object:
    """Accept Plex's `YYYY-MM-DDThh:mm:ss.fffffffZ` (7 fraction digits) and other ISO forms.

    Naive values are read as UTC: Plex documents every date as UTC.
    """
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip())
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def format_plex_datetime(value: datetime) -> str:
    """Format a datetime the way Plex does: UTC with seven fraction digits and a `Z`.

    `isoformat`, not `strftime(PLEX_DATETIME_FORMAT)`: `%Y` writes the year 560 as `560`, which no
    parser reads back; `isoformat` always writes four digits."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "0Z"


def _to_utc(value: datetime) -> datetime:
    """UTC; a naive value is read as UTC (Plex documents every date as UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDatetime = Annotated[
    datetime,
    AfterValidator(_to_utc),
    PlainSerializer(format_plex_datetime, return_type=str, when_used="json"),
]
"""A timezone-aware UTC datetime that reads and writes Plex's date format. pydantic parses the text
itself (seven fraction digits included: the seventh is dropped, as `parse_plex_datetime` does), so a
bulk read of records makes one Python call per date instead of two."""

PlexDate = Annotated[date, PlainSerializer(date.isoformat, return_type=str, when_used="json")]

_Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
EmployeeId = _Id
WorkcenterId = _Id
JobId = _Id
JobOperationId = _Id
PartId = _Id
SkillId = _Id
ShiftId = _Id
DeviceId = _Id
RecordId = _Id
BuildingCode = _Id
