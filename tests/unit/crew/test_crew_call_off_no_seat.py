"""A call-off of someone with no seat in the shift's plan (scheduled on it, say off their usual shift, and given none):
what a supervisor expects is the call-off recorded and nothing re-planned. crew_replan solves nothing, publishes and
closes nothing, and moves nobody, but applies it as any call-off (the person stays out of the shift's later re-plans, in
this container and a new one) and records it with `NO_SEAT`, which the crew board says. Until 2026-12-06 the whole
shift was solved again for it and the board said "re-planned"."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

import plexlabor.crew.optimizer as optimizer
from plexlabor.audit import AuditStatus
from plexlabor.crew.messages import NO_SEAT
from plexlabor.crew.replanning import KEPT_FOR, run
from plexlabor.crew.suggestions import read_day
from tests.unit.crew.crew_builder import DAY, T0
from tests.unit.crew.test_crew_replan_events import container, message, planned_store, reads

__all__ = ["reads"]  # the fixture, used by name

AT = T0 - timedelta(minutes=30)


@pytest.fixture
def solves(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the optimizer's solves."""
    done: list[int] = []
    solve = optimizer.solve

    def counted(*args: Any, **kwargs: Any) -> Any:
        done.append(1)
        return solve(*args, **kwargs)

    monkeypatch.setattr(optimizer, "solve", counted)
    return done


def _seats(store: Any) -> dict[str, str]:
    """The shift's assignments suggested that stand (not closed): employee -> segment."""
    read = read_day(store, DAY)
    standing = [e for e in read.openings if e.employee_id and e.event_id not in read.closed]
    return {str(e.employee_id): e.payload["segment"] for e in standing}


def test_a_call_off_of_someone_with_no_seat_re_plans_nothing_and_is_recorded(
    reads: list[int], solves: list[int]
) -> None:
    # Given the night's plan: C on J1, B on J2; A is scheduled on the shift and has no seat
    store, clock = planned_store(), [AT]
    deps = container(store, clock)
    before = _seats(store)
    assert "A" not in before

    # When A's call-off taken on the board reaches crew_replan
    summary = run(deps, message("call_off", AT, employee_id="A", reported_by="E0001", call_off_reason="sick"))

    # Then nothing is solved, published, closed or moved, and the call-off is recorded as having no seat
    assert summary["skipped"] == "no seat" and summary["people_moved"] == 0 and summary["superseded"] == 0
    assert solves == []
    assert _seats(store) == before and read_day(store, DAY).closed == {}
    [applied] = store.by_status(AuditStatus.APPLIED, AT - timedelta(days=1), 100)
    assert applied.payload[NO_SEAT] is True and applied.payload["replan_employee_id"] == "A"
    assert applied.payload["replan_reported_by"] == "E0001"
    # and applied: A is off the shift this container keeps
    leave = {op.employee_id: op.leave for op in deps.problems[(DAY, "1")].problem.operators}
    assert leave["A"] == "call_off"


@pytest.mark.parametrize("later", [timedelta(minutes=1), KEPT_FOR + timedelta(minutes=1)])
def test_the_person_stays_out_of_the_shifts_later_re_plans(reads: list[int], later: timedelta) -> None:
    # Given A (no seat) called off; C then calls off too, in this container and in a new one (from the shift kept,
    # and from the shift read again)
    store = planned_store()
    run(container(store, [AT]), message("call_off", AT, employee_id="A"))
    summary = run(container(store, [AT + later]), message("call_off", AT + later, employee_id="C"))

    # Then C's seat is not given to A: A stays off the shift (J1 stays empty, B keeps J2)
    assert summary["superseded"] == 1
    assert _seats(store) == {"B": "J2"}
