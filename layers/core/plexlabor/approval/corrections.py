"""From an approved finding's `suggested_correction` to one concrete Plex write.

Two kinds of correction:
- a **field update** of one Plex record: every key of the correction is a field plexlabor may set on
  that kind of record (e.g. a missed clock-out: `{"clockoutTime": ...}` on `time-clock-entries:<id>`).
  It becomes a `WriteRequest` on the logical resource `time-clock-entry-update` (path
  `/hcm/v1/time-clock-entries/{id}` unless configured), read before it is written so the previous
  values can be kept and restored. In `custom_object` mode `PlexWriter` turns it into a suggestion
  record naming that target; in `direct` mode it is sent there.
- a **suggestion**: anything else (a duplicate to delete, a job to recode, an identity to check, a
  missing clock-in to create, or no correction at all). plexlabor never deletes or creates Plex
  records on its own: these go to the suggestions custom object for a person or a Process Flow to
  apply, in `custom_object` and `direct` mode alike, and replace no Plex value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from plexlabor.approval.messages import Decision
from plexlabor.plex.settings import PlexSettings
from plexlabor.validation.findings import Finding

TIME_CLOCK_UPDATE = "time-clock-entry-update"

UPDATABLE_FIELDS: dict[str, tuple[str, frozenset[str]]] = {
    "time-clock-entries": (
        TIME_CLOCK_UPDATE,
        frozenset({"clockinTime", "clockoutTime", "paidStartTime", "paidEndTime", "deductBreakMinutes"}),
    ),
}
"""Record resource -> (logical write resource, fields plexlabor may set on it)."""

FALLBACK_RESOURCE_PATHS: dict[str, str] = {TIME_CLOCK_UPDATE: "/hcm/v1/time-clock-entries/{id}"}
"""Write targets the shared Plex path map does not define yet. Used in `dry_run` and `custom_object`
mode (where the path is only named in the suggestion); `direct` mode requires the path to be
configured explicitly (`PLEXLABOR_PLEX_RESOURCE_PATHS`), because no public Plex documentation gives
the update verb and path of a time-clock entry: verify them on a tenant first."""


def split_record_key(record_key: str) -> tuple[str, str]:
    resource, _, record_id = record_key.partition(":")
    if not resource or not record_id:
        raise ValueError(f"not a record key: {record_key!r}")
    return resource, record_id


@dataclass(frozen=True)
class FieldUpdate:
    resource: str
    record_id: str
    action: str
    fields: dict[str, Any]

    @property
    def path_params(self) -> dict[str, str]:
        return {"id": self.record_id}


@dataclass(frozen=True)
class Suggestion:
    record: dict[str, Any]
    """One custom-object record: scalar columns only (nested values travel as JSON strings); plex_writeback adds the
    approval's (`approval.approved`)."""


def updates_fields(correction: Mapping[str, Any] | None, record_key: str) -> bool:
    """Whether approving `correction` sets fields of the record (a field update), rather than recording advice."""
    resource, _ = split_record_key(record_key)
    target = UPDATABLE_FIELDS.get(resource)
    return bool(correction) and target is not None and set(correction or {}) <= target[1]


def plan_correction(finding: Finding, decision: Decision) -> FieldUpdate | Suggestion:
    """The write the approved correction makes: the supervisor's edit of it when they made one."""
    correction = decision.correction or finding.suggested_correction or {}
    resource, record_id = split_record_key(finding.record_key)
    if updates_fields(correction, finding.record_key):
        action = UPDATABLE_FIELDS[resource][0]
        return FieldUpdate(resource=resource, record_id=record_id, action=action, fields=dict(correction))
    return Suggestion(
        record={
            "findingId": finding.finding_id,
            "recordKey": finding.record_key,
            "anomalyType": finding.anomaly_type.value,
            "employeeId": finding.employee_id,
            "note": finding.note,
            "suggestionJson": json.dumps(correction, sort_keys=True, separators=(",", ":")),
            "confidence": finding.confidence,
        }
    )


def with_fallback_paths(settings: PlexSettings) -> PlexSettings:
    """`settings` with `FALLBACK_RESOURCE_PATHS` added where nothing is configured, except in
    `direct` mode, where a missing path must stay an error (see FALLBACK_RESOURCE_PATHS)."""
    if settings.write_mode == "direct":
        return settings
    missing = {name: path for name, path in FALLBACK_RESOURCE_PATHS.items() if name not in settings.resource_paths}
    if not missing:
        return settings
    return settings.model_copy(update={"resource_paths": {**settings.resource_paths, **missing}})
