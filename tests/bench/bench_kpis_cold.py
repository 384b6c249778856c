"""A container's first KPI page load (`/kpis`): the seven status reads of the period, whole or as summaries, run by
`make bench` (never by `make test`); it prints its figures and the machine's load.

Helper 170 found a cold load (a new container, and every 5 minutes a warm one: `webapp.kpireads.REFRESH`) taking
4.4-5.2 s on the local runtime's moto, most of it the status reads of every event of the period with their
payloads (328 `pending_approval` events, 657 KB). The page now reads summaries (`AuditStore.summaries_by_status`:
the payload cut to `audit.store.SUMMARY_KEYS`, a DynamoDB ProjectionExpression).

The table (DynamoDB adapter on moto in process, the local runtime's moto speed-ups installed): a plant's 28 days
as the walkthrough's had them, with payloads of its sizes: 328 suggestions waiting (2 KB each, 657 KB), 900
findings logged (1.5 KB), 220 approved and 60 rejected decisions, 80 expiries (20 replaced by a re-plan), 150
write-backs with previous values, 5 reverts, and 800 notifications (another status: moto scans them on every
Query, DynamoDB does not). Written in bulk (BatchWriteItem of the adapter's items, each with its summary).

Measured, alternating, REPEATS times each: `compute_kpis` as the page ran it before (a new `KpiReads` read each
status whole: the same as `compute_kpis(store)`) and now (a new `KpiReads`: summaries): wall (`perf_counter`) and
CPU (`process_time`), whole and `own` (less the time inside moto, `MotoQueries`: from botocore's request to moto's
serialized answer; moto scans the whole table on every Query, builds each item whole before it projects it, and
serializes the answer, which DynamoDB does on its side; botocore's parsing of the answer, the adapter and the KPIs
stay in `own`), and the payload bytes read. Both must give the same figures. Printed, not held to a target: moto is
no measure of DynamoDB's speed.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus, AuditStore
from plexlabor.audit.dynamodb import DynamoDbAuditStore, create_audit_table, event_item
from plexlabor.review.kpis import compute_kpis
from plexlabor.webapp.kpireads import KpiReads
from plexlabor_dev.local import dynamodb_speedups
from tests.support import use_fake_aws

NOW = datetime(2026, 12, 5, 21, 0, tzinfo=UTC)
REPEATS = 5
BUDGET_S = 240.0
"""The timed loads stop after this long, whatever REPEATS says."""


def _events() -> Iterator[AuditEvent]:
    """The period's events (see the module docstring), spread over 27 days."""

    def at(n: int, of: int) -> datetime:
        return NOW - timedelta(days=27) + timedelta(days=27) * n / of

    def event(n: int, of: int, item: str, event_type: AuditEventType, status: AuditStatus, **fields: Any) -> AuditEvent:
        return AuditEvent(
            record_key=f"job-operations:{item}",
            event_type=event_type,
            status=status,
            occurred_at=at(n, of) + timedelta(minutes=30 if event_type is not AuditEventType.RECOMMENDATION else 0),
            actor="crew_planner" if event_type is AuditEventType.RECOMMENDATION else "E0002",
            finding_id=item,
            supervisor_id="E0002",
            employee_id=f"E{n % 200:04d}",
            model_version="crew-milp-2026.11",
            payload=fields.pop("payload", {}),
            **fields,
        )

    evidence = {"candidates": [{"employee_id": f"E{k:04d}", "hours": 8.5, "cost": 310.25} for k in range(22)]}
    for n in range(328):
        payload = {"kind": "crew_assignment", "note": "Seat WLD-09 shift 2: " + "x" * 280, "evidence": evidence}
        yield event(n, 328, f"seat-{n}", AuditEventType.RECOMMENDATION, AuditStatus.PENDING_APPROVAL, payload=payload)
    for n in range(900):
        payload = {"anomaly_type": "MISSED_PUNCH", "note": "y" * 200, "evidence": {"minutes": [1.5] * 120}}
        found = event(n, 900, f"f-{n}", AuditEventType.FINDING, AuditStatus.LOGGED, payload=payload)
        yield found.model_copy(update={"record_key": f"time-clock-entries:{n}"})
    for n in range(280):
        status = AuditStatus.APPROVED if n < 220 else AuditStatus.REJECTED
        yield event(n, 328, f"seat-{n}", AuditEventType.DECISION, status, payload={"reason": "ok", "via": "queue"})
    for n in range(280, 328):
        yield event(
            n, 328, f"seat-{n}", AuditEventType.EXPIRED, AuditStatus.EXPIRED, payload={"kind": "crew_assignment"}
        )
    for n in range(32):
        payload = {"kind": "crew_assignment", "superseded_by": f"seat-{n}-r"}
        yield event(n, 32, f"old-{n}", AuditEventType.EXPIRED, AuditStatus.EXPIRED, payload=payload)
    for n in range(150):
        previous = {"assignment": {"employee_id": f"E{n:04d}", "workcenter": "WLD-09", "hours": 8.0}}
        yield event(n, 328, f"seat-{n}", AuditEventType.WRITEBACK, AuditStatus.WRITTEN, previous_values=previous)
    for n in range(5):
        yield event(n, 328, f"seat-{n}", AuditEventType.REVERT, AuditStatus.REVERTED, previous_values={})
    for n in range(800):
        yield event(
            n, 800, f"seat-{n % 328}", AuditEventType.NOTIFICATION, AuditStatus.NOTIFIED, payload={"stage": "1"}
        )


