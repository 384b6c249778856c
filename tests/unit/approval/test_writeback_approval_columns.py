"""Every record plex_writeback writes to Plex carries who approved it, when, the reason given, the suggestion's id and
model version and the decision's audit id (`approval.approved.approval_columns`, one shape for every kind), in each
write mode; and the simulator's custom objects keep those columns (ux_s13 #17i: a time-clock correction's record
in `plexlabor_suggestions` named no approver and no reason)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from approval_fakes import FakePlex, World, make_finding, make_request, sqs_event
from test_crew_removal_writeback import _accepted_and_removal
from test_crew_writeback import ITEM_ID, open_assignment
from test_incident_writeback import confirmed_writer
from test_unallocated_writeback import PlexWithLabor, publish
from test_writeback import FakeTransport, run, service

from plexlabor.approval.messages import Decision, RecommendationWriteback, WritebackMessage
from plexlabor.audit import ApprovalAction, AuditEvent, AuditEventType
from plexlabor.models.types import format_plex_datetime
from plexlabor_dev.simulator.sample_plant import write_sample_plant
from plexlabor_dev.simulator.server import PlexSimulatorApp, SimulatorState
from plexlabor_dev.simulator.store import PlantStore

REASON = "Checked with the operator: started at 14:25 on my say."
SUGGESTIONS = "/platform/custom-objects/v1/data/plexlabor_suggestions"


def approve(reason: str | None = REASON) -> Decision:
    return Decision(action=ApprovalAction.APPROVE, supervisor_id="E0001", reason=reason)


def decided(world: World, item_id: str) -> AuditEvent:
    [decision] = [e for e in world.audit.for_finding(item_id) if e.event_type is AuditEventType.DECISION]
    return decision


def assert_approved(columns: dict[str, Any], decision: AuditEvent, model_version: str | None) -> None:
    """`columns` name the decision: who, when, why, the item, its model version and the decision's audit id."""
    assert columns["approvedBy"] == decision.actor and columns["reason"] == decision.payload["reason"]
    assert columns["approvedAt"] == format_plex_datetime(decision.occurred_at)
    assert (columns["itemId"], columns["modelVersion"]) == (decision.finding_id, model_version)
    assert columns["decisionId"] == decision.event_id


def finding_message(finding: Any = None) -> WritebackMessage:
    return WritebackMessage(request=make_request(finding), decision=approve())


def test_a_time_clock_correction_record_names_the_approver_and_the_reason(world: World, fake_plex: FakePlex) -> None:
    # Given an approved missed clock-out, with the supervisor's reason, in custom_object mode
    transport = FakeTransport()
    run(sqs_event(finding_message().model_dump_json()), service(world, fake_plex, transport=transport))
    # Then its record in plexlabor_suggestions names the target call and the approval
    [(path, body, _)] = transport.posts
    assert path == SUGGESTIONS and body["action"] == "time-clock-entry-update"
    decision = decided(world, make_finding().finding_id)
    assert body["reason"] == REASON
    assert_approved(body, decision, "scorer-1+norms-1")


@pytest.mark.parametrize("mode", ["dry_run", "direct"])
def test_a_time_clock_correction_keeps_its_approval_where_plex_takes_no_column(
    world: World, fake_plex: FakePlex, mode: str
) -> None:
    # Given the same approval in dry run (nothing sent) or direct mode (Plex's own body sent to the record)
    transport = FakeTransport()
    writer = service(world, fake_plex, mode=mode, transport=transport)
    paths = {**writer.writer.settings.resource_paths, "time-clock-entry-update": "/hcm/v1/time-clock-entries/{id}"}
    writer.writer.settings = writer.writer.settings.model_copy(update={"resource_paths": paths})
    outcome = writer.apply(finding_message(), message_id="m-1")
    # Then what was (or would have been) sent and the writeback event keep the approval; direct sends the fields only
    decision = decided(world, make_finding().finding_id)
    assert outcome.event is not None
    assert_approved(outcome.event.payload["approval"], decision, "scorer-1+norms-1")
    assert_approved(writer.writer.recorded[-1].approval, decision, "scorer-1+norms-1")
    if mode == "direct":
        [(_, body, _)] = transport.posts
        assert set(body) == {"clockoutTime"}
    else:
        assert transport.posts == []


@pytest.mark.parametrize("mode", ["dry_run", "direct"])
def test_advice_names_the_approver_and_the_reason(world: World, fake_plex: FakePlex, mode: str) -> None:
    finding = make_finding(anomaly_type="DUPLICATE_PUNCH", suggested_correction={"action": "delete"})
    transport = FakeTransport()
    writer = service(world, fake_plex, mode=mode, transport=transport)
    writer.apply(finding_message(finding), message_id="m-1")
    [recorded] = writer.writer.recorded  # what was sent, or would have been in dry run
    assert recorded.path == SUGGESTIONS and recorded.sent is (mode == "direct")
    assert_approved(recorded.payload, decided(world, finding.finding_id), "scorer-1+norms-1")


