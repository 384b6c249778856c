"""Put a stored scorer model in force by hand: `plexlabor model promote|rollback VERSION`.

Both move `models/scorer/latest.json` to a stored version (one with its card) and record a `model`
audit event (`promoted` or `rolled_back`) naming who did it, the version that was in force and the
plant's cuts the version brings (a rollback to a version without cuts removes them). The
event is recorded first: a pointer is never moved without its event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from plexlabor.audit.events import AuditStatus
from plexlabor.audit.store import AuditStore
from plexlabor.learning.cuts import cuts_json
from plexlabor.learning.events import model_event
from plexlabor.platform.artifacts import ArtifactError
from plexlabor.validation.registry import ModelRegistry


def put_in_force(
    registry: ModelRegistry, audit: AuditStore, version: str, *, rollback: bool, by: str, at: datetime
) -> dict[str, Any]:
    """Point the registry at `version` and record why; the new pointer. ArtifactError if it is not stored
    or is already in force."""
    model = registry.model(version)
    if model is None or registry.card(version) is None:
        raise ArtifactError(f"no stored model {version} (with its card)")
    previous = registry.in_force()
    if previous == version:
        raise ArtifactError(f"{version} is already in force")
    status = AuditStatus.ROLLED_BACK if rollback else AuditStatus.PROMOTED
    audit.append(
        model_event(
            status,
            version,
            actor=by,
            occurred_at=at,
            payload={"previous": previous, "manual": True, "cuts": cuts_json(model)},
        )
    )
    return registry.put_in_force(version, by=by, at=at)
