"""The crew board's reads per container (`crewboard.BoardReader`; review 123, defect 5): only the `BOARD_DAYS` days
asked for last are kept, with what the day reader holds of them, so a viewer or a crawler paging back through
the boards does not grow the container's memory with every day; a day dropped is read whole when asked again,
a day kept is caught up."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from plexlabor.crew.suggestions import day_since
from plexlabor.webapp.crewboard import BOARD_DAYS, BoardReader
from tests.unit.crew.test_crew_suggestions import CountingStore

TODAY = date(2026, 12, 5)
NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


def test_only_the_days_asked_for_last_are_kept_and_a_day_dropped_is_read_whole_again() -> None:
    store = CountingStore()
    reader = BoardReader(store, ttl_s=0.0)  # every ask reads (caught up or whole): what is kept shows
    # Given today's board asked for, then 60 past days paged through, today again between each
    for back in range(1, 61):
        reader.day(TODAY, NOW)
        reader.day(TODAY - timedelta(days=back), NOW)
    # Then the container keeps BOARD_DAYS days: today and the last days asked for
    kept = reader.kept_days
    assert len(kept) == BOARD_DAYS and TODAY in kept
    assert kept[-1] == TODAY - timedelta(days=60) and TODAY - timedelta(days=1) not in kept
    # today, kept, is caught up; a day dropped is read whole again (the day reader forgot it too)
    store.reads.clear()
    reader.day(TODAY, NOW)
    assert store.reads and day_since(TODAY) not in store.reads
    store.reads.clear()
    reader.day(TODAY - timedelta(days=1), NOW)
    assert set(store.reads) == {day_since(TODAY - timedelta(days=1))}
