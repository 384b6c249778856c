"""One queue page, one read of the audit table's status indexes (ux_s13 #12: with ~250 open items the queue took
2.4-3.3 s a load against 0.03-1.5 s for the other pages; its open items and its "Expired without a decision" count
were each caught up from the table, so every load queried each status index twice)."""

from __future__ import annotations

from typing import Any

from plexlabor.audit import AuditEvent, AuditStatus, InMemoryAuditStore
from plexlabor.audit.schema import GSI_FINDING, GSI_STATUS
from plexlabor.audit.store import IndexQuery
from plexlabor.review.queue import READ_STATUSES
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web, closed, crew_assignment, finding_event, web_deps
from tests.unit.webapp.viewers import ADMIN


class CountingStore(InMemoryAuditStore):
    """The fake, counting its status-index queries."""

    def __init__(self) -> None:
        super().__init__()
        self.status_reads: list[IndexQuery] = []
        self.item_reads: list[str] = []

    def _find(self, query: IndexQuery) -> list[AuditEvent]:
        if query.index_name == GSI_STATUS:
            self.status_reads.append(query)
        if query.index_name == GSI_FINDING:
            self.item_reads.append(query.partition)
        return super()._find(query)


def test_a_warm_queue_page_reads_each_status_index_once(lambda_context: Any) -> None:
    world = World(audit=CountingStore())
    for number in range(30):
        finding_event(world, f"f-{number:024d}", confidence=0.5, severity="medium")
        crew_assignment(world, f"crew-{number:04d}")
    closed(world, "crew-0000", AuditStatus.EXPIRED)  # one expired: the page links "Expired without a decision (1)"
    deps = web_deps(world)
    call_web(deps, "GET", "/queue", ADMIN, lambda_context)  # the container's first read of the lookback
    store = world.audit
    assert isinstance(store, CountingStore)
    store.status_reads.clear()
    page = call_web(deps, "GET", "/queue", ADMIN, lambda_context)
    assert page["statusCode"] == 200 and "Expired without a decision (1)" in page["body"]
    assert sorted(query.partition for query in store.status_reads) == sorted(status.value for status in READ_STATUSES)


def test_an_open_items_page_reads_its_events_once(lambda_context: Any) -> None:
    # the page after each decision in the queue: it read the item's events for the item, again for its trail, and a
    # punch finding's a third time for its approval workflow's state
    store = CountingStore()
    world = World(audit=store)
    finding_event(world, "f-000000000000000000000001", confidence=0.5, severity="medium")
    crew_assignment(world)
    deps = web_deps(world)
    crew = call_web(deps, "GET", "/items/crew-0001", ADMIN, lambda_context)
    assert crew["statusCode"] == 200 and store.item_reads == ["crew-0001"]
    store.item_reads.clear()
    punch = call_web(deps, "GET", "/items/f-000000000000000000000001", ADMIN, lambda_context)
    assert punch["statusCode"] == 200 and len(store.item_reads) == 2  # and whether its workflow failed
    closed(world, "crew-0001")
    store.item_reads.clear()
    decided = call_web(deps, "GET", "/items/crew-0001", ADMIN, lambda_context)
    assert decided["statusCode"] == 200 and "Approved by" in decided["body"] and store.item_reads == ["crew-0001"]
