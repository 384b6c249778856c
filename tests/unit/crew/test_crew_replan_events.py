"""What a container applies again when it reads a shift again (`replanning._shift_problem`; `folded(recorded(...))`):
an event that takes back an earlier one, events recorded by other containers, a call-off whose operator clocked in
after all; a refresh that fails or comes late; the message's subject fields; what a container forgets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

import plexlabor.crew.build as crew_build
from plexlabor.audit import InMemoryAuditStore
from plexlabor.audit.events import AuditStatus, recommendation_event
from plexlabor.crew import wiring
from plexlabor.crew.claims import SeatClaims, call_offs_of, person_log
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.models import CrewProblem
from plexlabor.crew.optimizer import solve
from plexlabor.crew.publish import publish_plan
from plexlabor.crew.replanning import (
    KEPT_FOR,
    REFRESH_LEAD,
    KeptShift,
    folded,
    read_current_plan,
    recorded,
    run,
    superseded_event,
)
from plexlabor.crew.suggestions import DayRead
from plexlabor.models import TimeClockEntry
from plexlabor.plex.windows import check_window
from tests.unit.crew.crew_builder import DAY, T0, job, operator, place, problem

W1, W2 = place("CNC-01"), place("CNC-02", x=10)
DOWN_AT = T0 + timedelta(hours=1)


def shift() -> CrewProblem:
    """Two jobs (CNC-01, CNC-02) and three operators on shift 1 (from T0)."""
    return problem([job("J1", W1), job("J2", W2)], [operator("A"), operator("B"), operator("C")])


@dataclass
class Port:
    """The labor data's time clock: who clocked in when (the shift's problem is `shift()`)."""

    clock_ins: dict[str, datetime] = field(default_factory=dict)

    def time_clock_entries(self, begin: datetime, end: datetime, *, employee_id: str | None = None) -> list[Any]:
        check_window(begin, end)  # as every port does: an empty window is a caller's error
        return [
            TimeClockEntry(id=f"TC-{who}", employee_id=who, clockin_time=at)
            for who, at in self.clock_ins.items()
            if begin <= at < end and employee_id in (None, who)
        ]


@dataclass
class Source:
    port: Port = field(default_factory=Port)
    timezone: str = "UTC"
    job_lead_days: float | None = None


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The shift's data as Plex has it (every workcenter up, nobody on leave); counts the reads."""
    done: list[int] = []

    def build_problem(*_: Any, **__: Any) -> CrewProblem:
        done.append(1)
        return shift()

    monkeypatch.setattr(crew_build, "build_problem", build_problem)
    return done


def planned_store() -> InMemoryAuditStore:
    store = InMemoryAuditStore()
    publish_plan(solve(shift(), 10), store, T0 - timedelta(hours=10))
    return store


def container(
    store: InMemoryAuditStore, clock: list[datetime], source: Source | None = None
) -> wiring.ReplanDependencies:
    return wiring.ReplanDependencies(source=source or Source(), store=store, time_limit_s=10, clock=lambda: clock[0])  # type: ignore[arg-type]


def message(reason: str, at: datetime, **subject: str) -> ReplanMessage:
    return ReplanMessage(reason=reason, day=DAY, shift="1", detected_at=at, **subject)  # type: ignore[arg-type]


def down(at: datetime = DOWN_AT) -> ReplanMessage:
    return message("workcenter_down", at, workcenter_id="WC-CNC-01")


def up(at: datetime) -> ReplanMessage:
    return message("workcenter_up", at, workcenter_id="WC-CNC-01")


def test_a_workcenter_up_re_plan_staffs_the_workcenter_again(reads: list[int]) -> None:
    store, clock = planned_store(), [DOWN_AT]
    deps = container(store, clock)
    run(deps, down())
    assert [j.key for j in deps.problems[(DAY, "1")].problem.jobs] == ["J2"]
    clock[0] += timedelta(minutes=20)
    summary = run(deps, up(clock[0]))
    kept = deps.problems[(DAY, "1")]
    assert summary["data_read"] is True and kept.events == ()
    assert sorted(j.key for j in kept.problem.jobs) == ["J1", "J2"]  # the workcenter came back: its job is planned
    current, _ = read_current_plan(store, DAY, "1", T0 - timedelta(days=2))
    assert {segment for segment, _ in current.assignments} == {"J1", "J2"}


def test_an_operation_added_again_after_its_completion_is_planned(reads: list[int]) -> None:
    clock = [DOWN_AT]
    deps = container(planned_store(), clock)
    run(deps, message("operation_completed", clock[0], job_operation_id="OP-J1"))
    clock[0] += timedelta(minutes=5)
    run(deps, message("operation_added", clock[0], job_operation_id="OP-J1"))
    assert sorted(j.key for j in deps.problems[(DAY, "1")].problem.jobs) == ["J1", "J2"]


