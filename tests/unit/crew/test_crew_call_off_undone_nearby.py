"""An undone call-off re-plans the shift next door whose seat of theirs it took (issue 16, after 9ea51f20): A calls
off shift 1 "this shift only", the `call_off_nearby` of shift 2 takes A off J5 (overtime extending shift 1); the undo
of shift 1 re-planned shift 1 only, and A came back to J5 only at shift 2's next re-plan for another reason. Now the
crew board sends a `call_off_undone_nearby` of shift 2 behind the undo, and its re-plan seats A again, moving nobody
else (`replan.event_scope`: every seat may take A back, nobody new)."""

from __future__ import annotations

from datetime import timedelta

from plexlabor.audit import InMemoryAuditStore
from plexlabor.crew.messages import ReplanMessage, back_nearby, nearby
from plexlabor.crew.replanning import recorded, run
from plexlabor.crew.suggestions import read_day
from tests.unit.crew.crew_builder import DAY, T0
from tests.unit.crew.test_crew_call_off_nearby import _seated, planned
from tests.unit.crew.test_crew_replan_events import container

__all__ = ["planned"]  # the fixture, used by name


def test_the_undo_re_plans_the_shift_next_door_with_them_back(planned: InMemoryAuditStore) -> None:
    clock = [T0 - timedelta(hours=1)]
    deps = container(planned, clock)
    call_off = ReplanMessage(
        reason="call_off", day=DAY, shift="1", detected_at=clock[0], employee_id="A", reported_by="P1"
    )
    run(deps, call_off)
    run(deps, nearby(call_off, DAY, "2"))
    assert ("J5", None) in _seated(planned, "2")
    clock[0] += timedelta(minutes=10)
    undo = ReplanMessage(
        reason="call_off_undone", day=DAY, shift="1", detected_at=clock[0], employee_id="A", reported_by="P1"
    )
    run(deps, undo)
    assert ("J5", None) in _seated(planned, "2")  # the undo re-plans shift 1 only

    summary = run(deps, back_nearby(undo, DAY, "2"))

    assert ("J5", "A") in _seated(planned, "2") and ("J5", None) not in _seated(planned, "2")
    assert ("J6", "B") in _seated(planned, "2") and summary["people_moved"] == 0
    [applied] = [m for m in recorded(read_day(planned, DAY), DAY, "2") if m.reason == "call_off_undone_nearby"]
    assert applied == back_nearby(undo, DAY, "2")
