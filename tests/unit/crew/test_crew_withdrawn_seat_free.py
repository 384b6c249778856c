"""A removal plex_writeback refused because plant IT had withdrawn the assignment from Plex already
(`refused_because`: `approval.errors.WITHDRAWN_ALREADY`) leaves the seat's person out of it in Plex: a re-plan must not
hold the seat for them (until 2026-12-06 `current_plan` kept it accepted, so every re-plan held that person there), the
person back in it is a new suggestion (a new id), and no other removal opens for it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from plexlabor.approval.errors import WITHDRAWN_ALREADY
from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus
from plexlabor.crew.removals import accepted_seats, removed, renewed
from plexlabor.crew.replanning import current_plan
from plexlabor.crew.suggestions import DayRead

AT = datetime(2026, 3, 4, 9, 40, tzinfo=UTC)
SEAT = {"plan_day": "2026-03-04", "shift_code": "1", "segment": "op-1|1", "start": "2026-03-04T11:00:00+00:00"}


def _event(event_id: str, kind: AuditEventType, status: AuditStatus, finding: str, **fields: Any) -> AuditEvent:
    return AuditEvent(
        record_key="crew#2026-03-04",
        event_id=event_id,
        event_type=kind,
        status=status,
        occurred_at=AT,
        actor=fields.pop("actor", "E0001"),
        finding_id=finding,
        **fields,
    )


def _day(**refusal: Any) -> DayRead:
    """E0042's accepted seat crew-0001 and its removal, approved and refused by plex_writeback with `refusal`."""
    seat = _event(
        "crew-0001",
        AuditEventType.RECOMMENDATION,
        AuditStatus.PENDING_APPROVAL,
        "crew-0001",
        employee_id="E0042",
        model_version="crew-test",
        payload={"kind": "crew_assignment", **SEAT, "end": "2026-03-04T19:00:00+00:00"},
    )
    removal = _event(
        "removal-1",
        AuditEventType.RECOMMENDATION,
        AuditStatus.PENDING_APPROVAL,
        "removal-1",
        employee_id="E0042",
        actor="crew_replan",
        model_version="crew-removal",
        payload={"kind": "crew_removal", "removes": "crew-0001", **SEAT, "called_off_at": AT.isoformat()},
    )
    failed = _event(
        "failed-1",
        AuditEventType.WRITEBACK_FAILED,
        AuditStatus.WRITE_FAILED,
        "removal-1",
        actor="plex_writeback",
        payload={"error": "WritebackRefusedError", "message": "nothing to remove", **refusal},
    )
    return DayRead(
        [seat],
        {
            "crew-0001": _event(
                "decided-1", AuditEventType.DECISION, AuditStatus.APPROVED, "crew-0001", supervisor_id="E0001"
            ),
            "removal-1": _event(
                "decided-2", AuditEventType.DECISION, AuditStatus.APPROVED, "removal-1", supervisor_id="E0001"
            ),
        },
        removals=[removal],
        removal_writes=[failed],
    )


WITHDRAWN = {
    "refused_because": WITHDRAWN_ALREADY,
    "withdrawn_at": "2026-03-04T09:00:00.000000Z",
    "withdrawn_by": "it-admin",
}


def test_a_seat_withdrawn_in_plex_already_is_not_held_by_a_re_plan() -> None:
    day = _day(**WITHDRAWN)

    plan, openings = current_plan(day, "1")

    assert ("op-1|1", "E0042") not in plan.assignments and not plan.accepted and not openings
    assert removed(day) == {"crew-0001": "removal-1"}
    assert renewed(day) == {"crew-0001": "removal-1"}  # the person back in the seat: a new suggestion, a new id
    assert accepted_seats(day, "1") == []  # no second removal of an assignment Plex does not hold


def test_a_removal_refused_for_another_reason_still_holds_the_seat() -> None:
    day = _day(refused_because="other")

    plan, _ = current_plan(day, "1")

    assert plan.accepted == frozenset({("op-1|1", "E0042")})  # still in Plex: held, its removal may be retried
    assert removed(day) == {} and [e.event_id for e in accepted_seats(day, "1")] == ["crew-0001"]
