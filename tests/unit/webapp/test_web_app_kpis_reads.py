"""The KPI page reads the audit table's status index incrementally per warm container (ux164 #10: every load read
every event of the period again, 2.2-3.5 s on the walkthrough's runtime): a second load reads only what is new,
with the same figures as a whole read; the whole period again after `REFRESH`, and a wider period whole."""

from __future__ import annotations

import re
from typing import Any

from plexlabor.audit.events import AuditEvent
from plexlabor.audit.schema import GSI_STATUS
from plexlabor.audit.store import IndexQuery, InMemoryAuditStore
from plexlabor.review.kpis import compute_kpis
from plexlabor.webapp.kpireads import REFRESH
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import ZONE, call_web, finding_event, web_deps
from tests.unit.webapp.viewers import ADMIN


class CountingStore(InMemoryAuditStore):
    """Counts the events its status reads return (whole or as summaries)."""

    def __init__(self) -> None:
        super().__init__()
        self.read = 0

    def _find(self, query: IndexQuery) -> list[AuditEvent]:
        found = super()._find(query)
        self.read += len(found) if query.index_name == GSI_STATUS else 0
        return found


def _suggested(world: World, days: str = "7") -> tuple[int, int]:
    """The punch findings the page counts as suggested, and the events its load read from the status index."""
    store = world.audit
    assert isinstance(store, CountingStore)
    before = store.read
    body = call_web(web_deps(world), "GET", "/kpis", ADMIN, None, query={"days": days})["body"]
    row = re.search(r"<tr><td>Punch</td><td>Missed punch</td><td>.*?</td><td>(\d+)</td>", body)
    assert row, "no row of the missed punches"
    return int(row.group(1)), store.read - before


def test_a_second_load_reads_only_what_is_new_and_counts_the_same(lambda_context: Any) -> None:
    # Given 40 punch findings recorded half an hour ago
    world = World(audit=CountingStore())
    for n in range(40):
        finding_event(world, f"f-{n:024d}", confidence=0.93, severity="high")
    world.clock.advance(minutes=30)
    # When the KPI page is loaded, then again after one more finding
    first, first_read = _suggested(world)
    world.clock.advance(minutes=1)
    finding_event(world, f"f-{40:024d}", confidence=0.93, severity="high")
    second, second_read = _suggested(world)
    # Then the second load counts the new finding, as a whole read does, having read only the new one
    whole = compute_kpis(world.audit, days=7, zone=ZONE, clock=world.clock)
    assert (first, second) == (40, 41) == (40, sum(row.suggested for row in whole.by_kind))
    assert first_read >= 40 and second_read <= 2
    # And after REFRESH the whole period is read again; a wider period is read whole
    world.clock.advance(seconds=REFRESH.total_seconds())
    assert _suggested(world)[1] >= 41
    assert _suggested(world, "90") == (41, 41)
