"""Plex's date format and the audit's, for every year a datetime can hold: the year is always four
digits, so what is written reads back (issue 17: `strftime('%Y')` wrote `560`)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from plexlabor.audit.events import format_audit_time
from plexlabor.models import LaborEntry, TimeClockEntry
from plexlabor.models.types import format_plex_datetime


@pytest.mark.parametrize(
    ("moment", "plex", "audit"),
    [
        (datetime(560, 3, 2, 5, 52, tzinfo=UTC), "0560-03-02T05:52:00.0000000Z", "0560-03-02T05:52:00.000000Z"),
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00.0000000Z", "0001-01-01T00:00:00.000000Z"),
        (
            datetime(2026, 3, 2, 5, 52, 7, 123456, tzinfo=UTC),
            "2026-03-02T05:52:07.1234560Z",
            "2026-03-02T05:52:07.123456Z",
        ),
    ],
)
def test_the_year_is_zero_padded_to_four_digits(moment: datetime, plex: str, audit: str) -> None:
    assert format_plex_datetime(moment) == plex
    assert format_audit_time(moment) == audit


@pytest.mark.parametrize("text", ["0560-03-02T05:52:00Z", "0999-12-31T23:59:59.1234567Z"])
def test_a_record_with_an_early_year_reads_back_what_it_writes(text: str) -> None:
    entry = TimeClockEntry.from_plex({"id": "T1", "employeeId": "E1", "clockinTime": text})
    assert TimeClockEntry.from_plex(entry.to_plex()) == entry
    labor = LaborEntry.from_plex(
        {"id": "L1", "employeeId": "E1", "workcenterId": "W", "jobId": "J", "jobOperationId": "O", "startTime": text}
    )
    assert LaborEntry.from_plex(labor.to_plex()) == labor
