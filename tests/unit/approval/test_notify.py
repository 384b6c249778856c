"""approval_notify with fakes: links, stored task tokens, digests per supervisor, audit events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from approval_fakes import KEY, T0, World, make_finding, make_request, notice, sqs_event

from functions.approval_notify.handler import handler
from plexlabor.approval.digest import compose_digest
from plexlabor.approval.messages import MAX_FAILURE_CAUSE_CHARS, ExpiryNotice, FailureNotice, Stage
from plexlabor.approval.notify import NotifyService
from plexlabor.audit import ApprovalLinkSigner, AuditStatus
from tests.support import FakeLambdaContext


def run(event: dict[str, Any], service: NotifyService) -> dict[str, Any]:
    """approval_notify as Lambda calls it (its decorators included), `service` injected."""
    return handler(event, FakeLambdaContext(), dependencies=service)


def test_one_digest_per_supervisor_groups_the_batch(world: World) -> None:
    # Given three findings for supervisor E0001 and one for E0200 in one batch
    findings = [make_finding(finding_id=f"f-{n:024d}", record_key=f"time-clock-entries:T{n}") for n in range(1, 5)]
    bodies = [
        notice(make_request(f, supervisor_id="E0200" if n == 3 else "E0001"), token=f"task-{n}").model_dump(
            mode="json", by_alias=True
        )
        for n, f in enumerate(findings)
    ]
    # When the notify handler processes the batch
    response = run(sqs_event(*bodies), world.notify)
    # Then each supervisor gets one e-mail listing all of theirs, and every message succeeded
    assert response == {"batchItemFailures": []}
    assert [(d.supervisor_id, d.address, len(d.items)) for d in world.notifier.sent] == [
        ("E0001", "sup1@plant.example", 3),
        ("E0200", "sup2@plant.example", 1),
    ]
    assert [event.status for event in world.audit.by_status(AuditStatus.NOTIFIED)] == [AuditStatus.NOTIFIED] * 4


def test_the_link_is_signed_for_the_supervisor_and_the_token_stays_server_side(world: World) -> None:
    # Given one approval notice waiting one hour
    request = make_request(wait_seconds=3600)
    # When it is notified
    [token] = world.notified(notice(request, token="task-secret"))
    # Then the link verifies for E0001 until the wait is over, and the task token is only in the store
    claims = ApprovalLinkSigner(KEY).verify(token, "E0001", T0 + timedelta(minutes=59))
    assert claims.finding_id == request.finding.finding_id and claims.expires_at == T0 + timedelta(hours=1)
    [pending] = world.tokens.for_finding(request.finding.finding_id)
    assert (pending.task_token, pending.link_nonce, pending.stage) == ("task-secret", claims.nonce, Stage.FIRST)
    item = world.notifier.sent[0].items[0]
    assert item.link_url == f"https://approvals.example/prod/approvals/{token}" and "task-secret" not in item.link_url
    [event] = world.audit.for_finding(request.finding.finding_id)
    assert (
        event.supervisor_id == "E0001" and "task-secret" not in event.payload_json and token not in event.payload_json
    )


def test_an_escalated_notice_goes_to_the_escalation_supervisor_and_is_recorded(world: World) -> None:
    # Given a request whose first supervisor did not answer
    request = make_request(escalation_supervisor_id="E0100")
    # When the escalated stage is notified
    world.notified(notice(request, stage=Stage.ESCALATED, token="task-2"))
    # Then the boss gets the mail, and the audit shows the escalation before the notification
    assert [d.supervisor_id for d in world.notifier.sent] == ["E0100"]
    assert sorted(world.events()) == ["escalated", "notification"]  # same instant: order is not meaningful
    [escalated] = [e for e in world.audit.for_finding(request.finding.finding_id) if e.event_type.value == "escalated"]
    assert escalated.payload == {"from_supervisor_id": "E0001"}


def test_an_expiry_is_recorded_once_even_when_redelivered(world: World) -> None:
    # Given the state machine's expiry message, delivered twice
    expired = ExpiryNotice(request=make_request(escalation_supervisor_id="E0100")).model_dump(mode="json")
    # When both deliveries are processed
    assert run(sqs_event(expired), world.notify) == {"batchItemFailures": []}
    assert run(sqs_event(expired), world.notify) == {"batchItemFailures": []}
    # Then one expired event names the last supervisor asked, and no mail went out
    [event] = world.audit.for_finding("f-000000000000000000000001")
    assert (event.status, event.supervisor_id, event.payload["stages"]) == (
        AuditStatus.EXPIRED,
        "E0100",
        ["first", "escalated"],
    )
    assert world.notifier.sent == []


def test_a_failed_delivery_fails_only_that_supervisors_messages(world: World) -> None:
    # Given mail to E0200 bounces
    world.notifier.fail_for = {"E0200"}
    first = make_request(make_finding(finding_id="f-000000000000000000000001"))
    second = make_request(make_finding(finding_id="f-000000000000000000000002"), supervisor_id="E0200")
    bodies = [
        notice(first).model_dump(mode="json", by_alias=True),
        notice(second).model_dump(mode="json", by_alias=True),
    ]
    # When the batch is processed
    response = run(sqs_event(*bodies), world.notify)
    # Then only E0200's message is retried, and nothing claims E0200 was notified
    assert response == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert world.events("f-000000000000000000000002") == []
    assert world.events("f-000000000000000000000001") == ["notification"]


def test_a_supervisor_without_an_address_and_a_malformed_message_fail_alone(world: World) -> None:
    # Given one notice for a supervisor the directory does not know, one unreadable body, one good one
    unknown = notice(make_request(supervisor_id="E9999")).model_dump(mode="json", by_alias=True)
    good = notice(make_request(make_finding(finding_id="f-000000000000000000000003"))).model_dump(
        mode="json", by_alias=True
    )
    # When the batch is processed
    response = run(sqs_event(unknown, '{"kind": "approval"}', good), world.notify)
    # Then the two bad messages are reported and the good one is mailed
    assert response == {"batchItemFailures": [{"itemIdentifier": "m-0"}, {"itemIdentifier": "m-1"}]}
    assert [d.supervisor_id for d in world.notifier.sent] == ["E0001"]


def test_a_redelivered_notice_issues_a_newer_link_that_supersedes_the_first(world: World) -> None:
    # Given the same notice delivered twice (at-least-once delivery)
    first, second = world.notified(notice(token="task-1")), world.notified(notice(token="task-1"))
    # Then the stored nonce belongs to the newest link, and both mails were recorded
    [pending] = world.tokens.for_finding("f-000000000000000000000001")
    assert pending.link_nonce == ApprovalLinkSigner(KEY).verify(second[-1], "E0001", T0).nonce
    assert first[0] != second[-1]
    assert world.events() == ["notification", "notification"]


def test_the_digest_links_to_the_review_queue_for_every_other_kind(world: World) -> None:
    world.notified(notice())

    [digest] = world.notifier.sent
    content = compose_digest(digest)

    assert digest.queue_url == "https://approvals.example/prod/queue"
    assert "review queue: https://approvals.example/prod/queue" in content.text
    assert 'href="https://approvals.example/prod/queue"' in content.html


def test_a_failed_notify_step_is_recorded_once_with_its_cause_cut_short(world: World) -> None:
    # Given the state machine's message that the escalation stage's notify step failed (a long cause)
    request = make_request(escalation_supervisor_id="E0200")
    body = FailureNotice(
        stage=Stage.ESCALATED, failure={"Error": "SQS.KmsDisabled", "Cause": "x" * 5000}, request=request
    ).model_dump(mode="json")
    # When approval_notify gets it twice (an SQS redelivery)
    assert run(sqs_event(body), world.notify) == {"batchItemFailures": []}
    assert run(sqs_event(body), world.notify) == {"batchItemFailures": []}
    # Then one approval_failed event names the stage, the supervisor that stage would have asked and
    # the error, its cause cut to MAX_FAILURE_CAUSE_CHARS; nobody is mailed
    [event] = world.audit.by_status(AuditStatus.APPROVAL_FAILED)
    assert (event.finding_id, event.supervisor_id) == (request.finding.finding_id, "E0200")
    assert event.payload == {"stage": "escalated", "error": "SQS.KmsDisabled", "cause": "x" * MAX_FAILURE_CAUSE_CHARS}
    assert world.notifier.sent == []


def test_a_retried_or_redriven_notice_of_a_decided_finding_mails_nobody(world: World) -> None:
    # Given a finding mailed once and approved through that mail (ux_s16 #3)
    request = make_request()
    [token] = world.notified(notice(request, token="task-1"))
    world.callback.decide(token, "approve", None)
    mailed = len(world.notifier.sent)
    # When the same notice comes again (a retry or a DLQ redrive)
    response = run(sqs_event(notice(request, token="task-1").model_dump(mode="json", by_alias=True)), world.notify)
    # Then the message is done, nobody is mailed again and no second notification is recorded
    assert response == {"batchItemFailures": []}
    assert len(world.notifier.sent) == mailed == 1
    assert world.events() == ["notification", "decision"]
