"""Date windows and chunking."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone

import pytest

from plexlabor.plex.windows import as_utc, date_windows

START = datetime(2026, 3, 1, tzinfo=UTC)


def test_30_days_in_7_day_chunks_is_five_contiguous_pieces() -> None:
    pieces = date_windows(START, START + timedelta(days=30), 7)
    assert len(pieces) == 5
    assert pieces[0][0] == START and pieces[-1][1] == START + timedelta(days=30)
    assert all(left[1] == right[0] for left, right in itertools.pairwise(pieces))
    assert pieces[-1][1] - pieces[-1][0] == timedelta(days=2)


def test_an_empty_or_reversed_window_is_refused() -> None:
    with pytest.raises(ValueError, match="empty date window"):
        date_windows(START, START, 7)


def test_naive_and_offset_datetimes_are_read_as_utc() -> None:
    assert as_utc(datetime(2026, 3, 1)) == START
    assert as_utc(datetime(2026, 3, 1, 2, tzinfo=timezone(timedelta(hours=2)))) == START
