"""Deciding a suggestion from the queue: one decision, whichever way it is made.

A punch finding waits in its approval workflow (Step Functions, a task token, a mailed link): the
queue resumes that same workflow through `CallbackService.decide_in_queue`. A recommendation that
is not in a workflow gets the same `decision` audit event directly. Bulk decisions are one decision
per item; one that fails does not stop the others and is reported with its reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from plexlabor.approval.callback import CallbackService
from plexlabor.approval.errors import ApprovalError
from plexlabor.audit import ApprovalAction, AuditEvent, AuditEventType, AuditStatus, AuditStore, stable_event_id
from plexlabor.audit.errors import AuditConflictError
from plexlabor.platform.clock import utc_now
from plexlabor.review.items import PUNCH, ReviewItem
from plexlabor.review.queue import ReviewQueue, Viewer


class ItemNotFoundError(ApprovalError):
    """The item is closed, unknown, or not one this person may see (never told apart: 404)."""

    http_status = 404


@dataclass(frozen=True)
class Outcome:
    item_id: str
    action: str | None
    problem: str | None = None
    """Why the decision was not recorded (None when it was)."""


@dataclass
class ReviewService:
    queue: ReviewQueue
    audit: AuditStore
    callback: CallbackService
    clock: Callable[[], datetime] = field(default=utc_now)

    def decide(self, viewer: Viewer, item_id: str, action: str | None, reason: str | None) -> Outcome:
        """Record `viewer`'s decision on one item (raises the approval errors, e.g. a missing reason)."""
        item = self.queue.item(viewer, item_id)
        if item is None:
            raise ItemNotFoundError("this suggestion is no longer open, or it is not yours to decide")
        if item.kind == PUNCH:
            decision, _ = self.callback.decide_in_queue(item_id, action, reason, viewer.user_id)
            return Outcome(item_id, decision.action.value)
        decision = CallbackService.read_form(action, reason, viewer.user_id)
        try:
            self.audit.append(_decision_event(item, viewer.user_id, decision.action, decision.reason, self.clock()))
        except AuditConflictError:
            raise ItemNotFoundError("this suggestion was decided a moment ago") from None
        return Outcome(item_id, decision.action.value)

    def decide_many(
        self, viewer: Viewer, item_ids: Iterable[str], action: str | None, reason: str | None
    ) -> list[Outcome]:
        """The same decision on each item; each item's outcome, in order."""
        outcomes = []
        for item_id in dict.fromkeys(item_ids):
            try:
                outcomes.append(self.decide(viewer, item_id, action, reason))
            except ApprovalError as error:
                outcomes.append(Outcome(item_id, None, str(error)))
        return outcomes


def _decision_event(
    item: ReviewItem, decider: str, action: ApprovalAction, reason: str | None, now: datetime
) -> AuditEvent:
    """A recommendation's decision; its id is stable per item, so it is recorded once."""
    return AuditEvent(
        record_key=item.record_key,
        event_id=stable_event_id(item.item_id, AuditEventType.DECISION.value),
        event_type=AuditEventType.DECISION,
        status=AuditStatus.APPROVED if action is ApprovalAction.APPROVE else AuditStatus.REJECTED,
        occurred_at=now,
        actor=decider,
        finding_id=item.item_id,
        supervisor_id=decider,
        employee_id=item.employee_id,
        model_version=item.model_version,
        payload={"action": action.value, "reason": reason, "kind": item.kind, "via": "queue"},
    )
