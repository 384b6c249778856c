"""An incident the EHS lead confirmed on its page: written once to the incidents custom object with the
codes and fields as confirmed (dry run by default: nothing sent, the prepared record audited), and
reversible with a `withdrawn` record; or, with `incident_write_target` = nonconformance, once as a
nonconformance record through the write mode (not reverted by plexlabor)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from approval_fakes import FakePlex, World, sqs_event
from test_writeback import FakeTransport, run, service

from plexlabor.approval.errors import NothingToRevertError
from plexlabor.approval.messages import RecommendationWriteback
from plexlabor.approval.writeback import WritebackService
from plexlabor.audit import AuditEvent, AuditEventType
from plexlabor.incidents.service import (
    IncidentDeps,
    IncidentReport,
    confirmed_decision,
    correct_codes,
    decision_of,
    log_incident,
    opening,
    read_confirmation,
)
from tests.unit.incidents.conftest import CONFIRMED_CODES
from tests.unit.review.review_world import call_web, web_deps
from tests.unit.webapp.test_web_app_incidents import EHS

NARRATIVE = "At 10:30 an operator at Press 4 caught his left index finger in the press brake; no gloves."


def confirmed_message(world: World) -> tuple[str, RecommendationWriteback]:
    logged = log_incident(IncidentDeps(world.audit, None, clock=world.clock), IncidentReport(narrative=NARRATIVE), "E7")
    event = opening(world.audit, logged.incident_id)
    assert event is not None
    form = {
        "confirm.occurred_at": "2026-03-04T10:30",
        "confirm.workcenter_code": "PRESS4",
        "confirm.equipment": "press brake",
        "confirm.body_parts": "left index finger",
        "confirm.ppe_not_worn": "gloves",
    }
    confirmed = read_confirmation(form, UTC, datetime(2026, 3, 5, tzinfo=UTC))
    decided = correct_codes(world.audit, event, CONFIRMED_CODES, "ehs1", world.clock(), None, confirmed)
    decision = confirmed_decision(decided)
    assert decision is not None
    return logged.incident_id, RecommendationWriteback(item_id=logged.incident_id, decision=decision)


def confirmed_writer(
    world: World, fake_plex: FakePlex, mode: str = "custom_object", *, nonconformance: bool = False
) -> tuple[str, RecommendationWriteback, FakeTransport, WritebackService]:
    """A confirmed incident's message and a write-back service in `mode` posting to a fake transport
    (`nonconformance`: with `incident_write_target` = nonconformance)."""
    incident_id, message = confirmed_message(world)
    transport = FakeTransport()
    writer = service(world, fake_plex, mode=mode, transport=transport)
    if nonconformance:
        writer.writer.settings = writer.writer.settings.model_copy(update={"incident_write_target": "nonconformance"})
    return incident_id, message, transport, writer


def written(world: World, incident_id: str) -> AuditEvent:
    """The incident's one write-back event."""
    [event] = [e for e in world.audit.for_finding(incident_id) if e.event_type is AuditEventType.WRITEBACK]
    return event


def test_a_confirmed_incident_becomes_one_record_with_the_confirmed_fields(world: World, fake_plex: FakePlex) -> None:
    incident_id, message, transport, writer = confirmed_writer(world, fake_plex)
    for _ in range(2):  # a redelivery writes nothing more
        assert run(sqs_event(message.model_dump_json()), writer) == {"batchItemFailures": []}
    [(path, body, key)] = transport.posts
    assert path.endswith("/plexlabor_incidents") and key == f"plexlabor-writeback-{incident_id}"
    assert (body["incidentId"], body["status"], body["kind"], body["narrative"]) == (
        incident_id,
        "confirmed",
        "injury",
        NARRATIVE,
    )
    assert body["occurredAt"] == "2026-03-04T10:30:00+00:00" and body["workcenterCode"] == "PRESS4"
    assert (body["equipment"], body["bodyParts"], body["ppeNotWorn"], body["shiftCode"]) == (
        "press brake",
        "left index finger",
        "gloves",
        "",
    )
    assert (body["eventDivision"], body["eventGroup"], body["partDivision"]) == ("6", "64", "4")
    assert (body["reportedBy"], body["approvedBy"]) == ("E7", "ehs1")
    event = written(world, incident_id)
    assert event.payload["kind"] == "incident_coding" and event.payload["custom_object"] == "plexlabor_incidents"

    reverted = writer.revert(incident_id, actor="it-admin")
    path, body, _ = transport.posts[-1]
    assert path.endswith("/plexlabor_incidents") and (body["incidentId"], body["status"]) == (incident_id, "withdrawn")
    assert reverted.previous_values == {"status": "confirmed"}


