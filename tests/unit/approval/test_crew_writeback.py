"""An approved crew assignment from the review queue: written once to the crew-assignments custom
object, refused when the audit shows a rejection, and reversible with a `withdrawn` record."""

from __future__ import annotations

import pytest
from approval_fakes import FakePlex, World, sqs_event
from test_writeback import FakeTransport, run, service

from plexlabor.approval.errors import NothingToRevertError
from plexlabor.approval.messages import Decision, RecommendationWriteback
from plexlabor.approval.recommendations import Recommended, recommendation_decision
from plexlabor.audit import ApprovalAction, AuditEvent, AuditEventType, AuditStatus
from tests.unit.review.review_world import CREW, recommendation

ITEM_ID = "c0ffee00000000000000000000000001"
CREW_FIELDS = CREW | {"segment": "JO-77#1", "end": "2026-03-04T14:00:00+00:00", "note": "Suggest E0042 on WC-10"}
"""The assignment's payload but its kind, as crew.publish writes it."""


def open_assignment(world: World, kind: str = "crew_assignment") -> AuditEvent:
    fields = {**CREW_FIELDS, "supervisor_id": "E0001", "employee_id": "E0042"}
    return recommendation(world, ITEM_ID, kind, record_key="job-operations:77", **fields)


def approved(action: str = "approve") -> RecommendationWriteback:
    return RecommendationWriteback(
        item_id=ITEM_ID, decision=Decision(action=ApprovalAction(action), supervisor_id="E0001")
    )


def events(world: World, kind: AuditEventType) -> list[AuditEvent]:
    return [e for e in world.audit.for_finding(ITEM_ID) if e.event_type is kind]


def test_an_approved_assignment_becomes_one_assigned_record(world: World, fake_plex: FakePlex) -> None:
    # Given an open crew assignment whose approval the queue recorded and queued
    opening = open_assignment(world)
    world.audit.append(recommendation_decision(Recommended.of(opening), approved().decision, world.clock(), "queue"))
    transport = FakeTransport()
    # When plex_writeback handles the message twice (a redelivery)
    writer = service(world, fake_plex, transport=transport)
    for _ in range(2):
        assert run(sqs_event(approved().model_dump_json()), writer) == {"batchItemFailures": []}
    # Then one record went to the crew-assignments custom object, and one writeback event says so
    assert len(transport.posts) == 1
    path, body, key = transport.posts[0]
    assert path.endswith("/plexlabor_crew_assignments")
    assert body["assignmentId"] == ITEM_ID and body["status"] == "assigned"
    assert (body["employeeId"], body["workcenterCode"], body["shiftCode"], body["jobOperationId"]) == (
        "E0042",
        "WC-10",
        "1",
        "77",
    )
    assert body["approvedBy"] == "E0001" and key == f"plexlabor-writeback-{ITEM_ID}"
    [written] = events(world, AuditEventType.WRITEBACK)
    assert written.payload["kind"] == "crew_assignment" and written.payload["sent"] is True


def test_a_missing_decision_is_recorded_from_the_message(world: World, fake_plex: FakePlex) -> None:
    open_assignment(world)
    run(sqs_event(approved().model_dump_json()), service(world, fake_plex, mode="dry_run"))
    [decision] = events(world, AuditEventType.DECISION)
    assert decision.status is AuditStatus.APPROVED and decision.payload["via"] == "writeback"
    [written] = events(world, AuditEventType.WRITEBACK)
    assert written.payload["sent"] is False and written.payload["mode"] == "dry_run"


def test_an_assignment_the_audit_shows_rejected_is_not_written(world: World, fake_plex: FakePlex) -> None:
    # Given someone rejected the assignment while an approval was on its way
    opening = open_assignment(world)
    rejection = Decision(action=ApprovalAction.REJECT, reason="on leave", supervisor_id="E0002")
    world.audit.append(recommendation_decision(Recommended.of(opening), rejection, world.clock(), "queue"))
    transport = FakeTransport()
    run(sqs_event(approved().model_dump_json()), service(world, fake_plex, transport=transport))
    assert transport.posts == []
    [failed] = events(world, AuditEventType.WRITEBACK_FAILED)
    assert failed.payload["retryable"] is False and "rejection" in failed.payload["message"]


def test_a_kind_that_writes_nothing_is_refused(world: World, fake_plex: FakePlex) -> None:
    open_assignment(world, kind="crew_unstaffed")
    transport = FakeTransport()
    run(sqs_event(approved().model_dump_json()), service(world, fake_plex, transport=transport))
    assert transport.posts == [] and events(world, AuditEventType.WRITEBACK) == []


def test_revert_withdraws_the_assignment_once(world: World, fake_plex: FakePlex) -> None:
    open_assignment(world)
    transport = FakeTransport()
    writer = service(world, fake_plex, transport=transport)
    run(sqs_event(approved().model_dump_json()), writer)
    # When the assignment is reverted
    reverted = writer.revert(ITEM_ID, actor="it-admin")
    # Then a withdrawn record for the same assignment went to the same custom object
    path, body, _ = transport.posts[-1]
    assert path.endswith("/plexlabor_crew_assignments")
    assert (body["assignmentId"], body["status"]) == (ITEM_ID, "withdrawn")
    assert reverted.payload["restored"] == {"status": "withdrawn"}
    assert reverted.previous_values == {"status": "assigned"}
    with pytest.raises(NothingToRevertError, match="already reverted"):
        writer.revert(ITEM_ID, actor="it-admin")


def test_a_dry_run_assignment_has_nothing_to_revert(world: World, fake_plex: FakePlex) -> None:
    open_assignment(world)
    writer = service(world, fake_plex, mode="dry_run")
    run(sqs_event(approved().model_dump_json()), writer)
    with pytest.raises(NothingToRevertError, match="dry run"):
        writer.revert(ITEM_ID, actor="it-admin")
