"""The DynamoDB item mapping round-trips any JSON-safe event (pure: no AWS call is made)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus
from plexlabor.audit.dynamodb import event_from_item, event_item
from plexlabor.audit.events import MAX_EVENT_JSON_BYTES

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
payloads = st.dictionaries(st.text(max_size=8), json_values, max_size=5)
ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:/+=-]{0,20}", fullmatch=True)


@settings(max_examples=150, deadline=None)
@given(
    payload=payloads,
    previous=st.none() | payloads,
    occurred_at=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2999, 12, 31), timezones=st.just(UTC)),
    supervisor=st.none() | ids,
    employee=st.none() | ids,
)
def test_any_event_survives_the_item_mapping(
    payload: dict[str, Any],
    previous: dict[str, Any] | None,
    occurred_at: datetime,
    supervisor: str | None,
    employee: str | None,
) -> None:
    # Given any JSON-safe payload, optional previous values and optional ids
    event = AuditEvent(
        record_key="labor-entries:42",
        event_type=AuditEventType.REVERT,
        status=AuditStatus.REVERTED,
        occurred_at=occurred_at,
        actor="plex_writeback",
        finding_id="F-42",
        supervisor_id=supervisor,
        employee_id=employee,
        payload=payload,
        previous_values=previous,
    )
    # When it is turned into a DynamoDB item and back
    item = event_item(event)
    # Then it is the same event, every attribute is a string, and absent ids index nothing
    read = event_from_item(item)
    assert read == event
    # read as stored (no JSON round trip on the way back): the same values in the same key order, nested too
    assert read.model_dump_json() == event.model_dump_json()
    assert all(set(value) == {"S"} for value in item.values())
    assert ("gsi_supervisor_pk" in item) is (supervisor is not None)
    assert ("gsi_employee_pk" in item) is (employee is not None)


def test_an_item_over_the_size_cap_is_refused_when_read_back() -> None:
    # Given an item whose stored payload and previous values together pass the cap (each alone within it)
    event = AuditEvent(
        record_key="labor-entries:42",
        event_type=AuditEventType.REVERT,
        status=AuditStatus.REVERTED,
        occurred_at=datetime(2026, 12, 6, tzinfo=UTC),
        actor="plex_writeback",
        finding_id="F-42",
        payload={"blob": "x" * (MAX_EVENT_JSON_BYTES // 2)},
        previous_values={},
    )
    item = event_item(event)
    item["previous_values"] = {"S": '{"blob":"' + "y" * (MAX_EVENT_JSON_BYTES // 2) + '"}'}
    # When it is read back, then it is refused by the size its stored JSON takes, as an append would be
    with pytest.raises(ValidationError, match="bytes of JSON, over"):
        event_from_item(item)
