"""Shared constrained types: ids, UTC timestamps and Plex's date format, defined once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, PlainSerializer, StringConstraints

PLEX_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"
"""For reading; writing is `format_plex_datetime` (four-digit years)."""


def parse_plex_datetime(value: object) -> object:
    """Accept Plex's `YYYY-MM-DDThh:mm:ss.fffffffZ` (7 fraction digits) and other ISO forms with a zone.

    A time without a zone is refused (`NaiveTimeError`): Plex documents every date as UTC and writes
    the `Z`, so a zone-less time came from somewhere else, and reading it as UTC would shift it by the
    plant's offset without a word.
    """
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip())
    if isinstance(value, datetime) and value.tzinfo is None:
        raise NaiveTimeError(value)
    return value


class NaiveTimeError(ValueError):
    """A time without a zone, where Plex writes UTC with a `Z`."""

    def __init__(self, value: datetime) -> None:
        super().__init__(
            f"time without a zone: {value.isoformat()} (Plex times are UTC and end in Z, e.g. "
            f"{value.isoformat(timespec='seconds')}Z)"
        )


def format_plex_datetime(value: datetime) -> str:
    """Format a datetime the way Plex does: UTC with seven fraction digits and a `Z`.

    `isoformat`, not `strftime(PLEX_DATETIME_FORMAT)`: `%Y` writes the year 560 as `560`, which no
    parser reads back; `isoformat` always writes four digits."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "0Z"


def _to_utc(value: datetime) -> datetime:
    """UTC; a value without a zone is refused (`NaiveTimeError`), never read as UTC."""
    if value.tzinfo is None:
        raise NaiveTimeError(value)
    return value.astimezone(UTC)


UtcDatetime = Annotated[
    datetime,
    AfterValidator(_to_utc),
    PlainSerializer(format_plex_datetime, return_type=str, when_used="json"),
]
"""A timezone-aware UTC datetime that reads and writes Plex's date format; a time without a zone is
refused with the field named (`PlexModel.from_plex`), never read as UTC. pydantic parses the text
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
