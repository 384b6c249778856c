"""A `call_off_nearby` where its person holds no seat is skipped from its own day's read alone (review_s16, lead 1):
crew_call_offs sends one for every shift next to every no-show, handled one at a time on one FIFO group, and until
2026-12-06 each read the days either side of it too before it could say "no seat", while the call-offs' re-plans
queued behind waited. One holding a seat there is still re-planned, from the three days' reads."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

import plexlabor.crew.build as crew_build
from plexlabor.audit import AuditEvent, InMemoryAuditStore
from plexlabor.crew.messages import ReplanMessage, nearby
from plexlabor.crew.optimizer import solve
from plexlabor.crew.publish import publish_plan
from plexlabor.crew.replanning import run
from tests.unit.crew.crew_builder import DAY, T0
from tests.unit.crew.test_crew_call_off_nearby import _day, _seated, _shift
from tests.unit.crew.test_crew_replan_events import container


class DaysRead(InMemoryAuditStore):
    """The fake table, noting each plan-day partition read (one query of DynamoDB's plan-day index)."""

    def __init__(self) -> None:
        super().__init__()
        self.days: list[str] = []

    def by_plan_day(self, day: str, *, since: datetime | None = None, limit: int | None = None) -> list[AuditEvent]:
        self.days.append(day)
        return super().by_plan_day(day, since=since, limit=limit)


@pytest.fixture(autouse=True)
def _plex(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crew_build, "build_problem", lambda _port, _day, shift, **__: _shift(shift))


def _planned_store() -> DaysRead:
    store = DaysRead()
    publish_plan(solve(_day(), 10), store, T0 - timedelta(hours=10))
    return store


def _call_off(employee_id: str, shift: str, at: datetime) -> ReplanMessage:
    return ReplanMessage(reason="call_off", day=DAY, shift=shift, detected_at=at, employee_id=employee_id)


def test_a_call_off_nearby_without_a_seat_reads_its_own_day_alone() -> None:
    store, clock = _planned_store(), [T0 - timedelta(hours=1)]
    deps = container(store, clock)

    summary = run(deps, nearby(_call_off("B", "2", clock[0]), DAY, "1"))  # B holds no seat of shift 1

    assert summary == {"reason": "call_off_nearby", "skipped": "no seat"}
    assert set(store.days) == {DAY.isoformat()}  # before: the days either side as well


def test_a_warm_container_skips_a_call_off_nearby_with_one_catch_up_of_its_day() -> None:
    store, clock = _planned_store(), [T0 - timedelta(hours=1)]
    deps = container(store, clock)
    run(deps, _call_off("A", "1", clock[0]))  # warm: the three days read whole
    store.days.clear()

    run(deps, nearby(_call_off("B", "2", clock[0]), DAY, "1"))

    assert store.days == [DAY.isoformat()]  # before: three catch-ups


def test_a_seat_held_next_to_the_call_off_is_still_re_planned() -> None:
    store, clock = _planned_store(), [T0 - timedelta(hours=1)]
    deps = container(store, clock)
    call_off = _call_off("A", "1", clock[0])
    run(deps, call_off)
    assert ("J5", "A") in _seated(store, "2")
    store.days.clear()

    summary = run(deps, nearby(call_off, DAY, "2"))

    assert ("J5", "A") not in _seated(store, "2") and summary["superseded"] == 1
    day_before, day_after = DAY - timedelta(days=1), DAY + timedelta(days=1)
    assert {DAY.isoformat(), day_before.isoformat(), day_after.isoformat()} <= set(store.days)  # limits read
