"""approval_notify's logic: issue each stage's signed link, keep its task token, mail a digest.

Per message of a batch (`NotifyBatch.add`):
- `approval`: resolve the supervisor's address, issue a link bound to that supervisor and finding
  (lifetime = the request's `wait_seconds`), store the task token server-side with the link's
  nonce, and queue the item for the supervisor's digest;
- `expired`: append the `expired` audit event;
- `failed`: a stage's notify step failed for a reason other than its timeout (the execution then
  fails, which the ExecutionsFailed alarm reports): append `approval_failed`, naming the stage, the
  supervisor it would have asked, and Step Functions' error. The finding stays pending: the review
  queue decides it without the workflow and review_sweep mails, escalates and expires it
  (`plexlabor.review`).
Then `NotifyBatch.flush` sends one e-mail per supervisor and, once it is out, appends an `escalated`
(second stage) and a `notification` audit event per item. A digest that cannot be sent fails
exactly the messages it carried, so SQS redelivers only those (a redelivery issues a new link,
which supersedes the unsent one). A notice whose finding is closed by the time it is read (decided, in the
review queue or through an earlier mail, expired, written back: `callback.CLOSING_EVENTS`) is mailed to nobody: a
retried or redriven message never asks again about what was answered (ux_s16 #3).

Event ids are stable (`stable_event_id`), so a redelivered message cannot record an event twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from plexlabor.approval.callback import CLOSING_EVENTS
from plexlabor.approval.errors import RecipientUnknownError
from plexlabor.approval.messages import ApprovalNotice, ExpiryNotice, FailureNotice, Stage
from plexlabor.approval.notified import (
    ESCALATION_HOLD,
    HELD,
    Sent,
    holds_escalations,
    record_escalated,
    record_sent,
)
from plexlabor.approval.ports import (
    Digest,
    DigestItem,
    Notifier,
    PendingApproval,
    SupervisorDirectory,
    TaskTokenStore,
)
from plexlabor.approval.request import ApprovalRequest
from plexlabor.audit import (
    ApprovalAction,
    AuditEvent,
    AuditEventType,
    AuditStatus,
    AuditStore,
    append_once,
    format_audit_time,
    stable_event_id,
)
from plexlabor.audit.links import LinkTokens
from plexlabor.platform.clock import utc_now

logger = logging.getLogger(__name__)

ACTOR = "approval_notify"
WORKFLOW_ACTOR = "approval_workflow"
LINK_ACTIONS = (ApprovalAction.APPROVE, ApprovalAction.REJECT)
PERSON_READ_LIMIT = 1_000
"""The newest `notified` events of one person the escalation hold reads: far more than a person is sent in
`ESCALATION_HOLD` (a digest is one event per item in it); a read that reaches it is logged."""


def approval_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/approvals/{token}"


def queue_url(base_url: str) -> str:
    """The web app's review queue on the same API stage."""
    return f"{base_url.rstrip('/')}/queue"


@dataclass
class NotifyService:
    signer: LinkTokens
    tokens: TaskTokenStore
    audit: AuditStore
    directory: SupervisorDirectory
    notifier: Notifier
    base_url: str
    chat: Notifier | None = None
    clock: Callable[[], datetime] = utc_now

    def batch(self) -> NotifyBatch:
        return NotifyBatch(self)


@dataclass
class _Prepared:
    notice: ApprovalNotice
    item: DigestItem
    address: str
    nonce: str


def _holdable(prepared: _Prepared) -> bool:
    """An escalation, which review_sweep's digest may tell of (whatever its wait: `notified.ESCALATION_HOLD`)."""
    return prepared.notice.stage is Stage.ESCALATED


