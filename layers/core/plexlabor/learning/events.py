"""The `model` audit events: a scorer model put in force, kept as a shadow candidate, or rolled back; and a model
line's story as they tell it (the scorer's, or the incident coder's under its own record)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from plexlabor.audit.events import AuditEvent, AuditEventType, AuditStatus
from plexlabor.audit.events import model_event as audit_model_event
from plexlabor.audit.store import AuditStore

MODEL_RECORD_KEY = "models:scorer"
"""The audit record a scorer model's story is kept under (`AuditStore.history(MODEL_RECORD_KEY)`)."""


def model_event(
    status: AuditStatus,
    version: str,
    *,
    actor: str,
    occurred_at: datetime,
    payload: dict[str, Any],
    stable_after: str | None = None,
) -> AuditEvent:
    """One `model` event. `stable_after`: a scheduled run's verdict, whose id is the version, the status and this
    mark of the model in force's last move (the registry pointer's `since`; "" for none): a retried run records its
    verdict once, and the same version promoted again after a rollback is a step of its own. None: a fresh id (a
    person may promote the same version twice, weeks apart)."""
    stable_as = None if stable_after is None else f"{AuditEventType.MODEL.value}:{stable_after}"
    return audit_model_event(
        MODEL_RECORD_KEY, status, version, occurred_at=occurred_at, actor=actor, payload=payload, stable_as=stable_as
    )


IN_FORCE_STATUSES = (AuditStatus.PROMOTED, AuditStatus.ROLLED_BACK)
"""The events that put a model in force."""


@dataclass(frozen=True)
class ModelStory:
    """A model line's story as the KPI page tells it: the model in force (None: the packaged one, nothing was
    ever promoted) and every `model` event, newest first."""

    in_force: AuditEvent | None
    events: list[AuditEvent]

    @property
    def held(self) -> AuditEvent | None:
        """The rollback by hand that holds automatic promotion (`holds_promotion`), while no promote followed it."""
        in_force = self.in_force
        if in_force is None or in_force.status is not AuditStatus.ROLLED_BACK:
            return None
        return in_force if in_force.payload.get("holds_promotion") else None

    @property
    def shadow(self) -> AuditEvent | None:
        """The newest candidate kept as a shadow since the model in force was put in force, if any."""
        since = self.in_force.occurred_at if self.in_force else None
        return next(
            (e for e in self.events if e.status is AuditStatus.SHADOW and (since is None or e.occurred_at > since)),
            None,
        )


def model_story(audit: AuditStore, record_key: str = MODEL_RECORD_KEY) -> ModelStory:
    """Read a model line's `model` events (the scorer's: `MODEL_RECORD_KEY`)."""
    events = sorted(audit.history(record_key), key=lambda e: e.occurred_at, reverse=True)
    in_force = next((e for e in events if e.status in IN_FORCE_STATUSES), None)
    return ModelStory(in_force, events)
