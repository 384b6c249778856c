"""Audit events: one immutable record per finding, notification, decision, write-back or revert.

The audit table is append-only: an event is never updated or deleted. A record's story is the
ordered list of its events (`AuditStore.history`); a finding's current state is its latest event
(`AuditStore.latest_for_finding`).

Personal data: `actor`, `supervisor_id` and `employee_id` hold ids, never names, e-mail addresses or
badge numbers. `employee_id` is the pseudonymous employee key. Ids may not contain whitespace or `@`,
which stops the commonest slips (a full name, an e-mail address) at validation time.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

AUDIT_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
"""Fixed width (27 characters), so string order is time order in DynamoDB sort keys."""

MAX_EVENT_JSON_BYTES = 300_000
"""Cap on payload + previous_values as JSON; DynamoDB items stop at 400 KB."""
STORED_JSON_BYTES = "stored_json_bytes"
"""Validation context key of an event read back from a store: the bytes of its payload and previous values as stored
(`canonical_json` text, parsed by `json.loads`). Such values are JSON as they stand, so the round trip and the size
figured again would give the same values and the same size: both are skipped."""

MAX_KIND_CHARS = 128
"""A payload's `kind` longer than this is not indexed (`AuditEvent.kind`)."""

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_EVENT_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/plexlabor/audit-event")


class AuditEventType(StrEnum):
    FINDING = "finding"
    RECOMMENDATION = "recommendation"
    NOTIFICATION = "notification"
    DECISION = "decision"
    WRITEBACK = "writeback"
    WRITEBACK_FAILED = "writeback_failed"
    WRITEBACK_ATTEMPT = "writeback_attempt"
    """A direct write to a Plex record is about to be sent: the values it will replace, kept in case its
    answer is lost after Plex applied it (the retry then finds the new values already there)."""
    REVERT = "revert"
    EXPIRED = "expired"
    ESCALATED = "escalated"
    APPROVAL_FAILED = "approval_failed"
    """The approval workflow's notify step failed (not a timeout): the finding is decided in the review queue."""
    MODEL = "model"
    """A scorer model put in force, kept in shadow, or rolled back (`plexlabor.learning`)."""
    INTERACTION = "interaction"
    """An operator's question to the copilot and its answer (`plexlabor.copilot.interactions`)."""
    REPLAN = "replan"
    """An event a crew re-plan applied to its shift (a call-off, a workcenter down or up...), so that every
    container reading the shift again applies it again (`plexlabor.crew.replanning.applied_event`)."""
    CLAIM = "claim"
    """A crew seat, swap or call-off held at a decision by a conditional write, so that two decisions at once cannot
    both hold what one person (or one seat) holds once (`plexlabor.crew.claims`)."""
    INDEXED = "indexed"
    """An index of the audit table holds every event it is for from a time on (its migration done, or a table that
    never held events without its key): the plan-day index's marker, `plexlabor.crew.suggestions.mark_indexed`."""


class AuditStatus(StrEnum):
    LOGGED = "logged"
    PENDING_APPROVAL = "pending_approval"
    NOTIFIED = "notified"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    ESCALATED = "escalated"
    APPROVAL_FAILED = "approval_failed"
    WRITTEN = "written"
    WRITE_FAILED = "write_failed"
    WRITING = "writing"
    REVERTED = "reverted"
    PROMOTED = "promoted"
    SHADOW = "shadow"
    ROLLED_BACK = "rolled_back"
    ANSWERED = "answered"
    APPLIED = "applied"
    CLAIMED = "claimed"
    INDEXED = "indexed"


