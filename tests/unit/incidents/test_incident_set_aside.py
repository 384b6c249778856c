"""`incidents.withdrawal.set_aside_refusal`: the EHS lead sets a report aside unless Plex holds a record of it
(`plex_holds`: any write sent and not withdrawn in Plex since, not only the newest decision's write; review180 #3)
or its confirmation is on its way to Plex."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus
from plexlabor.incidents.withdrawal import set_aside_refusal

T0 = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)
INCIDENT = "inc-0123456789abcdef0123"
HELD = "Plex holds it: withdraw the record in Plex first"
ON_ITS_WAY = "on its way to Plex"


def _event(minute: int, kind: AuditEventType, status: AuditStatus, **payload: Any) -> AuditEvent:
    return AuditEvent(
        record_key=f"incidents:{INCIDENT}",
        event_id=f"ev-{minute}",
        event_type=kind,
        status=status,
        occurred_at=T0 + timedelta(minutes=minute),
        actor="E0900",
        finding_id=INCIDENT,
        payload={"kind": "incident_coding", **payload},
        **REQUIRED.get(kind, {}),
    )


REQUIRED: dict[AuditEventType, dict[str, Any]] = {
    AuditEventType.RECOMMENDATION: {"model_version": "m"},
    AuditEventType.DECISION: {"supervisor_id": "E0900"},
    AuditEventType.WRITEBACK: {"previous_values": {}},
}
"""What the audit event model asks of each kind."""

STEPS: dict[str, tuple[AuditEventType, AuditStatus, dict[str, Any]]] = {
    "confirmed": (AuditEventType.DECISION, AuditStatus.APPROVED, {"via": "incident_page"}),
    "sending": (AuditEventType.WRITEBACK_ATTEMPT, AuditStatus.WRITING, {}),
    "sent": (AuditEventType.WRITEBACK, AuditStatus.WRITTEN, {"sent": True, "mode": "custom_object"}),
    "dry run": (AuditEventType.WRITEBACK, AuditStatus.WRITTEN, {"sent": False, "mode": "dry_run"}),
    "failed": (AuditEventType.WRITEBACK_FAILED, AuditStatus.WRITE_FAILED, {"message": "Plex -> 400: bad request"}),
    "reverted": (AuditEventType.REVERT, AuditStatus.REVERTED, {"sent": True}),
    "rejected": (AuditEventType.DECISION, AuditStatus.REJECTED, {"via": "incident_page"}),
}


def _history(*steps: str) -> list[AuditEvent]:
    opening = _event(0, AuditEventType.RECOMMENDATION, AuditStatus.PENDING_APPROVAL)
    return [opening, *(_event(n, *STEPS[step][:2], **STEPS[step][2]) for n, step in enumerate(steps, start=1))]


@pytest.mark.parametrize(
    ("steps", "refused"),
    [
        (("confirmed", "sent"), HELD),
        # a correction whose write failed for good, or went in a dry run, leaves the first record in Plex
        (("confirmed", "sent", "confirmed", "sending", "failed"), HELD),
        (("confirmed", "sent", "confirmed", "dry run"), HELD),
        (("confirmed", "sent", "rejected"), HELD),
        (("confirmed", "sent", "confirmed"), HELD),
        # withdrawn in Plex: nothing of it there any more, until a later write is sent again
        (("confirmed", "sent", "reverted"), None),
        (("confirmed", "sent", "confirmed", "sent", "reverted"), None),
        (("confirmed", "sent", "reverted", "confirmed", "failed"), None),
        (("confirmed", "sent", "reverted", "confirmed", "sent"), HELD),
        (("confirmed", "dry run", "confirmed", "failed"), None),
        (("confirmed", "sending"), ON_ITS_WAY),
        (("confirmed", "failed", "confirmed"), ON_ITS_WAY),
        (("confirmed", "failed"), None),
        ((), None),
    ],
    ids=lambda value: " > ".join(value) if isinstance(value, tuple) else str(value),
)
def test_a_report_is_set_aside_unless_plex_holds_any_record_of_it(steps: tuple[str, ...], refused: str | None) -> None:
    answer = set_aside_refusal(_history(*steps), INCIDENT)
    if refused is None:
        assert answer is None
    else:
        assert answer is not None and refused in answer
