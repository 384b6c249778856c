"""The approval workflow end to end on moto: the ASL really runs (execute_state_machine on), the real
handlers consume the queues, SES and DynamoDB are moto's, and Plex is the simulator."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from approval_aws import REGION, SIGNING_KEY, SUPERVISORS, Stack
from aws_lambda_powertools.utilities.parameters import base as powertools_parameters

from plexlabor.approval import wiring
from plexlabor.approval.request import ApprovalRequest
from plexlabor.audit import ApprovalLinkSigner
from plexlabor.platform import env
from plexlabor.platform.aws import SECRET_MAX_AGE_S
from plexlabor_dev.commands.approval import revert_command
from tests.support import make_finding, make_request

RECORD_KEY = "time-clock-entries:T0000002"
ORIGINAL_CLOCKOUT = "2026-03-02T13:52:00.0000000Z"  # what the sample plant holds for T0000002
SUGGESTED_CLOCKOUT = "2026-03-02T14:07:00.0000000Z"
NEW_SIGNING_KEY = "rotated-signing-key-0123456789abcdefghijklmnopqrs"


def request(finding_id: str, wait_seconds: int = 60, escalate_to: str | None = None) -> ApprovalRequest:
    finding = make_finding(
        finding_id=finding_id,
        record_key=RECORD_KEY,
        note="Clock-out 13:52 looks wrong; likely out at 14:07 (badge-out)",
        evidence={"clockin": "2026-03-02T05:52:00.0000000Z", "features": {"hours_overdue": 9.5, "z": 4.1}},
        suggested_correction={"clockoutTime": SUGGESTED_CLOCKOUT},
    )
    return make_request(finding, escalation_supervisor_id=escalate_to, wait_seconds=wait_seconds)


def custom_object_writes(stack: Stack) -> list[dict[str, Any]]:
    return [w for w in stack.sim.writes() if "/platform/custom-objects/" in w["path"]]


def test_approve_writes_back_to_plex_and_the_audit_tells_the_story(stack: Stack) -> None:
    # Given a confident finding whose approval the validator started
    execution = stack.start(request("f-approve0000000000000001"))
    # When approval_notify consumes the notify queue
    assert stack.notify() == 1
    # Then the supervisor got one e-mail, sent from the verified sender, with one link
    [mail] = stack.mails()
    assert mail.source == "approvals@plant.example" and mail.destinations["ToAddresses"] == [SUPERVISORS["E0001"]]
    [token] = stack.links_for(SUPERVISORS["E0001"])
    # When the supervisor opens the page and approves
    page = stack.open(token)
    assert page["statusCode"] == 200 and "Clock-out 13:52 looks wrong" in page["body"]
    decided = stack.decide(token, action="approve")
    assert decided["statusCode"] == 200 and "Approved" in decided["body"]
    # Then the state machine puts the approved request on the write-back queue, and plex_writeback writes it
    assert stack.write_back() == 1
    [write] = custom_object_writes(stack)
    assert write["body"]["action"] == "time-clock-entry-update"
    assert write["body"]["targetPath"] == "/hcm/v1/time-clock-entries/T0000002"
    assert json.loads(write["body"]["payloadJson"]) == {"clockoutTime": SUGGESTED_CLOCKOUT}
    described = stack.wait_for_execution(execution)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {
        "outcome": "approved",
        "finding_id": "f-approve0000000000000001",
        "supervisor_id": "E0001",
    }
    # and the audit history reads finding -> notification -> decision -> writeback, with the old value kept
    assert stack.story(RECORD_KEY) == ["finding", "notification", "decision", "writeback"]
    writeback = stack.audit.history(RECORD_KEY)[-1]
    assert writeback.previous_values == {"clockoutTime": ORIGINAL_CLOCKOUT}
    # and the link cannot be used again
    assert stack.decide(token, action="reject", reason="again")["statusCode"] == 410

    # When an operator reverts the write-back from the command line
    args = argparse.Namespace(
        finding_id="f-approve0000000000000001", audit_table=None, endpoint_url=None, actor="ops-1"
    )
    assert revert_command(args) == 0
    # Then the previous value is written back through the same mode and the audit records the revert
    revert_write = custom_object_writes(stack)[-1]
    assert json.loads(revert_write["body"]["payloadJson"]) == {"clockoutTime": ORIGINAL_CLOCKOUT}
    assert stack.story(RECORD_KEY)[-1] == "revert"
    assert revert_command(args) == 1  # already reverted: refused


def test_reject_records_the_reason_and_writes_nothing(stack: Stack) -> None:
    execution = stack.start(request("f-reject00000000000000001"))
    stack.notify()
    [token] = stack.links_for(SUPERVISORS["E0001"])
    # When the supervisor rejects with a reason
    response = stack.decide(token, action="reject", reason="Badge reader at door 3 is broken")
    # Then the execution ends rejected, nothing reaches the write-back queue or Plex
    assert response["statusCode"] == 200 and "Rejected" in response["body"]
    described = stack.wait_for_execution(execution)
    assert described["status"] == "SUCCEEDED" and json.loads(described["output"])["outcome"] == "rejected"
    assert stack.depth("writeback") == 0 and custom_object_writes(stack) == []
    # and the decision keeps the reason and the features (training data)
    assert stack.story(RECORD_KEY) == ["finding", "notification", "decision"]
    decision = stack.audit.history(RECORD_KEY)[-1]
    assert decision.status.value == "rejected" and decision.actor == "E0001"
    assert decision.payload["reason"] == "Badge reader at door 3 is broken"
    assert decision.payload["features"] == {"hours_overdue": 9.5, "z": 4.1}


def test_timeout_escalates_then_expires(stack: Stack) -> None:
    # Given a request that waits one second per stage and escalates to E0003
    execution = stack.start(request("f-expire00000000000000001", wait_seconds=1, escalate_to="E0003"))
    # When nobody answers: the first supervisor is notified, then (after 1 s) the escalation supervisor
    assert stack.notify() == 1
    [first_link] = stack.links_for(SUPERVISORS["E0001"])
    assert stack.notify(wait_s=5) == 1
    assert len(stack.links_for(SUPERVISORS["E0003"])) == 1
    # and after another second the state machine says it expired
    assert stack.notify(wait_s=5) == 1
    described = stack.wait_for_execution(execution)
    assert described["status"] == "SUCCEEDED" and json.loads(described["output"])["outcome"] == "expired"
    # Then the audit shows both notifications, the escalation and the expiry
    assert stack.story(RECORD_KEY) == ["finding", "notification", "escalated", "notification", "expired"]
    # and a late click on the first link changes nothing
    assert stack.decide(first_link, action="approve")["statusCode"] == 410
    assert stack.story(RECORD_KEY)[-1] == "expired"


def test_plex_down_during_write_back_is_retried_then_dead_lettered_and_audited(stack: Stack) -> None:
    execution = stack.start(request("f-plexdown000000000000001"))
    stack.notify()
    [token] = stack.links_for(SUPERVISORS["E0001"])
    stack.decide(token, action="approve")
    assert stack.wait_for_execution(execution)["status"] == "SUCCEEDED"
    # Given Plex answers 500 to everything
    stack.sim.set_faults(rate_500=1.0)
    # When plex_writeback gets the message MAX_RECEIVE_COUNT (3) times
    for _ in range(3):
        assert stack.write_back() == 1
    # Then the next receive moves it to the dead-letter queue, and the audit says the write failed
    assert stack.write_back(wait_s=0.2) == 0
    assert stack.depth("writeback-dlq") == 1
    assert stack.story(RECORD_KEY) == ["finding", "notification", "decision", "writeback_failed"]
    failed = stack.audit.history(RECORD_KEY)[-1]
    assert failed.payload["attempts"] == 3 and failed.payload["dead_lettered"] is True
    assert custom_object_writes(stack) == []


class _AfterMaxAge(datetime):
    """Powertools' clock, SECRET_MAX_AGE_S later: every cached secret value has aged out."""

    @classmethod
    def now(cls, tz: Any = None) -> Any:
        return datetime.now(tz) + timedelta(seconds=SECRET_MAX_AGE_S + 1)