ALLOWED_STATUSES: dict[AuditEventType, frozenset[AuditStatus]] = {
    AuditEventType.FINDING: frozenset({AuditStatus.LOGGED, AuditStatus.PENDING_APPROVAL}),
    AuditEventType.RECOMMENDATION: frozenset({AuditStatus.LOGGED, AuditStatus.PENDING_APPROVAL}),
    AuditEventType.NOTIFICATION: frozenset({AuditStatus.NOTIFIED}),
    AuditEventType.DECISION: frozenset({AuditStatus.APPROVED, AuditStatus.REJECTED}),
    AuditEventType.WRITEBACK: frozenset({AuditStatus.WRITTEN}),
    AuditEventType.WRITEBACK_FAILED: frozenset({AuditStatus.WRITE_FAILED}),
    AuditEventType.WRITEBACK_ATTEMPT: frozenset({AuditStatus.WRITING}),
    AuditEventType.REVERT: frozenset({AuditStatus.REVERTED}),
    AuditEventType.EXPIRED: frozenset({AuditStatus.EXPIRED}),
    AuditEventType.ESCALATED: frozenset({AuditStatus.ESCALATED}),
    AuditEventType.APPROVAL_FAILED: frozenset({AuditStatus.APPROVAL_FAILED}),
    AuditEventType.MODEL: frozenset({AuditStatus.PROMOTED, AuditStatus.SHADOW, AuditStatus.ROLLED_BACK}),
    AuditEventType.INTERACTION: frozenset({AuditStatus.ANSWERED}),
    AuditEventType.REPLAN: frozenset({AuditStatus.APPLIED}),
    AuditEventType.CLAIM: frozenset({AuditStatus.CLAIMED}),
    AuditEventType.INDEXED: frozenset({AuditStatus.INDEXED}),
}
"""The status each kind of event may carry: an `expired` event cannot claim `written`."""

NEEDS_FINDING_ID = frozenset(ALLOWED_STATUSES) - {
    AuditEventType.FINDING,
    AuditEventType.RECOMMENDATION,
    AuditEventType.MODEL,
    AuditEventType.INTERACTION,
    AuditEventType.REPLAN,
    AuditEventType.CLAIM,
    AuditEventType.INDEXED,
}
"""Events of the approval flow always name the finding they belong to."""

NEEDS_MODEL_VERSION = frozenset({AuditEventType.FINDING, AuditEventType.RECOMMENDATION, AuditEventType.MODEL})
"""Every AI output records which model (or rule set) version produced it."""

NEEDS_SUPERVISOR_ID = frozenset({AuditEventType.NOTIFICATION, AuditEventType.DECISION})


def format_audit_time(value: datetime) -> str:
    """`2026-11-26T07:31:00.123456Z`: UTC, microseconds, fixed width (`isoformat`, not
    `strftime(AUDIT_TIME_FORMAT)`, whose `%Y` drops the leading zeros of a year below 1000)."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def new_event_id() -> str:
    """A random event id (32 hex digits)."""
    return uuid.uuid4().hex


def stable_event_id(*parts: str) -> str:
    """A deterministic event id from business keys, e.g. `stable_event_id(finding_id, "finding")`.

    A retried Lambda that rebuilds the same event gets the same id, so the store answers
    `AuditConflictError` instead of recording the event twice.
    """
    if not parts:
        raise ValueError("stable_event_id needs at least one part")
    return uuid.uuid5(_EVENT_ID_NAMESPACE, "\x1f".join(parts)).hex


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


AuditTimestamp = Annotated[
    AwareDatetime,
    AfterValidator(_to_utc),
    PlainSerializer(format_audit_time, return_type=str, when_used="json"),
]
"""A timezone-aware datetime, normalised to UTC. Naive datetimes are refused, not guessed."""

AuditId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/+=-]*$")]
"""An opaque id: no whitespace, no `@`, no `#` (the sort-key separator)."""

RecordKey = Annotated[str, StringConstraints(min_length=3, max_length=512, pattern=r"^[^#\s]\S*$")]
"""The Plex record's stable key (`plexlabor.models.record_key`), e.g. `time-clock-entries:123`.

A leading `#` is reserved for the store's own bookkeeping items.
"""


def canonical_json(value: Any) -> str:
    """Compact JSON with sorted keys; NaN and infinities are refused (they are not JSON)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False, ensure_ascii=False)


