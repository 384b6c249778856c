"""A re-plan reads its day and the days before and after (`replanning._read_days`, the neighbouring shifts' seats):
`DayReader.read_days` reads each day's crew events (the plan-day index) and each closing status index once for the days
read whole together, and once for those caught up, where reading them one by one read every index three times over the
same events (issue 16: on the local runtime, two thirds of a cold container's first re-plan); crew_planner's plan of a
shift reads them so too."""

from __future__ import annotations

from datetime import timedelta

from plexlabor.approval.messages import ApprovalAction
from plexlabor.crew import service, wiring
from plexlabor.crew.suggestions import CLOSING_SKEW, DayReader, read_day
from tests.unit.crew.test_crew_suggestions import DAY, T0, CountingStore, _decided, _suggestion

DAYS = (DAY, DAY - timedelta(days=1), DAY + timedelta(days=1))


def _ids(store: CountingStore) -> dict[str, list[str]]:
    return {day.isoformat(): [e.event_id for e in read_day(store, day).openings] for day in DAYS}


def test_three_days_read_whole_together_read_each_status_index_once() -> None:
    store = CountingStore()
    for n, day in enumerate(DAYS):
        store.append(_suggestion(f"E{n}", T0, day=day))
    reader = DayReader(store, applied=True)

    reads = reader.read_days(DAYS, T0 + timedelta(hours=1))

    assert store.day_reads == [(day.isoformat(), None) for day in DAYS]  # each day's crew events
    assert store.reads == [T0 - CLOSING_SKEW] * 3  # the closing statuses once, from the earliest suggestion
    assert {d.isoformat(): [e.event_id for e in r.openings] for d, r in reads.items()} == _ids(store)
    # caught up together: once more each, from the read before less the overlap; the decision reaches its day only
    store.clear()
    store.append(_decided(_suggestion("E2", T0, day=DAYS[2]), ApprovalAction.REJECT, T0 + timedelta(minutes=61)))
    caught = reader.read_days(DAYS, T0 + timedelta(minutes=62))
    assert store.reads == [T0 + timedelta(hours=1) - reader.overlap] * 3
    assert store.day_reads == [(day.isoformat(), T0 + timedelta(hours=1) - reader.overlap) for day in DAYS]
    assert [set(r.closed) for r in caught.values()] == [set(), set(), {f"crew-{DAYS[2]}-E2"}]


def test_the_nightly_plan_of_a_shift_reads_the_three_days_together() -> None:
    store = CountingStore()
    for n, day in enumerate(DAYS):
        store.append(_suggestion(f"E{n}", T0, day=day))
    deps = wiring.Dependencies(source=None, store=store, clock=lambda: T0)  # type: ignore[arg-type]  # not read

    service._neighbours(deps, DAY, "2")  # the day's other shifts and the days next to it count

    assert store.reads == [T0 - CLOSING_SKEW] * 3  # three closing status indexes once (was five per day: 15)
    assert len(store.day_reads) == 3