def _closed_by(messages: list[ReplanMessage]) -> DayRead:
    """A day read in which each message's re-plan superseded one suggestion of shift 1."""
    openings = [
        recommendation_event(
            "job-operations:X",
            f"S{i}",
            status=AuditStatus.PENDING_APPROVAL,
            occurred_at=T0 - timedelta(hours=8),
            actor="crew_planner",
            model_version="v",
            payload={"kind": "crew_assignment", "plan_day": DAY.isoformat(), "shift_code": "1", "segment": f"J{i}"},
            employee_id=f"E{i}",
        )
        for i in range(len(messages))
    ]
    closed = {
        o.event_id: superseded_event(o, m, m.detected_at, "a call-off") for o, m in zip(openings, messages, strict=True)
    }
    return DayRead(openings, closed)


def test_recorded_events_follow_the_re_plans_in_order() -> None:
    again = DOWN_AT + timedelta(minutes=40)
    read = _closed_by([down(), up(DOWN_AT + timedelta(minutes=20)), down(again)])
    assert folded(recorded(read, DAY, "1")) == (down(again),)  # down, up, down: down
    both = _closed_by([down(), down()])  # one re-plan that superseded two suggestions: applied once
    assert folded(recorded(both, DAY, "1")) == (down(),)


def test_a_new_container_knows_a_workcenter_came_back_even_if_its_re_plan_superseded_nothing(
    reads: list[int],
) -> None:
    store, clock = planned_store(), [DOWN_AT]
    warm = container(store, clock)
    run(warm, down())
    clock[0] += timedelta(minutes=20)
    run(warm, up(clock[0]))  # staffs J1 again: nothing of the current plan dropped, nothing superseded
    clock[0] += timedelta(minutes=5)
    new = container(store, clock)
    run(new, message("call_off", clock[0], employee_id="C"))
    kept = new.problems[(DAY, "1")]
    assert [e.reason for e in kept.events] == ["call_off"]
    assert sorted(j.key for j in kept.problem.jobs) == ["J1", "J2"]


def test_a_call_off_that_superseded_nothing_is_applied_again_by_a_new_container(reads: list[int]) -> None:
    store, clock = planned_store(), [DOWN_AT]
    run(container(store, clock), message("call_off", clock[0], employee_id="A"))  # A was on no suggestion
    new = container(store, clock)
    run(new, down(clock[0]))
    assert [(e.reason, e.employee_id) for e in new.problems[(DAY, "1")].events][:1] == [("call_off", "A")]


def test_a_call_off_is_dropped_once_the_operator_clocks_in(reads: list[int]) -> None:
    source, clock = Source(), [T0 + timedelta(minutes=15)]
    deps = container(planned_store(), clock, source)
    run(deps, message("call_off", clock[0], employee_id="A"))
    assert {op.employee_id: op.leave for op in deps.problems[(DAY, "1")].problem.operators}["A"] == "call_off"
    source.port.clock_ins["A"] = T0 + timedelta(minutes=25)  # late, but there
    clock[0] += KEPT_FOR + timedelta(minutes=1)
    run(deps, down(clock[0]))  # the shift is read again
    kept = deps.problems[(DAY, "1")]
    assert [e.reason for e in kept.events] == ["workcenter_down"]
    assert {op.employee_id: op.leave for op in kept.problem.operators}["A"] is None


def test_the_boards_call_off_claim_is_let_go_once_the_operator_clocks_in(reads: list[int]) -> None:
    # review 155 R3: the call-off claim held them off every seat of the shift for good
    source, clock, store = Source(), [T0 + timedelta(minutes=15)], planned_store()
    claims = SeatClaims(store, lambda: clock[0])
    claims.call_off("A", DAY, "1", "sick", "P0001", clock[0])  # recorded on the crew board
    deps = container(store, clock, source)
    run(deps, message("call_off", clock[0], employee_id="A"))
    assert [c.employee_id for c in call_offs_of(store.history(person_log(DAY, "A")), DAY)] == ["A"]
    source.port.clock_ins["A"] = T0 + timedelta(minutes=25)
    clock[0] += KEPT_FOR + timedelta(minutes=1)
    run(deps, down(clock[0]))  # the shift is read again

    events = store.history(person_log(DAY, "A"))
    assert call_offs_of(events, DAY) == []
    assert [(e.payload["claim"], e.actor) for e in events] == [("call_off", "P0001"), ("release", "crew_replan")]
    start = T0 + timedelta(hours=1)
    claims.seat("A", DAY, "1", "crew-a", "CNC-01", start, start + timedelta(hours=2), "P0002", clock[0])  # held


def test_a_call_off_the_evening_before_holds_when_the_shift_is_read_again_before_it_starts(reads: list[int]) -> None:
    clock = [T0 - timedelta(hours=10)]  # nobody can have clocked in yet: no time clock to read
    deps = container(planned_store(), clock)
    run(deps, message("call_off", clock[0], employee_id="A"))
    clock[0] += KEPT_FOR + timedelta(minutes=1)
    run(deps, down(clock[0]))  # the shift is read again
    assert {op.employee_id: op.leave for op in deps.problems[(DAY, "1")].problem.operators}["A"] == "call_off"


