"""The `model` audit events: a scorer model put in force, kept as a shadow candidate, or rolled back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from plexlabor.audit.events import AuditEvent, AuditEventType, AuditStatus, new_event_id, stable_event_id

MODEL_RECORD_KEY = "models:scorer"
"""The audit record a scorer model's story is kept under (`AuditStore.history(MODEL_RECORD_KEY)`)."""


def model_event(
    status: AuditStatus,
    version: str,
    *,
    actor: str,
    occurred_at: datetime,
    payload: dict[str, Any],
    stable: bool = False,
) -> AuditEvent:
    """One `model` event. `stable`: its id is the version and the status (a retried scheduled run records
    its verdict once); otherwise a fresh id (a person may promote the same version twice, weeks apart)."""
    return AuditEvent(
        record_key=MODEL_RECORD_KEY,
        event_id=stable_event_id(version, AuditEventType.MODEL.value, status.value) if stable else new_event_id(),
        event_type=AuditEventType.MODEL,
        status=status,
        occurred_at=occurred_at,
        actor=actor,
        model_version=version,
        payload=payload,
    )
