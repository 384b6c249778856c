"""A coding by hand reads where it really stands (review_s14 #6, L8): one plex_writeback refused says so with the
reason on `/allocation` and on the coded suggestion's page (it read "approved, on its way to Plex" for ever), one whose
write was dead-lettered says the write failed, and one the review sweep expired says it expired, leaving the stretch to
decide (it read "waiting to be approved", while `take_stretch` let the stretch be coded again)."""

from __future__ import annotations

import html

import pytest

from plexlabor.allocation.coding import Coding, StretchTakenError, coded_event, codings, take_stretch
from plexlabor.allocation.nightly import KIND
from plexlabor.approval.messages import Decision
from plexlabor.audit import ApprovalAction, AuditEvent, AuditEventType, AuditStatus
from plexlabor.audit.events import expiry_event
from tests.unit.allocation.test_unallocated_coded_shown import MACH, stretches, with_stretches
from tests.unit.allocation.test_unallocated_coding import (
    CLAIMS,
    PlexWithTime,
    by_type,
    code,
    code_it,
    deps,
    indirect,
    publish,
    write_back,
)
from tests.unit.approval.approval_fakes import World
from tests.unit.review.review_world import call_web
from tests.unit.webapp.test_web_app_queue_load import CountingStore


@pytest.fixture
def world() -> World:
    return World()


def test_a_coding_plex_refused_reads_refused_with_its_reason(world: World) -> None:
    # Given a stretch coded to training, and Plex holding the time as a meeting since: plex_writeback refuses it
    opening = publish(world, job=True)
    coded_id = code_it(world, opening.event_id, {"code": "TRAINING"})
    write_back(world, PlexWithTime(indirect=[indirect("MEETING")]), "custom_object")
    [failed] = by_type(world, coded_id, AuditEventType.WRITEBACK_FAILED)
    reason = failed.payload["message"]
    assert "charged since" in reason
    # When its supervisor opens /allocation and the coded suggestion's page
    table = stretches(with_stretches(world, 0), MACH)
    page = html.unescape(call_web(deps(world), "GET", f"/items/{opening.event_id}", CLAIMS)["body"])
    # Then both say Plex refused it, and why; neither says it is on its way
    for shown in (table, page):
        assert "on its way to Plex" not in shown
        assert f"TRAINING: approved, but Plex refused it: not written ({reason})" in shown
    # and the stretch is not coded again from the page (its suggestion was rejected for the coding)
    assert code(world, opening.event_id, {"code": "MEETING"})["statusCode"] == 404


def test_a_refusal_names_the_codings_kind_and_allocation_reads_no_item_for_it() -> None:
    # review: plex_writeback's writeback_failed named no kind, so /allocation read each approved, unwritten coding's
    # own events to find it
    store = CountingStore()
    world = World(audit=store)
    opening = publish(world, job=True)
    coded_id = code_it(world, opening.event_id, {"code": "TRAINING"})
    write_back(world, PlexWithTime(indirect=[indirect("MEETING")]), "custom_object")
    [failed] = by_type(world, coded_id, AuditEventType.WRITEBACK_FAILED)
    assert failed.kind == KIND
    store.item_reads.clear()

    table = stretches(with_stretches(world, 0), MACH)

    assert "TRAINING: approved, but Plex refused it: not written" in table
    assert coded_id not in store.item_reads


def test_a_refusal_recorded_before_it_named_the_kind_is_still_read() -> None:
    store = CountingStore()
    world = World(audit=store)
    opening = publish(world, job=True)
    coded = coded_event(opening, Coding(indirect_code="TRAINING"), "E0001", world.clock(), 1)
    for event in (coded, _decision(coded, ApprovalAction.APPROVE), _refusal(coded)):  # its payload names no kind
        world.audit.append(event)
    store.item_reads.clear()

    table = stretches(with_stretches(world, 0), MACH)

    assert "TRAINING: approved, but Plex refused it: not written (charged since)" in table
    assert store.item_reads.count(coded.event_id) == 1


