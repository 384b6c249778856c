"""Intake: punches into the queue (signed webhooks, the Plex poller) and out of it into validation.

Ports with in-memory fakes live beside the domain code (`queue`, `cursor`, `norms_store`,
`approvals`); the AWS adapters are in `plexlabor.intake.aws` and `plexlabor.intake.approvals`
(boto3 is imported only there). Importing this package imports nothing heavy.
"""

from plexlabor.intake.errors import EnqueueError, IntakeError, NoSupervisorError
from plexlabor.intake.messages import (
    MAX_WEBHOOK_RECORDS,
    PunchMessage,
    PunchVersion,
    WebhookAccepted,
    WebhookPunches,
)

__all__ = [
    "MAX_WEBHOOK_RECORDS",
    "EnqueueError",
    "IntakeError",
    "NoSupervisorError",
    "PunchMessage",
    "PunchVersion",
    "WebhookAccepted",
    "WebhookPunches",
]
