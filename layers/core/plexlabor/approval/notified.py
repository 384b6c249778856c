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
from datetime import datetime, timedelta
from typing import Any

from plexlabor.approval.messages import Stage
from plexlabor.audit import (
    AuditEvent,
    AuditEventType,
    AuditStatus,
    AuditStore,
    append_once,
    format_audit_time,
    stable_event_id,
)

HELD = "held"
"""`escalated` payload `mail`: an escalation approval_notify did not mail on its own, as its recipient had an
escalation mail less than `ESCALATION_HOLD` ago (`holds_escalations`; ux164 #15: nine mails in a minute);
review_sweep's next run mails the held ones in one digest per recipient (`review.escalations`). Its signed link is
issued and its task token kept as for any stage: it is decided in the queue, or from the link of a later mail."""
ESCALATION_HOLD = timedelta(minutes=15)
"""How long after an escalation mail to a person further escalations to them wait for review_sweep's digest:
review_sweep's rate (`rate(15 minutes)`, infra/function_specs.py), so at most one mail per person per sweep, whatever
the escalations' wait and whichever of the two sent that mail, while that mail's signed link has not expired
(its lifetime is the wait; review_sweep's mails link the web app's pages, which do not expire): a person whose
escalation links have all expired has no mail to decide from, so their next escalation is mailed at once with its
link. A held escalation whose wait ends before the next sweep is never mailed (its `escalated` event showed it in
the queue at once)."""


def holds_escalations(event: AuditEvent, now: datetime) -> bool:
    """Whether `event`, a `notification` to its person less than `ESCALATION_HOLD` before `now`, holds their next
    escalations: an escalation mail whose signed link (`link_expires_at`: approval_notify's) still works, or one
    with no signed link (review_sweep's escalation notices and its digest of held escalations link the web app's pages,
    which do not expire), so the person gets one escalation mail per sweep, whoever sends it (review_s13 L2: the
    sweep's digest did not count, and approval_notify's next escalation a minute later was a second mail)."""
    if event.payload.get("stage") != Stage.ESCALATED.value:
        return False
    expires = event.payload.get("link_expires_at")
    return expires is None or str(expires) > format_audit_time(now)  # fixed-width UTC: the strings order as the times


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


def record_escalated(audit: AuditStore, sent: Sent, payload: Mapping[str, Any]) -> None:
    """Append the item's `escalated` event (once per item, whoever sent it): from then on the queue shows it to
    `sent.recipient`, mailed yet or not (a held escalation, `approval.notify.HELD`, is mailed by review_sweep)."""
    append_once(
        audit,
        AuditEvent(
            record_key=sent.record_key,
            event_id=stable_event_id(sent.item_id, AuditEventType.ESCALATED.value),
            event_type=AuditEventType.ESCALATED,
            status=AuditStatus.ESCALATED,
            occurred_at=sent.occurred_at,
            actor=sent.actor,
            finding_id=sent.item_id,
            supervisor_id=sent.recipient,
            employee_id=sent.employee_id,
            payload=dict(payload),
        ),
    )


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
        record_escalated(audit, sent, escalated)
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
