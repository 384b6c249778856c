"""Deciding a recommendation (crew, skills, forecast), and what an approved one writes to Plex.

A recommendation is decided in the review queue: one `decision` audit event per item (its id is
stable, so the queue and the write-back's reconciliation cannot both record one). Of the kinds,
only a crew assignment changes Plex when approved: it becomes one record in the crew-assignments
custom object (`PlexSettings.crew_custom_object_name`) with status `assigned`, for the plant's
scheduler or a Plex Process Flow to apply. Reverting it adds a record with status `withdrawn` for
the same assignment: plexlabor posts custom-object records and never edits or deletes one. So does an
approved removal (`crew_removal`, opened by crew_replan when the person of an accepted seat calls off,
`plexlabor.crew.removals`): the write-back posts that `withdrawn` record (`approval.writeback`).
Unallocated time (`unallocated_time`) with a likely job becomes the labor entry its suggestion
carries (`labor_entry`), POSTed to the `labor-entry-create` resource in the write mode (a custom-object
record in `custom_object` mode); it is not reverted by plexlabor (it deletes no Plex record).
An incident (`incident_coding`) is written once the EHS lead confirmed its codes and what its text
says on the incident's page (`incident_record`, status `confirmed`, in the incidents custom object,
`PlexSettings.incident_custom_object_name`, or a nonconformance record, `nonconformance_record`, when
`PlexSettings.incident_write_target` says so): the queue refuses to approve one and sends the EHS lead
to that page (`review.decisions.NothingToConfirmError`). Every other kind is acknowledged (approve) or
dismissed (reject, with the reason) without a write.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, NamedTuple

from plexlabor.approval.messages import Decision
from plexlabor.audit import AuditEvent

CREW_ASSIGNMENT = "crew_assignment"
CREW_REMOVAL = "crew_removal"
"""The removal from Plex of an accepted crew assignment whose person called off (`payload.removes`: its item id)."""
UNALLOCATED_TIME = "unallocated_time"
"""Paid time on no job (`plexlabor.allocation`): approved, its `labor_entry` is written to Plex."""
WRITTEN_KINDS = frozenset({CREW_ASSIGNMENT, CREW_REMOVAL, UNALLOCATED_TIME})
"""The recommendation kinds an approval writes to Plex."""
INCIDENT_CODING = "incident_coding"
"""An incident or near miss and its codes (`plexlabor.incidents`)."""
CONFIRMED_KINDS = frozenset({INCIDENT_CODING})
"""Kinds written to Plex when confirmed on their own page (never by an approval in the queue)."""
WRITABLE_KINDS = WRITTEN_KINDS | CONFIRMED_KINDS
"""What plex_writeback writes."""
INCIDENT_FIELDS = ("occurred_at", "workcenter_code", "shift_code", "equipment", "body_parts", "ppe_not_worn")
"""What the EHS lead confirms of an incident beside its codes (the decision's `correction` holds both)."""
OCCURRED_UNKNOWN = "occurred_at_unknown"
"""In a confirmation: "yes" when the EHS lead confirmed that the time it happened is not known (`occurred_at` then
empty), which the Plex record says (`occurredAtUnknown`) rather than leaving the time blank unexplained (ux_s17 M6)."""

NONCONFORMANCE_ACTION = "nonconformance-create"
"""The logical resource a confirmed incident is POSTed to when `PlexSettings.incident_write_target` is
`nonconformance` (a custom-object record of the target call in `custom_object` mode, like every write)."""

ASSIGNMENT_FIELDS = ("segment", "workcenter_code", "shift_code", "plan_day", "start", "end", "hours")
"""What an assignment record carries from the recommendation (camelCased in the custom object)."""


class Recommended(NamedTuple):
    """Which recommendation a decision is about (from its opening event, or a review item)."""

    item_id: str
    record_key: str
    kind: str | None
    employee_id: str | None
    model_version: str | None

    @classmethod
    def of(cls, opening: AuditEvent) -> Recommended:
        kind = opening.payload.get("kind")
        return cls(
            opening.finding_id or opening.event_id,
            opening.record_key,
            None if kind is None else str(kind),
            opening.employee_id,
            opening.model_version,
        )


def recommendation_decision(
    recommended: Recommended, decision: Decision, occurred_at: datetime, via: str
) -> AuditEvent:
    """The `decision` event of a recommendation."""
    return decision.audit_event(
        record_key=recommended.record_key,
        item_id=recommended.item_id,
        employee_id=recommended.employee_id,
        model_version=recommended.model_version,
        occurred_at=occurred_at,
        payload={"kind": recommended.kind, "via": via},
    )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def assignment_record(opening: AuditEvent, status: Literal["assigned", "withdrawn"]) -> dict[str, Any]:
    """One crew-assignments custom-object record (scalar columns only; plex_writeback adds the approval's,
    `approval.approved`)."""
    payload = opening.payload
    _, _, job_operation_id = opening.record_key.partition(":")
    return {
        "assignmentId": opening.finding_id or opening.event_id,
        "status": status,
        "jobOperationId": job_operation_id,
        "employeeId": opening.employee_id,
        **{_camel(name): payload.get(name) for name in ASSIGNMENT_FIELDS},
    }


def incident_record(opening: AuditEvent, decision: Decision) -> dict[str, Any]:
    """One incidents custom-object record: the report, the codes and the fields as the EHS lead confirmed
    them (the decision's `correction`), scalar columns only (plex_writeback adds the approval's, `approval.approved`:
    who confirmed them, when, with what note)."""
    payload = opening.payload
    confirmed = decision.correction or {}
    incident = payload.get("incident") or {}
    return {
        "incidentId": opening.finding_id or opening.event_id,
        "status": "confirmed",
        "kind": incident.get("kind"),
        "narrative": incident.get("narrative"),
        **{_camel(name): confirmed.get(name) for name in INCIDENT_FIELDS},
        **({"occurredAtUnknown": True} if confirmed.get(OCCURRED_UNKNOWN) == "yes" else {}),
        **{
            _camel(name): code
            for name, code in sorted(confirmed.items())
            if name not in INCIDENT_FIELDS and name != OCCURRED_UNKNOWN
        },
        "reportedBy": opening.actor,
    }


def nonconformance_record(opening: AuditEvent, decision: Decision) -> dict[str, Any]:
    """A confirmed incident as a Plex nonconformance record: the incident as its external reference, what
    was found (the narrative), when (`foundTime`: as confirmed, else when it was reported), and the
    confirmed fields and codes as in `incident_record`."""
    record = incident_record(opening, decision)
    kind = record.pop("kind")
    del record["status"]
    return {
        "externalReference": record.pop("incidentId"),
        "nonconformanceType": "safety near miss" if kind == "near_miss" else "safety incident",
        "description": record.pop("narrative"),
        "foundTime": record.pop("occurredAt") or opening.occurred_at.isoformat(),
        **record,
    }
