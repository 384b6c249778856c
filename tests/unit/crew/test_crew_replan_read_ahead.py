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
