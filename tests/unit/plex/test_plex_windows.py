"""Date windows, chunking, and records put in order within a window."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from operator import attrgetter, itemgetter

import pytest

from plexlabor.plex.windows import as_utc, date_windows, in_order

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


@dataclass(frozen=True)
class _Record:
    id: str
    at: datetime | None


def test_in_order_keeps_the_window_each_id_once_by_time_then_id() -> None:
    # Given records read in two overlapping chunks: one id twice, a tie in time, one outside, one without a time
    first = _Record("b", START + timedelta(hours=1))
    records = [
        _Record("c", START + timedelta(hours=1)),
        first,
        _Record("a", START + timedelta(hours=2)),
        _Record("late", START + timedelta(days=1)),
        _Record("none", None),
        _Record("b", START + timedelta(hours=3)),  # the same record read again, with a later time
        _Record("z", START),
    ]
    # When they are put in order within [START, START + 1 day)
    kept = in_order(records, START, START + timedelta(days=1), attrgetter("at"))
    # Then the end is excluded, the first reading of an id is kept, and ties in time go by id
    assert [(r.id, r.at) for r in kept] == [
        ("z", START),
        ("b", START + timedelta(hours=1)),
        ("c", START + timedelta(hours=1)),
        ("a", START + timedelta(hours=2)),
    ]
    assert kept[1] is first


@pytest.mark.parametrize("seed", range(20))
def test_in_order_puts_every_run_of_one_time_in_id_order(seed: int) -> None:
    # Given records with few distinct times (runs of ties at the start, the end, side by side, and lone ones), ids
    # shuffled, as plain rows with epoch seconds
    draw = random.Random(seed)
    times = [draw.choice([0.0, 60.0, 61.0, 120.0, 3600.0]) + draw.choice([0.0, 0.0, draw.random()]) for _ in range(60)]
    rows = [{"id": f"r{index:02d}", "t": t} for index, t in enumerate(times)]
    draw.shuffle(rows)
    # When they are put in order
    kept = in_order(rows, 0.0, 7200.0, itemgetter("t"), itemgetter("id"))
    # Then they are in (time, id) order, each kept
    assert kept == sorted(rows, key=lambda row: (row["t"], row["id"]))