def test_a_container_reading_the_shift_again_applies_what_another_container_applied(reads: list[int]) -> None:
    store, clock = planned_store(), [DOWN_AT]
    first, second = container(store, clock), container(store, clock)
    run(first, message("call_off", clock[0], employee_id="A"))
    clock[0] += timedelta(minutes=1)
    run(second, down(clock[0]))
    clock[0] += KEPT_FOR
    run(first, message("operation_added", clock[0], job_operation_id="OP-J9"))  # reads the shift again
    kept = first.problems[(DAY, "1")]
    assert [e.reason for e in kept.events] == ["call_off", "workcenter_down"]
    assert [j.key for j in kept.problem.jobs] == ["J2"]


@pytest.mark.parametrize("departments", [None, ("MOLD",)])
def test_a_re_plan_asked_by_a_supervisor_is_caught_up_on_not_read_again(
    departments: tuple[str, ...] | None, reads: list[int]
) -> None:
    """review163 D7: a supervisor's "Re-plan the rest of shift" (departments) was recorded without them, so the next
    event took it for one another container applied and read the whole shift from Plex again."""
    clock = [DOWN_AT]
    deps = container(planned_store(), clock)
    run(deps, message("call_off", clock[0], employee_id="A"))
    clock[0] += timedelta(minutes=1)
    run(deps, message("plan_changed", clock[0]).model_copy(update={"departments": departments}))
    after_change = len(reads)
    clock[0] += timedelta(minutes=1)
    run(deps, message("call_off", clock[0], employee_id="B"))  # carries its change: no read needed
    assert len(reads) == after_change


def test_a_re_plan_records_what_it_changed_and_a_second_with_nothing_to_change_says_so(reads: list[int]) -> None:
    """ux_s17 M5: a board's re-plan that changed nothing left no trace the board could show."""
    from plexlabor.crew.messages import CHANGED

    store, clock = planned_store(), [DOWN_AT]
    deps = container(store, clock)
    # Given a call-off of a seated operator re-planned (its seat covered: a suggestion published, theirs closed)
    seated = sorted(
        e.employee_id
        for e in store.by_plan_day(DAY.isoformat())
        if e.payload.get("kind") == "crew_assignment" and e.employee_id is not None
    )
    called_off = run(deps, message("call_off", clock[0], employee_id=str(seated[0])))
    # When the rest of the shift is re-planned from the board twice, nothing decided between
    clock[0] += timedelta(minutes=1)
    run(deps, message("plan_changed", clock[0]))
    clock[0] += timedelta(minutes=1)
    again = run(deps, message("plan_changed", clock[0]))
    # Then each re-plan's applied event records what it published and closed: the second nothing
    applied = [e for e in store.history(f"crew-shifts:{DAY.isoformat()}/1") if "replan_reason" in e.payload]
    changes = {e.payload["replan_reason"] + "@" + e.payload["replan_detected_at"]: e.payload[CHANGED] for e in applied}
    first = changes[f"call_off@{DOWN_AT.isoformat()}"]
    assert first == {"published": called_off["published"], "closed": called_off["superseded"]} and first["closed"] >= 1
    assert changes[f"plan_changed@{clock[0].isoformat()}"] == {"published": 0, "closed": 0}
    assert again["published"] == 0


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_a_refresh_that_fails_is_logged_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable(*_: Any, **__: Any) -> CrewProblem:
        raise ConnectionError("Plex did not answer")

    monkeypatch.setattr(crew_build, "build_problem", unreachable)
    clock = [T0 - timedelta(minutes=30)]
    deps = container(InMemoryAuditStore(), clock)
    summary = run(deps, message("refresh", clock[0]))
    assert summary["failed"] == "ConnectionError" and not deps.problems


def test_a_refresh_that_comes_too_late_is_skipped(reads: list[int]) -> None:
    clock = [T0 - timedelta(minutes=30)]
    deps = container(InMemoryAuditStore(), clock)
    summary = run(deps, message("refresh", clock[0] - REFRESH_LEAD - timedelta(seconds=1)))
    assert summary["skipped"] == "late" and reads == [] and not deps.problems
    assert run(deps, message("refresh", clock[0] - REFRESH_LEAD + timedelta(seconds=1)))["data_read"] is True


@pytest.mark.parametrize(
    ("reason", "stray"),
    [("refresh", "employee_id"), ("plan_changed", "workcenter_id"), ("workcenter_up", "job_operation_id")],
)
def test_a_message_names_only_the_subject_its_reason_needs(reason: str, stray: str) -> None:
    subject = {"workcenter_id": "W1"} if reason == "workcenter_up" else {}
    with pytest.raises(ValidationError, match=f"a {reason} message takes no {stray}"):
        message(reason, T0, **subject, **{stray: "X1"})


def test_a_re_plan_forgets_the_shifts_of_days_gone(reads: list[int]) -> None:
    clock = [DOWN_AT]
    deps = container(planned_store(), clock)
    old = (DAY - timedelta(days=2), "1")
    deps.problems[old] = KeptShift(T0 - timedelta(days=2), shift())
    run(deps, down())
    assert old not in deps.problems and (DAY, "1") in deps.problems
