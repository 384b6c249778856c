"""An undone call-off re-plans the shift next door whose seat of theirs it took (issue 16, after 9ea51f20): A calls
off shift 1 "this shift only", the `call_off_nearby` of shift 2 takes A off J5 (overtime extending shift 1); the undo
of shift 1 re-planned shift 1 only, and A came back to J5 only at shift 2's next re-plan for another reason. Now the
crew board sends a `call_off_undone_nearby` of shift 2 behind the undo, and its re-plan seats A again, moving nobody
else (`replan.event_scope`: every seat may take A back, nobody new)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

import plexlabor.crew.build as crew_build
from plexlabor.audit import InMemoryAuditStore
from plexlabor.crew.messages import ReplanMessage, nearby
from plexlabor.crew.models import CrewProblem
from plexlabor.crew.optimizer import solve
from plexlabor.crew.publish import publish_plan
from plexlabor.crew.replanning import recorded, run
from plexlabor.crew.suggestions import read_day
from plexlabor.crew.wiring import ReplanDependencies
from tests.unit.crew.crew_builder import DAY, T0, job
from tests.unit.crew.test_crew_call_off_nearby import CNC1, _day, _seated, planned
from tests.unit.crew.test_crew_removals import _decide
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

    summary = run(deps, nearby(undo, DAY, "2"))

    assert ("J5", "A") in _seated(planned, "2") and ("J5", None) not in _seated(planned, "2")
    assert ("J6", "B") in _seated(planned, "2") and summary["people_moved"] == 0
    [applied] = [m for m in recorded(read_day(planned, DAY), DAY, "2") if m.reason == "call_off_undone_nearby"]
    assert applied == nearby(undo, DAY, "2")


def _short_day() -> CrewProblem:
    """As `test_crew_call_off_nearby._day`, but J5 is a 30-minute seat: worth less than `CrewPolicy.change_cost`."""
    day = _day()
    jobs = tuple(j if j.key != "J5" else job("J5", CNC1, start=8.5, hours=0.5, shift="2") for j in day.jobs)
    return day.model_copy(update={"jobs": jobs})


def _short_shift(code: str) -> CrewProblem:
    day = _short_day()
    return day.model_copy(update={"shift_codes": (code,), "jobs": tuple(j for j in day.jobs if j.shift_code == code)})


def _called_off_and_undone(
    store: InMemoryAuditStore, deps: ReplanDependencies, clock: list[datetime]
) -> tuple[ReplanMessage, dict[str, Any]]:
    """A calls off shift 1 "this shift only" (J5 of shift 2 emptied by the re-plan next door), then it is undone:
    the undo and the summary of the re-plan of shift 2 behind it."""
    call_off = ReplanMessage(
        reason="call_off", day=DAY, shift="1", detected_at=clock[0], employee_id="A", reported_by="P1"
    )
    run(deps, call_off)
    if ("J5", "A") in _seated(store, "2"):
        run(deps, nearby(call_off, DAY, "2"))
        assert ("J5", None) in _seated(store, "2")
    clock[0] += timedelta(minutes=10)
    undo = ReplanMessage(
        reason="call_off_undone", day=DAY, shift="1", detected_at=clock[0], employee_id="A", reported_by="P1"
    )
    run(deps, undo)
    return undo, run(deps, nearby(undo, DAY, "2"))


@pytest.fixture
def short(monkeypatch: pytest.MonkeyPatch) -> InMemoryAuditStore:
    monkeypatch.setattr(crew_build, "build_problem", lambda _port, _day, shift, **__: _short_shift(shift))
    store = InMemoryAuditStore()
    night = solve(_short_day(), 10)
    assert ("J5", "A") in {(a.job_key, a.employee_id) for a in night.assignments}
    publish_plan(night, store, T0 - timedelta(hours=10))
    return store


def test_the_undo_gives_back_a_waiting_seat_worth_less_than_a_change(short: InMemoryAuditStore) -> None:
    # ux_verify_s16 F: A's waiting 30-minute overtime seat next door stayed empty after the undo ("published": 0), its
    # note still blaming the call-off: the seat's worth (half an hour's unstaffed penalty) was below the change cost
    # charged for seating A there again, though A held it before the call-off
    clock = [T0 - timedelta(hours=1)]

    _, summary = _called_off_and_undone(short, container(short, clock), clock)

    assert _seated(short, "2") == {("J5", "A"), ("J6", "B")}  # the "After a call-off" note closed, B not moved
    assert summary["published"] == 1 and summary["people_moved"] == 0


def test_a_seat_rejected_since_stays_refused_after_a_second_undo(short: InMemoryAuditStore) -> None:
    # the seat the first call-off took costs no change to give back, but a supervisor rejected A there after the first
    # undo: the second undo does not suggest it again
    clock = [T0 - timedelta(hours=1)]
    deps = container(short, clock)
    _called_off_and_undone(short, deps, clock)
    read = read_day(short, DAY)
    [again] = [e for e in read.openings if e.payload["segment"] == "J5" and e.event_id not in read.closed]
    assert again.employee_id == "A"
    _decide(short, again, "reject", clock[0])
    clock[0] += timedelta(minutes=10)

    _, summary = _called_off_and_undone(short, deps, clock)

    assert ("J5", "A") not in _seated(short, "2") and summary["seats_filled"] == 1  # J6 only
