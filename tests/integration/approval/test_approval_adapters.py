"""The approval adapters on moto: the task-token store passes the fake's contract; SES and Step
Functions errors become what the logic expects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from approval_aws import REGION
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from plexlabor.approval.aws import DynamoDbTaskTokenStore, SesNotifier, StepFunctionsTaskCallback
from plexlabor.approval.errors import ApprovalClosedError
from plexlabor.approval.messages import Stage
from plexlabor.approval.ports import Digest, DigestItem, InMemoryTaskTokenStore, PendingApproval, TaskTokenStore
from plexlabor.audit.dynamodb import create_state_table
from tests.support import make_finding, make_request

T0 = datetime(2026, 3, 3, 4, 0, tzinfo=UTC)


@pytest.fixture(params=["in_memory", "dynamodb"])
def token_store(request: pytest.FixtureRequest) -> TaskTokenStore:
    if request.param == "in_memory":
        return InMemoryTaskTokenStore()
    request.getfixturevalue("aws")
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    create_state_table(dynamodb, "state")
    return DynamoDbTaskTokenStore("state", dynamodb)


def pending(stage: Stage, nonce: str, token: str = "task", finding_id: str = "f-1") -> PendingApproval:
    return PendingApproval(
        finding_id=finding_id,
        stage=stage,
        supervisor_id="E1" if stage is Stage.FIRST else "E9",
        task_token=token,
        link_nonce=nonce,
        link_expires_at=T0 + timedelta(hours=8),
        notified_at=T0,
        request=make_request(make_finding(finding_id=finding_id), supervisor_id="E1", escalation_supervisor_id="E9"),
    )


def test_the_task_token_store_contract(token_store: TaskTokenStore) -> None:
    # Given the escalated stage stored before the first (order of arrival must not matter)
    token_store.save(pending(Stage.ESCALATED, "n2", "task-2"))
    token_store.save(pending(Stage.FIRST, "n1", "task-1"))
    token_store.save(pending(Stage.FIRST, "n1", "task-1", finding_id="f-2"))
    # When a redelivered first stage replaces its own item
    token_store.save(pending(Stage.FIRST, "n3", "task-1"))
    # Then a finding reads back its stages, first stage first, exactly as saved
    found = token_store.for_finding("f-1")
    assert [(p.stage, p.link_nonce, p.task_token, p.supervisor_id) for p in found] == [
        (Stage.FIRST, "n3", "task-1", "E1"),
        (Stage.ESCALATED, "n2", "task-2", "E9"),
    ]
    assert found[1] == pending(Stage.ESCALATED, "n2", "task-2")
    assert token_store.for_finding("f-404") == []


def test_ses_sends_one_mail_per_digest(aws: None) -> None:
    ses = boto3.client("ses", region_name=REGION)
    ses.verify_email_identity(EmailAddress="approvals@plant.example")
    item = DigestItem(
        finding=make_finding(), stage=Stage.FIRST, link_url="https://x/approvals/a.b", expires_at=T0, message_id="m"
    )
    message_id = SesNotifier("approvals@plant.example", ses).send(
        Digest(supervisor_id="E1", address="sup@plant.example", items=(item,))
    )
    [mail] = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    assert message_id == mail.id and mail.destinations["ToAddresses"] == ["sup@plant.example"]
    assert "approvals/a.b" in mail.body and ses.get_send_statistics()["SendDataPoints"][0]["DeliveryAttempts"] == 1


class _Raising:
    def __init__(self, code: str) -> None:
        self.code = code

    def send_task_success(self, **_: Any) -> None:
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": self.code, "Message": "x"}}, "SendTaskSuccess")


@pytest.mark.parametrize("code", ["TaskTimedOut", "InvalidToken", "TaskDoesNotExist"])
def test_a_closed_task_becomes_approval_closed(code: str) -> None:
    with pytest.raises(ApprovalClosedError, match="timed out"):
        StepFunctionsTaskCallback(_Raising(code)).succeed("t", {"decision": {}})


def test_other_step_functions_errors_propagate() -> None:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError):
        StepFunctionsTaskCallback(_Raising("ThrottlingException")).succeed("t", {})