def test_a_dead_lettered_write_reads_failed_and_a_later_write_written(world: World) -> None:
    opening = publish(world, job=True)
    coded = coded_event(opening, Coding(indirect_code="TRAINING"), "E0001", world.clock(), 1)
    approved = _decision(coded, ApprovalAction.APPROVE)
    failed = _event(coded, AuditEventType.WRITEBACK_FAILED, AuditStatus.WRITE_FAILED, message="Plex answered 503")
    failed = failed.model_copy(update={"payload": failed.payload | {"retryable": True}})

    (shown,) = codings([opening, coded, approved, failed]).values()

    assert shown.state() == (
        "approved, but the write to Plex failed (Plex answered 503): it waits for plant IT to send it again"
    )
    written = _event(coded, AuditEventType.WRITEBACK, AuditStatus.WRITTEN, sent=True)
    assert codings([opening, coded, approved, failed, written])[opening.event_id].state() == "written to Plex"


def test_an_expired_coding_reads_expired_and_leaves_the_stretch_to_decide(world: World) -> None:
    # Given a coding left waiting (its write could not be queued, nor could it be let go) that the sweep expired
    opening = publish(world, job=True)
    coded = coded_event(opening, Coding(indirect_code="TRAINING"), "E0001", world.clock(), 1)
    world.audit.append(coded)
    world.audit.append(
        expiry_event(
            coded.record_key,
            coded.event_id,
            occurred_at=world.clock(),
            actor="review_sweep",
            payload={"kind": coded.kind},
        )
    )
    # When its supervisor opens /allocation
    table = stretches(with_stretches(world, 0), MACH)
    # Then the coding reads expired, not waiting, and its suggestion (still waiting) is offered to decide
    assert "TRAINING: expired, nobody approved it: nothing written" in table
    assert "waiting to be approved" not in table
    assert f'/items/{opening.event_id}">Decide</a>' in table
    # as take_stretch judges it: the stretch may be coded again
    again = take_stretch(world.audit, opening, Coding(indirect_code="MEETING"), "E0001", world.clock())
    assert again.event_id != coded.event_id


def test_a_refused_coding_still_holds_its_stretch_for_take_stretch(world: World) -> None:
    """Approved is approved: what Plex holds there now is what stands, so no second coding goes on its way."""
    opening = publish(world, job=True)
    coded = coded_event(opening, Coding(indirect_code="TRAINING"), "E0001", world.clock(), 1)
    for event in (coded, _decision(coded, ApprovalAction.APPROVE), _refusal(coded)):
        world.audit.append(event)

    assert codings(world.audit.history(opening.record_key))[opening.event_id].stands
    with pytest.raises(StretchTakenError):
        take_stretch(world.audit, opening, Coding(indirect_code="MEETING"), "E0001", world.clock())


def _decision(coded: AuditEvent, action: ApprovalAction) -> AuditEvent:
    return Decision(action=action, supervisor_id="E0001").audit_event(
        record_key=coded.record_key,
        item_id=coded.event_id,
        employee_id=coded.employee_id,
        model_version=None,
        occurred_at=coded.occurred_at,
        payload={"kind": coded.kind},
    )


def _refusal(coded: AuditEvent) -> AuditEvent:
    return _event(coded, AuditEventType.WRITEBACK_FAILED, AuditStatus.WRITE_FAILED, message="charged since")


def _event(coded: AuditEvent, kind: AuditEventType, status: AuditStatus, **payload: object) -> AuditEvent:
    return AuditEvent(
        record_key=coded.record_key,
        event_id=f"{coded.event_id}-{kind.value}",
        event_type=kind,
        status=status,
        occurred_at=coded.occurred_at,
        actor="plex_writeback",
        finding_id=coded.event_id,
        payload={"retryable": False, **payload},
        previous_values={} if kind is AuditEventType.WRITEBACK else None,
    )
