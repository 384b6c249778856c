"""Recording findings: one audit event each, and an approval for those routed to review.

Shared by the real-time validator and the nightly sweep, and idempotent end to end:
- the audit event id is `stable_event_id(finding_id, "finding")`, so a second append of the same
  finding (a redelivered punch, the sweep re-finding it) is refused by the store and skipped;
- the approval execution is named after the finding, so a second start returns False.
The approval is started even when the event was already there: the first attempt may have died
between the two writes, and the start is what must not be lost. The recorded status decides it then,
not today's scope: a finding recorded `logged` in advisory mode stays advisory after the mode is
switched off (the sweep re-finding it starts nothing), one recorded `pending_approval` gets its approval.

The pilot scope (`plexlabor.platform.pilot`, `docs/rollout.md`) decides what a review-routed finding
becomes (trend findings are `logged`, as always):

| the finding | status | approval | payload adds |
|---|---|---|---|
| inside the pilot, `punch_finding` notifies, not advisory | `pending_approval` | started | - |
| inside the pilot, advisory mode on | `logged` | none | `held: advisory_mode`, `advisory: true` |
| inside, `punch_finding` not in `NOTIFY_KINDS` | `logged` | none | `held: kind_not_notified`, `advisory: true` |
| outside the pilot (department, workcenter or shift) | `logged` | none | `held: outside_pilot`, `advisory: false` |

A held finding inside the pilot still names the supervisor it would have gone to (when there is one),
so what each supervisor would have been sent can be counted; nobody is notified.

A finding that should go for review but has nobody to go to (the employee has no `supervisorId`, or
Plex does not know them, and no `DEFAULT_SUPERVISOR_ID` is configured) is recorded `logged` with
`unrouted: "no_supervisor"` in its payload and no supervisor, and no approval starts: retrying cannot
find a supervisor, so the record is done rather than dead-lettered with no trace. The callers count
it (`UnroutableFindings`, which an alarm watches). Like a held finding, it follows its recorded status
on a redelivery: configuring a default later does not re-route it. The setting is required wherever
approvals are on (`ApprovalStartSettings`), so this is the guard for a recorder built without it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from plexlabor.approval.request import ApprovalRequest, ApprovalStarter
from plexlabor.audit.events import AuditEvent, AuditEventType, AuditStatus, stable_event_id
from plexlabor.audit.publish import append_once
from plexlabor.audit.store import AuditStore
from plexlabor.intake.errors import NoSupervisorError
from plexlabor.intake.settings import RecordingSettings
from plexlabor.platform.clock import utc_now
from plexlabor.platform.errors import ConfigurationError
from plexlabor.platform.pilot import PUNCH_FINDING, Hold, PilotScope, Place
from plexlabor.plex.port import LaborDataPort
from plexlabor.validation.data import PlantData
from plexlabor.validation.findings import Finding

UNROUTED_NO_SUPERVISOR = "no_supervisor"
"""`payload.unrouted` of a review finding nobody can approve."""
UNROUTABLE_METRIC = "UnroutableFindings"
"""The metric (count) punch_validator and norms_refresh emit for findings recorded unrouted; the stack's
`UnroutableFindings` alarm watches it (`infra/constructs/alarms.py`)."""


def finding_event_id(finding_id: str) -> str:
    return stable_event_id(finding_id, AuditEventType.FINDING.value)


def finding_event(
    finding: Finding,
    status: AuditStatus,
    occurred_at: datetime,
    actor: str,
    supervisor_id: str | None,
    extra: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """A finding's one audit event (its id stable per finding): the finding in the payload, `extra` added."""
    return AuditEvent(
        record_key=finding.record_key,
        event_id=finding_event_id(finding.finding_id),
        event_type=AuditEventType.FINDING,
        status=status,
        occurred_at=occurred_at,
        actor=actor,
        finding_id=finding.finding_id,
        supervisor_id=supervisor_id,
        employee_id=finding.employee_id,
        model_version=finding.model_version,
        payload={**finding.model_dump(mode="json"), **(extra or {})},
    )


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
class _PlaceIndex:
    people: dict[str, tuple[str | None, str | None, str | None]]
    """employee id -> (department code, home workcenter id, default shift code)"""
    workcenters: dict[str, tuple[str, str | None]]
    """workcenter id -> (workcenter code, department code)"""


