"""Typed errors of the approval workflow, and their HTTP status in one place (`status_for`).

Link errors (forged, expired, reused, wrong supervisor) come from `plexlabor.audit` and keep the
status `plexlabor.audit.http_status_for` gives them; the errors below add the approval's own cases.
"""

from __future__ import annotations

from plexlabor.audit import http_status_for

WITHDRAWN_ALREADY = "withdrawn_already"
"""`refused_because` of a crew removal whose assignment plant IT withdrew from Plex already (a revert of its write;
`writeback._write_removal`): nothing to remove, and a retry is refused the same way. Its `withdrawn_at` and
`withdrawn_by` say when and by whom (the crew board reads them, `crew.removals.Removal.withdrawn_before`)."""
REMOVED_ALREADY = "removed_already"
"""`refused_because` of a crew removal whose assignment another removal of the seat withdrew from Plex already (a
retry from the crew board and the dead-lettered first removal redriven; `writeback._write_removal`): one `withdrawn`
per assignment. Its `removed_by` names that removal's item (the crew board follows it, `crew.removals.removals`)."""
CLOSED_ALREADY = "closed_already"
"""`refused_because` of a crew removal closed before it was written: superseded by a re-plan (its person back on the
shift) or expired, its approval recorded beside the closing (`writeback._refuse_closed_removal`); `closed_at` and
`closed_by` say when and by whom."""


class ApprovalError(Exception):
    """Base of the approval workflow's errors. `http_status` is what the callback answers."""

    http_status: int = 500


class ApprovalClosedError(ApprovalError):
    """The workflow no longer waits for this decision: it timed out, was answered or stopped."""

    http_status = 410


class LinkSupersededError(ApprovalError):
    """A newer link was sent for this finding (a redelivered notification); only the newest works."""

    http_status = 410


class AlreadyDecidedError(ApprovalError):
    """The finding already has a decision or has expired."""

    http_status = 410


class DecisionFormError(ApprovalError):
    """The submitted form is incomplete (no action, or a rejection without a reason)."""

    http_status = 400


class ReasonMissingError(DecisionFormError):
    """A rejection without a reason: the page asks for one at its reason box."""


class CrossSiteRequestError(ApprovalError):
    """A decision posted from another site's page (`platform.csrf`): refused, nothing done."""

    http_status = 403


class RecipientUnknownError(ApprovalError):
    """The supervisor has no e-mail address in the directory; the notification cannot be sent."""


class WritebackRefusedError(ApprovalError):
    """A write-back that can never succeed as asked (retrying would not help): recorded, not retried. `because`: a
    reason code, recorded as the `writeback_failed` event's `refused_because` with the `facts` beside it, for code that
    acts on the reason (its message's words are for people and may change)."""

    def __init__(self, message: str, *, because: str | None = None, **facts: str) -> None:
        super().__init__(message)
        self.because = because
        self.facts = facts


class RecordNotFoundError(WritebackRefusedError):
    """The Plex record the correction is for could not be read (deleted, or out of reach)."""


class WritebackNotQueuedError(ApprovalError):
    """An approval whose write could not be queued: nothing was recorded, the person may try again."""

    http_status = 503


class NothingToRevertError(ApprovalError):
    """`plexlabor writeback revert` found nothing to undo (no write-back, a dry run, already reverted)."""


def status_for(error: BaseException) -> int:
    """The HTTP status of any error the approval callback can meet (500 for anything unknown, e.g. a
    `plexlabor.platform.errors.ConfigurationError`)."""
    if isinstance(error, ApprovalError):
        return error.http_status
    return http_status_for(error)
