"""`ReferenceCache`'s history (crew_replan's refreshes, issue 16): a `history` kind's window is read whole once, then
caught up, only from where its records can still change; what a read returns is what a whole read would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from plexlabor import models
from plexlabor.plex.port import ModelT, TypedReads, operations_by_job
from plexlabor.plex.reference_cache import HISTORY_MAX_AGE_S, LATE_BY, ReferenceCache
from plexlabor.plex.windows import WINDOW_FIELDS, in_order, moment_of

T0 = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)


def _entry(n: int, start: datetime, hours: float | None = 1.0, quantity: float = 10) -> models.LaborEntry:
    end = None if hours is None else start + timedelta(hours=hours)
    return models.LaborEntry(
        id=f"L{n}", employee_id="E1", workcenter_id="W1", job_id="J1", job_operation_id="O1",
        start_time=start, end_time=end, quantity=quantity,
    )  # fmt: skip


def _operation(n: int, job: str, status: str) -> models.JobOperation:
    return models.JobOperation(
        id=f"O{n}", job_id=job, part_id="P", operation_no=10, operation_code="OP", workcenter_id="W1",
        quantity=1, standard_hours=1, status=status,  # type: ignore[arg-type]
    )  # fmt: skip


class Memory(TypedReads):
    """A port over records in memory that say which windows they were asked for."""

    def __init__(self) -> None:
        self.labor: list[models.LaborEntry] = []
        self.operations: list[models.JobOperation] = []
        self.asked: list[tuple[str, Any]] = []

    def timezone(self) -> str:
        return "UTC"

    def extract(self) -> None:
        return None

    def _all(self, model: type[ModelT]) -> list[ModelT]:
        self.asked.append((model.resource, None))
        return []

    def _window(self, model: type[ModelT], begin: datetime, end: datetime) -> list[ModelT]:
        self.asked.append((model.resource, (begin, end)))
        records: list[Any] = self.labor if model.resource == "labor-entries" else []
        return in_order(records, begin, end, moment_of(WINDOW_FIELDS[model.resource]))

    def job_operations(self, job_id: str | None = None) -> list[models.JobOperation]:
        self.asked.append(("job-operations", job_id))
        return self.operations if job_id is None else operations_by_job(self.operations).get(job_id, [])

    def time_clock_entries_modified(self, since: datetime, until: datetime) -> list[models.TimeClockEntry]:
        return []


def _cache(port: Memory, now: list[datetime]) -> ReferenceCache:
    return ReferenceCache(port, 900, clock=lambda: now[0].timestamp(), history=("labor-entries",), now=lambda: now[0])


def test_a_catch_up_returns_what_a_whole_read_would_and_asks_only_what_can_change() -> None:
    port, now = Memory(), [T0]
    begin = T0 - timedelta(days=90)
    port.labor = [_entry(1, T0 - timedelta(days=30)), _entry(2, T0 - timedelta(days=3), hours=None)]
    cache = _cache(port, now)
    assert cache.labor_entries(begin, T0) == port.labor
    # five minutes on: the open entry closed (quantity corrected), one entered late, one new
    now[0] += timedelta(minutes=5)
    port.labor = [
        _entry(1, T0 - timedelta(days=30)),
        _entry(2, T0 - timedelta(days=3), hours=8, quantity=80),
        _entry(3, T0 - timedelta(hours=20)),
        _entry(4, T0 + timedelta(minutes=1)),
    ]
    port.asked.clear()
    assert cache.labor_entries(begin, now[0]) == in_order(port.labor, begin, now[0], moment_of("startTime"))
    assert port.asked == [("labor-entries", (T0 - timedelta(days=3), now[0]))]  # from the open entry on
    # and five minutes later, nothing open: from a day before the last read
    now[0] += timedelta(minutes=5)
    port.asked.clear()
    assert cache.labor_entries(begin, now[0]) == port.labor
    assert port.asked == [("labor-entries", (now[0] - timedelta(minutes=5) - LATE_BY, now[0]))]


def test_history_is_read_whole_when_old_and_only_the_part_before_for_a_window_that_begins_earlier() -> None:
    port, now = Memory(), [T0]
    port.labor = [_entry(1, T0 - timedelta(days=30)), _entry(2, T0 - timedelta(days=90, hours=5))]
    cache = _cache(port, now)
    begin = T0 - timedelta(days=90)
    assert cache.labor_entries(begin, T0) == port.labor[:1]
    port.asked.clear()
    assert cache.labor_entries(begin - timedelta(days=1), T0) == [port.labor[1], port.labor[0]]
    assert port.asked == [
        ("labor-entries", (begin - timedelta(days=1), begin)),
        ("labor-entries", (T0 - LATE_BY, T0)),
    ]
    now[0] += timedelta(seconds=HISTORY_MAX_AGE_S + 1)
    port.labor.append(_entry(9, T0 - timedelta(days=20)))  # an edit older than LATE_BY: seen at the whole read
    port.asked.clear()
    assert cache.labor_entries(begin, now[0]) == in_order(port.labor, begin, now[0], moment_of("startTime"))
    assert port.asked == [("labor-entries", (begin, now[0]))]


def test_alternating_windows_of_two_days_are_both_caught_up() -> None:
    # Given refreshes of yesterday's night shift and today's 1st shift, one after the other every 5 minutes
    port, now = Memory(), [T0]
    port.labor = [_entry(n, T0 - timedelta(days=n)) for n in range(1, 95)]
    cache = _cache(port, now)
    windows = [(T0 - timedelta(days=91), T0), (T0 - timedelta(days=90), T0)]
    for step in range(6):
        begin, end = windows[step % 2]
        port.asked.clear()
        # Then each returns what a whole read would, and after the first two none reads more than the tail
        assert cache.labor_entries(begin, end) == in_order(port.labor, begin, end, moment_of("startTime"))
        if step >= 2:
            assert all(upper - lower <= LATE_BY for _, (lower, upper) in port.asked)
        now[0] += timedelta(minutes=5)


def test_expire_keeps_history_and_complete_jobs_operations() -> None:
    port, now = Memory(), [T0]
    port.labor = [_entry(1, T0 - timedelta(days=30))]
    port.operations = [_operation(1, "DONE", "Complete"), _operation(2, "OPEN", "InProcess")]
    cache = _cache(port, now)
    cache.labor_entries(T0 - timedelta(days=90), T0)
    cache.job_operations("DONE"), cache.job_operations("OPEN"), cache.jobs()
    cache.expire()
    now[0] += timedelta(minutes=20)  # past the reference data's age, within the history's
    port.asked.clear()
    cache.job_operations("DONE"), cache.job_operations("OPEN"), cache.jobs()
    cache.labor_entries(T0 - timedelta(days=90), now[0])
    assert port.asked == [
        ("job-operations", "OPEN"),
        ("jobs", None),
        ("labor-entries", (T0 - LATE_BY, now[0])),  # a day before the last read
    ]


def test_without_history_windowed_reads_go_through() -> None:
    port, now = Memory(), [T0]
    cache = ReferenceCache(port, 900, clock=lambda: now[0].timestamp())
    port.operations = [_operation(1, "DONE", "Complete")]
    for _ in range(2):
        cache.labor_entries(T0 - timedelta(days=90), T0)
    cache.job_operations("DONE")
    cache.expire()
    cache.job_operations("DONE")
    assert [kind for kind, _ in port.asked] == ["labor-entries", "labor-entries", "job-operations", "job-operations"]


def test_history_of_a_kind_that_cannot_be_caught_up_is_refused() -> None:
    with pytest.raises(ValueError, match="no history is kept of shift-assignments"):
        ReferenceCache(Memory(), history=("shift-assignments",))  # type: ignore[arg-type]
