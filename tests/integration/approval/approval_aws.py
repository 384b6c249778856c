"""The approval workflow on moto: tables, queues, secrets, SES, the state machine from the ASL file,
and a Plex simulator; plus a tiny "Lambda service" that reads the queues and calls the real handlers
with real SQS event shapes (what the local runtime and AWS do)."""

from __future__ import annotations

import importlib
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from plexlabor.approval.request import ApprovalRequest
from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus
from plexlabor.audit.dynamodb import DynamoDbAuditStore, create_audit_table, create_state_table
from plexlabor_dev.simulator.server import SimulatorServer
from tests.support import FakeLambdaContext, load_event

REPO = Path(__file__).resolve().parents[3]
ASL = REPO / "infra" / "statemachines" / "approval.asl.json"
REGION = "us-east-1"
SENDER = "approvals@plant.example"
BASE_URL = "https://approvals.example/prod"
SIGNING_KEY = "integration-signing-key-0123456789abcdefghijklmnop"
MAX_RECEIVE_COUNT = 3
SUPERVISORS = {"E0001": "sup1@plant.example", "E0003": "boss@plant.example"}
"""Supervisors of the test plant with an e-mail address (employee id -> address)."""
LINK = re.compile(r"/approvals/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)")


@dataclass
class Stack:
    sim: SimulatorServer
    env: dict[str, str]
    queues: dict[str, str] = field(default_factory=dict)
    state_machine_arn: str = ""

    def __post_init__(self) -> None:
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.sfn = boto3.client("stepfunctions", region_name=REGION)
        self.audit = DynamoDbAuditStore(
            self.env["AUDIT_TABLE_NAME"], client=boto3.client("dynamodb", region_name=REGION)
        )

    # -- provisioning ---------------------------------------------------------------------------
    def provision(self) -> None:
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        create_audit_table(dynamodb, self.env["AUDIT_TABLE_NAME"])
        create_state_table(dynamodb, self.env["STATE_TABLE_NAME"])
        # Queue names unique to this stack: moto runs executions in threads that outlive a test, and a
        # previous test's execution whose wait times out later must not post into this test's queues.
        suffix = uuid.uuid4().hex[:8]
        for name in ("notify", "writeback"):
            dlq = self.sqs.create_queue(QueueName=f"{name}-dlq-{suffix}")["QueueUrl"]
            dlq_arn = self.sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            self.queues[f"{name}-dlq"] = dlq
            self.queues[name] = self.sqs.create_queue(
                QueueName=f"{name}-{suffix}",
                Attributes={
                    "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVE_COUNT})
                },
            )["QueueUrl"]
        definition = (
            ASL.read_text()
            .replace("${NotifyQueueUrl}", self.queues["notify"])
            .replace("${WritebackQueueUrl}", self.queues["writeback"])
        )
        self.state_machine_arn = self.sfn.create_state_machine(
            name="plexlabor-approval",
            definition=definition,
            roleArn=f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:role/approval-state-machine",
            type="STANDARD",
        )["stateMachineArn"]
        boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=SENDER)

    # -- the validator's side -------------------------------------------------------------------
    def start(self, request: ApprovalRequest) -> str:
        finding = request.finding
        self.audit.append(
            AuditEvent(
                record_key=finding.record_key,
                event_type=AuditEventType.FINDING,
                status=AuditStatus.PENDING_APPROVAL,
                occurred_at=_now(),
                actor="punch_validator",
                finding_id=finding.finding_id,
                employee_id=finding.employee_id,
                model_version=finding.model_version,
                payload={"anomaly_type": finding.anomaly_type.value, "confidence": finding.confidence},
            )
        )
        started = self.sfn.start_execution(
            stateMachineArn=self.state_machine_arn, name=request.execution_name, input=request.model_dump_json()
        )
        return str(started["executionArn"])

    # -- the Lambda service's side --------------------------------------------------------------
    def deliver(self, queue: str, handler: Callable[[dict[str, Any], Any], dict[str, Any]], wait_s: float = 5) -> int:
        """Receive what is on `queue` (waiting up to `wait_s` for the first message), call the
        handler with the SQS event, delete what succeeded and make failures visible again at once
        (standing in for the visibility timeout). Returns how many messages were delivered."""
        url = self.queues[queue]
        deadline = time.monotonic() + wait_s
        while True:
            answer = self.sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"], WaitTimeSeconds=0
            )
            messages = answer.get("Messages", [])
            if messages or time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        if not messages:
            return 0
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        event = {"Records": [_record(message, arn) for message in messages]}
        response = handler(event, FakeLambdaContext())
        failed = {failure["itemIdentifier"] for failure in response.get("batchItemFailures", [])}
        for message in messages:
            if message["MessageId"] in failed:
                self.sqs.change_message_visibility(
                    QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
            else:
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)

    def notify(self, wait_s: float = 5) -> int:
        return self.deliver("notify", _handler("approval_notify"), wait_s)

    def write_back(self, wait_s: float = 5) -> int:
        return self.deliver("writeback", _handler("plex_writeback"), wait_s)

    def depth(self, queue: str) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.queues[queue],
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])

    # -- the supervisor's side ------------------------------------------------------------------
    def mails(self) -> list[Any]:
        return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)

    def links_for(self, address: str) -> list[str]:
        return [
            token
            for mail in self.mails()
            if address in mail.destinations.get("ToAddresses", [])
            for token in LINK.findall(mail.body)
        ]

    def open(self, token: str) -> dict[str, Any]:
        return _handler("approval_callback")(_api_event("GET", token), FakeLambdaContext())

    def decide(self, token: str, **form: str) -> dict[str, Any]:
        return _handler("approval_callback")(_api_event("POST", token, urlencode(form)), FakeLambdaContext())

    # -- observing --------------------------------------------------------------------------------
    def wait_for_execution(self, execution_arn: str, timeout_s: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while True:
            described = self.sfn.describe_execution(executionArn=execution_arn)
            if described["status"] != "RUNNING" or time.monotonic() > deadline:
                return dict(described)
            time.sleep(0.05)

    def story(self, record_key: str) -> list[str]:
        return [event.event_type.value for event in self.audit.history(record_key)]


def _handler(function: str) -> Callable[..., dict[str, Any]]:
    """The real handler, imported on first use: conftest.py imports this module before the session's
    Powertools switches are set, and a handler's Logger and Metrics read them when imported."""
    handler: Callable[..., dict[str, Any]] = importlib.import_module(f"functions.{function}.handler").handler
    return handler


def _now() -> datetime:
    return datetime.now(UTC)


def _record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {},
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


def _api_event(method: str, token: str, body: str | None = None) -> dict[str, Any]:
    event = load_event("approval_callback", method.lower())
    event["path"] = f"/approvals/{token}"
    event["pathParameters"] = {"token": token}
    event["body"] = body
    return event