def test_by_default_nothing_is_sent_and_the_prepared_record_is_audited(world: World, fake_plex: FakePlex) -> None:
    incident_id, message, transport, writer = confirmed_writer(world, fake_plex, "dry_run")
    run(sqs_event(message.model_dump_json()), writer)
    assert transport.posts == []
    event = written(world, incident_id)
    assert event.payload["sent"] is False and event.payload["record"]["eventGroup"] == "64"
    with pytest.raises(NothingToRevertError, match="dry run"):
        writer.revert(incident_id, actor="it-admin")


def test_a_confirmation_later_than_now_or_not_a_time_is_refused_naming_the_field() -> None:
    from plexlabor.incidents.service import CodeCorrectionError

    now = datetime(2026, 3, 5, tzinfo=UTC)
    with pytest.raises(CodeCorrectionError, match="When it happened: later than now"):
        read_confirmation({"confirm.occurred_at": "2026-03-06T08:00"}, UTC, now)
    with pytest.raises(CodeCorrectionError, match="When it happened: expected a date"):
        read_confirmation({"confirm.occurred_at": "yesterday"}, UTC, now)
    with pytest.raises(CodeCorrectionError, match="Equipment: at most 200"):
        read_confirmation({"confirm.equipment": "x" * 201}, UTC, now)


def test_a_confirmed_incident_can_become_a_nonconformance_record(world: World, fake_plex: FakePlex) -> None:
    incident_id, message, transport, writer = confirmed_writer(world, fake_plex, "direct", nonconformance=True)
    for _ in range(2):  # a redelivery writes nothing more
        assert run(sqs_event(message.model_dump_json()), writer) == {"batchItemFailures": []}
    [(path, body, key)] = transport.posts
    assert path == "/quality/v1/nonconformances" and key == f"plexlabor-writeback-{incident_id}"
    assert (body["externalReference"], body["nonconformanceType"], body["description"]) == (
        incident_id,
        "safety incident",
        NARRATIVE,
    )
    assert body["foundTime"] == "2026-03-04T10:30:00+00:00" and body["workcenterCode"] == "PRESS4"
    assert (body["eventGroup"], body["ppeNotWorn"], body["approvedBy"]) == ("64", "gloves", "ehs1")
    assert "status" not in body and "incidentId" not in body
    event = written(world, incident_id)
    assert event.payload["target"] == {"action": "nonconformance-create"} and "custom_object" not in event.payload
    assert event.payload["sent"] is True and event.payload["record"] == body
    with pytest.raises(NothingToRevertError, match="nonconformance record, which plexlabor does not delete"):
        writer.revert(incident_id, actor="it-admin")
    page = call_web(web_deps(world), "GET", f"/incidents/{incident_id}", EHS)["body"]
    assert "Written to Plex as a nonconformance record on" in page


def test_in_custom_object_mode_the_nonconformance_travels_as_the_target_call(world: World, fake_plex: FakePlex) -> None:
    incident_id, message, transport, writer = confirmed_writer(world, fake_plex, nonconformance=True)
    run(sqs_event(message.model_dump_json()), writer)
    [(path, body, _)] = transport.posts
    assert path.endswith("/plexlabor_suggestions") and body["action"] == "nonconformance-create"
    assert body["targetPath"] == "/quality/v1/nonconformances" and body["reference"] == incident_id
    assert json.loads(body["payloadJson"])["externalReference"] == incident_id


def test_a_nonconformance_in_dry_run_sends_nothing(world: World, fake_plex: FakePlex) -> None:
    incident_id, message, transport, writer = confirmed_writer(world, fake_plex, "dry_run", nonconformance=True)
    run(sqs_event(message.model_dump_json()), writer)
    assert transport.posts == []
    event = written(world, incident_id)
    assert event.payload["sent"] is False and event.payload["record"]["nonconformanceType"] == "safety incident"


