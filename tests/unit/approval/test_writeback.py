"""plex_writeback and revert with fakes: previous values, modes, failures, idempotency."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from approval_fakes import FakePlex, World, make_finding, make_request, notice, open_entry, sqs_event

from functions.plex_writeback.handler import handler
from plexlabor.approval.corrections import with_fallback_paths
from plexlabor.approval.errors import NothingToRevertError
from plexlabor.approval.messages import Decision, WritebackMessage
from plexlabor.approval.writeback import WritebackService
from plexlabor.audit import ApprovalAction, AuditEventType, AuditStatus
from plexlabor.plex import PlexServerError, PlexSettings, PlexWriter
from plexlabor.plex.errors import PlexRequestError
from tests.support import FakeLambdaContext

FINDING_ID = "f-000000000000000000000001"
CLOCKOUT = "2026-03-02T14:07:00.0000000Z"


def run(event: dict[str, Any], service: WritebackService) -> dict[str, Any]:
    """plex_writeback as Lambda calls it (its decorators included), `service` injected."""
    return handler(event, FakeLambdaContext(), dependencies=service)


class FakeResponse:
    def __init__(self, status: int, body: Any) -> None:
        self.status_code, self._body = status, body
        self.content = json.dumps(body).encode()
        self.text = self.content.decode()

    def json(self) -> Any:
        return self._body


@dataclass
class FakeTransport:
    posts: list[tuple[str, dict[str, Any], str | None]] = field(default_factory=list)
    fail_with: Exception | None = None

    def post(self, path: str, body: dict[str, Any], *, idempotency_key: str | None = None) -> FakeResponse:
        if self.fail_with is not None:
            raise self.fail_with
        self.posts.append((path, body, idempotency_key))
        return FakeResponse(201, {"id": f"obj-{len(self.posts)}"})


def service(
    world: World, plex: FakePlex, mode: str = "custom_object", transport: FakeTransport | None = None
) -> WritebackService:
    settings = with_fallback_paths(PlexSettings(api_key="k", write_mode=mode))  # type: ignore[arg-type]
    writer = PlexWriter(settings, transport=transport or FakeTransport())  # type: ignore[arg-type]
    return WritebackService(audit=world.audit, writer=writer, plex=plex, max_receive_count=3, clock=world.clock)


def message(finding: Any = None, action: str = "approve") -> WritebackMessage:
    return WritebackMessage(
        request=make_request(finding), decision=Decision(action=ApprovalAction(action), supervisor_id="E0001")
    )


def event_of(msg: WritebackMessage, receive_count: int = 1) -> dict[str, Any]:
    return sqs_event(msg.model_dump_json(), receive_count=receive_count)


def of_type(world: World, kind: AuditEventType) -> list[Any]:
    return [e for e in world.audit.for_finding(FINDING_ID) if e.event_type is kind]


def test_a_missed_clock_out_is_written_with_the_previous_values_kept(world: World, fake_plex: FakePlex) -> None:
    # Given an approved missed-punch finding on an open time-clock entry, in custom_object mode
    transport = FakeTransport()
    # When plex_writeback handles the message
    response = run(event_of(message()), service(world, fake_plex, transport=transport))
    # Then one suggestion naming the clock-out update was posted, and the audit keeps the old value
    assert response == {"batchItemFailures": []}
    [(path, body, key)] = transport.posts
    assert path == "/platform/custom-objects/v1/data/plexlabor_suggestions"
    assert body["action"] == "time-clock-entry-update"
    assert body["targetPath"] == "/hcm/v1/time-clock-entries/T0000002"
    assert json.loads(body["payloadJson"]) == {"clockoutTime": CLOCKOUT} and key == f"plexlabor-writeback-{FINDING_ID}"
    [event] = of_type(world, AuditEventType.WRITEBACK)
    assert event.previous_values == {"clockoutTime": None}
    assert (event.status, event.payload["sent"], event.payload["mode"]) == (AuditStatus.WRITTEN, True, "custom_object")
    # and the decision missing from the audit (the callback could not record it) was reconciled
    assert sorted(e.event_type.value for e in world.audit.for_finding(FINDING_ID)) == ["decision", "writeback"]


def test_the_supervisors_edit_of_the_correction_is_what_is_written(world: World, fake_plex: FakePlex) -> None:
    edited = "2026-03-02T13:45:00.0000000Z"
    decision = Decision(action=ApprovalAction.APPROVE, supervisor_id="E0001", correction={"clockoutTime": edited})
    transport = FakeTransport()

    run(
        event_of(WritebackMessage(request=make_request(), decision=decision)),
        service(world, fake_plex, transport=transport),
    )

    [(_, body, _)] = transport.posts
    assert json.loads(body["payloadJson"]) == {"clockoutTime": edited}
    [event] = of_type(world, AuditEventType.WRITEBACK)
    assert event.payload["fields"] == {"clockoutTime": edited}


def test_dry_run_sends_nothing_but_records_what_it_would_have_done(world: World, fake_plex: FakePlex) -> None:
    transport = FakeTransport()
    outcome = service(world, fake_plex, mode="dry_run", transport=transport).apply(message(), message_id="m-1")
    assert transport.posts == [] and outcome.outcome == "written"
    assert outcome.event is not None and outcome.event.payload["sent"] is False
    assert outcome.event.payload["path"] == "/hcm/v1/time-clock-entries/T0000002"


def test_a_redelivered_message_writes_once(world: World, fake_plex: FakePlex) -> None:
    transport = FakeTransport()
    writer = service(world, fake_plex, transport=transport)
    assert writer.apply(message(), message_id="m-1").outcome == "written"
    assert writer.apply(message(), message_id="m-1").outcome == "already_written"
    assert len(transport.posts) == 1 and len(of_type(world, AuditEventType.WRITEBACK)) == 1


def test_a_value_plex_already_holds_is_not_written_again(world: World) -> None:
    plex = FakePlex(entries=[_entry(CLOCKOUT)])
    transport = FakeTransport()
    outcome = service(world, plex, transport=transport).apply(message(), message_id="m-1")
    assert outcome.outcome == "already_applied" and transport.posts == []
    assert outcome.event is not None and outcome.event.previous_values == {}


def test_advice_goes_to_the_suggestions_object_and_replaces_nothing(world: World, fake_plex: FakePlex) -> None:
    # Given an approved duplicate punch (plexlabor never deletes Plex records itself)
    finding = make_finding(
        anomaly_type="DUPLICATE_PUNCH", suggested_correction={"action": "delete", "duplicateOf": "T1"}
    )
    transport = FakeTransport()
    outcome = service(world, fake_plex, mode="direct", transport=transport).apply(message(finding), message_id="m-1")
    # Then a suggestion record is written, with the approver and no Plex value replaced
    [(path, body, _)] = transport.posts
    assert path.endswith("/plexlabor_suggestions") and body["approvedBy"] == "E0001"
    assert json.loads(body["suggestionJson"]) == {"action": "delete", "duplicateOf": "T1"}
    assert outcome.event is not None and outcome.event.previous_values == {} and fake_plex.reads == 0


def test_plex_unavailable_is_retried_and_the_last_attempt_is_audited(world: World, fake_plex: FakePlex) -> None:
    # Given Plex answers 500 to every write
    transport = FakeTransport(fail_with=PlexServerError("server error", status=500))
    writer = service(world, fake_plex, transport=transport)  # max_receive_count = 3
    # When the message is tried twice: each attempt fails, nothing is recorded yet
    for attempt in (1, 2):
        response = run(event_of(message(), receive_count=attempt), writer)
        assert response == {"batchItemFailures": [{"itemIdentifier": "m-0"}]}
    assert of_type(world, AuditEventType.WRITEBACK_FAILED) == []
    # When the last attempt fails too
    response = run(event_of(message(), receive_count=3), writer)
    # Then it is still reported (SQS dead-letters it) and the audit says so
    assert response == {"batchItemFailures": [{"itemIdentifier": "m-0"}]}
    [failed] = of_type(world, AuditEventType.WRITEBACK_FAILED)
    assert failed.status is AuditStatus.WRITE_FAILED
    assert (failed.payload["error"], failed.payload["attempts"], failed.payload["dead_lettered"]) == (
        "PlexServerError",
        3,
        True,
    )
    assert of_type(world, AuditEventType.WRITEBACK) == []


def test_plex_down_while_reading_is_retried_too(world: World) -> None:
    plex = FakePlex(entries=[_entry()], fail_with=PlexServerError("down", status=503))
    response = run(event_of(message()), service(world, plex))
    assert response == {"batchItemFailures": [{"itemIdentifier": "m-0"}]}


@pytest.mark.parametrize(
    ("plex", "transport", "error"),
    [
        (FakePlex(entries=[]), FakeTransport(), "RecordNotFoundError"),
        (None, FakeTransport(fail_with=PlexRequestError("bad field", status=400)), "PlexRequestError"),
    ],
)
def test_a_write_that_can_never_succeed_is_audited_at_once_and_not_retried(
    world: World, fake_plex: FakePlex, plex: FakePlex | None, transport: FakeTransport, error: str
) -> None:
    response = run(event_of(message()), service(world, plex or fake_plex, transport=transport))
    assert response == {"batchItemFailures": []}
    [failed] = of_type(world, AuditEventType.WRITEBACK_FAILED)
    assert failed.payload["error"] == error and failed.payload["retryable"] is False


def test_direct_mode_needs_an_explicitly_configured_update_path(world: World, fake_plex: FakePlex) -> None:
    transport = FakeTransport()
    outcome = service(world, fake_plex, mode="direct", transport=transport).apply(message(), message_id="m-1")
    assert outcome.outcome == "refused" and transport.posts == []
    assert outcome.event is not None and "time-clock-entry-update" in outcome.event.payload["message"]


def test_revert_restores_the_previous_values_once(world: World) -> None:
    # Given a written-back clock-out over an earlier (wrong) value
    plex = FakePlex(entries=[_entry("2026-03-02T05:50:00.0000000Z")])
    transport = FakeTransport()
    writer = service(world, plex, transport=transport)
    writer.apply(message(), message_id="m-1")
    # When it is reverted
    event = writer.revert(FINDING_ID, actor="ops-1")
    # Then the old value is written back through the same writer and a revert event is appended
    _, body, _ = transport.posts[-1]
    assert body["targetPath"] == "/hcm/v1/time-clock-entries/T0000002"
    assert json.loads(body["payloadJson"]) == {"clockoutTime": "2026-03-02T05:50:00.0000000Z"}
    assert (event.status, event.actor, event.previous_values) == (
        AuditStatus.REVERTED,
        "ops-1",
        {"clockoutTime": CLOCKOUT},
    )
    # and a second revert is refused clearly
    with pytest.raises(NothingToRevertError, match="already reverted"):
        writer.revert(FINDING_ID, actor="ops-1")


def test_revert_refuses_when_there_is_nothing_to_undo(world: World, fake_plex: FakePlex) -> None:
    with pytest.raises(NothingToRevertError, match="no audit events"):
        service(world, fake_plex).revert(FINDING_ID, actor="ops")
    dry = service(world, fake_plex, mode="dry_run")
    dry.apply(message(), message_id="m-1")
    with pytest.raises(NothingToRevertError, match="dry run"):
        dry.revert(FINDING_ID, actor="ops")


def test_revert_refuses_a_suggestion_and_a_finding_without_writeback(world: World, fake_plex: FakePlex) -> None:
    finding = make_finding(suggested_correction={"action": "review", "overlapsWith": "T9"})
    writer = service(world, fake_plex)
    writer.apply(message(finding), message_id="m-1")
    with pytest.raises(NothingToRevertError, match="suggestion"):
        writer.revert(FINDING_ID, actor="ops")
    other = make_finding(finding_id="f-000000000000000000000009")
    world.notified(notice(make_request(other)))
    with pytest.raises(NothingToRevertError, match="no write-back"):
        writer.revert("f-000000000000000000000009", actor="ops")


def _entry(clockout: str | None = None) -> Any:
    return open_entry(clockout=clockout)
