"""Supervisors' decisions on punch findings, from the audit table, as the scorer's training rows.

A `decision` event of a punch finding (`plexlabor.approval.callback.decision_event`) carries the
finding's features, anomaly type, confidence, severity and model version, the action and the reason.
`export_rows` turns each into one training row: a `Finding` whose `evidence` holds `features`,
`decision` (`approved` | `rejected`), `decided_at` and `plant` (and `work_day`, the employee's work day the
finding is about, when its review timeline named one; `shadow`, the shadow candidate's score
when one was scored beside the model in force; `exploration`, its propensity, when the finding was sent as a
random sample of what the model in force stops sending): the rows `plexlabor train --decisions FILE` reads
(`training.examples_from_decisions`).

Pseudonymised: no names (the audit table holds none), no supervisor id, no Plex record key (a record
key leads back to the person in Plex: the row keeps the finding id, a hash of it), no free-text
reason (a supervisor may write a name in it: the row keeps only whether one was given), and the
employee id replaced by a keyed hash with a per-plant salt (`pseudonym`): the same person is the same
pseudonym within a plant, unlinkable across plants and to Plex without the salt. Decisions on
recommendations (crew, skills, forecast) carry no anomaly type and are left out. Rows are segmented
by plant (`by_plant`): each plant's scorer learns from its own supervisors.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from plexlabor.audit.events import AuditEvent, AuditEventType, AuditStatus
from plexlabor.models.anomalies import AnomalyType
from plexlabor.validation.exploration import EXPLORATION_KEY
from plexlabor.validation.findings import Finding

DECISION_KEY = "decision"
DECIDED_AT_KEY = "decided_at"
WORK_DAY_KEY = "work_day"
PLANT_KEY = "plant"
ROW_NOTE = "supervisor decision (pseudonymised training row)"
SEVERITIES = ("low", "medium", "high")


def pseudonym(employee_id: str | None, plant: str, salt: bytes) -> str | None:
    """`p-` and 16 hex digits of HMAC-SHA256(salt, plant|employee); None stays None."""
    if employee_id is None:
        return None
    digest = hmac.new(salt, f"{plant}|{employee_id}".encode(), hashlib.sha256).hexdigest()
    return f"p-{digest[:16]}"


def _features(payload: dict[str, Any]) -> dict[str, float] | None:
    features = payload.get("features")
    if not isinstance(features, dict):
        return None
    try:
        return {str(name): float(value) for name, value in features.items()}
    except (TypeError, ValueError):
        return None


def _shadow(payload: dict[str, Any]) -> dict[str, Any]:
    """The shadow candidate's score the finding carried (`{"shadow": {...}}`), or nothing."""
    shadow = payload.get("shadow")
    if not isinstance(shadow, dict) or not isinstance(shadow.get("model_version"), str):
        return {}
    confidence = shadow.get("confidence")
    return {
        "shadow": {
            "model_version": shadow["model_version"],
            "confidence": float(confidence) if isinstance(confidence, int | float) else None,
            "would_review": bool(shadow.get("would_review")),
        }
    }


def _exploration(payload: dict[str, Any]) -> dict[str, Any]:
    """The finding's exploration record (`plexlabor.validation.exploration`: drawn at random, with its
    propensity), or nothing."""
    explored = payload.get(EXPLORATION_KEY)
    share = explored.get("propensity") if isinstance(explored, dict) else None
    if not isinstance(explored, dict) or not isinstance(share, int | float):
        return {}
    return {EXPLORATION_KEY: {"propensity": float(share), "drawn": bool(explored.get("drawn"))}}


def to_row(event: AuditEvent, plant: str, salt: bytes) -> Finding | None:
    """The training row of one `decision` event of a punch finding; None for any other event."""
    payload = event.payload
    anomaly = payload.get("anomaly_type")
    features = _features(payload)
    if (
        event.event_type is not AuditEventType.DECISION
        or event.finding_id is None
        or not isinstance(anomaly, str)
        or anomaly not in AnomalyType.__members__
        or features is None
    ):
        return None
    explored = payload.get(EXPLORATION_KEY)
    # a drawn finding was shown at the exploration reference's confidence; the row keeps the model in force's
    in_force = explored.get("confidence") if isinstance(explored, dict) else None
    confidence = payload.get("confidence") if in_force is None else in_force
    severity = payload.get("severity")
    work_day = payload.get(WORK_DAY_KEY)
    return Finding(
        finding_id=event.finding_id,
        record_key=event.finding_id,
        employee_id=pseudonym(event.employee_id, plant, salt),
        anomaly_type=AnomalyType(anomaly),
        confidence=min(1.0, max(0.0, float(confidence))) if isinstance(confidence, int | float) else 0.0,
        severity=severity if severity in SEVERITIES else "medium",
        note=ROW_NOTE,
        evidence={
            "features": features,
            DECISION_KEY: "approved" if event.status is AuditStatus.APPROVED else "rejected",
            "reason_given": bool(payload.get("reason")),
            DECIDED_AT_KEY: event.occurred_at.isoformat(),
            PLANT_KEY: plant,
            **({WORK_DAY_KEY: work_day} if isinstance(work_day, str) else {}),
            **_shadow(payload),
            **_exploration(payload),
        },
        model_version=event.model_version or "unknown",
        route="review",
    )


def export_rows(events: Iterable[AuditEvent], plant: str, salt: bytes) -> list[Finding]:
    """The training rows of `events`' punch-finding decisions, oldest decision first, one per finding."""
    rows: dict[str, Finding] = {}
    for event in sorted(events, key=lambda e: e.index_sk):
        row = to_row(event, plant, salt)
        if row is not None:
            rows.setdefault(row.finding_id, row)  # a finding is decided once; the first event stands
    return list(rows.values())


def decided_at(row: Finding) -> datetime:
    return datetime.fromisoformat(row.evidence[DECIDED_AT_KEY])


def approved(row: Finding) -> bool:
    return row.evidence.get(DECISION_KEY) == "approved"


def by_plant(rows: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Rows per plant, each plant's in the order given."""
    out: dict[str, list[Finding]] = {}
    for row in rows:
        out.setdefault(str(row.evidence.get(PLANT_KEY, "")), []).append(row)
    return out


def rows_jsonl(rows: Iterable[Finding]) -> bytes:
    """Rows as JSON lines (what `read_findings` and `plexlabor train --decisions` read)."""
    return "".join(row.model_dump_json() + "\n" for row in rows).encode()
