"""Recording findings: one audit event each, and an approval for those routed to review.

Shared by the real-time validator and the nightly sweep, and idempotent end to end:
- the audit event id is `stable_event_id(finding_id, "finding")`, so a second append of the same
  finding (a redelivered punch, the sweep re-finding it) is refused by the store and skipped;
- the approval execution is named after the finding, so a second start returns False.
The approval is started even when the event was already there: the first attempt may have died
between the two writes, and the start is what must not be lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from plexlabor.approval.request import ApprovalRequest, ApprovalStarter
from plexlabor.audit.events import AuditEvent, AuditEventType, AuditStatus, stable_event_id
from plexlabor.audit.publish import append_once
from plexlabor.audit.store import AuditStore
from plexlabor.intake.errors import NoSupervisorError
from plexlabor.validation.data import PlantData
from plexlabor.validation.findings import Finding


def finding_event_id(finding_id: str) -> str:
    return stable_event_id(finding_id, AuditEventType.FINDING.value)


def supervisors_for(data: PlantData, employee_id: str | None, default: str | None) -> tuple[str, str | None]:
    """Who approves a finding about `employee_id`, and who it escalates to.

    The employee's `supervisorId`, escalating to that supervisor's own `supervisorId`; without one,
    the configured default supervisor (escalating to theirs). Raises NoSupervisorError when neither
    exists.
    """
    ref = data.employees.get(employee_id) if employee_id else None
    supervisor = ref.supervisor if ref is not None and ref.supervisor != employee_id else None
    supervisor = supervisor or default
    if not supervisor:
        raise NoSupervisorError(employee_id)
    boss = data.employees.get(supervisor)
    escalation = boss.supervisor if boss is not None else None
    return supervisor, escalation if escalation and escalation != supervisor else None


@dataclass(frozen=True)
class Recorded:
    finding_id: str
    route: str
    new: bool
    """False when the audit store already held this finding."""
    approval_started: bool
    supervisor_id: str | None = None


@dataclass
class FindingRecorder:
    audit: AuditStore
    approvals: ApprovalStarter
    actor: str
    clock: Callable[[], datetime]
    default_supervisor: str | None = None
    wait_seconds: int = 8 * 3600

    def record(self, finding: Finding, data: PlantData) -> Recorded:
        review = finding.route == "review"
        request: ApprovalRequest | None = None
        if review:  # resolve first: a finding we cannot route is not written half-way
            supervisor, escalation = supervisors_for(data, finding.employee_id, self.default_supervisor)
            person = data.employees.get(finding.employee_id or "")
            request = ApprovalRequest(
                finding=finding,
                supervisor_id=supervisor,
                escalation_supervisor_id=escalation,
                employee_number=person.number if person else None,
                wait_seconds=self.wait_seconds,
            )
        event = AuditEvent(
            record_key=finding.record_key,
            event_id=finding_event_id(finding.finding_id),
            event_type=AuditEventType.FINDING,
            status=AuditStatus.PENDING_APPROVAL if review else AuditStatus.LOGGED,
            occurred_at=self.clock(),
            actor=self.actor,
            finding_id=finding.finding_id,
            supervisor_id=request.supervisor_id if request else None,
            employee_id=finding.employee_id,
            model_version=finding.model_version,
            payload=finding.model_dump(mode="json"),
        )
        new = append_once(self.audit, event)
        started = self.approvals.start(request) if request is not None else False
        return Recorded(
            finding.finding_id,
            finding.route,
            new,
            started,
            request.supervisor_id if request else None,
        )
