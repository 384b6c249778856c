"""The messages of the approval state machine (`infra/statemachines/approval.asl.json`).

Notify queue (consumed by approval_notify):
    {"kind": "approval", "stage": "first" | "escalated", "taskToken": "...", "request": ApprovalRequest}
    {"kind": "expired", "request": ApprovalRequest}
    {"kind": "failed", "stage": "first" | "escalated", "failure": {"Error": ..., "Cause": ...},
     "request": ApprovalRequest}  (the stage's notify step failed for a reason other than its timeout)
Task result (approval_callback -> SendTaskSuccess):
    {"decision": {"action": "approve" | "reject", "reason": str | null, "supervisor_id": "..."}}
Write-back queue (consumed by plex_writeback):
    {"request": ApprovalRequest, "decision": {"action": "approve", "reason": ..., "supervisor_id": ...}}
    {"kind": "recommendation", "item_id": "...", "decision": {...}}  (from the review queue, see
    `plexlabor.approval.recommendations`)
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from plexlabor.approval.request import ApprovalRequest
from plexlabor.audit import ApprovalAction, AuditEvent, AuditEventType, AuditStatus, stable_event_id

MAX_REASON_CHARS = 1000


class Stage(StrEnum):
    FIRST = "first"
    ESCALATED = "escalated"


class ApprovalNotice(BaseModel):
    """Ask a supervisor to decide; the state machine waits on `task_token`."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    kind: Literal["approval"] = "approval"
    stage: Stage
    task_token: str = Field(alias="taskToken", min_length=1, max_length=4096)
    request: ApprovalRequest

    @model_validator(mode="after")
    def _escalation_has_a_recipient(self) -> Self:
        if self.stage is Stage.ESCALATED and not self.request.escalation_supervisor_id:
            raise ValueError("an escalated notice needs request.escalation_supervisor_id")
        return self

    @property
    def recipient(self) -> str:
        """The supervisor asked at this stage."""
        if self.stage is Stage.ESCALATED:
            assert self.request.escalation_supervisor_id is not None
            return self.request.escalation_supervisor_id
        return self.request.supervisor_id


class ExpiryNotice(BaseModel):
    """Nobody decided in time: record the expiry."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["expired"] = "expired"
    request: ApprovalRequest

    @property
    def last_supervisor(self) -> str:
        return self.request.escalation_supervisor_id or self.request.supervisor_id


MAX_FAILURE_CAUSE_CHARS = 1000
"""What of a failure's cause is recorded (Step Functions allows 32,768 characters)."""


class FailureNotice(BaseModel):
    """A stage's notify step failed for a reason other than its timeout: record it, so the finding
    is decided in the review queue (the execution then fails)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["failed"] = "failed"
    stage: Stage
    failure: dict[str, Any] = Field(default_factory=dict)
    """Step Functions' error output: `Error` and `Cause`."""
    request: ApprovalRequest

    @property
    def recipient(self) -> str:
        """The supervisor that stage would have asked."""
        if self.stage is Stage.ESCALATED:
            return self.request.escalation_supervisor_id or self.request.supervisor_id
        return self.request.supervisor_id

    @property
    def error(self) -> str:
        return str(self.failure.get("Error") or "unknown")

    @property
    def cause(self) -> str | None:
        cause = self.failure.get("Cause")
        return None if cause in (None, "") else str(cause)[:MAX_FAILURE_CAUSE_CHARS]


NotifyMessage = Annotated[ApprovalNotice | ExpiryNotice | FailureNotice, Field(discriminator="kind")]
_NOTIFY_ADAPTER: TypeAdapter[ApprovalNotice | ExpiryNotice | FailureNotice] = TypeAdapter(NotifyMessage)


def parse_notify_message(body: str | bytes) -> ApprovalNotice | ExpiryNotice | FailureNotice:
    """Parse a notify-queue message body (JSON); raises pydantic.ValidationError."""
    return _NOTIFY_ADAPTER.validate_json(body)


class Decision(BaseModel):
    """A supervisor's answer, as the callback hands it to the state machine."""

    model_config = ConfigDict(frozen=True)

    action: ApprovalAction
    reason: str | None = Field(default=None, max_length=MAX_REASON_CHARS)
    supervisor_id: str = Field(min_length=1)
    correction: dict[str, Any] | None = None
    """The suggested correction as the supervisor edited it before approving (None: as suggested)."""

    def task_output(self) -> dict[str, Any]:
        """The SendTaskSuccess output; the state machine's Choice reads `$.decision.action`."""
        return {"decision": self.model_dump(mode="json")}

    def audit_event(
        self,
        *,
        record_key: str,
        item_id: str,
        employee_id: str | None,
        model_version: str | None,
        occurred_at: datetime,
        payload: dict[str, Any],
    ) -> AuditEvent:
        """The item's one `decision` event (its id is stable per item, so it is recorded once)."""
        return AuditEvent(
            record_key=record_key,
            event_id=stable_event_id(item_id, AuditEventType.DECISION.value),
            event_type=AuditEventType.DECISION,
            status=AuditStatus.APPROVED if self.action is ApprovalAction.APPROVE else AuditStatus.REJECTED,
            occurred_at=occurred_at,
            actor=self.supervisor_id,
            finding_id=item_id,
            supervisor_id=self.supervisor_id,
            employee_id=employee_id,
            model_version=model_version,
            payload={"action": self.action.value, "reason": self.reason, **payload},
        )


class WritebackMessage(BaseModel):
    """An approved request, on its way to Plex."""

    model_config = ConfigDict(frozen=True)

    request: ApprovalRequest
    decision: Decision


class RecommendationWriteback(BaseModel):
    """An approved recommendation that changes Plex (a crew assignment), sent by the review queue.

    It carries only the item's id: the write-back reads what was recommended from the audit table.
    """

    model_config = ConfigDict(frozen=True)

    kind: Literal["recommendation"] = "recommendation"
    item_id: str = Field(min_length=1, max_length=128)
    decision: Decision
    decision_id: str | None = Field(default=None, max_length=64)
    """A later decision of an item decided before (an incident the EHS lead corrects, or codes after a queue
    rejection): its `decision` event's id; it is written as a write of its own. None: the item's first decision."""


_WRITEBACK_ADAPTER: TypeAdapter[WritebackMessage | RecommendationWriteback] = TypeAdapter(
    WritebackMessage | RecommendationWriteback
)


def parse_writeback_message(body: str | bytes) -> WritebackMessage | RecommendationWriteback:
    """Parse a write-back-queue message body (JSON); raises pydantic.ValidationError."""
    return _WRITEBACK_ADAPTER.validate_json(body)
