"""The review queue in a warm container: it keeps the open items, reads only what is new, reads the whole
lookback again after `refresh`, never cuts a read at its page size; bulk decisions run side by side and
keep their order."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

import pytest

from plexlabor.approval.messages import RecommendationWriteback, WritebackMessage
from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus, InMemoryAuditStore
from plexlabor.audit.schema import GSI_STATUS
from plexlabor.audit.store import IndexQuery
from plexlabor.review import queue as queue_module
from plexlabor.review.decisions import ReviewService
from plexlabor.review.queue import ReviewQueue
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import ADMIN, closed


class LaggingIndexStore(InMemoryAuditStore):
    """The fake, with the status index's eventual consistency made visible: events appended while `lagging`
    reach every query but the status index until `catch_up()`. It also keeps each status-index query, and
    can refuse to record the decision on chosen items (an unexpected failure)."""

    def __init__(self) -> None:
        super().__init__()
        self.lagging = False
        self.hidden: set[str] = set()
        self.status_reads: list[IndexQuery] = []
        self.fail_decisions_of: set[str] = set()

    def append(self, event: AuditEvent) -> None:
        if event.event_type is AuditEventType.DECISION and event.finding_id in self.fail_decisions_of:
            raise RuntimeError("the audit table fell over")
        super().append(event)
        if self.lagging:
            self.hidden.add(event.event_id)

    def catch_up(self) -> None:
        self.lagging = False
        self.hidden.clear()

    def _find(self, query: IndexQuery) -> list[AuditEvent]:
        if query.index_name != GSI_STATUS:
            return super()._find(query)
        self.status_reads.append(query)
        # Hidden events are left out before the limit applies, as an index that does not hold them yet would.
        found = super()._find(IndexQuery(query.index_name, query.partition, query.since, None, query.status))
        return [event for event in found if event.event_id not in self.hidden][: query.limit]


@pytest.fixture
def world() -> World:
    world = World(audit=LaggingIndexStore())
    for number in range(3):
        opened(world, f"crew-{number:04d}")
    return world


def store(world: World) -> LaggingIndexStore:
    assert isinstance(world.audit, LaggingIndexStore)
    return world.audit


def opened(world: World, item_id: str, at: datetime | None = None, kind: str = "labor_variance") -> AuditEvent:
    """An open recommendation (`at`: its occurred_at, else now), as a capability appends it."""
    event = AuditEvent(
        record_key=f"jobs:{item_id}",
        event_id=item_id,
        event_type=AuditEventType.RECOMMENDATION,
        status=AuditStatus.PENDING_APPROVAL,
        occurred_at=at or world.clock(),
        actor="forecast",
        finding_id=item_id,
        model_version="m-1",
        payload={"kind": kind, "note": f"{kind} {item_id}", "confidence": 0.5},
    )
    world.audit.append(event)
    return event


def ids(queue: ReviewQueue) -> set[str]:
    return {item.item_id for item in queue.open_items()}


def test_an_item_another_writer_opens_shows_on_the_next_read_which_asks_only_for_what_is_new(world: World) -> None:
    queue = ReviewQueue(world.audit, clock=world.clock)
    assert ids(queue) == {"crew-0000", "crew-0001", "crew-0002"}
    first_read = store(world).status_reads[0].since
    assert first_read is not None and first_read <= world.clock.now - queue.lookback + timedelta(seconds=1)

    world.clock.advance(seconds=40)
    store(world).status_reads.clear()
    opened(world, "crew-0003")

    assert "crew-0003" in ids(queue)
    reads = store(world).status_reads
    assert {read.partition for read in reads} == {"pending_approval", "escalated", "approved", "rejected", "expired"}
    assert all(read.since is not None and read.since >= world.clock.now - timedelta(minutes=3) for read in reads)


def test_an_item_closed_elsewhere_leaves_on_the_next_read(world: World) -> None:
    queue = ReviewQueue(world.audit, clock=world.clock)
    assert len(ids(queue)) == 3

    closed(world, "crew-0000", AuditStatus.APPROVED)
    closed(world, "crew-0001", AuditStatus.EXPIRED)

    assert ids(queue) == {"crew-0002"}
    assert queue.item(ADMIN, "crew-0000") is None


def test_an_event_the_index_shows_late_is_read_within_the_overlap(world: World) -> None:
    queue = ReviewQueue(world.audit, clock=world.clock)
    store(world).lagging = True
    opened(world, "crew-0003")  # appended, not in the status index yet
    store(world).lagging = False
    assert "crew-0003" not in ids(queue)

    world.clock.advance(seconds=30)
    store(world).catch_up()
    assert "crew-0003" in ids(queue)


def test_the_whole_lookback_is_read_again_after_refresh(world: World) -> None:
    queue = ReviewQueue(world.audit, clock=world.clock)
    assert len(ids(queue)) == 3
    # An opening that reaches the index later than the overlap (a slow writer) is not seen incrementally...
    store(world).lagging = True
    opened(world, "crew-0003")
    store(world).lagging = False
    world.clock.advance(minutes=3)
    assert "crew-0003" not in ids(queue)  # not in the index yet
    store(world).catch_up()
    assert "crew-0003" not in ids(queue)  # in it now, but before this read's start less the overlap
    # ...and is there at the first read after `refresh`, which reads the whole lookback again.
    world.clock.advance(minutes=2)
    store(world).status_reads.clear()
    assert "crew-0003" in ids(queue)
    lookback_start = world.clock.now - queue.lookback
    assert all(read.since is not None and read.since <= lookback_start for read in store(world).status_reads)


def test_a_read_goes_page_after_page_beyond_its_limit_even_at_one_instant(world: World) -> None:
    instant = world.clock.now - timedelta(hours=1)
    for number in range(7):  # more than a page at the very same time
        opened(world, f"same-{number:04d}", at=instant)
    for number in range(6):
        opened(world, f"late-{number:04d}")
    for number in range(5):
        closed(world, f"late-{number:04d}")
    queue = ReviewQueue(world.audit, limit=3, clock=world.clock)

    assert ids(queue) == {f"crew-{n:04d}" for n in range(3)} | {f"same-{n:04d}" for n in range(7)} | {"late-0005"}


def test_a_read_stopped_by_its_page_bound_says_so_and_the_next_request_goes_on(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for number in range(9):
        opened(world, f"more-{number:04d}")
    monkeypatch.setattr(queue_module, "READ_PAGES", 2)
    queue = ReviewQueue(world.audit, limit=2, clock=world.clock)

    with caplog.at_level(logging.ERROR, logger="plexlabor.review.queue"):
        first = ids(queue)
    assert len(first) < 12
    assert "pending_approval events read up to" in caplog.text and "not to the end" in caplog.text
    for _ in range(10):  # each request reads on from where the last stopped
        if len(ids(queue)) == 12:
            break
    assert len(ids(queue)) == 12


def test_a_decision_made_here_leaves_at_once_before_the_index_shows_it(world: World) -> None:
    queue = ReviewQueue(world.audit, clock=world.clock)
    service = ReviewService(queue, world.audit, world.callback, world.writebacks, world.clock)
    assert len(ids(queue)) == 3
    store(world).lagging = True  # the decisions do not reach the status index yet

    outcomes = service.decide_many(ADMIN, ["crew-0000"], "approve", None)
    single = service.decide(ADMIN, "crew-0001", "approve", None)

    assert [o.action for o in outcomes] == ["approve"] and single.action == "approve"
    assert ids(queue) == {"crew-0002"}
    store(world).catch_up()
    world.clock.advance(minutes=10)  # and after the whole lookback is read again
    assert ids(queue) == {"crew-0002"}


def test_bulk_decisions_keep_the_order_given_and_report_each_failure(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    for number in range(3, 20):
        opened(world, f"crew-{number:04d}")
    store(world).fail_decisions_of.add("crew-0007")
    queue = ReviewQueue(world.audit, clock=world.clock)
    service = ReviewService(queue, world.audit, world.callback, world.writebacks, world.clock)
    asked = (
        [f"crew-{n:04d}" for n in (19, 3, 0, 7, 12)]
        + ["missing-1", "crew-0003"]
        + [f"crew-{n:04d}" for n in range(13, 19)]
    )

    with caplog.at_level(logging.ERROR, logger="plexlabor.review.decisions"):
        outcomes = service.decide_many(ADMIN, asked, "approve", None)

    assert [o.item_id for o in outcomes] == list(dict.fromkeys(asked))
    failed = {o.item_id: o.problem for o in outcomes if o.action is None}
    assert set(failed) == {"crew-0007", "missing-1"}
    assert "not recorded" in (failed["crew-0007"] or "") and "no longer open" in (failed["missing-1"] or "")
    assert "bulk decision not recorded" in caplog.text
    decided = {e.finding_id for e in world.audit.by_status(AuditStatus.APPROVED, None, 100)}
    assert decided == {o.item_id for o in outcomes if o.action == "approve"} and len(decided) == 10
    assert "crew-0007" in ids(queue) and not decided & ids(queue)


def test_bulk_decisions_are_made_side_by_side(world: World) -> None:
    for number in range(3, 6):
        opened(world, f"crew-{number:04d}", kind="crew_assignment")
    together = threading.Barrier(2, timeout=5)

    class MeetingSender:
        """Each send waits (5 s at most) until another is in flight: one after the other, none would pass."""

        def send(self, message: RecommendationWriteback | WritebackMessage) -> None:
            together.wait()

    queue = ReviewQueue(world.audit, clock=world.clock)
    service = ReviewService(queue, world.audit, world.callback, MeetingSender(), world.clock)

    outcomes = service.decide_many(ADMIN, ["crew-0003", "crew-0004"], "approve", None)

    assert [(o.item_id, o.action, o.problem) for o in outcomes] == [
        ("crew-0003", "approve", None),
        ("crew-0004", "approve", None),
    ]


def test_many_threads_read_one_queue_while_items_open(world: World) -> None:
    queue = ReviewQueue(world.audit, clock=world.clock)
    seen: list[list[str]] = []
    problems: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(20):
                seen.append([item.item_id for item in queue.open_items()])
        except BaseException as error:  # pragma: no cover - reported below
            problems.append(error)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    for number in range(3, 23):
        opened(world, f"crew-{number:04d}")
    for reader in readers:
        reader.join(timeout=30)

    assert not problems and not any(reader.is_alive() for reader in readers)
    assert all(len(one) == len(set(one)) for one in seen)
    assert ids(queue) == {f"crew-{n:04d}" for n in range(23)}
