"""A cold container's first re-plan reads the shift from Plex while it reads the day's suggestions from the audit
table (`replanning._read_ahead`, issue 16): one after the other, the two reads added up (on AWS both are network
round trips; Plex's alone several seconds for a 2,400-person plant)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from plexlabor.audit import AuditStatus, InMemoryAuditStore
from plexlabor.crew import wiring
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.replanning import run
from plexlabor.platform import deadline
from plexlabor.plex.sources import LaborSource
from tests.unit.crew.test_crew_replan_handler import DAY, SHIFT_START, _crew_events, planned

__all__ = ["planned"]  # the fixture, shared with the handler's tests


class _Meeting:
    """The labor-data port whose first call waits until the audit table's first status read has started (and the
    other way round): read one after the other, neither starts (the barrier breaks after its timeout)."""

    def __init__(self, port: Any, barrier: threading.Barrier) -> None:
        self._port, self._barrier, self._met = port, barrier, False

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._port, name)
        if not callable(found):
            return found

        def call(*args: Any, **kwargs: Any) -> Any:
            if not self._met:
                self._met = True
                self._barrier.wait()
            return found(*args, **kwargs)

        return call


def _meeting_store(store: InMemoryAuditStore, barrier: threading.Barrier) -> None:
    by_status: Callable[..., Any] = store.by_status
    met = [False]

    def waiting(status: AuditStatus, *args: Any, **kwargs: Any) -> Any:
        if not met[0]:
            met[0] = True
            barrier.wait()
        return by_status(status, *args, **kwargs)

    store.by_status = waiting  # type: ignore[method-assign]


def test_a_cold_container_reads_plex_while_it_reads_the_audit_table(
    planned: tuple[LaborSource, InMemoryAuditStore],
) -> None:
    source, store = planned
    caller = sorted({e.employee_id or "" for e in _crew_events(store, "crew_planner")})[0]
    barrier = threading.Barrier(2, timeout=10)
    _meeting_store(store, barrier)
    meeting = LaborSource(_Meeting(source.port, barrier), source.timezone)  # type: ignore[arg-type]
    now = SHIFT_START - timedelta(minutes=20)
    deps = wiring.ReplanDependencies(source=meeting, store=store, time_limit_s=20, clock=lambda: now)
    message = ReplanMessage(reason="call_off", day=DAY, shift="1", employee_id=caller, detected_at=now)

    summary = run(deps, message)

    assert (summary["shift_from"], summary["shift_read_ahead"], summary["suggestions_read"]) == ("read", True, "whole")
    assert summary["published"] >= 1 and not barrier.broken


class _Timed:
    """The labor-data port noting, at each call, its thread and the invocation time left that thread sees."""

    def __init__(self, port: Any) -> None:
        self._port = port
        self.seen: list[tuple[str, float | None]] = []

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._port, name)
        if not callable(found):
            return found

        def call(*args: Any, **kwargs: Any) -> Any:
            self.seen.append((threading.current_thread().name, deadline.remaining_s()))
            return found(*args, **kwargs)

        return call


def test_the_read_ahead_of_plex_sees_the_invocations_deadline(
    planned: tuple[LaborSource, InMemoryAuditStore],
) -> None:
    # Given a call-off re-planned in a cold container, with 120 s of the invocation left
    source, store = planned
    caller = sorted({e.employee_id or "" for e in _crew_events(store, "crew_planner")})[0]
    port = _Timed(source.port)
    now = SHIFT_START - timedelta(minutes=20)
    deps = wiring.ReplanDependencies(
        source=LaborSource(port, source.timezone),  # type: ignore[arg-type]
        store=store,
        time_limit_s=20,
        clock=lambda: now,
    )
    message = ReplanMessage(reason="call_off", day=DAY, shift="1", employee_id=caller, detected_at=now)
    # When it runs
    with deadline.invocation_deadline(120.0):
        summary = run(deps, message)
    # Then the shift is read from Plex on the read-ahead thread, whose calls are bounded by the time left
    read_ahead = [left for thread, left in port.seen if thread.startswith("crew-shift-read")]
    assert summary["shift_read_ahead"] and read_ahead
    assert all(left is not None and 0 < left <= 120 for left in read_ahead)
