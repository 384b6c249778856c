"""An approved crew removal (an accepted seat whose person called off, `plexlabor.crew.removals`): plex_writeback posts
the assignment's record marked `withdrawn`, the record `plexlabor writeback revert` posts, once, in the write mode
(nothing sent in dry run), audited on the assignment's Plex record and naming the assignment's write-back; retried
while that write-back is on its way, refused when the assignment never reached Plex or was written in another write
mode (review180 #4: a dry-run assignment's removal in a live mode POSTed `withdrawn`), nothing written when rejected;
a revert of the removal posts the assignment again. What the crew board and the re-plans read of it follows the
write (`crew.removals.Removal.state`; review180 #1, #2: the approval alone read "removed")."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from approval_fakes import FakePlex, World, sqs_event
from test_crew_writeback import ITEM_ID, approved, open_assignment
from test_writeback import FakeTransport, run, service

from plexlabor.approval.errors import CLOSED_ALREADY, REMOVED_ALREADY, WITHDRAWN_ALREADY, NothingToRevertError
from plexlabor.approval.messages import Decision, RecommendationWriteback
from plexlabor.approval.recommendations import Recommended, recommendation_decision
from plexlabor.approval.writeback import WritebackService
from plexlabor.audit import ApprovalAction, AuditEvent, AuditEventType, format_audit_time
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.removals import Removal, accepted_seats, removal_event, removals, removed, retry_event
from plexlabor.crew.replanning import superseded_event
from plexlabor.crew.suggestions import read_day
from plexlabor.plex.errors import PlexRequestError

CALLED_OFF = datetime(2026, 3, 4, 9, 40, tzinfo=UTC)
DAY = date(2026, 3, 4)


def _accepted_and_removal(world: World) -> tuple[AuditEvent, AuditEvent]:
    """An assignment the queue approved, and its removal crew_replan opened after a call-off."""
    opening = open_assignment(world)
    world.audit.append(recommendation_decision(Recommended.of(opening), approved().decision, world.clock(), "queue"))
    removal = removal_event(opening, CALLED_OFF, 0, world.clock(), ZoneInfo("America/Detroit"))
    world.audit.append(removal)
    return opening, removal


def _decided(removal: AuditEvent, action: str = "approve") -> RecommendationWriteback:
    reason = "needed on the line" if action == "reject" else None
    decision = Decision(action=ApprovalAction(action), supervisor_id="E0001", reason=reason)
    return RecommendationWriteback(item_id=removal.event_id, decision=decision)


def _events(world: World, item_id: str, kind: AuditEventType) -> list[AuditEvent]:
    return [e for e in world.audit.for_finding(item_id) if e.event_type is kind]


def test_an_approved_removal_posts_the_assignment_withdrawn(world: World, fake_plex: FakePlex) -> None:
    transport = FakeTransport()
    writer = service(world, fake_plex, transport=transport)
    _, removal = _accepted_and_removal(world)
    assert "Remove E0042 from WC-10 shift 1 in Plex (called off at 04:40)" in removal.payload["note"]
    run(sqs_event(approved().model_dump_json()), writer)  # the assignment went to Plex

    for _ in range(2):  # a redelivery writes nothing twice
        assert run(sqs_event(_decided(removal).model_dump_json()), writer) == {"batchItemFailures": []}

    [(_, assigned, _), (path, withdrawn, key)] = transport.posts
    assert path.endswith("/plexlabor_crew_assignments") and key == f"plexlabor-writeback-{removal.event_id}"
    # the record a revert posts, with the removal's approval (approval.approved) instead of the assignment's
    assert withdrawn["status"] == "withdrawn" and withdrawn["itemId"] == removal.event_id
    assert {k for k in withdrawn if withdrawn[k] != assigned[k]} <= {"status", "itemId", "decisionId", "approvedAt"}
    [written] = _events(world, removal.event_id, AuditEventType.WRITEBACK)
    [assignment_written] = _events(world, ITEM_ID, AuditEventType.WRITEBACK)
    assert written.record_key == "job-operations:77"  # the assignment's Plex record
    assert written.payload["removes"] == ITEM_ID
    assert written.payload["removes_writeback_event_id"] == assignment_written.event_id
    assert written.previous_values == {"status": "assigned"} and written.payload["sent"] is True


def test_in_dry_run_the_removal_is_recorded_not_sent(world: World, fake_plex: FakePlex) -> None:
    transport = FakeTransport()
    writer = service(world, fake_plex, mode="dry_run", transport=transport)
    _, removal = _accepted_and_removal(world)
    run(sqs_event(approved().model_dump_json()), writer)
    run(sqs_event(_decided(removal).model_dump_json()), writer)
    [written] = _events(world, removal.event_id, AuditEventType.WRITEBACK)
    assert transport.posts == [] and written.payload["mode"] == "dry_run" and written.payload["sent"] is False
    assert written.payload["record"]["status"] == "withdrawn"
    read = read_day(world.audit, DAY)
    # dry run counts as written, as for the accepted assignment: the re-plans let the seat go; the board says so
    assert removals(read)[ITEM_ID].state == "dry_run" and ITEM_ID in removed(read)


def _state(world: World) -> Removal:
    return removals(read_day(world.audit, DAY))[ITEM_ID]


def test_the_removal_reads_removed_only_once_plex_took_it(world: World, fake_plex: FakePlex) -> None:
    # review180 #1: a withdrawn record Plex refused (400) read "removed in Plex" and the re-plans let the seat go
    transport = FakeTransport()
    writer = service(world, fake_plex, transport=transport)
    _, removal = _accepted_and_removal(world)
    run(sqs_event(approved().model_dump_json()), writer)
    world.audit.append(
        recommendation_decision(Recommended.of(removal), _decided(removal).decision, world.clock(), "queue")
    )
    assert _state(world).state == "approved"  # on its way to Plex: still held
    transport.fail_with = PlexRequestError("bad request", status=400)

    run(sqs_event(_decided(removal).model_dump_json()), writer)

    read = read_day(world.audit, DAY)
    found = _state(world)
    assert found.state == "refused" and found.refusal is not None
    assert "bad request" in found.refusal.payload["message"]
    assert removed(read) == {} and [e.event_id for e in accepted_seats(read, "1")] == [ITEM_ID]


def test_a_reverted_removal_is_no_longer_a_removal(world: World, fake_plex: FakePlex) -> None:
    # review180 #2: after the revert posted the assignment again, removed() still listed it and the seat was not held
    transport = FakeTransport()
    writer = service(world, fake_plex, transport=transport)
    _, removal = _accepted_and_removal(world)
    run(sqs_event(approved().model_dump_json()), writer)
    run(sqs_event(_decided(removal).model_dump_json()), writer)
    assert _state(world).state == "removed" and ITEM_ID in removed(read_day(world.audit, DAY))

    writer.revert(removal.event_id, actor="it-admin")

    read = read_day(world.audit, DAY)
    assert [b["status"] for _, b, _ in transport.posts] == ["assigned", "withdrawn", "assigned"]
    assert _state(world).state == "reverted" and removed(read) == {}
    assert [e.event_id for e in accepted_seats(read, "1")] == [ITEM_ID]


@pytest.mark.parametrize(("assigned_in", "removed_in"), [("dry_run", "custom_object"), ("custom_object", "dry_run")])
def test_a_removal_in_another_write_mode_than_its_assignment_is_refused(
    world: World, fake_plex: FakePlex, assigned_in: str, removed_in: str
) -> None:
    # review180 #4: an assignment only dry-run, removed after the plant went live, POSTed `withdrawn` to Plex; the
    # check is revert's own (a live assignment's removal in dry run would read "dry run" and let the seat go)
    transport = FakeTransport()
    _, removal = _accepted_and_removal(world)
    run(sqs_event(approved().model_dump_json()), service(world, fake_plex, mode=assigned_in, transport=transport))
    posted = list(transport.posts)

    writer = service(world, fake_plex, mode=removed_in, transport=transport)
    assert run(sqs_event(_decided(removal).model_dump_json()), writer) == {"batchItemFailures": []}

    assert transport.posts == posted  # nothing more sent
    [failed] = _events(world, removal.event_id, AuditEventType.WRITEBACK_FAILED)
    assert failed.payload["message"] == (
        f"assignment {ITEM_ID} was written in {assigned_in} mode but the writer is in {removed_in} mode; "
        f"set PLEXLABOR_PLEX_WRITE_MODE={assigned_in} to remove it"
    )
    assert _events(world, removal.event_id, AuditEventType.WRITEBACK) == [] and _state(world).state == "refused"


def test_a_removal_waits_for_its_assignments_write_and_is_refused_when_it_never_reached_plex(
    world: World, fake_plex: FakePlex
) -> None:
    transport = FakeTransport()
    writer = service(world, fake_plex, transport=transport)
    _, removal = _accepted_and_removal(world)
    message = sqs_event(_decided(removal).model_dump_json())

    assert run(message, writer)["batchItemFailures"]  # retried: the assignment's write is on its way
    assert transport.posts == [] and _events(world, removal.event_id, AuditEventType.WRITEBACK_FAILED) == []

    transport.fail_with = PlexRequestError("bad request", status=400)  # the assignment's write refused for good
    run(sqs_event(approved().model_dump_json()), writer)
    assert _events(world, ITEM_ID, AuditEventType.WRITEBACK_FAILED)
    transport.fail_with = None
    assert run(message, writer) == {"batchItemFailures": []}
    [failed] = _events(world, removal.event_id, AuditEventType.WRITEBACK_FAILED)
    assert "never written to Plex" in failed.payload["message"] and transport.posts == []


def test_a_rejected_removal_keeps_the_assignment(world: World, fake_plex: FakePlex) -> None:
    transport = FakeTransport()
    writer = service(world, fake_plex, transport=transport)
    _, removal = _accepted_and_removal(world)
    run(sqs_event(approved().model_dump_json()), writer)
    rejection = _decided(removal, "reject").decision
    world.audit.append(recommendation_decision(Recommended.of(removal), rejection, world.clock(), "queue"))

    run(sqs_event(_decided(removal).model_dump_json()), writer)  # an approval on its way meanwhile

    assert [body["status"] for _, body, _ in transport.posts] == ["assigned"]
    assert _events(world, removal.event_id, AuditEventType.WRITEBACK) == []


def test_reverting_a_removal_posts_the_assignment_again(world: World, fake_plex: FakePlex) -> None:
    transport = FakeTransport()
    writer = service(world, fake_plex, transport=transport)
    _, removal = _accepted_and_removal(world)
    run(sqs_event(approved().model_dump_json()), writer)
    run(sqs_event(_decided(removal).model_dump_json()), writer)

    reverted = writer.revert(removal.event_id, actor="it-admin")

    assert [body["status"] for _, body, _ in transport.posts] == ["assigned", "withdrawn", "assigned"]
    assert reverted.payload["restored"] == {"status": "assigned"}


def test_a_removal_of_an_assignment_already_reverted_in_plex_posts_nothing(world: World, fake_plex: FakePlex) -> None:
    # review_s13 #1: it posted `withdrawn` a second time, and reverting that removal posted the assignment IT had
    # withdrawn back into Plex (posts: assigned, withdrawn, withdrawn, assigned)
    transport = FakeTransport()
    writer = service(world, fake_plex, transport=transport)
    _, removal = _accepted_and_removal(world)
    run(sqs_event(approved().model_dump_json()), writer)  # the assignment went to Plex
    undone = writer.revert(ITEM_ID, actor="it-admin")  # ...and IT withdrew it there

    assert run(sqs_event(_decided(removal).model_dump_json()), writer) == {"batchItemFailures": []}

    assert [body["status"] for _, body, _ in transport.posts] == ["assigned", "withdrawn"]
    [failed] = _events(world, removal.event_id, AuditEventType.WRITEBACK_FAILED)
    assert failed.payload["message"] == (
        f"assignment {ITEM_ID} was withdrawn from Plex already (reverted at "
        f"{format_audit_time(undone.occurred_at)} by it-admin): nothing to remove"
    )
    reason = {k: failed.payload.get(k) for k in ("refused_because", "withdrawn_at", "withdrawn_by")}
    assert reason == {  # the crew board reads these, not the words (2f721aaa read the words)
        "refused_because": WITHDRAWN_ALREADY,
        "withdrawn_at": format_audit_time(undone.occurred_at),
        "withdrawn_by": "it-admin",
    }
    assert _events(world, removal.event_id, AuditEventType.WRITEBACK) == [] and _state(world).state == "refused"
    with pytest.raises(NothingToRevertError):  # nothing of the removal's to put back
        writer.revert(removal.event_id, actor="it-admin")


def _dead_lettered(world: World, writer: WritebackService, transport: FakeTransport) -> Removal:
    """An approved removal whose last attempt found Plex unreachable (`writeback_failed`, dead-lettered): the board
    reads it "refused" and offers "Retry the removal" (`Board.retryable`)."""
    _, removal = _accepted_and_removal(world)
    run(sqs_event(approved().model_dump_json()), writer)  # the assignment went to Plex
    decision = _decided(removal).decision
    world.audit.append(recommendation_decision(Recommended.of(removal), decision, world.clock(), "queue"))
    transport.fail_with = ConnectionError("Plex unreachable")  # transient, through the last attempt (3)
    assert run(sqs_event(_decided(removal).model_dump_json(), receive_count=3), writer)["batchItemFailures"]
    transport.fail_with = None
    refused = _state(world)
    assert refused.state == "refused"
    return refused


def _retried(world: World, refused: Removal) -> AuditEvent:
    """The retry the board records and approves at once (`crewboard.plan_retry`, `removals.retry_event`)."""
    retry = retry_event(read_day(world.audit, DAY), refused, world.clock(), "E0001")
    world.audit.append(retry)
    world.audit.append(recommendation_decision(Recommended.of(retry), _decided(retry).decision, world.clock(), "crew"))
    return retry


def test_a_removal_redriven_after_its_retry_was_written_posts_nothing(world: World, fake_plex: FakePlex) -> None:
    # review_s14 #1: the retry from the board written, then the dead-letter queue redriven: `withdrawn` posted twice
    transport = FakeTransport()
    writer = service(world, fake_plex, transport=transport)
    first = _dead_lettered(world, writer, transport)
    retry = _retried(world, first)
    run(sqs_event(_decided(retry).model_dump_json()), writer)
    assert [b["status"] for _, b, _ in transport.posts] == ["assigned", "withdrawn"]

    assert run(sqs_event(_decided(first.event).model_dump_json()), writer) == {"batchItemFailures": []}  # redriven

    assert [b["status"] for _, b, _ in transport.posts] == ["assigned", "withdrawn"]
    failed = _events(world, first.item_id, AuditEventType.WRITEBACK_FAILED)[-1]
    assert "was sent again from the crew board by E0001" in failed.payload["message"]
    assert _state(world).item_id == retry.event_id and _state(world).state == "removed"


def test_a_retry_after_the_redriven_removal_was_written_posts_nothing(world: World, fake_plex: FakePlex) -> None:
    # the other way round: the dead-letter queue redriven first, then the Retry the board offered on a read that did
    # not show that write yet
    transport = FakeTransport()
    writer = service(world, fake_plex, transport=transport)
    first = _dead_lettered(world, writer, transport)
    run(sqs_event(_decided(first.event).model_dump_json()), writer)  # redriven
    retry = _retried(world, first)

    assert run(sqs_event(_decided(retry).model_dump_json()), writer) == {"batchItemFailures": []}

    assert [b["status"] for _, b, _ in transport.posts] == ["assigned", "withdrawn"]
    [failed] = _events(world, retry.event_id, AuditEventType.WRITEBACK_FAILED)
    assert failed.payload["refused_because"] == REMOVED_ALREADY and failed.payload["removed_by"] == first.item_id
    # the seat follows the removal that was written: "removed in Plex", no Retry offered
    assert _state(world).item_id == first.item_id and _state(world).state == "removed"


def test_a_removal_of_a_seat_removed_then_reverted_is_written_again(world: World, fake_plex: FakePlex) -> None:
    # the near miss of the guard above: a removal whose write IT reverted (the assignment back in Plex) removes
    # nothing, so a later removal of the seat (a new call-off) is written
    transport = FakeTransport()
    writer = service(world, fake_plex, transport=transport)
    opening, removal = _accepted_and_removal(world)
    run(sqs_event(approved().model_dump_json()), writer)
    run(sqs_event(_decided(removal).model_dump_json()), writer)
    writer.revert(removal.event_id, actor="it-admin")
    again = removal_event(opening, CALLED_OFF, 1, world.clock(), ZoneInfo("America/Detroit"))
    world.audit.append(again)

    run(sqs_event(_decided(again).model_dump_json()), writer)

    assert [b["status"] for _, b, _ in transport.posts] == ["assigned", "withdrawn", "assigned", "withdrawn"]


@pytest.mark.parametrize("approved_first", [False, True])
def test_a_removal_closed_by_a_re_plan_beside_its_approval_is_not_written(
    world: World, fake_plex: FakePlex, approved_first: bool
) -> None:
    # review_s14 #5: E0042 clocked in, crew_replan closed the removal (superseded), and the supervisor's approval from
    # the queue (an index read, which lags the closing) was recorded beside it: `withdrawn` posted for a person at work
    transport = FakeTransport()
    writer = service(world, fake_plex, transport=transport)
    _, removal = _accepted_and_removal(world)
    run(sqs_event(approved().model_dump_json()), writer)  # the assignment went to Plex
    back = ReplanMessage(reason="clocked_in", day=DAY, shift="1", detected_at=world.clock(), employee_id="E0042")
    closing = superseded_event(removal, back, world.clock(), "E0042 clocked in")
    decision = recommendation_decision(Recommended.of(removal), _decided(removal).decision, world.clock(), "queue")
    for event in [decision, closing] if approved_first else [closing, decision]:
        world.audit.append(event)

    assert run(sqs_event(_decided(removal).model_dump_json()), writer) == {"batchItemFailures": []}

    assert [b["status"] for _, b, _ in transport.posts] == ["assigned"]
    [failed] = _events(world, removal.event_id, AuditEventType.WRITEBACK_FAILED)
    assert failed.payload["refused_because"] == CLOSED_ALREADY and failed.payload["closed_by"] == "crew_replan"
    assert "closed by the re-plan" in failed.payload["message"] and "E0042 clocked in" in failed.payload["message"]
    read = read_day(world.audit, DAY)
    assert removed(read) == {} and [e.event_id for e in accepted_seats(read, "1")] == [ITEM_ID]  # still held