@dataclass
class NotifyBatch:
    """The messages of one SQS batch: `add` each, then `flush` once."""

    service: NotifyService
    _pending: list[_Prepared] = field(default_factory=list)

    def add(self, message: ApprovalNotice | ExpiryNotice | FailureNotice, message_id: str) -> None:
        if isinstance(message, ExpiryNotice):
            self._record_expiry(message)
        elif isinstance(message, FailureNotice):
            self._record_failure(message)
        else:
            self._prepare(message, message_id)

    def _record_failure(self, notice: FailureNotice) -> None:
        payload = {"stage": notice.stage.value, "error": notice.error, "cause": notice.cause}
        self._record_outcome(notice.request, AuditStatus.APPROVAL_FAILED, notice.recipient, payload)
        logger.error(
            "approval workflow failed; the finding goes to the review queue",
            extra={"finding_id": notice.request.finding.finding_id, "stage": notice.stage.value, "error": notice.error},
        )

    def _record_expiry(self, notice: ExpiryNotice) -> None:
        request = notice.request
        stages = [Stage.FIRST.value] + ([Stage.ESCALATED.value] if request.escalation_supervisor_id else [])
        payload = {"stages": stages, "wait_seconds": request.wait_seconds}
        self._record_outcome(request, AuditStatus.EXPIRED, notice.last_supervisor, payload)
        logger.info("approval expired", extra={"finding_id": request.finding.finding_id})

    def _record_outcome(
        self, request: ApprovalRequest, status: AuditStatus, supervisor_id: str, payload: dict[str, Any]
    ) -> None:
        """The workflow's one closing event of this kind for the finding (`expired`, `approval_failed`:
        event type and status share the name); a redelivered message records nothing new."""
        finding, event_type = request.finding, AuditEventType(status.value)
        append_once(
            self.service.audit,
            AuditEvent(
                record_key=finding.record_key,
                event_id=stable_event_id(finding.finding_id, event_type.value),
                event_type=event_type,
                status=status,
                occurred_at=self.service.clock(),
                actor=WORKFLOW_ACTOR,
                finding_id=finding.finding_id,
                supervisor_id=supervisor_id,
                employee_id=finding.employee_id,
                payload=payload,
            ),
        )

    def _closed(self, notice: ApprovalNotice) -> bool:
        """Whether the notice's finding has a closing event already (a decision, expiry or write-back)."""
        finding = notice.request.finding
        return any(
            event.finding_id == finding.finding_id and event.event_type in CLOSING_EVENTS
            for event in self.service.audit.history(finding.record_key)
        )

    def _prepare(self, notice: ApprovalNotice, message_id: str) -> None:
        service, finding = self.service, notice.request.finding
        if self._closed(notice):
            logger.info(
                "finding already closed; not mailed again",
                extra={"finding_id": finding.finding_id, "stage": notice.stage.value},
            )
            return
        recipient = notice.recipient
        address = service.directory.address_of(recipient)
        if not address:
            raise RecipientUnknownError(f"supervisor {recipient} has no e-mail address in the directory")
        now = service.clock()
        token = service.signer.issue(
            finding.finding_id, recipient, LINK_ACTIONS, timedelta(seconds=notice.request.wait_seconds)
        )
        claims = service.signer.verify(token, recipient, now)
        service.tokens.save(
            PendingApproval(
                finding_id=finding.finding_id,
                stage=notice.stage,
                supervisor_id=recipient,
                task_token=notice.task_token,
                link_nonce=claims.nonce,
                link_expires_at=claims.expires_at,
                notified_at=now,
                request=notice.request,
            )
        )
        item = DigestItem(
            finding=finding,
            stage=notice.stage,
            employee_number=notice.request.employee_number,
            link_url=approval_url(service.base_url, token),
            expires_at=claims.expires_at,
            message_id=message_id,
        )
        self._pending.append(_Prepared(notice, item, address, claims.nonce))

    def flush(self) -> list[str]:
        """Send one digest per supervisor; return the message ids whose digest was not sent or
        not recorded (to report as batch item failures)."""
        by_supervisor: dict[str, list[_Prepared]] = {}
        for prepared in self._pending:
            by_supervisor.setdefault(prepared.notice.recipient, []).append(prepared)
        recent = self._escalation_mailed({p.notice.recipient for p in self._pending if _holdable(p)})
        self._pending = []
        failed: list[str] = []
        for supervisor_id, group in by_supervisor.items():
            if supervisor_id in recent:  # one escalation mail per person per sweep (ux164 #15)
                failed += self._hold([p for p in group if _holdable(p)])
                group = [p for p in group if not _holdable(p)]
                if not group:
                    continue
            digest = Digest(
                supervisor_id=supervisor_id,
                address=group[0].address,
                items=tuple(p.item for p in group),
                queue_url=queue_url(self.service.base_url),
            )
            try:
                message_id = self.service.notifier.send(digest)
            except Exception:
                logger.exception("digest not sent", extra={"supervisor_id": supervisor_id, "items": len(group)})
                failed += [p.item.message_id for p in group]
                continue
            logger.info("digest sent", extra={"supervisor_id": supervisor_id, "items": len(group)})
            self._chat(digest)
            for prepared in group:
                try:
                    self._record_notification(prepared, message_id)
                except Exception:
                    logger.exception(
                        "notification not recorded", extra={"finding_id": prepared.item.finding.finding_id}
                    )
                    failed.append(prepared.item.message_id)
        return failed

    def _escalation_mailed(self, people: set[str]) -> set[str]:
        """Those of `people` who were mailed an escalation less than `ESCALATION_HOLD` ago that holds their next ones
        (`notified.holds_escalations`): each person's own `notified` events of the hold, newest first (review_s13 #6:
        the plant's, oldest first and 100 at most, missed the mail after a busy quarter hour)."""
        now = self.service.clock()
        mailed: set[str] = set()
        for person in people:
            events = self.service.audit.by_supervisor(
                person, AuditStatus.NOTIFIED, since=now - ESCALATION_HOLD, limit=PERSON_READ_LIMIT, newest_first=True
            )
            if len(events) == PERSON_READ_LIMIT:
                logger.warning("escalation hold read capped", extra={"supervisor_id": person})
            if any(holds_escalations(event, now) for event in events):
                mailed.add(person)
        return mailed

    def _hold(self, held: list[_Prepared]) -> list[str]:
        """Record these escalations `escalated` without a mail (`HELD`: review_sweep's digest tells of them); the
        message ids whose event could not be recorded (retried by SQS)."""
        failed: list[str] = []
        for prepared in held:
            notice, finding = prepared.notice, prepared.item.finding
            try:
                record_escalated(
                    self.service.audit,
                    self._sent(prepared, None),
                    {"from_supervisor_id": notice.request.supervisor_id, "mail": HELD},
                )
            except Exception:
                logger.exception("held escalation not recorded", extra={"finding_id": finding.finding_id})
                failed.append(prepared.item.message_id)
        if held:
            logger.info("escalations held for the sweep's digest", extra={"items": len(held)})
        return failed

    def _sent(self, prepared: _Prepared, channel_message_id: str | None) -> Sent:
        """`prepared` as the audit records it sent (or held: no `channel_message_id`), now."""
        notice, finding = prepared.notice, prepared.item.finding
        return Sent(
            finding.record_key,
            finding.finding_id,
            finding.employee_id,
            notice.recipient,
            notice.stage,
            self.service.clock(),
            ACTOR,
            channel_message_id,
        )

    def _chat(self, digest: Digest) -> None:
        if self.service.chat is None:
            return
        try:
            self.service.chat.send(digest)
        except Exception:  # best effort: the e-mail carries the links
            logger.warning("chat nudge not sent", extra={"supervisor_id": digest.supervisor_id}, exc_info=True)

    def _record_notification(self, prepared: _Prepared, channel_message_id: str | None) -> None:
        notice, item = prepared.notice, prepared.item
        finding = item.finding
        record_sent(
            self.service.audit,
            self._sent(prepared, channel_message_id),
            sending=(prepared.nonce,),
            escalated={"from_supervisor_id": notice.request.supervisor_id},
            details={
                "link_expires_at": format_audit_time(item.expires_at),
                "anomaly_type": finding.anomaly_type.value,
                "confidence": finding.confidence,
            },
        )
