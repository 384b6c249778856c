"""`audit.paging.read_to_end` reads an index to the end page after page: past a batch published at one instant
(the page asked again twice as large), each event once, and no further than its page bound."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from plexlabor.audit import AuditEvent, AuditStatus, InMemoryAuditStore
from plexlabor.audit.events import recommendation_event
from plexlabor.audit.paging import read_to_end

START = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def opened(store: InMemoryAuditStore, number: int, at: datetime, kind: str = "punch_finding") -> AuditEvent:
    """An opening of `kind` (pending approval), finding `item-<number>`, appended to `store`."""
    event = recommendation_event(
        f"items:{number}",
        f"item-{number}",
        status=AuditStatus.PENDING_APPROVAL,
        occurred_at=at,
        actor="detector",
        model_version="model-1",
        payload={"kind": kind},
    )
    store.append(event)
    return event


def _pending(
    store: InMemoryAuditStore, reads: list[tuple[datetime | None, int]] | None = None
) -> Callable[[datetime | None, int], list[AuditEvent]]:
    def read(since: datetime | None, size: int) -> list[AuditEvent]:
        if reads is not None:
            reads.append((since, size))
        return store.by_status(AuditStatus.PENDING_APPROVAL, since, size)

    return read


def test_a_batch_at_one_instant_larger_than_a_page_is_read_whole_and_each_event_once() -> None:
    store = InMemoryAuditStore()
    early = [opened(store, n, START + timedelta(minutes=n)) for n in range(2)]
    batch = [opened(store, 10 + n, START + timedelta(hours=1)) for n in range(7)]
    late = [opened(store, 20 + n, START + timedelta(hours=2, minutes=n)) for n in range(3)]
    reads: list[tuple[datetime | None, int]] = []

    pages = read_to_end(_pending(store, reads), START, 3, 10)

    assert pages.complete
    assert [e.event_id for e in pages.events] == [e.event_id for e in early + batch + late]
    assert (START + timedelta(hours=1), 6) in reads  # the page that ended where it started, asked again larger


def test_the_read_from_none_reads_all() -> None:
    store = InMemoryAuditStore()
    events = [opened(store, n, START + timedelta(minutes=n)) for n in range(5)]

    pages = read_to_end(_pending(store), None, 2, 10)

    assert pages.complete and [e.event_id for e in pages.events] == [e.event_id for e in events]


def test_a_read_stops_at_its_page_bound_and_says_where() -> None:
    store = InMemoryAuditStore()
    events = [opened(store, n, START + timedelta(minutes=n)) for n in range(9)]

    pages = read_to_end(_pending(store), START, 2, 3)

    assert not pages.complete
    assert [e.event_id for e in pages.events] == [e.event_id for e in events[:4]]  # 2 + 1 new + 1 new
    assert pages.stopped_at == events[3].occurred_at


def test_a_read_past_its_deadline_stops_after_the_page_it_began() -> None:
    store = InMemoryAuditStore()
    for n in range(9):
        opened(store, n, START + timedelta(minutes=n))
    reads: list[tuple[datetime | None, int]] = []

    pages = read_to_end(_pending(store, reads), START, 2, 10, deadline=0.0)

    assert not pages.complete and len(reads) == 1 and len(pages.events) == 2