def test_a_crew_assignment_and_its_removal_name_each_its_own_approval(world: World, fake_plex: FakePlex) -> None:
    # Given an assignment approved in the queue and written, then its removal approved with a reason
    transport = FakeTransport()
    writer = service(world, fake_plex, transport=transport)
    opening, removal = _accepted_and_removal(world)
    run(sqs_event(RecommendationWriteback(item_id=ITEM_ID, decision=approve(None)).model_dump_json()), writer)
    why = "called off sick; Ana covers the seat"
    removed = RecommendationWriteback(item_id=removal.event_id, decision=approve(why))
    run(sqs_event(removed.model_dump_json()), writer)
    # Then the assigned record names the assignment's approval, the withdrawn one the removal's
    [(_, assigned, _), (_, withdrawn, _)] = transport.posts
    assert_approved(assigned, decided(world, ITEM_ID), opening.model_version)
    assert (withdrawn["status"], withdrawn["assignmentId"], withdrawn["reason"]) == ("withdrawn", ITEM_ID, why)
    assert_approved(withdrawn, decided(world, removal.event_id), removal.model_version)


def test_a_crew_assignment_approved_with_a_reason_carries_it(world: World, fake_plex: FakePlex) -> None:
    open_assignment(world)
    transport = FakeTransport()
    message = RecommendationWriteback(item_id=ITEM_ID, decision=approve("short on WC-10 all week"))
    run(sqs_event(message.model_dump_json()), service(world, fake_plex, transport=transport))
    [(_, body, _)] = transport.posts
    assert body["reason"] == "short on WC-10 all week" and body["approvedBy"] == "E0001"


@pytest.mark.parametrize("mode", ["custom_object", "direct"])
def test_unallocated_time_names_its_approval(world: World, mode: str) -> None:
    opening = publish(world)
    transport = FakeTransport()
    message = RecommendationWriteback(item_id=opening.event_id, decision=approve())
    run(sqs_event(message.model_dump_json()), service(world, PlexWithLabor(), mode=mode, transport=transport))
    [(_, body, _)] = transport.posts
    decision = decided(world, opening.event_id)
    if mode == "custom_object":  # the labor entry's target call, as a record of the suggestions object
        assert_approved(body, decision, opening.model_version)
    else:  # Plex's labor entry as Plex takes it; the approval in the writeback event
        assert body == opening.payload["labor_entry"]
        [written] = [e for e in world.audit.for_finding(opening.event_id) if e.event_type is AuditEventType.WRITEBACK]
        assert_approved(written.payload["approval"], decision, opening.model_version)


@pytest.mark.parametrize("nonconformance", [False, True])
@pytest.mark.parametrize("mode", ["custom_object", "direct"])
def test_a_confirmed_incident_names_who_confirmed_it(
    world: World, fake_plex: FakePlex, mode: str, nonconformance: bool
) -> None:
    incident_id, message, transport, writer = confirmed_writer(world, fake_plex, mode, nonconformance=nonconformance)
    run(sqs_event(message.model_dump_json()), writer)
    [(_, body, _)] = transport.posts
    decision = decided(world, incident_id)
    assert body["approvedBy"] == "ehs1"
    assert_approved(body, decision, decision.model_version)
    if nonconformance and mode == "custom_object":  # the nonconformance record itself carries them too
        assert_approved(json.loads(body["payloadJson"]), decision, decision.model_version)


def test_the_simulator_keeps_every_kinds_approval_columns(world: World, fake_plex: FakePlex, tmp_path: Path) -> None:
    # Given the records of a time-clock correction, advice and a crew assignment, as plex_writeback posts them
    transport = FakeTransport()
    writer = service(world, fake_plex, transport=transport)
    writer.apply(finding_message(), message_id="m-1")
    advice = make_finding(
        finding_id="f-000000000000000000000002", anomaly_type="DUPLICATE_PUNCH", suggested_correction={"action": "x"}
    )
    writer.apply(finding_message(advice), message_id="m-2")
    open_assignment(world)
    writer.apply(RecommendationWriteback(item_id=ITEM_ID, decision=approve()), message_id="m-3")
    # When they are POSTed to the simulator's custom objects
    write_sample_plant(tmp_path, employees=2, days=1)
    app = PlexSimulatorApp(
        SimulatorState(PlantStore(tmp_path), api_key="k", rate_limit=0, datasource_user="u", datasource_password="p")
    )
    headers = {"x-plex-connect-api-key": "k"}
    for path, body, _ in transport.posts:
        assert app.handle("POST", path, {}, headers, json.dumps(body).encode()).status == 201
    # Then reading them back gives every record with the approver, the time and the reason
    stored = [
        row
        for name in ("plexlabor_suggestions", "plexlabor_crew_assignments")
        for row in app.handle("GET", f"/platform/custom-objects/v1/data/{name}", {}, headers, b"").payload
    ]
    assert len(stored) == 3
    assert all(row["approvedBy"] == "E0001" and row["reason"] == REASON and row["approvedAt"] for row in stored)
