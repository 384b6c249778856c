"""A call-off re-plans the seats its person holds in the shifts next to it (ux_s16 #2, what 616163be left): a call-off
"for this shift only" is a `call_off` of that shift alone, and a seat of theirs in the next shift that starts as it
ends (overtime extending it) stayed planned, offered and approvable until another event re-planned that shift. Now
crew_call_offs and the crew board send a `call_off_nearby` of each shift next to it, behind the call-off on the FIFO
queue, and crew_replan re-plans that seat without them (nothing else moves); a shift where they hold no seat is
skipped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import plexlabor.crew.build as crew_build
from plexlabor.audit import AuditEvent, InMemoryAuditStore
from plexlabor.crew.messages import ReplanMessage, nearby
from plexlabor.crew.models import CrewProblem
from plexlabor.crew.optimizer import solve
from plexlabor.crew.publish import publish_plan
from plexlabor.crew.replanning import nearby_shifts, recorded, run
from plexlabor.crew.suggestions import read_day
from tests.unit.crew.crew_builder import DAY, T0, block, job, operator, place, problem
from tests.unit.crew.test_crew_replan_events import container

CNC1, CNC2 = place("CNC-01"), place("CNC-02", x=10)


def _day(a_shifts: tuple[str, ...] = ("1",)) -> CrewProblem:
    """A works shift 1 at CNC-01 (J1, 06:00-14:30) and is the only one free for J5 (CNC-01, 14:30-16:30, shift 2), as
    overtime extending their shift (or on their shift 2 too: `a_shifts`); B works shift 2 at CNC-02 (J6)."""
    return problem(
        [
            job("J1", CNC1, hours=8.5),
            job("J5", CNC1, start=8.5, hours=2.0, shift="2"),
            job("J6", CNC2, start=8.5, hours=8.0, shift="2"),
        ],
        [
            operator("A", shifts=tuple(block(c, workcenter="WC-CNC-01") for c in a_shifts), planned=CNC1, week=30.0),
            operator("B", shifts=(block("2", workcenter="WC-CNC-02"),), planned=CNC2),
        ],
    )


def _shift(code: str, a_shifts: tuple[str, ...] = ("1",)) -> CrewProblem:
    day = _day(a_shifts)
    return day.model_copy(update={"shift_codes": (code,), "jobs": tuple(j for j in day.jobs if j.shift_code == code)})


def _open(store: InMemoryAuditStore, shift: str) -> list[AuditEvent]:
    read = read_day(store, DAY)
    return [e for e in read.openings if e.payload.get("shift_code") == shift and e.event_id not in read.closed]


def _seated(store: InMemoryAuditStore, shift: str) -> set[tuple[str, str | None]]:
    return {(str(e.payload["segment"]), e.employee_id) for e in _open(store, shift)}


@pytest.fixture
def planned(monkeypatch: pytest.MonkeyPatch) -> InMemoryAuditStore:
    monkeypatch.setattr(crew_build, "build_problem", lambda _port, _day, shift, **__: _shift(shift))
    store = InMemoryAuditStore()
    night = solve(_day(), 10)
    assert {(a.job_key, a.employee_id) for a in night.assignments} == {("J1", "A"), ("J5", "A"), ("J6", "B")}
    publish_plan(night, store, T0 - timedelta(hours=10))
    return store


def test_the_seat_a_call_off_rules_out_in_the_next_shift_is_re_planned_without_them(
    planned: InMemoryAuditStore,
) -> None:
    clock = [T0 - timedelta(hours=1)]
    deps = container(planned, clock)
    call_off = ReplanMessage(
        reason="call_off", day=DAY, shift="1", detected_at=clock[0], employee_id="A", reported_by="P1"
    )
    run(deps, call_off)  # "this shift only": shift 1 is re-planned, shift 2 keeps A in J5 until its own re-plan
    assert ("J5", "A") in _seated(planned, "2")

    summary = run(deps, nearby(call_off, DAY, "2"))

    assert ("J5", "A") not in _seated(planned, "2")
    assert ("J5", None) in _seated(planned, "2") and ("J6", "B") in _seated(planned, "2")  # J6 untouched
    assert summary["superseded"] == 1 and summary["people_moved"] == 0  # A is the one taken off: nobody else moved
    [closing] = [e for e in read_day(planned, DAY).closed.values() if e.employee_id == "A" and "J5" in e.record_key]
    assert closing.payload["replaced_after"] == "a call-off of A from a shift next to this one"
    # recorded, and read back as the message it was (its fields kept), never applied again as a call-off of shift 2
    [applied] = [m for m in recorded(read_day(planned, DAY), DAY, "2") if m.reason == "call_off_nearby"]
    assert applied == nearby(call_off, DAY, "2")


def test_a_call_off_nearby_where_the_person_holds_no_seat_re_plans_nothing(planned: InMemoryAuditStore) -> None:
    clock = [T0 - timedelta(hours=1)]
    deps = container(planned, clock)
    before = len(planned._events)
    call_off = ReplanMessage(reason="call_off", day=DAY, shift="2", detected_at=clock[0], employee_id="B")

    summary = run(deps, nearby(call_off, DAY, "1"))  # B holds no seat of shift 1

    assert summary == {"reason": "call_off_nearby", "skipped": "no seat"}
    assert len(planned._events) == before and (DAY, "1") not in deps.problems  # nothing read, solved or written


def test_the_shifts_next_to_a_call_off_overlap_or_touch_it_and_are_not_over() -> None:
    at = datetime(2026, 11, 23, 14, 45, tzinfo=UTC)
    day_before = DAY - timedelta(days=1)
    instances = [
        (day_before, "3", datetime(2026, 11, 22, 22, 30, tzinfo=UTC), datetime(2026, 11, 23, 6, 30, tzinfo=UTC)),
        (DAY, "1", datetime(2026, 11, 23, 6, tzinfo=UTC), datetime(2026, 11, 23, 14, 30, tzinfo=UTC)),
        (DAY, "2", datetime(2026, 11, 23, 14, 30, tzinfo=UTC), datetime(2026, 11, 23, 23, tzinfo=UTC)),
        (DAY, "3", datetime(2026, 11, 23, 22, 30, tzinfo=UTC), datetime(2026, 11, 24, 6, 30, tzinfo=UTC)),
    ]
    assert nearby_shifts(instances, DAY, "1", T0) == [(day_before, "3"), (DAY, "2")]
    assert nearby_shifts(instances, DAY, "2", at) == [(DAY, "3")]  # shift 1 touches it but is over by 14:45
    assert nearby_shifts(instances, DAY, "2", T0) == [(DAY, "1"), (DAY, "3")]
    assert nearby_shifts(instances, DAY, "9", T0) == []


def test_a_call_off_nearby_names_the_shift_called_off() -> None:
    with pytest.raises(ValueError, match="needs off_day"):
        ReplanMessage(reason="call_off_nearby", day=DAY, shift="2", detected_at=T0, employee_id="A")
    with pytest.raises(ValueError, match="takes no off_shift"):
        ReplanMessage(reason="call_off", day=DAY, shift="2", detected_at=T0, employee_id="A", off_shift="1")


def test_a_seat_within_another_scheduled_shift_of_theirs_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    # A is on shifts 1 and 2: calling off shift 1 "this shift only" keeps their shift-2 seat starting as it ends
    monkeypatch.setattr(crew_build, "build_problem", lambda _port, _day, shift, **__: _shift(shift, ("1", "2")))
    store, clock = InMemoryAuditStore(), [T0 - timedelta(hours=1)]
    night = solve(_day(("1", "2")), 10)
    assert ("J5", "A") in {(a.job_key, a.employee_id) for a in night.assignments}
    publish_plan(night, store, T0 - timedelta(hours=10))
    deps = container(store, clock)
    call_off = ReplanMessage(reason="call_off", day=DAY, shift="1", detected_at=clock[0], employee_id="A")
    run(deps, call_off)

    summary = run(deps, nearby(call_off, DAY, "2"))

    assert ("J5", "A") in _seated(store, "2") and summary["superseded"] == 0
