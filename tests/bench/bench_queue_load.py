"""One warm `/queue` load with 260 open items, run by `make bench` (never by `make test`); it prints its figures and
the machine's load (ux_s13 #12: 2.4-3.3 s a load with ~250 open items on the local runtime).

Through the real handler (`functions.web_app.handler`, in process, in-memory audit): 200 punch findings carrying a
day's timeline (20 punches, 30 labor entries) over 59 people in two departments, and 60 crew seats. After three
warm-up loads, LOADS loads as an admin and as a supervisor of MACH: CPU per load (`process_time`), the status-index
queries per load, then one load under cProfile (its top entries printed). Printed, not held to a target: the fake
copies what it returns, where DynamoDB would parse it.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import time
from typing import Any

from plexlabor.approval.directory import PeopleDisplay, Person, StaticPeopleDirectory
from plexlabor.audit import AuditEvent, InMemoryAuditStore
from plexlabor.audit.schema import GSI_STATUS
from plexlabor.audit.store import IndexQuery
from plexlabor.review.decisions import ReviewService
from plexlabor.review.queue import ReviewQueue
from plexlabor.webapp.app import Dependencies
from tests.support import FakeLambdaContext
from tests.unit.approval.approval_fakes import World, make_finding
from tests.unit.review.review_world import ZONE, call_web, crew_assignment, open_finding, punch_record
from tests.unit.webapp.viewers import ADMIN

LOADS = 20
MACHINING = {"cognito:username": "E0300", "cognito:groups": "supervisor", "custom:departments": "MACH"}
PEOPLE = StaticPeopleDirectory(
    [Person(f"E{n:04d}", f"E{n:05d}", f"Name {n}", "MACH" if n % 2 else "ASSY", str(1 + n % 3)) for n in range(1, 60)]
)
TIMELINE = {
    "v": 1,
    "day": "2026-03-02",
    "zone": "America/Detroit",
    "window": ["2026-03-02T02:00", "2026-03-02T18:00"],
    "record": {"key": "time-clock-entries:T1", "lane": "punches", "index": 0},
    "shift": {"start": "2026-03-02T06:00", "end": "2026-03-02T14:00"},
    "punches": [{"id": f"T{i}", "start": "2026-03-02T06:00", "end": "2026-03-02T14:00"} for i in range(20)],
    "labor": [{"id": f"L{i}", "workcenter": "WC-1", "start": "2026-03-02T06:00", "end": None} for i in range(30)],
}


class CountingStore(InMemoryAuditStore):
    def __init__(self) -> None:
        super().__init__()
        self.status_reads = 0

    def _find(self, query: IndexQuery) -> list[AuditEvent]:
        self.status_reads += query.index_name == GSI_STATUS
        return super()._find(query)


def _deps() -> tuple[Dependencies, CountingStore]:
    store = CountingStore()
    world = World(audit=store)
    for n in range(200):
        finding_id, person = f"f-{n:024d}", f"E{1 + n % 59:04d}"
        evidence = {"workcenter": "WC-1", "workcenter_code": "CNC-02", "timeline": TIMELINE}
        finding = make_finding(
            finding_id=finding_id,
            record_key=f"{punch_record(finding_id)}{n}",
            employee_id=person,
            confidence=0.5 + (n % 50) / 100,
            evidence=evidence,
            note=f"Early clock out of {person} at 14:00",
        )
        open_finding(world, finding)
    for n in range(60):
        crew_assignment(world, f"crew-{n:04d}", employee_id=f"E{1 + n % 59:04d}", department="MACH")
    queue = ReviewQueue(world.audit, clock=world.clock, people=PEOPLE)
    review = ReviewService(queue, world.audit, world.callback, world.writebacks, world.clock)
    return Dependencies(review, ZONE, people=PeopleDisplay(PEOPLE)), store


def _loads(deps: Dependencies, store: CountingStore, claims: dict[str, Any]) -> tuple[float, float]:
    """CPU ms per warm load, and status-index queries per load."""
    context = FakeLambdaContext()
    for _ in range(3):
        assert call_web(deps, "GET", "/queue", claims, context)["statusCode"] == 200
    store.status_reads = 0
    started = time.process_time()
    for _ in range(LOADS):
        call_web(deps, "GET", "/queue", claims, context)
    return 1000 * (time.process_time() - started) / LOADS, store.status_reads / LOADS


def test_queue_load_with_260_open_items() -> None:
    deps, store = _deps()
    for label, claims in (("admin", ADMIN), ("supervisor of MACH", MACHINING)):
        cpu, reads = _loads(deps, store, claims)
        print(f"\n/queue warm, {label}: {cpu:.1f} ms CPU a load, {reads:.0f} status-index queries a load")
    profile = cProfile.Profile()
    profile.enable()
    call_web(deps, "GET", "/queue", ADMIN, FakeLambdaContext())
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(r"plexlabor|jinja2/environment", 15)
    print(out.getvalue())
    print(f"load average (1 / 5 / 15 min): {' / '.join(f'{v:.1f}' for v in os.getloadavg())}")
