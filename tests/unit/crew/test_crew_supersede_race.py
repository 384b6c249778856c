"""A supervisor approves a crew suggestion at the moment a re-plan supersedes it (review_s14 L3): exactly one of the
two is recorded. The queue reads the item through the finding index, which lags the re-plan's closing, so its read
may find the suggestion open after the re-plan closed it; until 2026-12-06 both the closing and the approval were
recorded (different events), and the approved assignment went to Plex beside the re-plan's replacement. Now each
holds the suggestion's seat log by a conditional write first (`SeatClaims.supersede`, `SeatClaims.accept`): the
re-plan first, the approval is refused (409) naming what replaced it; the approval first, the re-plan keeps the
suggestion (not closed) and re-plans around it as accepted. Each order is played out step by step; the re-plan
around an approval that came first, with a person it can hold, is checked on `replanning._superseding` itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from plexlabor.approval.messages import RecommendationWriteback
from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus, InMemoryAuditStore
from plexlabor.audit.events import recommendation_event
from plexlabor.crew.claims import ClaimRefusedError, SeatClaims
from plexlabor.crew.replan import CurrentPlan
from plexlabor.crew.replanning import _superseding, run
from plexlabor.crew.suggestions import read_day
from plexlabor.review.decisions import ReviewService
from plexlabor.review.items import ReviewItem, item_from_event
from plexlabor.review.queue import Role, Viewer
from tests.unit.crew.crew_builder import DAY, T0
from tests.unit.crew.test_crew_replan_events import container, message, planned_store, reads

__all__ = ["reads"]  # the fixture, used by name

AT = T0 - timedelta(hours=1)  # before the shift: nothing has started
PLANNER = Viewer("P0001", frozenset({Role.PLANNER}))


def _nothing() -> None:
    """Nothing happens in between."""


@dataclass
class _Queue:
    """The queue as its read of the finding index saw the suggestion: open (read before the re-plan's closing
    reached the index); `then` runs right after that read."""

    opening: AuditEvent
    then: Callable[[], None] = _nothing

    def item(self, viewer: Viewer, item_id: str) -> ReviewItem | None:
        item = item_from_event(self.opening)
        self.then()
        return item

    def mark_closed(self, item_id: str) -> None:
        """Nothing kept to close."""


@dataclass
class _WriteQueue:
    """The write-back queue; `then` runs when the approval's write is queued (after its claims, before its
    `decision` event)."""

    then: Callable[[], None] = _nothing
    sent: list[Any] = field(default_factory=list)

    def send(self, message: Any) -> None:
        self.then()
        self.sent.append(message)


def _suggestion_of(store: InMemoryAuditStore, employee_id: str) -> AuditEvent:
    return next(e for e in read_day(store, DAY).openings if e.employee_id == employee_id)


def _closings(store: InMemoryAuditStore, item_id: str) -> list[tuple[AuditEventType, str]]:
    kinds = (AuditEventType.DECISION, AuditEventType.EXPIRED)
    return [(e.event_type, e.status.value) for e in store.for_finding(item_id) if e.event_type in kinds]


def _service(store: InMemoryAuditStore, queue: _Queue, writes: _WriteQueue) -> ReviewService:
    return ReviewService(
        queue,  # type: ignore[arg-type]
        store,
        None,  # type: ignore[arg-type]  # punch findings only
        writes,
        lambda: AT,
        SeatClaims(store, lambda: AT),
    )


def test_an_approval_read_before_the_re_plan_closed_the_suggestion_is_refused_naming_its_replacement(
    reads: list[int],
) -> None:
    # Given the night's plan (C on J1 at CNC-01, B on J2) and C calling off before the shift
    store = planned_store()
    opening = _suggestion_of(store, "C")
    replanned: list[dict[str, Any]] = []

    def re_plan() -> None:
        replanned.append(run(container(store, [AT]), message("call_off", AT, employee_id="C")))

    # When the supervisor's approval of C's suggestion reads it open, and the re-plan supersedes it right after
    writes = _WriteQueue()
    with pytest.raises(ClaimRefusedError) as refused:
        _service(store, _Queue(opening, then=re_plan), writes).decide(PLANNER, opening.event_id, "approve", None)

    # Then the approval is refused (409) saying what replaced it; nothing goes to Plex; the closing alone stands
    assert replanned[0]["superseded"] == 1
    assert refused.value.http_status == 409
    assert str(refused.value) == (
        "this suggestion was just replaced by the re-plan after a call-off of C at 05:00 UTC "
        "(A suggested for the seat instead): it is no longer open to accept"
    )
    assert writes.sent == []
    assert _closings(store, opening.event_id) == [(AuditEventType.EXPIRED, "expired")]


def test_an_approval_that_held_the_seat_first_is_kept_by_the_re_plan(reads: list[int]) -> None:
    # Given the same plan; the supervisor's approval of B's suggestion holds its seat, and the re-plan of a call-off of
    # B runs before the approval's decision is recorded
    store = planned_store()
    opening = _suggestion_of(store, "B")
    replanned: list[dict[str, Any]] = []

    def re_plan() -> None:
        replanned.append(run(container(store, [AT]), message("call_off", AT, employee_id="B")))

    writes = _WriteQueue(then=re_plan)
    outcome = _service(store, _Queue(opening), writes).decide(PLANNER, opening.event_id, "approve", None)

    # Then the approval stands and the re-plan did not close the suggestion: one outcome, the approval; B's seat is an
    # accepted seat of a person called off, whose removal from Plex the shift's next refresh (or re-plan) opens
    assert outcome.action == "approve"
    assert replanned[0]["superseded"] == 0
    assert [m.item_id for m in writes.sent if isinstance(m, RecommendationWriteback)] == [opening.event_id]
    assert _closings(store, opening.event_id) == [(AuditEventType.DECISION, "approved")]
    refresh = run(container(store, [AT + timedelta(minutes=5)]), message("refresh", AT + timedelta(minutes=5)))
    assert refresh["removals_opened"] == 1
    assert [(r.employee_id, r.payload["removes"]) for r in read_day(store, DAY).removals] == [("B", opening.event_id)]


def test_a_re_plan_around_an_approval_that_came_first_holds_it_and_lets_go_what_it_keeps() -> None:
    # Given X's suggestion on J1 and Y's on J2; X's approval holds its seat first; the re-plan's first solve drops both
    # and, with X accepted, keeps both
    store = InMemoryAuditStore()
    x, y = (_opening(f"crew-{who}", who, seat) for who, seat in (("X", "J1"), ("Y", "J2")))
    claims = SeatClaims(store, lambda: AT)
    claims.accept("X", DAY, "1", x.event_id, "P0001", AT)
    held_fixed: list[frozenset[tuple[str, str]]] = []

    def solved(current: CurrentPlan) -> tuple[Any, Any]:
        held_fixed.append(current.accepted)
        crew = [("J1", "X"), ("J2", "Y")] if current.accepted else [("J1", "Z"), ("J2", "W")]
        return None, SimpleNamespace(assignments=[SimpleNamespace(job_key=j, employee_id=e) for j, e in crew])

    current = CurrentPlan(assignments=frozenset({("J1", "X"), ("J2", "Y")}))
    openings = {("J1", "X"): x, ("J2", "Y"): y}
    call_off = message("call_off", AT, employee_id="V")

    held, _, _, dropped = _superseding(store, call_off, AT, "a call-off of V", current, openings, solved)

    # Then it solved again with X accepted, closes nothing, and Y (held for closing by the first solve) is free again
    assert held_fixed == [frozenset(), frozenset({("J1", "X")})]
    assert held.accepted == {("J1", "X")} and dropped == []
    claims.accept("Y", DAY, "1", y.event_id, "P0002", AT)  # Y's approval is not refused


def _opening(item_id: str, employee_id: str, segment: str) -> AuditEvent:
    return recommendation_event(
        f"job-operations:{segment}",
        item_id,
        status=AuditStatus.PENDING_APPROVAL,
        occurred_at=AT - timedelta(hours=8),
        actor="crew_planner",
        model_version="v",
        payload={"kind": "crew_assignment", "plan_day": DAY.isoformat(), "shift_code": "1", "segment": segment},
        employee_id=employee_id,
    )