def fill(client: Any, table: str) -> tuple[int, int]:
    """Write the period's events in bulk; (events, payload bytes of the seven statuses the KPIs read)."""
    events = list(_events())
    for start in range(0, len(events), 25):
        batch = [{"PutRequest": {"Item": event_item(e)}} for e in events[start : start + 25]]
        client.batch_write_item(RequestItems={table: batch})
    read = sum(len(e.payload_json) for e in events if e.status is not AuditStatus.NOTIFIED)
    return len(events), read


def _load() -> str:
    with open("/proc/loadavg") as loadavg:
        return loadavg.read().strip()


class MotoQueries:
    """Adds up the wall and CPU time spent inside moto (its answer to each request botocore sends) while installed."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        original = BotocoreStubber.process_request

        def timed(stubber: BotocoreStubber, request: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return original(stubber, request)
            finally:
                self.wall += time.perf_counter() - wall
                self.cpu += time.process_time() - cpu

        monkeypatch.setattr(BotocoreStubber, "process_request", timed)


def _timed(load: Callable[[], Any], moto: MotoQueries) -> tuple[tuple[float, float, float, float], Any]:
    """(wall, CPU, own wall, own CPU) of one load, and its result."""
    moto.wall = moto.cpu = 0.0
    wall, cpu = time.perf_counter(), time.process_time()
    result = load()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return (wall, cpu, wall - moto.wall, cpu - moto.cpu), result


class Bytes(AuditStore):
    """Passes status reads to `store`, adding up the payload bytes they return."""

    def __init__(self, store: AuditStore) -> None:
        self.store, self.read = store, 0

    def append(self, event: AuditEvent) -> None:
        self.store.append(event)

    def history(self, record_key: str) -> list[AuditEvent]:
        return self.store.history(record_key)

    def _find(self, query: Any) -> list[AuditEvent]:
        found = self.store._find(query)
        self.read += sum(len(e.payload_json) for e in found)
        return found


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, DynamoDbAuditStore]]:
    use_fake_aws(monkeypatch)
    with mock_aws():
        undo = dynamodb_speedups.install()
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_audit_table(client, "bench-audit")
        yield client, DynamoDbAuditStore("bench-audit", client=client)
        undo()


def test_kpis_cold_load_whole_and_as_summaries(
    dynamodb: tuple[Any, DynamoDbAuditStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, store = dynamodb
    moto = MotoQueries()
    moto.install(monkeypatch)
    events, payload_bytes = fill(client, "bench-audit")
    print(f"\n{events} events on moto; the seven statuses hold {payload_bytes / 1000:.0f} KB of payloads")
    print(f"load before: {_load()} ({os.cpu_count()} cores)")
    clock = lambda: NOW  # noqa: E731
    loads: dict[str, Callable[[], Any]] = {
        "whole (before)": lambda: compute_kpis(store, days=28, clock=clock),
        "summaries (now)": lambda: compute_kpis(KpiReads(store, clock), days=28, clock=clock),
    }
    times: dict[str, list[tuple[float, float, float, float]]] = {name: [] for name in loads}
    figures: dict[str, Any] = {}
    started = time.perf_counter()
    for _ in range(REPEATS):
        for name, load in loads.items():
            measured, figures[name] = _timed(load, moto)
            times[name].append(measured)
        if time.perf_counter() - started > BUDGET_S:
            break
    for name in loads:
        counted = Bytes(store)
        compute_kpis(KpiReads(counted, clock) if "summaries" in name else counted, days=28, clock=clock)
        columns = [[t[i] for t in times[name]] for i in range(4)]
        shown = ", ".join(
            f"{label} {statistics.median(c):.2f} s ({min(c):.2f}-{max(c):.2f})"
            for label, c in zip(("wall", "CPU", "own wall", "own CPU"), columns, strict=True)
        )
        print(f"  {name:16} medians: {shown}; n={len(columns[0])}; payloads read {counted.read / 1000:.0f} KB")
    print(f"load after: {_load()}")
    assert figures["whole (before)"] == figures["summaries (now)"]
