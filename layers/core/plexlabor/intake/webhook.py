"""Accepting signed punch webhooks: the domain side of `punch_webhook`.

The handler verifies the signature (`plexlabor.webhooks.verify`) and validates the body
(`WebhookPunches`); this puts the records on the queue and says what was accepted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from plexlabor.intake.messages import PunchEntry, PunchMessage, WebhookAccepted
from plexlabor.intake.queue import PunchQueue


def accept_punches(entries: Sequence[PunchEntry], queue: PunchQueue, received_at: datetime) -> WebhookAccepted:
    """Enqueue one message per record (raises EnqueueError if any did not make it)."""
    messages = [PunchMessage.of(entry, "webhook", received_at) for entry in entries]
    queue.send(messages)
    return WebhookAccepted(
        accepted=len(messages),
        record_keys=[message.record_key for message in messages],
        received_at=received_at,
    )
