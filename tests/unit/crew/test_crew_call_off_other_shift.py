"""A person called off for one shift is not planned into a seat of another shift that overlaps or extends it
(ux_s16 #2). A call-off recorded "for this shift only" is a `call_off` of that shift alone: only its problem had the
person on leave, so a later re-plan of the next shift (after a swap there, or a call-off) planned them into a seat
starting as the called-off shift ends, as overtime "extending" it, with "planned here by the supervisor" (their
planned workcenter, of the shift they called off)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

import plexlabor.crew.build as crew_build
from plexlabor.audit import AuditEvent, InMemoryAuditStore
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.models import CrewProblem
from plexlabor.crew.optimizer import solve
from plexlabor.crew.pairs import compile_problem
from plexlabor.crew.publish import publish_plan
from plexlabor.crew.replanning import run
from plexlabor.crew.stretches import CalledOff, with_call_offs
from plexlabor.crew.suggestions import read_day
from tests.unit.crew.crew_builder import DAY, T0, block, job, operator, place, problem
from tests.unit.crew.test_crew_replan_events import container

CNC1, CNC2 = place("CNC-01"), place("CNC-02", x=10)


def _day() -> CrewProblem:
    """A works shift 1 at CNC-01 (J1, 06:00-14:30); C and B shift 2, C at CNC-01 (J5, 14:30-16:30), B at CNC-02 (J6).
    Only A, B and C may run the CNCs; J5 starts as A's shift ends, as their overtime (36 h this week before)."""
    return problem(
        [
            job("J1", CNC1, hours=8.5),
            job("J5", CNC1, start=8.5, hours=2.0, shift="2"),
            job("J6", CNC2, start=8.5, hours=8.0, shift="2"),
        ],
        [
            operator("A", shifts=(block("1", workcenter="WC-CNC-01"),), planned=CNC1, week=36.0),
            operator("B", shifts=(block("2", workcenter="WC-CNC-02"),), planned=CNC2),
            operator("C", shifts=(block("2", workcenter="WC-CNC-01"),), planned=CNC1),
        ],
    )


def _shift(code: str) -> CrewProblem:
    """The day's problem of one shift, as `build_problem` reads it."""
    day = _day()
    return day.model_copy(update={"shift_codes": (code,), "jobs": tuple(j for j in day.jobs if j.shift_code == code)})


def _call_off(who: str, shift: str, at: Any) -> ReplanMessage:
    return ReplanMessage(reason="call_off", day=DAY, shift=shift, detected_at=at, employee_id=who, reported_by="P0001")


def _open(store: InMemoryAuditStore, shift: str) -> list[AuditEvent]:
    read = read_day(store, DAY)
    return [e for e in read.openings if e.payload.get("shift_code") == shift and e.event_id not in read.closed]


def test_a_re_plan_of_the_next_shift_does_not_plan_a_person_into_overtime_extending_the_shift_they_called_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(crew_build, "build_problem", lambda _port, _day, shift, **__: _shift(shift))
    store, clock = InMemoryAuditStore(), [T0 - timedelta(hours=1)]
    night = solve(_day(), 10)
    assert {(a.job_key, a.employee_id) for a in night.assignments} == {("J1", "A"), ("J5", "C"), ("J6", "B")}
    publish_plan(night, store, T0 - timedelta(hours=10))
    deps = container(store, clock)

    run(deps, _call_off("A", "1", clock[0]))  # A: "this shift only", before it starts
    clock[0] = T0 + timedelta(hours=8)
    summary = run(deps, _call_off("C", "2", clock[0]))  # C too, for shift 2: J5 is re-planned

    seats = [e for e in _open(store, "2") if e.payload["segment"] == "J5"]
    assert [e.employee_id for e in seats] == [None]  # not A: J5 stays empty (B, the other, is at J6)
    assert summary["unstaffed_seats"] == 1
    assert all(e.employee_id != "A" for e in _open(store, "2"))


def test_the_call_off_bars_only_work_overlapping_or_extending_the_shift_and_not_work_over_by_then() -> None:
    compiled = compile_problem(_day())
    pairs = {
        (compiled.jobs[j].key, compiled.operators[o].employee_id)
        for j, o in zip(compiled.pair_job, compiled.pair_op, strict=True)
    }
    assert {("J1", "A"), ("J5", "A")} <= pairs

    off_before = with_call_offs(compiled, [CalledOff("A", DAY, "1", T0 - timedelta(hours=1))])
    off_after_j1 = with_call_offs(compiled, [CalledOff("A", DAY, "1", T0 + timedelta(hours=8.5))])  # sent home at 14:30
    off_shift_2 = with_call_offs(compiled, [CalledOff("A", DAY, "2", T0)])  # no block of shift 2: bars nothing

    def of_a(c: Any) -> set[str]:
        return {c.jobs[j].key for j, o in zip(c.pair_job, c.pair_op, strict=True) if c.operators[o].employee_id == "A"}

    assert of_a(off_before) == set()
    assert of_a(off_after_j1) == {"J1"}  # J1 was over when they went; J5 starts as the shift ends
    assert of_a(off_shift_2) == of_a(compiled)
    j5 = next(k for k, j in enumerate(off_before.jobs) if j.key == "J5")
    assert off_before.job_stats(j5).turned_away["called off shift 1"] == 1


def test_a_seat_of_another_shift_at_the_planned_workcenter_is_not_planned_here() -> None:
    # A is planned at CNC-01 for shift 1: J5 (shift 2, CNC-01) extends their shift, but the supervisor planned C there
    compiled = compile_problem(_day())
    a = [p for p in range(len(compiled.pair_job)) if compiled.operators[compiled.pair_op[p]].employee_id == "A"]
    here = {compiled.jobs[compiled.pair_job[p]].key: compiled.info(p).planned_here for p in a}
    assert here == {"J1": True, "J5": False}
    without_c = _day().model_copy(update={"operators": tuple(op for op in _day().operators if op.employee_id != "C")})
    [a_at_j5] = [a for a in solve(without_c, 10).assignments if (a.job_key, a.employee_id) == ("J5", "A")]
    assert "planned here by the supervisor for shift 1, not shift 2" in a_at_j5.reasons
    assert "planned here by the supervisor" not in a_at_j5.reasons and not a_at_j5.planned_here
