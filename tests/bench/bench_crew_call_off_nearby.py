"""The `call_off_nearby` messages of a shift change with many no-shows (review_s16, unconfirmed lead 1); run by
`make bench` (never by `make test`), it prints its figures.

A generated plant (2,400 employees, seed 301, as `bench_crew`), its nightly plan of the first weekday after its
history (all three shifts) published to an in-memory audit table whose plan-day index is marked (a migrated table).
`NO_SHOWS` operators the plan seats on the 1st shift do not clock in: crew_call_offs sends each a `call_off` then a
`call_off_nearby` of every shift next to the 1st (`replanning.nearby_shifts`: the night shift before, the 2nd shift).
crew_replan's `run` in process, on a container warmed by one re-plan: every nearby message, one after another, as the
FIFO group (reserved concurrency 1) takes them: how many re-plan, how many are skipped "no seat", the wall seconds
spent on the skipped ones and the audit-table queries (plan-day partitions, status indexes) they made.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from plexlabor.audit.store import InMemoryAuditStore
from plexlabor.crew.build import build_problem, shift_instances
from plexlabor.crew.messages import ReplanMessage, nearby
from plexlabor.crew.optimizer import solve
from plexlabor.crew.publish import publish_plan
from plexlabor.crew.replanning import nearby_shifts
from plexlabor.crew.replanning import run as run_replan
from plexlabor.crew.suggestions import day_since, mark_indexed
from plexlabor.crew.wiring import ReplanDependencies
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.sources import LaborSource
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant

PLANT = PlantSpec(employees=2400, weeks=2, seed=301)
PLAN_DAY = date(2026, 11, 23)  # Monday after the history (which ends Friday 2026-11-20)
NO_SHOWS = 50
TIME_LIMIT_S = 30.0


class CountingStore(InMemoryAuditStore):
    """The in-memory table, counting its queries by index (what each would cost on DynamoDB: one query or more)."""

    def __init__(self) -> None:
        super().__init__()
        self.queries: Counter[str] = Counter()

    def by_plan_day(self, day: str, *, since: datetime | None = None, limit: int | None = None) -> list[Any]:
        self.queries["plan_day"] += 1
        return super().by_plan_day(day, since=since, limit=limit)

    def by_status(self, *args: Any, **kwargs: Any) -> list[Any]:
        self.queries["status"] += 1
        return super().by_status(*args, **kwargs)


@pytest.fixture(scope="module")
def plant_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("nearby") / "plant"
    generate_plant(PLANT, folder)
    return folder


def test_call_off_nearby_at_a_shift_change_benchmark(plant_folder: Path) -> None:
    source = PlantFolderSource(plant_folder)
    zone = ZoneInfo(source.timezone())
    problem = build_problem(source, PLAN_DAY, None)
    nightly = solve(problem, TIME_LIMIT_S)
    store = CountingStore()
    published_at = problem.window_start - timedelta(hours=10)
    publish_plan(nightly, store, published_at)
    mark_indexed(store, day_since(PLAN_DAY - timedelta(days=1)), published_at, "bench")
    instances = [
        (i.work_date, i.shift.shift_code, i.start, i.end)
        for i in shift_instances(source.shifts(), PLAN_DAY - timedelta(days=1), PLAN_DAY + timedelta(days=1), zone)
    ]
    start = next(s for d, code, s, _ in instances if (d, code) == (PLAN_DAY, "1"))
    now = start + timedelta(minutes=15)
    next_to = nearby_shifts(instances, PLAN_DAY, "1", now)
    seated = sorted({a.employee_id for a in nightly.assignments if a.shift_code == "1"})
    no_shows = seated[:: max(1, len(seated) // NO_SHOWS)][:NO_SHOWS]
    deps = ReplanDependencies(LaborSource(source, source.timezone()), store, 10.0, clock=lambda: now)
    first = ReplanMessage(reason="call_off", day=PLAN_DAY, shift="1", employee_id=no_shows[0], detected_at=now)
    run_replan(deps, first)  # warms the container: the shift's data and the three days' reads
    messages = [
        nearby(ReplanMessage(reason="call_off", day=PLAN_DAY, shift="1", employee_id=e, detected_at=now), d, s)
        for e in no_shows
        for d, s in next_to
    ]
    skipped_s, replanned_s, skipped, replanned = 0.0, 0.0, 0, 0
    store.queries.clear()
    queries_skipped: Counter[str] = Counter()
    for message in messages:
        before = Counter(store.queries)
        started = time.perf_counter()
        summary = run_replan(deps, message)
        seconds = time.perf_counter() - started
        if summary.get("skipped") == "no seat":
            skipped, skipped_s = skipped + 1, skipped_s + seconds
            queries_skipped += store.queries - before
        else:
            replanned, replanned_s = replanned + 1, replanned_s + seconds
    with open("/proc/loadavg") as loadavg:
        load = " ".join(loadavg.read().split()[:3])
    print(
        f"\n{NO_SHOWS} no-shows of {PLAN_DAY.isoformat()} shift 1 ({len(seated)} seated), shifts next to it "
        f"{[f'{d.isoformat()}/{s}' for d, s in next_to]}: {len(messages)} call_off_nearby messages sent; "
        f"{replanned} re-planned ({replanned_s:.2f} s), {skipped} skipped 'no seat': {skipped_s:.2f} s wall "
        f"({1000 * skipped_s / max(1, skipped):.1f} ms each), audit-table queries {dict(queries_skipped)}; "
        f"load {load}"
    )
