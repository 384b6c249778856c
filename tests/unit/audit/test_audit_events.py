"""The audit event model: what it accepts, what it refuses, and the keys it sorts by."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus, stable_event_id
from plexlabor.audit.events import ALLOWED_STATUSES, MAX_EVENT_JSON_BYTES, model_event

T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


def event(**fields: Any) -> AuditEvent:
    defaults: dict[str, Any] = {
        "record_key": "time-clock-entries:1001",
        "event_type": "finding",
        "status": "logged",
        "occurred_at": T0,
        "actor": "punch_validator",
        "finding_id": "F-1001",
        "employee_id": "emp-7f3a",
        "model_version": "rules-2026.11",
    }
    return AuditEvent(**(defaults | fields))


def test_a_valid_finding_gets_an_event_id_and_utc_time() -> None:
    # Given a finding stamped in a plant's local zone (UTC-5)
    local = datetime(2026, 11, 2, 1, 0, tzinfo=timezone(timedelta(hours=-5)))
    # When the event is built
    built = event(occurred_at=local)
    # Then its time is the same instant in UTC, and it has a fresh 32-hex-digit id
    assert built.occurred_at == T0 and built.occurred_at.tzinfo is UTC
    assert len(built.event_id) == 32 and built.event_id != event().event_id


def test_a_naive_time_is_refused_not_guessed() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        event(occurred_at=datetime(2026, 11, 2, 6, 0))


def test_events_are_immutable() -> None:
    built = event()
    with pytest.raises(ValidationError):
        built.status = AuditStatus.APPROVED  # type: ignore[misc]


@pytest.mark.parametrize("field", ["actor", "employee_id", "supervisor_id", "finding_id"])
@pytest.mark.parametrize("value", ["Jane Doe", "jane.doe@plant.example", "", "a#b"])
def test_ids_refuse_names_email_addresses_and_separators(field: str, value: str) -> None:
    # A full name has a space, an e-mail address an `@`: both are personal data, never an id.
    with pytest.raises(ValidationError, match=field):
        event(**{field: value})


@pytest.mark.parametrize("record_key", ["#event#x", "time clock:1", "ab"])
def test_record_keys_refuse_reserved_prefix_whitespace_and_too_short(record_key: str) -> None:
    with pytest.raises(ValidationError, match="record_key"):
        event(record_key=record_key)


def test_every_event_type_accepts_only_its_statuses() -> None:
    # Given each event type and each status, when an event pairs them
    for event_type in AuditEventType:
        for status in AuditStatus:
            fields: dict[str, Any] = {
                "event_type": event_type,
                "status": status,
                "supervisor_id": "sup-17",
                "actor": "sup-17",
                "previous_values": {},
            }
            # Then it is built when the status is allowed for that type, and refused otherwise
            if status in ALLOWED_STATUSES[event_type]:
                assert event(**fields).status == status
            else:
                with pytest.raises(ValidationError, match="status"):
                    event(**fields)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"event_type": "decision", "status": "approved", "supervisor_id": None}, "needs supervisor_id"),
        (
            {"event_type": "decision", "status": "approved", "supervisor_id": "sup-17"},
            "actor == supervisor_id",
        ),
        ({"event_type": "notification", "status": "notified"}, "needs supervisor_id"),
        ({"event_type": "writeback", "status": "written"}, "previous_values"),
        ({"event_type": "expired", "status": "expired", "finding_id": None}, "needs finding_id"),
        ({"model_version": None}, "needs model_version"),
    ],
)
def test_governance_fields_are_required_where_they_matter(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        event(**fields)


def test_a_recommendation_may_name_no_finding() -> None:
    assert event(event_type="recommendation", finding_id=None).finding_id is None


@pytest.mark.parametrize(
    "payload",
    [{"at": T0}, {"ratio": float("nan")}, {"big": float("inf")}, {"ids": {1, 2}}, {"raw": b"\x00"}],
)
def test_payloads_must_be_json_safe(payload: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="JSON-safe"):
        event(payload=payload)


def test_payloads_are_normalised_to_what_storage_returns() -> None:
    # Given a payload with a tuple and an int-keyed nested dict
    built = event(payload={"window": (1, 2), "by_hour": {7: 0.5}})
    # Then the event holds the JSON form (list, string keys), the same in every store
    assert built.payload == {"window": [1, 2], "by_hour": {"7": 0.5}}


def test_an_oversized_payload_is_refused_before_it_reaches_a_store() -> None:
    with pytest.raises(ValidationError, match="bytes of JSON"):
        event(payload={"blob": "x" * MAX_EVENT_JSON_BYTES})


def test_sort_keys_are_fixed_width_so_string_order_is_time_order() -> None:
    # Given events one microsecond and one day apart
    times = [T0, T0 + timedelta(microseconds=1), T0 + timedelta(days=1)]
    built = [event(event_id=f"e{n}", occurred_at=at) for n, at in enumerate(times)]
    # Then their keys read as documented and sort in time order
    assert built[0].event_sk == "2026-11-02T06:00:00.000000Z#finding#e0"
    assert built[0].index_sk == "2026-11-02T06:00:00.000000Z#e0"
    assert sorted(b.event_sk for b in reversed(built)) == [b.event_sk for b in built]


def test_stable_event_ids_repeat_for_the_same_parts_only() -> None:
    assert stable_event_id("F-1", "finding") == stable_event_id("F-1", "finding")
    assert stable_event_id("F-1", "finding") != stable_event_id("F-1", "decision")
    assert stable_event_id("F-1", "finding") != stable_event_id("F-1f", "inding")
    assert event(event_id=stable_event_id("F-1", "finding")).event_id == stable_event_id("F-1", "finding")


def test_json_mode_dump_writes_the_audit_time_format() -> None:
    assert event().model_dump(mode="json")["occurred_at"] == "2026-11-02T06:00:00.000000Z"


def test_importing_the_audit_package_does_not_import_boto3() -> None:
    # Domain code must stay importable without AWS: only plexlabor.audit.dynamodb imports boto3.
    code = "import sys, plexlabor.audit, plexlabor.audit.schema; print('boto3' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_model_event_is_stable_per_version_and_status_only_when_asked() -> None:
    def event(status: AuditStatus, stable_as: str | None, version: str = "v1") -> AuditEvent:
        return model_event("models:x", status, version, occurred_at=T0, actor="job", payload={}, stable_as=stable_as)

    shadow = event(AuditStatus.SHADOW, "x-model")
    assert (shadow.event_type, shadow.model_version, shadow.record_key) == (AuditEventType.MODEL, "v1", "models:x")
    assert shadow.event_id == event(AuditStatus.SHADOW, "x-model").event_id  # a retried run: the same event
    assert shadow.event_id == stable_event_id("v1", "x-model", AuditStatus.SHADOW.value)
    assert shadow.event_id != event(AuditStatus.PROMOTED, "x-model").event_id
    assert shadow.event_id != event(AuditStatus.SHADOW, "x-model", "v2").event_id
    assert event(AuditStatus.PROMOTED, None).event_id != event(AuditStatus.PROMOTED, None).event_id  # by a person
