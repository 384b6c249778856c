"""`Removal.withdrawn_before` reads why plex_writeback refused a removal from the refusal's reason code
(`refused_because`); a refusal recorded before that field existed (in a deployed audit table) is still read from its
words, and a refusal for another reason is never taken for one by its words."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from plexlabor.approval.errors import WITHDRAWN_ALREADY
from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus
from plexlabor.crew.removals import Removal

KEY = "crew#2026-03-04"
AT = datetime(2026, 3, 4, 4, 40, tzinfo=UTC)
OLD_WORDS = (
    "assignment crew-0001 was withdrawn from Plex already (reverted at 2026-03-04T04:40:00.000000Z by it-admin): "
    "nothing to remove"
)


def _event(kind: AuditEventType, status: AuditStatus, actor: str, **fields: Any) -> AuditEvent:
    return AuditEvent(
        record_key=KEY,
        event_id=f"{kind.value}-1",
        event_type=kind,
        status=status,
        occurred_at=AT,
        actor=actor,
        finding_id="crew-removal-1",
        **fields,
    )


def _refused(**payload: Any) -> Removal:
    """An approved removal plex_writeback refused, its `writeback_failed` payload `payload`."""
    opening = _event(
        AuditEventType.RECOMMENDATION,
        AuditStatus.PENDING_APPROVAL,
        "crew_replan",
        model_version="crew-removal",
        payload={"removes": "crew-0001"},
    )
    approved = _event(AuditEventType.DECISION, AuditStatus.APPROVED, "SUP-1", supervisor_id="SUP-1")
    failed = _event(
        AuditEventType.WRITEBACK_FAILED,
        AuditStatus.WRITE_FAILED,
        "plex_writeback",
        payload={"error": "WritebackRefusedError", **payload},
    )
    return Removal(opening, approved, (failed,))


def test_the_reason_code_tells_when_and_by_whom_whatever_the_words() -> None:
    removal = _refused(
        message="reworded",
        refused_because=WITHDRAWN_ALREADY,
        withdrawn_at="2026-03-04T04:40:00.000000Z",
        withdrawn_by="it-admin",
    )

    assert removal.state == "refused" and removal.withdrawn_before == (AT, "it-admin")


def test_a_refusal_recorded_before_the_reason_code_is_read_from_its_words() -> None:
    assert _refused(message=OLD_WORDS).withdrawn_before == (AT, "it-admin")


def test_a_refusal_with_another_reason_code_is_not_read_from_its_words() -> None:
    assert _refused(message=OLD_WORDS, refused_because="other").withdrawn_before is None
    assert (
        _refused(message="assignment crew-0001 was never written to Plex: nothing to remove").withdrawn_before is None
    )