class AuditEvent(BaseModel):
    """One append-only audit record, keyed to the Plex record it is about."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    record_key: RecordKey
    event_id: AuditId = Field(default_factory=new_event_id)
    event_type: AuditEventType
    status: AuditStatus
    occurred_at: AuditTimestamp
    actor: AuditId
    """The system component (`punch_validator`) or the supervisor id that caused the event."""
    finding_id: AuditId | None = None
    supervisor_id: AuditId | None = None
    employee_id: AuditId | None = None
    """The pseudonymous employee key; never a name or a badge number."""
    model_version: AuditId | None = None
    payload: dict[str, Any] = Field(default_factory=dict)
    """JSON-safe details (evidence, confidence, note, request ids). Stored and returned exactly."""
    previous_values: dict[str, Any] | None = None
    """For write-backs: the Plex values that were replaced, so the write can be reverted."""

    @field_validator("payload", "previous_values")
    @classmethod
    def _json_safe(cls, value: dict[str, Any] | None, info: ValidationInfo) -> dict[str, Any] | None:
        # A JSON round trip normalises tuples to lists and proves the value survives storage
        # unchanged, so every AuditStore implementation returns exactly what was appended.
        if value is None or STORED_JSON_BYTES in (info.context or {}):
            return value
        try:
            return json.loads(canonical_json(value))  # type: ignore[no-any-return]
        except (TypeError, ValueError) as error:
            raise ValueError(f"must be JSON-safe (str, int, float, bool, None, list, dict): {error}") from None

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Self:
        if self.status not in ALLOWED_STATUSES[self.event_type]:
            allowed = ", ".join(sorted(ALLOWED_STATUSES[self.event_type]))
            raise ValueError(f"a '{self.event_type}' event has status {allowed}, not '{self.status}'")
        if self.event_type in NEEDS_FINDING_ID and self.finding_id is None:
            raise ValueError(f"a '{self.event_type}' event needs finding_id")
        if self.event_type in NEEDS_MODEL_VERSION and self.model_version is None:
            raise ValueError(f"a '{self.event_type}' event needs model_version")
        if self.event_type in NEEDS_SUPERVISOR_ID and self.supervisor_id is None:
            raise ValueError(f"a '{self.event_type}' event needs supervisor_id")
        if self.event_type is AuditEventType.DECISION and self.actor != self.supervisor_id:
            raise ValueError("a decision's actor is the supervisor who decided (actor == supervisor_id)")
        if self.event_type is AuditEventType.WRITEBACK and self.previous_values is None:
            raise ValueError("a writeback event keeps previous_values (use {} when nothing was replaced)")
        size = (info.context or {}).get(STORED_JSON_BYTES)
        if size is None:
            size = len(self.payload_json.encode()) + len((self.previous_values_json or "").encode())
        if size > MAX_EVENT_JSON_BYTES:
            raise ValueError(f"payload and previous_values take {size} bytes of JSON, over {MAX_EVENT_JSON_BYTES}")
        return self

    @property
    def payload_json(self) -> str:
        return canonical_json(self.payload)

    @property
    def previous_values_json(self) -> str | None:
        return None if self.previous_values is None else canonical_json(self.previous_values)

    @property
    def kind(self) -> str | None:
        """What the event is about (its payload's `kind`: `incident_coding`, `punch_finding`...), for the
        kind index; None when the payload names none or no usable one (an index key is 1 to 128 characters)."""
        kind = self.payload.get("kind")
        return kind if isinstance(kind, str) and 0 < len(kind) <= MAX_KIND_CHARS else None

    @property
    def plan_day(self) -> str | None:
        """The day a crew event is about (its payload's `plan_day`, `YYYY-MM-DD`), for the plan-day index; None when
        the payload names none or not as a day."""
        day = self.payload.get("plan_day")
        return day if isinstance(day, str) and _ISO_DAY.fullmatch(day) else None

    @property
    def event_sk(self) -> str:
        """The audit table sort key: `<UTC time>#<event_type>#<event_id>`; history order."""
        return f"{format_audit_time(self.occurred_at)}#{self.event_type}#{self.event_id}"

    @property
    def index_sk(self) -> str:
        """The sort key of every secondary index: `<UTC time>#<event_id>`."""
        return f"{format_audit_time(self.occurred_at)}#{self.event_id}"


SUPERSEDED_BY = "superseded_by"
"""The key of an `expired` event's payload that names what replaced the item it closes (a re-plan: `crew_replan`),
for an item nobody let run out: not an expiry to act on (ux136 #2)."""


def replaced(event: AuditEvent) -> bool:
    """Whether `event` closed its item because something replaced it (a re-plan), not because its time ran out."""
    return event.event_type is AuditEventType.EXPIRED and bool(event.payload.get(SUPERSEDED_BY))


NO_PROPOSAL = "no_proposal"
"""The key of a choice made by hand (`chosen_by_hand`) whose payload says the suggestion it replaces proposed nothing
(unallocated time with no job scanned nearby, `allocation.coding`): the KPIs count it apart from the model's
overrides (`review.kpis`, ux_s13 #17c)."""


WITHDRAWN = "withdrawn"
"""The key of an `expired` event's payload that says a person took the item back (an incident report its reporter
withdrew as sent by mistake, `incidents.withdrawal`): `{"by": a key of WITHDRAWN_BY, "reason": why, ...}`."""
WITHDRAWN_BY = {"reporter": "its reporter", "ehs": "the EHS lead", "admin": "an admin"}
"""Who withdrew a report, as pages say it ("Withdrawn by its reporter at …")."""


def withdrawal(event: AuditEvent) -> dict[str, Any] | None:
    """What a withdrawal's closing says (`{"by": ..., "reason": ...}`), or None when `event` is not one."""
    found = event.payload.get(WITHDRAWN) if event.event_type is AuditEventType.EXPIRED else None
    return dict(found) if isinstance(found, dict) else None


def ran_out(event: AuditEvent) -> bool:
    """Whether `event` closed its item because nobody decided it in time: an expiry neither replaced nor withdrawn."""
    return event.event_type is AuditEventType.EXPIRED and not replaced(event) and withdrawal(event) is None


def expiry_event(
    record: str,
    item_id: str,
    *,
    occurred_at: datetime,
    actor: str,
    payload: dict[str, Any],
    supervisor_id: str | None = None,
    employee_id: str | None = None,
) -> AuditEvent:
    """Closes an open item without a decision (the review sweep's expiry; a suggestion a re-plan dropped).
    Its id is stable per item, so an item is closed once whoever closes it."""
    return AuditEvent(
        record_key=record,
        event_id=stable_event_id(item_id, AuditEventType.EXPIRED.value),
        event_type=AuditEventType.EXPIRED,
        status=AuditStatus.EXPIRED,
        occurred_at=occurred_at,
        actor=actor,
        finding_id=item_id,
        supervisor_id=supervisor_id,
        employee_id=employee_id,
        payload=payload,
    )


def recommendation_event(
    record: str,
    event_id: str,
    *,
    status: AuditStatus,
    occurred_at: datetime,
    actor: str,
    model_version: str,
    payload: dict[str, Any],
    supervisor_id: str | None = None,
    employee_id: str | None = None,
) -> AuditEvent:
    """A capability's suggestion (crew, skills, forecast): its id is also the item id the queue and
    the approval flow know it by (`finding_id`)."""
    return AuditEvent(
        record_key=record,
        event_id=event_id,
        event_type=AuditEventType.RECOMMENDATION,
        status=status,
        occurred_at=occurred_at,
        actor=actor,
        finding_id=event_id,
        supervisor_id=supervisor_id,
        employee_id=employee_id,
        model_version=model_version,
        payload=payload,
    )


def model_event(
    record: str,
    status: AuditStatus,
    version: str,
    *,
    occurred_at: datetime,
    actor: str,
    payload: dict[str, Any],
    stable_as: str | None = None,
) -> AuditEvent:
    """A trained model's step (shadow, promoted, rolled back) on its audit record. `stable_as`: the id is
    the version, `stable_as` and the status (a retried scheduled run records its verdict once); None: a
    fresh id (a person may promote the same version twice, weeks apart)."""
    return AuditEvent(
        record_key=record,
        event_id=stable_event_id(version, stable_as, status.value) if stable_as else new_event_id(),
        event_type=AuditEventType.MODEL,
        status=status,
        occurred_at=occurred_at,
        actor=actor,
        model_version=version,
        payload=payload,
    )
