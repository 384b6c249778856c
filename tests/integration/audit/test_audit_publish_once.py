"""publish_once on every AuditStore (the fake and the DynamoDB adapter under moto): each event once,
counted as published, already published or invalid, the same on both."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pydantic import ValidationError

from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus, AuditStore, stable_event_id
from plexlabor.audit.publish import publish_once

MakeEvent = Callable[..., AuditEvent]


def _suggestion(make_event: MakeEvent, name: str, kind: str, status: AuditStatus) -> AuditEvent:
    return make_event(
        record_key=f"job-operations:{name}",
        event_id=stable_event_id("test", name),
        event_type=AuditEventType.RECOMMENDATION,
        status=status,
        finding_id=stable_event_id("test", name),
        payload={"kind": kind},
    )


def test_each_event_is_recorded_once_and_counted_by_status_and_kind(
    audit_store: AuditStore, make_event: MakeEvent
) -> None:
    # Given two built events and a builder of two more that stand together
    a = _suggestion(make_event, "A", "crew_assignment", AuditStatus.LOGGED)
    b = _suggestion(make_event, "B", "crew_assignment", AuditStatus.PENDING_APPROVAL)
    c = _suggestion(make_event, "C", "crew_unstaffed", AuditStatus.PENDING_APPROVAL)
    d = _suggestion(make_event, "D", "crew_unstaffed", AuditStatus.PENDING_APPROVAL)
    # When they are published, then published again
    first = publish_once(audit_store, [a, lambda: b, lambda: [c, d]])
    again = publish_once(audit_store, [a, lambda: b, lambda: [c, d]])
    # Then the first run records all four, the second none, and the store holds each once
    assert (first.published, first.already_published, first.invalid) == (4, 0, 0)
    assert dict(first.by_status) == {"logged": 1, "pending_approval": 3}
    assert dict(first.by_kind) == {"crew_assignment": 2, "crew_unstaffed": 2}
    assert (again.published, again.already_published, again.invalid) == (0, 4, 0)
    assert not again.by_status and not again.by_kind
    assert audit_store.history("job-operations:C") == [c]
    assert first.as_dict() == {"published": 4, "already_published": 0, "invalid": 0}


def test_a_builder_that_cannot_build_is_one_invalid_and_the_rest_goes_on(
    audit_store: AuditStore, make_event: MakeEvent
) -> None:
    # Given a builder whose second event has an id the audit table refuses
    good = _suggestion(make_event, "A", "cross_training", AuditStatus.LOGGED)

    def refused() -> list[AuditEvent]:
        return [_suggestion(make_event, "B", "cross_training", AuditStatus.LOGGED), make_event(employee_id="E 1")]

    # When it is published between two good events
    result = publish_once(audit_store, [refused, good])
    # Then that builder counts once as invalid, records nothing, and the good event is recorded
    assert (result.published, result.already_published, result.invalid) == (1, 0, 1)
    assert audit_store.history("job-operations:B") == []
    assert audit_store.history("job-operations:A") == [good]


def test_the_refused_id_is_a_validation_error(make_event: MakeEvent) -> None:
    # The premise of the test above: whitespace in an id fails the event model, before any store
    with pytest.raises(ValidationError):
        make_event(employee_id="E 1")