def _rotate_signing_key(stack: Stack) -> None:
    """What a rotation does: the new key becomes current, the old one is kept to verify sent links."""
    boto3.client("secretsmanager", region_name=REGION).put_secret_value(
        SecretId=stack.env[env.APPROVAL_SIGNING_KEY_SECRET_ARN],
        SecretString=json.dumps({"current": NEW_SIGNING_KEY, "retired": [SIGNING_KEY]}),
    )


def _mail_a_link(stack: Stack, finding_id: str) -> str:
    before = set(stack.links_for(SUPERVISORS["E0001"]))
    stack.start(request(finding_id))
    assert stack.notify() == 1
    [link] = set(stack.links_for(SUPERVISORS["E0001"])) - before
    return link


def test_a_rotated_signing_key_is_used_once_the_cached_value_ages_out(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a link mailed under the original key, by a warm function
    old_link = _mail_a_link(stack, "f-rotate00000000000000001")
    service = wiring.notify_service()
    # When the key is rotated and SECRET_MAX_AGE_S passes
    _rotate_signing_key(stack)
    monkeypatch.setattr(powertools_parameters, "datetime", _AfterMaxAge)
    # Then the next link is signed with the new key, by the same service (nothing was rebuilt)
    new_link = _mail_a_link(stack, "f-rotate00000000000000002")
    assert ApprovalLinkSigner(NEW_SIGNING_KEY.encode()).verify(new_link, "E0001").finding_id.endswith("2")
    assert wiring.notify_service() is service
    # and the link sent before the rotation still opens the page
    assert stack.open(old_link)["statusCode"] == 200


def test_within_the_max_age_the_cached_signing_key_is_used(stack: Stack) -> None:
    # Given a warm function that has read the signing key
    _mail_a_link(stack, "f-cached00000000000000001")
    # When the key is rotated, and the cached value is still young
    _rotate_signing_key(stack)
    # Then links are still signed with the cached (original) key
    link = _mail_a_link(stack, "f-cached00000000000000002")
    assert ApprovalLinkSigner(SIGNING_KEY.encode()).verify(link, "E0001").finding_id.endswith("2")
