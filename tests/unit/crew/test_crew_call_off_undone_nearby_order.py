"""The re-plan of the shift next door after an undone call-off, run before the undo of the person's own shift can be
read (review2_s16 #2): a lagging index of the day's read, or a dropped re-plan of the undo. Until 2026-12-06 it still
took the call-off for standing, seated nobody in A's J5 and was recorded done, so A came back there only at shift 2's
next re-plan for another reason. Now the message is the undo of its person's call-off of `off_shift`."""

from __future__ import annotations

from datetime import timedelta

from plexlabor.audit import InMemoryAuditStore
from plexlabor.crew.messages import ReplanMessage, nearby
from plexlabor.crew.replanning import run
from tests.unit.crew.crew_builder import DAY, T0
from tests.unit.crew.test_crew_call_off_nearby import _seated, planned
from tests.unit.crew.test_crew_replan_events import container

__all__ = ["planned"]  # the fixture, used by name


def _call_off(at: timedelta, reason: str = "call_off") -> ReplanMessage:
    return ReplanMessage(reason=reason, day=DAY, shift="1", detected_at=T0 + at, employee_id="A", reported_by="P1")


def test_the_undo_next_door_gives_the_seat_back_before_the_undo_of_its_shift_is_read(
    planned: InMemoryAuditStore,
) -> None:
    clock = [T0 - timedelta(hours=1)]
    deps = container(planned, clock)
    call_off = _call_off(-timedelta(hours=1))
    run(deps, call_off)
    run(deps, nearby(call_off, DAY, "2"))
    assert ("J5", None) in _seated(planned, "2")
    clock[0] += timedelta(minutes=10)
    undo = _call_off(-timedelta(minutes=50), "call_off_undone")

    summary = run(deps, nearby(undo, DAY, "2"))  # shift 1's undo not run (not readable yet)

    assert ("J5", "A") in _seated(planned, "2") and ("J5", None) not in _seated(planned, "2")
    assert ("J6", "B") in _seated(planned, "2") and summary["people_moved"] == 0


def test_a_call_off_made_again_after_the_undo_still_stands(planned: InMemoryAuditStore) -> None:
    # a later call-off of shift 1 (after the undo the message is about) still keeps A out of J5
    clock = [T0 - timedelta(hours=1)]
    deps = container(planned, clock)
    first = _call_off(-timedelta(hours=1))
    run(deps, first)
    run(deps, nearby(first, DAY, "2"))
    clock[0] += timedelta(minutes=10)
    undo = _call_off(-timedelta(minutes=50), "call_off_undone")
    run(deps, undo)
    clock[0] += timedelta(minutes=10)
    again = _call_off(-timedelta(minutes=40))
    run(deps, again)

    run(deps, nearby(undo, DAY, "2"))  # redelivered late, behind the second call-off

    assert ("J5", "A") not in _seated(planned, "2")