class PlantPlaces:
    """Where a finding is, in the codes a pilot scope names, from the plant's reference data:

    - department: the employee's (their supervisor's area), else the workcenter's;
    - workcenter: the code of the workcenter in the finding's evidence, else the employee's home one;
    - shift: the employee's shift (Plex `defaultShiftCode`): a shift pilot is its people and their
      supervisors. A finding about no employee (a machine running unattended) has no shift.

    Employees and workcenters are read through the port on first use, again after `max_age_s`
    (the validator's port keeps them anyway: `intake.sources.ReferenceCache`).
    """

    def __init__(
        self, port: LaborDataPort, max_age_s: float = 900.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.port, self.max_age_s, self._clock = port, max_age_s, clock
        self._index: _PlaceIndex | None = None
        self._read_at = 0.0

    def _current(self) -> _PlaceIndex:
        now = self._clock()
        if self._index is None or now - self._read_at > self.max_age_s:
            self._index = _PlaceIndex(
                people={
                    e.id: (e.department_code, e.home_workcenter_id, e.default_shift_code) for e in self.port.employees()
                },
                workcenters={w.workcenter_id: (w.workcenter_code, w.department_code) for w in self.port.workcenters()},
            )
            self._read_at = now
        return self._index

    def __call__(self, finding: Finding) -> Place:
        index = self._current()
        department, home, shift = index.people.get(finding.employee_id or "", (None, None, None))
        seen = finding.evidence.get("workcenter")
        workcenter_id = seen if isinstance(seen, str) and seen else home
        code, workcenter_department = index.workcenters.get(workcenter_id or "", (workcenter_id, None))
        return Place(department or workcenter_department, code, shift)


@dataclass(frozen=True)
class Recorded:
    finding_id: str
    route: str
    new: bool
    """False when the audit store already held this finding."""
    approval_started: bool
    supervisor_id: str | None = None
    held: Hold | None = None
    """Why a review-routed finding was recorded `logged` (the pilot scope); None otherwise."""
    unrouted: str | None = None
    """Why a review finding inside the pilot was just recorded as going to nobody
    (`UNROUTED_NO_SUPERVISOR`); None otherwise, and on a redelivery (nothing new was recorded)."""


@dataclass
class FindingRecorder:
    audit: AuditStore
    approvals: ApprovalStarter
    actor: str
    clock: Callable[[], datetime]
    default_supervisor: str | None = None
    wait_seconds: int = 8 * 3600
    scope: PilotScope = field(default_factory=PilotScope)
    places: Callable[[Finding], Place] | None = None
    """Where a finding is (`PlantPlaces`): needed when the scope names departments, workcenters or shifts."""

    def __post_init__(self) -> None:
        if not self.scope.plant_wide and self.places is None:
            raise ConfigurationError("a pilot naming departments, workcenters or shifts needs the plant's places")

    def held(self, finding: Finding) -> Hold | None:
        """Why a review-routed finding is only recorded (the pilot scope); None for one that goes for
        review, and for a trend finding."""
        if finding.route != "review":
            return None
        place = None if self.scope.plant_wide or self.places is None else self.places(finding)
        return self.scope.hold(PUNCH_FINDING, place)

    def record(self, finding: Finding, data: PlantData) -> Recorded:
        held = self.held(finding)
        # resolve first: the event says whom it went to, or that it went to nobody
        request = self._routable(finding, data) if finding.route == "review" and held is None else None
        unrouted = UNROUTED_NO_SUPERVISOR if finding.route == "review" and held is None and request is None else None
        review = request is not None
        supervisor = request.supervisor_id if request else self._would_notify(finding, data, held)
        extra = {**(held.payload() if held else {}), **({"unrouted": unrouted} if unrouted else {})}
        status = AuditStatus.PENDING_APPROVAL if review else AuditStatus.LOGGED
        event = finding_event(finding, status, self.clock(), self.actor, supervisor, extra)
        new = append_once(self.audit, event)
        if not new and finding.route == "review":
            review = self._recorded_for_review(event)
            if review and request is None:
                request = self._routable(finding, data)
        started = self.approvals.start(request) if review and request is not None else False
        return Recorded(
            finding.finding_id,
            finding.route,
            new,
            started,
            request.supervisor_id if request else supervisor,
            held,
            unrouted if new else None,
        )

    def _request(self, finding: Finding, data: PlantData) -> ApprovalRequest:
        """The approval of `finding`; NoSupervisorError when nobody can approve it."""
        supervisor, escalation = supervisors_for(data, finding.employee_id, self.default_supervisor)
        person = data.employees.get(finding.employee_id or "")
        return ApprovalRequest(
            finding=finding,
            supervisor_id=supervisor,
            escalation_supervisor_id=escalation,
            employee_number=person.number if person else None,
            wait_seconds=self.wait_seconds,
        )

    def _routable(self, finding: Finding, data: PlantData) -> ApprovalRequest | None:
        """The approval of `finding`, or None when nobody can approve it."""
        try:
            return self._request(finding, data)
        except NoSupervisorError:
            return None

    def _would_notify(self, finding: Finding, data: PlantData, held: Hold | None) -> str | None:
        """Whom a finding held inside the pilot would have gone to (None when nobody, or outside it)."""
        if held is None or not held.advisory:
            return None
        try:
            return supervisors_for(data, finding.employee_id, self.default_supervisor)[0]
        except NoSupervisorError:
            return None

    def _recorded_for_review(self, event: AuditEvent) -> bool:
        """Whether the finding event already stored (a redelivery, a re-find) opened an approval."""
        stored = (e for e in self.audit.history(event.record_key) if e.event_id == event.event_id)
        return any(e.status is AuditStatus.PENDING_APPROVAL for e in stored)


def build_recorder(
    settings: RecordingSettings,
    actor: str,
    places: PlantPlaces,
    *,
    clock: Callable[[], datetime] = utc_now,
    dynamodb: Any | None = None,
) -> FindingRecorder:
    """The real recorder of a function's findings: its audit table (through `dynamodb` where the function
    shares one client), its approval state machine, default supervisor, wait and pilot scope."""
    from plexlabor.audit.dynamodb import DynamoDbAuditStore
    from plexlabor.intake.approvals import StepFunctionsApprovalStarter

    return FindingRecorder(
        audit=DynamoDbAuditStore(settings.audit_table_name, client=dynamodb),
        approvals=StepFunctionsApprovalStarter(settings.approval_state_machine_arn),
        actor=actor,
        clock=clock,
        default_supervisor=settings.default_supervisor_id,
        wait_seconds=settings.approval_wait_s,
        scope=settings.pilot_scope,
        places=places,
    )
