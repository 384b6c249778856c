"""An approved unallocated-time suggestion (allocation_nightly's `unallocated_time`): its labor entry is
written to Plex once in the write mode, with what Plex held in that time as the previous values; refused
when Plex holds another job's entry there now or when no job was suggested; never reverted by plexlabor."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from approval_fakes import FakePlex, World, sqs_event
from test_writeback import FakeTransport, run, service

from plexlabor.allocation.nightly import suggestion_event
from plexlabor.allocation.report import Suggestion
from plexlabor.approval.errors import NothingToRevertError
from plexlabor.approval.messages import Decision, RecommendationWriteback
from plexlabor.audit import ApprovalAction, AuditEvent, AuditEventType, AuditStatus
from plexlabor.models import LaborEntry
from tests.support import make_unallocated

DAY = date(2026, 3, 4)
START = datetime(2026, 3, 4, 13, 0, tzinfo=UTC)
END = START + timedelta(minutes=45)
LABOR_PATH = "/production/v1/production-history/labor-entries"


@dataclass
class PlexWithLabor(FakePlex):
    labor: list[LaborEntry] = field(default_factory=list)
    windows: list[tuple[datetime, datetime]] = field(default_factory=list)

    def labor_entries(self, begin: datetime, end: datetime) -> list[LaborEntry]:
        self.windows.append((begin, end))
        return [e for e in self.labor if begin <= e.start_time < end]


def stretch(job: bool = True) -> Suggestion:
    return make_unallocated(START, 45, job=job)


def publish(world: World, job: bool = True) -> AuditEvent:
    event = suggestion_event(
        DAY, stretch(job), world.clock(), AuditStatus.PENDING_APPROVAL, workcenter_code="WC-10" if job else None
    )
    world.audit.append(event)
    return event


def approval(item_id: str) -> str:
    decision = Decision(action=ApprovalAction.APPROVE, supervisor_id="E0001")
    return RecommendationWriteback(item_id=item_id, decision=decision).model_dump_json()


def entry(
    job_operation_id: str,
    start: datetime = START - timedelta(minutes=10),
    *,
    hours: float = 0.5,
    employee_id: str = "E0042",
    entry_id: str = "L-1",
) -> LaborEntry:
    return LaborEntry(
        id=entry_id,
        employee_id=employee_id,
        workcenter_id="WC-ID-10",
        job_id="J-7",
        job_operation_id=job_operation_id,
        start_time=start,
        end_time=start + timedelta(hours=hours),
    )


def events(world: World, item_id: str, kind: AuditEventType) -> list[AuditEvent]:
    return [e for e in world.audit.for_finding(item_id) if e.event_type is kind]


def test_the_note_gives_the_minutes_the_job_and_why() -> None:
    event = suggestion_event(DAY, stretch(), START, AuditStatus.PENDING_APPROVAL, workcenter_code="WC-10")
    note = event.payload["note"]
    assert "45 paid minutes" in note and "job J100007 op 20" in note
    assert "their scan of it at WC-10 ended 12 min before this stretch" in note
    assert "writes a labor entry" in note
    assert event.payload["labor_entry"] == {
        "employeeId": "E0042",
        "workcenterId": "WC-ID-10",
        "jobId": "J-7",
        "jobOperationId": "JO-7",
        "startTime": "2026-03-04T13:00:00.0000000Z",
        "endTime": "2026-03-04T13:45:00.0000000Z",
        "quantity": 0.0,
    }
    alone = suggestion_event(DAY, stretch(job=False), START, AuditStatus.PENDING_APPROVAL)
    assert alone.payload["labor_entry"] is None and "writes" not in alone.payload["note"]


@pytest.mark.parametrize("mode", ["dry_run", "custom_object", "direct"])
def test_an_approved_stretch_becomes_one_labor_entry(world: World, mode: str) -> None:
    # Given an approved unallocated stretch, and Plex holding nothing for the person then
    opening = publish(world)
    plex = PlexWithLabor(labor=[entry("JO-9", START - timedelta(hours=3))])
    transport = FakeTransport()
    writer = service(world, plex, mode=mode, transport=transport)
    # When plex_writeback handles its message twice (a redelivery)
    for _ in range(2):
        assert run(sqs_event(approval(opening.event_id)), writer) == {"batchItemFailures": []}
    # Then one write in the mode, and one writeback event recording what Plex held (nothing)
    [written] = events(world, opening.event_id, AuditEventType.WRITEBACK)
    assert written.previous_values == {"laborEntries": []}
    assert written.payload["labor_entry"]["jobOperationId"] == "JO-7"
    assert written.payload["sent"] is (mode != "dry_run")
    if mode == "dry_run":
        assert transport.posts == [] and written.payload["path"] == LABOR_PATH
        return
    [(path, body, key)] = transport.posts
    assert key == f"plexlabor-writeback-{opening.event_id}"
    if mode == "direct":
        assert path == LABOR_PATH and body == opening.payload["labor_entry"]
    else:
        assert path.endswith("/plexlabor_suggestions") and body["action"] == "labor-entry-create"
        assert json.loads(body["payloadJson"]) == opening.payload["labor_entry"]


def test_an_entry_plex_already_holds_is_not_written_twice(world: World) -> None:
    opening = publish(world)
    transport = FakeTransport()
    held = entry("JO-7")
    run(sqs_event(approval(opening.event_id)), service(world, PlexWithLabor(labor=[held]), transport=transport))
    [written] = events(world, opening.event_id, AuditEventType.WRITEBACK)
    assert transport.posts == [] and written.payload["already_applied"] is True
    assert written.previous_values is not None and [e["id"] for e in written.previous_values["laborEntries"]] == ["L-1"]


def test_time_charged_to_another_job_since_is_refused(world: World) -> None:
    opening = publish(world)
    transport = FakeTransport()
    run(
        sqs_event(approval(opening.event_id)), service(world, PlexWithLabor(labor=[entry("JO-9")]), transport=transport)
    )
    assert transport.posts == [] and events(world, opening.event_id, AuditEventType.WRITEBACK) == []
    [failed] = events(world, opening.event_id, AuditEventType.WRITEBACK_FAILED)
    assert failed.payload["retryable"] is False and "another job" in failed.payload["message"]


def test_plex_is_read_for_the_stretch_and_the_shift_before_it_kept_to_the_person(world: World) -> None:
    # Given Plex holding, in the stretch, another person's entry of another job, and the person's own
    # entry of this job that started 15 h before (a long shift) and runs through the stretch
    opening = publish(world)
    others = entry("JO-9", START - timedelta(minutes=5), employee_id="E0077", entry_id="L-2")
    long_run = entry("JO-7", START - timedelta(hours=15), hours=16)
    plex = PlexWithLabor(labor=[others, long_run])
    transport = FakeTransport()
    run(sqs_event(approval(opening.event_id)), service(world, plex, transport=transport))
    # Then one read, of the stretch and the 16 h before it (not days of the plant's entries)
    assert plex.windows == [(START - timedelta(hours=16), END)]
    # and only the person's entry counts: the time is theirs on this job already, nothing is written
    [written] = events(world, opening.event_id, AuditEventType.WRITEBACK)
    assert transport.posts == [] and written.payload["already_applied"] is True
    assert written.previous_values is not None and [e["id"] for e in written.previous_values["laborEntries"]] == ["L-1"]


def test_a_stretch_with_no_job_writes_nothing_and_says_why(world: World) -> None:
    opening = publish(world, job=False)
    transport = FakeTransport()
    run(sqs_event(approval(opening.event_id)), service(world, PlexWithLabor(), transport=transport))
    assert transport.posts == []
    [failed] = events(world, opening.event_id, AuditEventType.WRITEBACK_FAILED)
    assert "no job to charge" in failed.payload["message"]


def test_a_written_labor_entry_is_not_reverted_by_plexlabor(world: World) -> None:
    opening = publish(world)
    writer = service(world, PlexWithLabor(), mode="direct")
    run(sqs_event(approval(opening.event_id)), writer)
    with pytest.raises(NothingToRevertError, match="does not delete"):
        writer.revert(opening.event_id, actor="it-admin")
