"""approval_callback's logic: show a finding behind a signed link, and record the decision.

`open` (GET) only verifies the link: mail scanners and link previews fetch links, so viewing must
never use one up. `decide` (POST) verifies again, checks the form, then in this order:
1. redeems the link (consumes its nonce: a second POST gets 410),
2. resumes the execution with SendTaskSuccess `{"decision": {...}}` (a timed-out execution: 410,
   and no decision is recorded, so the audit never says "approved" for an expired request). Any
   other failure of SendTaskSuccess (throttled, 5xx, unreachable) **releases the link** before it
   propagates (500 "try again"): the decision did not happen, so the retry must be able to make it,
3. appends the `decision` audit event (actor = the supervisor; a rejection's reason and the
   finding's `evidence.features` travel in the payload: they are the scorer's training data).
`decide_in_queue` is the same decision made in the web app's review queue: steps 2 and 3 are the
same code, and step 1 uses up the open stage's mailed link, so the link says it was decided.

Why consume first and release on failure, rather than consume after SendTaskSuccess: the nonce's
conditional write is what makes ten concurrent POSTs of one link resume the execution exactly once.
A transient error that hides a SendTaskSuccess Step Functions did apply (a read timeout) cannot be
told apart here: the link is released, and the retry is answered 410 by Step Functions (the task is
already answered), as before this change.

Whom the link is bound to: every link names one supervisor in its signed claims. When the API has
an authorizer, `presenter` is the signed-in supervisor's id and a link of anybody else is refused
(403). Without one, the link itself is the credential (single use, short-lived) and the decision is
recorded as the supervisor it was issued to.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from plexlabor.approval.errors import (
    AlreadyDecidedError,
    ApprovalClosedError,
    DecisionFormError,
    LinkSupersededError,
    ReasonMissingError,
)
from plexlabor.approval.fits import check_suggestion
from plexlabor.approval.messages import MAX_REASON_CHARS, Decision, Stage
from plexlabor.approval.ports import PendingApproval, TaskCallback, TaskTokenStore, stage_order
from plexlabor.audit import (
    ApprovalAction,
    AuditEvent,
    AuditEventType,
    AuditStore,
    LinkClaims,
    LinkForgedError,
    LinkNonceStore,
    append_once,
)
from plexlabor.audit.links import NONCE_RETENTION, LinkTokens
from plexlabor.platform.clock import utc_now
from plexlabor.platform.text import unreadable_character
from plexlabor.validation.decisions import WORK_DAY_KEY
from plexlabor.validation.findings import Finding

logger = logging.getLogger(__name__)

CLOSING_EVENTS = frozenset(
    {
        AuditEventType.DECISION,
        AuditEventType.EXPIRED,
        AuditEventType.WRITEBACK,
        AuditEventType.WRITEBACK_FAILED,
        AuditEventType.REVERT,
    }
)
"""Once a finding has one of these, its approval is over."""
OUTCOME_SHOWN_FOR = timedelta(days=7)
"""How long after a link expired its page still says who decided its finding, when, and why (a week away
from the mail box); later it says only that the link expired. The link is a bearer secret mailed to one
supervisor, but a forwarded or leaked old mail should not disclose a decision and its reason for ever;
the signed-in review queue keeps the whole history."""


def claimed_supervisor(token: str) -> str:
    """The supervisor id a token names, read WITHOUT checking the signature: only to know whom to
    verify it for. `ApprovalLinkSigner.verify` then checks everything."""
    try:
        payload = token.split(".", 1)[0]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        supervisor = data["s"]
    except (ValueError, KeyError, TypeError, binascii.Error, AttributeError):
        raise LinkForgedError() from None
    if not isinstance(supervisor, str) or not supervisor:
        raise LinkForgedError()
    return supervisor


def presenting_supervisor(request_context: Mapping[str, Any]) -> str | None:
    """The signed-in supervisor's id when the API has an authorizer: a Lambda authorizer's context
    `supervisor_id`, or a Cognito claim `custom:supervisor_id` / `supervisor_id`. None without one."""
    authorizer = request_context.get("authorizer") or {}
    if authorizer.get("supervisor_id"):
        return str(authorizer["supervisor_id"])
    claims = authorizer.get("claims") or {}
    value = claims.get("custom:supervisor_id") or claims.get("supervisor_id")
    return str(value) if value else None


def decision_event(finding: Finding, decision: Decision, occurred_at: datetime, stage: Stage | None) -> AuditEvent:
    """The `decision` audit event: one per finding (its id is stable, so the callback and the
    write-back's reconciliation cannot both record one)."""
    features, shadow = finding.evidence.get("features"), finding.evidence.get("shadow")
    explored, timeline = finding.evidence.get("exploration"), finding.evidence.get("timeline")
    work_day = timeline.get("day") if isinstance(timeline, dict) else None
    return decision.audit_event(
        record_key=finding.record_key,
        item_id=finding.finding_id,
        employee_id=finding.employee_id,
        model_version=finding.model_version,
        occurred_at=occurred_at,
        payload={
            "stage": None if stage is None else stage.value,
            "anomaly_type": finding.anomaly_type.value,
            "confidence": finding.confidence,
            "severity": finding.severity,
            "suggested_correction": finding.suggested_correction,
            "correction": decision.correction,
            "features": features if isinstance(features, dict) else {},
            **({"shadow": shadow} if isinstance(shadow, dict) else {}),  # the shadow candidate's score
            **({"exploration": explored} if isinstance(explored, dict) else {}),  # sent as a random sample
            **({WORK_DAY_KEY: work_day} if isinstance(work_day, str) else {}),  # the day the finding is about
        },
    )


def _escalation(stored: list[PendingApproval], nonce: str) -> PendingApproval | None:
    """Of a finding's notified stages, the latest after the one whose link has `nonce`, sent to someone else."""
    own = next((p for p in stored if p.link_nonce == nonce), None)
    if own is None:
        return None
    after = stage_order(own.stage)
    later = [p for p in stored if stage_order(p.stage) > after and p.supervisor_id != own.supervisor_id]
    return max(later, key=lambda p: stage_order(p.stage), default=None)


@dataclass
class CallbackService:
    signer: LinkTokens
    nonces: LinkNonceStore
    tokens: TaskTokenStore
    audit: AuditStore
    tasks: TaskCallback
    clock: Callable[[], datetime] = utc_now
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    """The plant's: a correction the record cannot hold is refused naming its times in it (`check_suggestion`)."""

    def open(self, token: str, presenter: str | None = None) -> tuple[PendingApproval, LinkClaims]:
        """Verify the link (never consume it) and return what it is about."""
        claims = self.signer.verify(token, presenter or claimed_supervisor(token), self.clock())
        pending = self._pending(claims)
        self._still_open(pending)
        return pending, claims

    def outcome_claims(self, token: str, presenter: str | None = None) -> LinkClaims | None:
        """The claims of a refused link (expired, used, superseded) whose page may say what became of its
        finding: genuine and for its supervisor (`LinkTokens.authentic`, expired or not), and expired less
        than `OUTCOME_SHOWN_FOR` ago; None after that. Raises LinkForgedError or LinkWrongSupervisorError."""
        claims = self.signer.authentic(token, presenter or claimed_supervisor(token))
        return claims if self.clock() < claims.expires_at + OUTCOME_SHOWN_FOR else None

    def escalation_after(self, claims: LinkClaims) -> PendingApproval | None:
        """The later stage the finding of this (genuine) link went to: its escalation to another supervisor, whose
        link supersedes this one; None when there is none (the link was the last sent)."""
        return _escalation(self.tokens.for_finding(claims.finding_id), claims.nonce)

    def decide(
        self, token: str, action: str | None, reason: str | None, presenter: str | None = None
    ) -> tuple[Decision, PendingApproval]:
        pending, claims = self.open(token, presenter)
        decision = self.read_form(action, reason, claims.supervisor_id)
        self.approvable(pending.request.finding, decision)
        self.signer.redeem(token, claims.supervisor_id, decision.action, self.nonces, self.clock())
        return self._resume(pending, decision, claims.nonce)

    def decide_in_queue(
        self,
        finding_id: str,
        action: str | None,
        reason: str | None,
        decider: str,
        correction: dict[str, Any] | None = None,
    ) -> tuple[Decision, PendingApproval]:
        """The same decision, made in the review queue by `decider` (who may see the finding, and may
        have edited its `correction`): the open stage's task is resumed and its mailed link used up,
        so that link says it was decided."""
        stored = self.tokens.for_finding(finding_id)
        if not stored:
            raise ApprovalClosedError("this finding's approval has not reached its supervisor yet; try again shortly")
        pending = max(stored, key=lambda candidate: stage_order(candidate.stage))
        self._still_open(pending)
        decision = self.read_form(action, reason, decider, correction)
        self.approvable(pending.request.finding, decision)
        self.nonces.consume(pending.link_nonce, pending.link_expires_at + NONCE_RETENTION)
        return self._resume(pending, decision, pending.link_nonce)

    def approvable(self, finding: Finding, decision: Decision) -> None:
        """Refuse an approval whose correction (as suggested, or as edited) the record cannot hold, before anything
        is used up or resumed: the same check from the mailed link, the item page and a bulk approval."""
        if decision.action is ApprovalAction.APPROVE:
            check_suggestion(finding, self.zone, decision.correction)

    def _resume(self, pending: PendingApproval, decision: Decision, nonce: str) -> tuple[Decision, PendingApproval]:
        """Resume the execution (the link's `nonce` already consumed), then record the decision."""
        try:
            self.tasks.succeed(pending.task_token, decision.task_output())
        except ApprovalClosedError:
            raise  # final: the execution no longer waits, the link stays used up
        except Exception:
            self._release(nonce, pending.finding_id)
            raise
        append_once(self.audit, decision_event(pending.request.finding, decision, self.clock(), pending.stage))
        logger.info(
            "decision recorded",
            extra={"finding_id": pending.finding_id, "action": decision.action.value, "stage": pending.stage.value},
        )
        return decision, pending

    def _release(self, nonce: str, finding_id: str) -> None:
        """Give the link back after a failed resume; if even that fails, the original error is the
        one to report (the link then stays used up, as it did before releases existed)."""
        try:
            self.nonces.release(nonce)
        except Exception:
            logger.exception("could not release the approval link", extra={"finding_id": finding_id})
        else:
            logger.warning("decision not resumed; the link was released for a retry", extra={"finding_id": finding_id})

    def _pending(self, claims: LinkClaims) -> PendingApproval:
        stored = self.tokens.for_finding(claims.finding_id)
        if not stored:
            raise ApprovalClosedError("this approval request is no longer open")
        for pending in stored:
            if pending.link_nonce == claims.nonce:
                if pending.supervisor_id != claims.supervisor_id:  # cannot happen with a genuine link
                    raise ApprovalClosedError("this approval request is no longer open")
                if _escalation(stored, claims.nonce) is not None:  # its task timed out, the link not yet
                    raise LinkSupersededError("this finding was escalated; the link sent on escalation decides it")
                return pending
        raise LinkSupersededError("a newer approval link was sent for this finding; please use the latest e-mail")

    def _still_open(self, pending: PendingApproval) -> None:
        history = self.audit.history(pending.request.finding.record_key)
        closing = [e for e in history if e.finding_id == pending.finding_id and e.event_type in CLOSING_EVENTS]
        if not closing:
            return
        first = closing[0]
        if first.event_type is AuditEventType.EXPIRED:
            raise AlreadyDecidedError("this approval request expired before a decision was made")
        raise AlreadyDecidedError(f"this finding was already {first.status.value} by {first.actor}")

    @staticmethod
    def read_form(
        action: str | None, reason: str | None, supervisor_id: str, correction: dict[str, Any] | None = None
    ) -> Decision:
        """The decision a form asks for; a missing action or a rejection without a reason is refused.
        An edited `correction` goes with an approval only."""
        try:
            chosen = ApprovalAction((action or "").strip().lower())
        except ValueError:
            raise DecisionFormError("choose Approve or Reject") from None
        text = " ".join((reason or "").split())
        if len(text) > MAX_REASON_CHARS:
            raise DecisionFormError(f"the reason is longer than {MAX_REASON_CHARS} characters")
        unreadable = unreadable_character(text)
        if unreadable:
            raise DecisionFormError(f"the reason cannot be kept: {unreadable}")
        if chosen is ApprovalAction.REJECT and not text:
            raise ReasonMissingError("a rejection needs a reason: it tells the model why the finding was wrong")
        edit = correction if chosen is ApprovalAction.APPROVE else None
        return Decision(action=chosen, reason=text or None, supervisor_id=supervisor_id, correction=edit)


__all__ = ["CallbackService", "claimed_supervisor", "decision_event", "presenting_supervisor"]
