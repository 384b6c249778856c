"""Decision events of punch findings, as the approval callback records them, for the learning loop's tests.

A plant-specific policy the packaged model does not know: supervisors uphold EARLY_CLOCK_IN only from
40 minutes beyond the grace; below it they reject. Findings come in two groups (15-35 and 45-80
minutes): separable, so a retrained model can learn the line.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from plexlabor.approval.callback import decision_event
from plexlabor.approval.messages import Decision
from plexlabor.audit import ApprovalAction
from plexlabor.audit.events import AuditEvent, AuditEventType, AuditStatus
from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.checks.base import OFFSET, Candidate
from plexlabor.validation.decisions import export_rows
from plexlabor.validation.findings import Finding, finding_id_for

START = datetime(2026, 9, 7, 8, 0, tzinfo=UTC)
UPHOLD_FROM_MIN = 40.0
SALT = b"s" * 32
"""The pseudonym salt of the exported rows."""


def finding(
    n: int, beyond: float, employee: str = "E-100", anomaly: AnomalyType = AnomalyType.EARLY_CLOCK_IN
) -> Finding:
    deviation = beyond + 7.0
    return Finding(
        finding_id=finding_id_for(f"time-clock-entries:{n}", anomaly),
        record_key=f"time-clock-entries:{n}",
        employee_id=employee,
        anomaly_type=anomaly,
        confidence=0.9,
        severity="medium",
        note=f"Clock-in {beyond:.0f} min before shift start (Jane Doe)",
        evidence={"features": {"beyond_grace_min": beyond, "deviation_min": deviation, "z": deviation / 4}},
        model_version="scorer-6b2c4bd848+norms-1",
        route="review",
    )


def logged(finding: Finding, at: datetime) -> AuditEvent:
    """A trend finding as punch_validator records it: `logged`, nobody asked to decide it."""
    return AuditEvent(
        record_key=finding.record_key,
        event_type=AuditEventType.FINDING,
        status=AuditStatus.LOGGED,
        occurred_at=at,
        actor="punch_validator",
        finding_id=finding.finding_id,
        employee_id=finding.employee_id,
        model_version=finding.model_version,
        payload=finding.model_dump(mode="json"),
    )


def event(
    n: int,
    beyond: float,
    upheld: bool,
    at: datetime,
    employee: str = "E-100",
    anomaly: AnomalyType = AnomalyType.EARLY_CLOCK_IN,
) -> AuditEvent:
    action = ApprovalAction.APPROVE if upheld else ApprovalAction.REJECT
    reason = None if upheld else "Jane was asked to come in early"
    decision = Decision(action=action, reason=reason, supervisor_id="SUP-1")
    return decision_event(finding(n, beyond, employee, anomaly), decision, at, None)


def decisions(
    count: int, *, seed: int, first: int = 0, start: datetime = START, random_share: float = 0.0
) -> list[AuditEvent]:
    """`count` decisions an hour apart from `start`; `random_share` of them decided by a coin."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        beyond = rng.uniform(45, 80) if rng.random() < 0.5 else rng.uniform(15, 35)
        upheld = beyond >= UPHOLD_FROM_MIN
        if rng.random() < random_share:
            upheld = rng.random() < 0.5
        out.append(event(first + i, beyond, upheld, start + timedelta(hours=first + i), f"E-{rng.randrange(100, 160)}"))
    return out


def decision_rows(events: Iterable[AuditEvent]) -> list[Finding]:
    """The training rows of `events` (plant "p"), as the decisions export writes them."""
    return export_rows(events, "p", SALT)


def early_clock_in(record_key: str, features: dict[str, float]) -> Candidate:
    """An EARLY_CLOCK_IN candidate with the scorer's `features`, as the validator's offset check builds it."""
    return Candidate(
        record_key=record_key,
        employee=None,
        anomaly=AnomalyType.EARLY_CLOCK_IN,
        family=OFFSET,
        features=features,
        evidence={},
        note="Clock-in early",
        correction=None,
        severity="medium",
    )
