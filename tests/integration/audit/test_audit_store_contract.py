"""The AuditStore contract: every test runs against the in-memory fake and the DynamoDB adapter
(under moto), so the fake cannot drift from the real store."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from plexlabor.audit import (
    AuditConflictError,
    AuditEvent,
    AuditEventType,
    AuditStatus,
    AuditStore,
)
from plexlabor.audit.store import SUMMARY_KEYS, summary_of
from tests.integration.audit.conftest import T0, MakeEvent


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_appended_event_comes_back_unchanged_in_history(audit_store: AuditStore, make_event: MakeEvent) -> None:
    # Given an event whose payload holds floats, big ints, unicode and nested dicts and lists
    event = make_event(
        payload={
            "confidence": 0.1 + 0.2,
            "evidence": {
                "offsets_min": [1.5, -0.0, 1e-300, 2.5e300],
                "count": 12345678901234567890,
                "nested": {"deep": [{"x": None, "ok": True}, []]},
            },
            "note": "clock-out 2 h 14 min after shift end ✓",
        }
    )
    # When it is appended and the record's history is read
    audit_store.append(event)
    history = audit_store.history(event.record_key)
    # Then the history holds exactly that event, payload types and values intact
    assert history == [event]
    assert history[0].payload["confidence"] == 0.1 + 0.2
    assert isinstance(history[0].payload["evidence"]["offsets_min"][0], float)
    assert history[0].occurred_at == event.occurred_at
    assert history[0].occurred_at.tzinfo is not None


def test_history_is_ordered_by_time_whatever_the_append_order(audit_store: AuditStore, make_event: MakeEvent) -> None:
    # Given a record's events appended out of order, and another record's event
    finding = make_event(occurred_at=at(0), status=AuditStatus.PENDING_APPROVAL)
    notified = make_event(event_type=AuditEventType.NOTIFICATION, occurred_at=at(1))
    decided = make_event(event_type=AuditEventType.DECISION, occurred_at=at(30))
    other_record = make_event(record_key="time-clock-entries:2002", finding_id="F-2002", occurred_at=at(5))
    for event in (decided, other_record, finding, notified):
        audit_store.append(event)
    # When the first record's history is read
    history = audit_store.history("time-clock-entries:1001")
    # Then it holds only that record's events, oldest first
    assert [e.event_id for e in history] == [finding.event_id, notified.event_id, decided.event_id]


def test_history_of_an_unknown_record_is_empty(audit_store: AuditStore) -> None:
    assert audit_store.history("time-clock-entries:404") == []


def test_second_append_of_an_event_id_is_a_conflict_and_never_overwrites(
    audit_store: AuditStore, make_event: MakeEvent
) -> None:
    # Given an appended event
    original = make_event(event_id="evt-1", payload={"confidence": 0.9})
    audit_store.append(original)
    # When the same event_id is appended again: same event, or different time, record and payload
    retry = make_event(event_id="evt-1", payload={"confidence": 0.9})
    rewrite = make_event(
        event_id="evt-1",
        record_key="time-clock-entries:2002",
        occurred_at=at(60),
        payload={"confidence": 0.1},
    )
    # Then each append raises AuditConflictError
    for duplicate in (retry, rewrite):
        with pytest.raises(AuditConflictError) as raised:
            audit_store.append(duplicate)
        assert raised.value.event_id == "evt-1"
    # And the stored history is what was first appended, nothing more
    assert audit_store.history(original.record_key) == [original]
    assert audit_store.history("time-clock-entries:2002") == []


def test_by_status_lists_matching_events_since_a_time_oldest_first_up_to_a_limit(
    audit_store: AuditStore, make_event: MakeEvent
) -> None:
    # Given pending approvals at minutes 0, 10, 20, 30 and a logged finding at minute 15
    pending = [
        make_event(
            record_key=f"time-clock-entries:{n}",
            finding_id=f"F-{n}",
            occurred_at=at(10 * n),
            status=AuditStatus.PENDING_APPROVAL,
        )
        for n in range(4)
    ]
    logged = make_event(record_key="time-clock-entries:99", finding_id="F-99", occurred_at=at(15))
    for event in [*reversed(pending), logged]:
        audit_store.append(event)
    # When pending approvals are listed with and without a lower bound and a limit
    everything = audit_store.by_status(AuditStatus.PENDING_APPROVAL)
    since_ten = audit_store.by_status(AuditStatus.PENDING_APPROVAL, since=at(10))
    first_two = audit_store.by_status(AuditStatus.PENDING_APPROVAL, limit=2)
    # Then only that status is listed, oldest first, `since` inclusive, the limit keeping the oldest
    assert everything == pending
    assert since_ten == pending[1:]
    assert first_two == pending[:2]
    assert audit_store.by_status(AuditStatus.LOGGED) == [logged]
    assert audit_store.by_status(AuditStatus.REVERTED) == []


def test_by_supervisor_lists_that_supervisors_events_optionally_by_status(
    audit_store: AuditStore, make_event: MakeEvent
) -> None:
    # Given notifications and decisions for two supervisors
    def decision(n: int, supervisor: str, status: AuditStatus) -> AuditEvent:
        by = {"actor": supervisor, "supervisor_id": supervisor, "status": status}
        return make_event(event_type=AuditEventType.DECISION, finding_id=f"F-{n}", occurred_at=at(n), **by)

    notified = make_event(event_type=AuditEventType.NOTIFICATION, occurred_at=at(0))
    approved = [decision(n, "sup-17", AuditStatus.APPROVED) for n in (1, 3, 5)]
    rejected = decision(2, "sup-17", AuditStatus.REJECTED)
    someone_else = decision(4, "sup-99", AuditStatus.APPROVED)
    for event in [someone_else, *approved, rejected, notified]:
        audit_store.append(event)
    # When sup-17's events are listed, all, approvals only, and approvals with a limit and a bound
    # Then each list holds sup-17's matching events only, oldest first
    assert audit_store.by_supervisor("sup-17") == [notified, approved[0], rejected, approved[1], approved[2]]
    assert audit_store.by_supervisor("sup-17", AuditStatus.APPROVED) == approved
    assert audit_store.by_supervisor("sup-17", status=AuditStatus.APPROVED, limit=2) == approved[:2]
    assert audit_store.by_supervisor("sup-17", AuditStatus.APPROVED, since=at(2)) == approved[1:]
    assert audit_store.by_supervisor("sup-00") == []
    # and newest first when asked (approval_notify's escalation hold: a person's latest notices), the limit after
    # the status filter
    newest = audit_store.by_supervisor("sup-17", AuditStatus.APPROVED, since=at(1), limit=2, newest_first=True)
    assert newest == [approved[2], approved[1]]


def test_by_employee_lists_events_about_that_employee(audit_store: AuditStore, make_event: MakeEvent) -> None:
    # Given findings about two pseudonymous employees and an event naming no employee
    mine = [make_event(finding_id=f"F-{n}", employee_id="emp-7f3a", occurred_at=at(n)) for n in (2, 1)]
    theirs = make_event(finding_id="F-9", employee_id="emp-0b12", occurred_at=at(0))
    nobody = make_event(finding_id="F-8", employee_id=None, occurred_at=at(0))
    for event in [*mine, theirs, nobody]:
        audit_store.append(event)
    # When one employee's events are listed
    # Then they are that employee's only, oldest first
    assert audit_store.by_employee("emp-7f3a") == [mine[1], mine[0]]
    assert audit_store.by_employee("emp-7f3a", since=at(2)) == [mine[0]]
    assert audit_store.by_employee("emp-7f3a", limit=1) == [mine[1]]


def test_by_kind_lists_the_events_whose_payload_names_that_kind(audit_store: AuditStore, make_event: MakeEvent) -> None:
    # Given incident events (an opening, its decision), a punch finding, and events naming no usable kind
    opened = make_event(finding_id="I-1", occurred_at=at(0), payload={"kind": "incident_coding"})
    decided = make_event(
        event_type=AuditEventType.DECISION, finding_id="I-1", occurred_at=at(5), payload={"kind": "incident_coding"}
    )
    later = make_event(finding_id="I-2", occurred_at=at(9), payload={"kind": "incident_coding"})
    punch = make_event(finding_id="F-1", occurred_at=at(1), payload={"kind": "punch_finding"})
    unnamed = [
        make_event(finding_id=f"F-{n}", occurred_at=at(2), payload=payload)
        for n, payload in enumerate(({}, {"kind": ""}, {"kind": 7}, {"kind": "k" * 129}), start=2)
    ]
    for event in (later, punch, decided, *unnamed, opened):
        audit_store.append(event)
    # When the incidents' events are listed
    # Then they are those of that kind only, every event type, oldest first (newest first when asked)
    assert audit_store.by_kind("incident_coding") == [opened, decided, later]
    assert audit_store.by_kind("incident_coding", since=at(5)) == [decided, later]
    assert audit_store.by_kind("incident_coding", limit=2, newest_first=True) == [later, decided]
    assert audit_store.by_kind("punch_finding") == [punch]
    assert [e.kind for e in unnamed] == [None] * 4


def test_latest_for_finding_is_the_findings_newest_event(audit_store: AuditStore, make_event: MakeEvent) -> None:
    # Given a finding that opened an approval, was approved and written back, and another finding
    opened = make_event(status=AuditStatus.PENDING_APPROVAL, occurred_at=at(0))
    approved = make_event(event_type=AuditEventType.DECISION, occurred_at=at(20))
    written = make_event(
        event_type=AuditEventType.WRITEBACK,
        occurred_at=at(21),
        previous_values={"clockOutDate": "2026-11-02T14:00:00.0000000Z"},
    )
    unrelated = make_event(finding_id="F-2", occurred_at=at(40))
    for event in (written, unrelated, opened, approved):
        audit_store.append(event)
    # When the finding's latest event and its whole story are read
    # Then the latest is the write-back and the story is in time order
    assert audit_store.latest_for_finding("F-1001") == written
    assert audit_store.for_finding("F-1001") == [opened, approved, written]
    assert audit_store.latest_for_finding("F-404") is None
    assert audit_store.for_finding("F-404") == []


def test_previous_values_are_kept_for_revert(audit_store: AuditStore, make_event: MakeEvent) -> None:
    # Given a write-back that replaced a punch time and a flag, and a finding without previous values
    previous = {"clockOutDate": "2026-11-02T14:00:00.0000000Z", "hours": 8.25, "flags": {"edited": False}}
    payload = {"written": {"hours": 7.75}}
    written = make_event(
        event_type=AuditEventType.WRITEBACK, occurred_at=at(1), previous_values=previous, payload=payload
    )
    finding = make_event(occurred_at=at(0))
    audit_store.append(written)
    audit_store.append(finding)
    # When the history is read
    history = audit_store.history(written.record_key)
    # Then the write-back still holds exactly what it replaced, and the finding holds None
    assert history[1].previous_values == previous
    assert history[0].previous_values is None


def test_events_read_back_are_copies_that_cannot_edit_history(audit_store: AuditStore, make_event: MakeEvent) -> None:
    # Given an appended event, read back and its payload changed by the caller
    audit_store.append(make_event(payload={"confidence": 0.9}))
    audit_store.history("time-clock-entries:1001")[0].payload["confidence"] = 0.0
    # When the history is read again
    # Then the stored payload is unchanged
    assert audit_store.history("time-clock-entries:1001")[0].payload == {"confidence": 0.9}


def test_queries_refuse_a_naive_since_and_a_limit_below_one(audit_store: AuditStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        audit_store.by_status(AuditStatus.LOGGED, since=datetime(2026, 11, 2, 6, 0))
    with pytest.raises(ValueError, match="limit"):
        audit_store.by_status(AuditStatus.LOGGED, limit=0)
    with pytest.raises(ValueError, match="limit"):
        audit_store.by_employee("emp-7f3a", limit=-1)


def test_a_summary_read_answers_the_status_reads_events_with_only_the_summary_keys(
    audit_store: AuditStore, make_event: MakeEvent
) -> None:
    """The KPI page's read (`summaries_by_status`): the same events, order, `since` and limit as `by_status`, each
    payload cut to `SUMMARY_KEYS` (a key it lacks stays absent), a write-back's previous values kept."""
    # Given pending approvals with evidence and the keys the KPIs read, and one written back with previous values
    pending = [
        make_event(
            record_key=f"job-operations:{n}",
            finding_id=f"F-{n}",
            occurred_at=at(10 * n),
            status=AuditStatus.PENDING_APPROVAL,
            payload={
                "kind": "crew_assignment",
                "replaces": f"F-{n - 1}",
                "chosen_by_hand": n % 2 == 1,
                "changed": ["source"],
                "evidence": {"hours": [8.5] * 50},
                "note": "x" * 500,
            },
        )
        for n in range(3)
    ]
    written = make_event(
        event_type=AuditEventType.WRITEBACK, occurred_at=at(5), previous_values={"hours": 9.0}, payload={}
    )
    for event in [*pending, written]:
        audit_store.append(event)
    # When the statuses are read as summaries
    summaries = audit_store.summaries_by_status(AuditStatus.PENDING_APPROVAL)
    # Then each is its event, without the evidence
    assert summaries == [summary_of(event) for event in audit_store.by_status(AuditStatus.PENDING_APPROVAL)]
    assert [event.event_id for event in summaries] == [event.event_id for event in pending]
    assert summaries[1].payload == {
        "kind": "crew_assignment",
        "replaces": "F-0",
        "chosen_by_hand": True,
        "changed": ["source"],
    }
    assert set(SUMMARY_KEYS) >= set(summaries[0].payload)
    assert audit_store.summaries_by_status(AuditStatus.PENDING_APPROVAL, since=at(10), limit=1) == [summaries[1]]
    [back] = audit_store.summaries_by_status(AuditStatus.WRITTEN)
    assert back == written
