"""Who approved a write to Plex, when and why: the columns every record plex_writeback writes carries.

Built here only, from the item's `decision` audit event (the one the write carries out), and flattened into each
record plexlabor shapes itself, whatever the kind (a time-clock correction, advice, a crew assignment or removal,
unallocated time, an incident): the custom-object records in every write mode, the custom-object record of a target
call (`custom_object` mode), a nonconformance record, and what a dry run keeps (`plexlabor.plex.writeback`). Scalar
columns only, as custom objects hold them (`docs/plex-integration.md`, "What every record carries").
"""

from __future__ import annotations

from typing import Any

from plexlabor.audit import AuditEvent
from plexlabor.models.types import format_plex_datetime


def approval_columns(decision: AuditEvent) -> dict[str, Any]:
    """The approval of a `decision` event as record columns: the suggestion's id and model version, the decision's
    audit event id, who approved it, when (Plex's UTC form), and the reason or comment given (None: none given)."""
    return {
        "itemId": decision.finding_id,
        "modelVersion": decision.model_version,
        "decisionId": decision.event_id,
        "approvedBy": decision.supervisor_id or decision.actor,
        "approvedAt": format_plex_datetime(decision.occurred_at),
        "reason": decision.payload.get("reason"),
    }
