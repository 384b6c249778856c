"""Two warm crew_replan containers on one audit table (review 123, defect 3): reserved concurrency off (the documented
`plexlabor:reservedConcurrency=false`) lets the SQS event source run two at once, and Lambda may keep a second
environment warm. A warm container catches up on the events another container applied to the shift since (the
audit table's `applied` events, as a new container starting from the store does), so it re-plans as one container
that saw every event would."""

from __future__ import annotations

from datetime import timedelta

from plexlabor.audit import InMemoryAuditStore
from plexlabor.audit.events import AuditStatus
from plexlabor.crew.replanning import run
from plexlabor.plex.sources import LaborSource
from tests.unit.crew.test_crew_replan_handler import DAY, _copy, _Recording
from tests.unit.crew.test_crew_replan_kept_store import START, _callers, _deps, _message, planned

__all__ = ["planned"]  # the fixture


def test_a_warm_container_applies_the_call_off_another_warm_container_applied(
    planned: tuple[LaborSource, InMemoryAuditStore],
) -> None:
    source, store = planned
    first, second = _callers(store)
    reference = _copy(store)  # one container that meets both call-offs, on a copy of the table
    clock = [START]
    a, b, alone = (_deps(source, table, None, clock) for table in (store, store, reference))
    # Given two containers (and the reference one) that kept the shift ready (crew_call_offs' refreshes)
    for deps in (a, b, alone):
        run(deps, _message("refresh", clock[0]))
    # When A applies the first call-off, then B, warm, the second (and the reference container both)
    clock[0] += timedelta(minutes=1)
    run(a, _message("call_off", clock[0], first))
    run(alone, _message("call_off", clock[0], first))
    clock[0] += timedelta(minutes=1)
    decided = []
    for deps, table in ((b, store), (alone, reference)):
        recording = _Recording(table)
        summary = run(deps, _message("call_off", clock[0], second))
        decided.append((recording.decisions(), summary["people_moved"], summary["shift_from"], summary["data_read"]))
    # Then B re-plans its kept problem (no read of Plex) with A's call-off applied, and decides as the one
    # container does: nothing new for the operator who called off first
    assert decided[0] == decided[1] and decided[0][2:] == ("container", False)
    events = b.problems[(DAY, "1")].events
    assert [(e.reason, e.employee_id) for e in events] == [("call_off", first), ("call_off", second)]
    new = store.by_status(AuditStatus.PENDING_APPROVAL, clock[0], 10_000)
    assert new and not [e for e in new if e.actor == "crew_replan" and e.employee_id == first]


def test_an_event_another_container_applied_that_needed_a_read_makes_the_warm_one_read(
    planned: tuple[LaborSource, InMemoryAuditStore],
) -> None:
    source, store = planned
    first, _ = _callers(store)
    clock = [START]
    a, b = _deps(source, store, None, clock), _deps(source, store, None, clock)
    for deps in (a, b):
        run(deps, _message("refresh", clock[0]))
    # Given A applied a plan change (the crew board's decisions: it reads Plex as it is now)
    clock[0] += timedelta(minutes=1)
    assert run(a, _message("plan_changed", clock[0]))["shift_from"] == "read"
    # When B, warm, meets a call-off: its kept problem predates that read, so it reads the shift too
    clock[0] += timedelta(minutes=1)
    assert run(b, _message("call_off", clock[0], first))["shift_from"] == "read"