def test_the_write_target_is_a_setting_and_nothing_else_is_accepted() -> None:
    from pydantic import ValidationError

    from plexlabor.plex.settings import plex_settings_from_env

    environ = {"PLEXLABOR_PLEX_API_KEY": "k", "PLEXLABOR_PLEX_INCIDENT_WRITE_TARGET": "nonconformance"}
    assert plex_settings_from_env(environ).incident_write_target == "nonconformance"
    assert plex_settings_from_env({"PLEXLABOR_PLEX_API_KEY": "k"}).incident_write_target == "custom_object"
    with pytest.raises(ValidationError, match="incident_write_target"):
        plex_settings_from_env({**environ, "PLEXLABOR_PLEX_INCIDENT_WRITE_TARGET": "email"})


CORRECTED = {**CONFIRMED_CODES, "event_group": "62", "source_division": "5"}
"""The EHS lead's later correction of the codes `confirmed_message` saved."""


def _correction(world: World, incident_id: str, codes: dict[str, str]) -> RecommendationWriteback:
    """The EHS lead saves the incident's codes again (as the page does): the correction's message."""
    event = opening(world.audit, incident_id)
    assert event is not None
    newest = decision_of(world.audit, incident_id)
    decided = correct_codes(world.audit, event, codes, "ehs1", world.clock(), "guard was open", {}, newest)
    decision = confirmed_decision(decided)
    assert decision is not None and decided.payload["corrects"]
    return RecommendationWriteback(item_id=incident_id, decision=decision, decision_id=decided.event_id)


def test_a_correction_after_the_write_is_written_again_and_an_older_message_writes_nothing(
    world: World, fake_plex: FakePlex
) -> None:
    """ux119 #9: a second save met the decision's one id; now it is a decision of its own, written again."""
    incident_id, first, transport, writer = confirmed_writer(world, fake_plex)
    run(sqs_event(first.model_dump_json()), writer)
    correction = _correction(world, incident_id, CORRECTED)
    for message in (correction, correction, first):  # a redelivery, and the first one late: nothing more
        assert run(sqs_event(message.model_dump_json()), writer) == {"batchItemFailures": []}
    assert len(transport.posts) == 2
    _, body, key = transport.posts[-1]
    assert key == f"plexlabor-writeback-{incident_id}-{correction.decision_id}"
    assert (body["status"], body["eventGroup"], body["sourceDivision"]) == ("corrected", "62", "5")
    writes = [e for e in world.audit.for_finding(incident_id) if e.event_type is AuditEventType.WRITEBACK]
    assert [e.payload["decision_id"] for e in writes] == [None, correction.decision_id]


def test_an_incident_rejected_in_the_queue_can_still_be_coded_and_written(world: World, fake_plex: FakePlex) -> None:
    """Helper 126's leftover: the EHS lead rejected it in the queue (a duplicate, say), then codes it on its page."""
    from plexlabor.approval.messages import Decision
    from plexlabor.audit import ApprovalAction, AuditStatus

    logged = log_incident(IncidentDeps(world.audit, None, clock=world.clock), IncidentReport(narrative=NARRATIVE), "E7")
    event = opening(world.audit, logged.incident_id)
    assert event is not None
    rejection = Decision(action=ApprovalAction.REJECT, reason="a duplicate", supervisor_id="ehs1")
    world.audit.append(
        rejection.audit_event(
            record_key=event.record_key,
            item_id=logged.incident_id,
            employee_id=None,
            model_version=event.model_version,
            occurred_at=world.clock(),
            payload={"kind": "incident_coding"},
        )
    )
    message = _correction(world, logged.incident_id, CONFIRMED_CODES)
    newest = decision_of(world.audit, logged.incident_id)
    assert newest is not None and newest.status is AuditStatus.APPROVED and newest.event_id == message.decision_id
    transport = FakeTransport()
    writer = service(world, fake_plex, mode="custom_object", transport=transport)
    assert run(sqs_event(message.model_dump_json()), writer) == {"batchItemFailures": []}
    [(_, body, _)] = transport.posts
    assert body["incidentId"] == logged.incident_id and body["eventGroup"] == "64"
    assert [e.event_type for e in world.audit.for_finding(logged.incident_id)].count(AuditEventType.WRITEBACK) == 1
