"""Validation findings supervisors decided in a window, per employee, from the audit table.

Read as the review KPIs and the scorer's decision export read decisions: the status index's `approved`
and `rejected` events from the window's start (`AuditStore.by_status`, oldest first), kept to decisions
on punch findings (a `decision` event naming a validation anomaly type, as
`plexlabor.approval.callback.decision_event` records them: decisions on recommendations, such as crew
assignments or unallocated time, name none), one per finding, made before the window's end. A decision
counts in the window it was made in: the finding it decides was recorded hours before, within the
approval wait.

Only employee ids (pseudonymous keys) are read and counted; what is logged is counts.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from plexlabor.analytics.inputs import FindingDecisions
from plexlabor.audit.events import AuditEvent, AuditEventType, AuditStatus
from plexlabor.audit.store import AuditStore
from plexlabor.models.anomalies import AnomalyType
from plexlabor.platform.observability import logger

READ_LIMIT = 50_000
"""Decisions read per status; a window holding more is not scored on them (it says so) rather than on a part."""


def _on_a_finding(event: AuditEvent) -> bool:
    anomaly = event.payload.get("anomaly_type")
    return (
        event.event_type is AuditEventType.DECISION
        and event.finding_id is not None
        and event.employee_id is not None
        and isinstance(anomaly, str)
        and anomaly in AnomalyType.__members__
    )


def read_decisions(audit: AuditStore, begin: datetime, end: datetime, *, limit: int = READ_LIMIT) -> FindingDecisions:
    """Per employee, the validation findings supervisors upheld (approved) and rejected in [begin, end)."""
    counts: dict[AuditStatus, Counter[str]] = {}
    decided: set[str] = set()
    for status in (AuditStatus.APPROVED, AuditStatus.REJECTED):
        events = audit.by_status(status, since=begin, limit=limit)
        if len(events) >= limit and events[-1].occurred_at < end:
            logger.warning("decisions not all read", status=status.value, limit=limit)
            return FindingDecisions(not_read=f"more than {limit:,} findings were {status.value} in the window")
        counts[status] = Counter()
        for event in events:
            if event.occurred_at < end and _on_a_finding(event) and event.finding_id not in decided:
                decided.add(str(event.finding_id))
                counts[status][str(event.employee_id)] += 1
    upheld, rejected = counts[AuditStatus.APPROVED], counts[AuditStatus.REJECTED]
    logger.info(
        "finding decisions read",
        upheld=upheld.total(),
        rejected=rejected.total(),
        employees=len(upheld.keys() | rejected.keys()),
    )
    return FindingDecisions(dict(upheld), dict(rejected))
