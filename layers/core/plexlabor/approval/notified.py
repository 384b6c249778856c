"""What the audit records when an item goes out to a person: one way for approval_notify's digests and
review_sweep's notices.

An item sent at the second stage is first recorded `escalated` (once per item, whoever sent it), then
every sending gets its `notification` event (`stage`, `channel`, the mail's message id and the
sender's own details). Both are appended once (`append_once`): the event ids are stable, so a second
run that sends the same again records nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from plexlabor.approval.messages import Stage
from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus, AuditStore, append_once, stable_event_id


@dataclass(frozen=True)
class Sent:
    """One item sent to one recipient at one stage, by `actor`, through an e-mail (`message_id`)."""

    record_key: str
    item_id: str
    employee_id: str | None
    recipient: str
    stage: Stage
    occurred_at: datetime
    actor: str
    message_id: str | None


def record_sent(
    audit: AuditStore,
    sent: Sent,
    *,
    sending: tuple[str, ...],
    escalated: Mapping[str, Any],
    details: Mapping[str, Any],
) -> None:
    """Append the `escalated` event (payload `escalated`) of an item sent at the second stage, then the
    `notification` event of this sending (its id made of the item and `sending`; `details` added to its payload)."""
    common: dict[str, Any] = {
        "record_key": sent.record_key,
        "occurred_at": sent.occurred_at,
        "actor": sent.actor,
        "finding_id": sent.item_id,
        "supervisor_id": sent.recipient,
        "employee_id": sent.employee_id,
    }
    if sent.stage is Stage.ESCALATED:
        append_once(
            audit,
            AuditEvent(
                event_id=stable_event_id(sent.item_id, AuditEventType.ESCALATED.value),
                event_type=AuditEventType.ESCALATED,
                status=AuditStatus.ESCALATED,
                payload=dict(escalated),
                **common,
            ),
        )
    append_once(
        audit,
        AuditEvent(
            event_id=stable_event_id(sent.item_id, AuditEventType.NOTIFICATION.value, *sending),
            event_type=AuditEventType.NOTIFICATION,
            status=AuditStatus.NOTIFIED,
            payload={"stage": sent.stage.value, "channel": "email", "channel_message_id": sent.message_id, **details},
            **common,
        ),
    )
