"""Integration fixtures of the intake handlers: moto (fake credentials, us-east-1) with the real
resources the functions use, and each function's environment as the stack sets it.

Handlers run without injected dependencies: they build their adapters from the environment, as on
Lambda. The tables come from `plexlabor.audit.dynamodb`; the idempotency table has the schema
Powertools expects; the approval state machine is a one-state stand-in (its real definition is the
approval workflow's).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from functions.punch_validator import handler as punch_validator
from functions.punch_webhook import handler as punch_webhook
from plexlabor.audit.dynamodb import DynamoDbAuditStore, create_audit_table, create_state_table
from plexlabor.intake import wiring
from plexlabor.platform import aws
from plexlabor.plex.folder import PlantFolderSource
from tests.support import REGION
from tests.unit.intake.intake_samples import WEBHOOK_SECRET
from tests.unit.intake.intake_samples import plant_source as plant_source
from tests.unit.intake.intake_samples import samples as samples

AUDIT_TABLE = "plexlabor-test-audit"
STATE_TABLE = "plexlabor-test-state"
IDEMPOTENCY_TABLE = "plexlabor-test-idempotency"
BUCKET = "plexlabor-test-artifacts"
DEPENDENCIES = (
    punch_webhook.build_dependencies,
    punch_validator.build_dependencies,
    wiring.poller_dependencies,
    wiring.norms_refresh_dependencies,
)
"""Each intake function's dependencies, built once per environment."""
PASS_MACHINE = {"StartAt": "Wait", "States": {"Wait": {"Type": "Pass", "End": True}}}


@dataclass(frozen=True)
class Stack:
    """What moto holds for one test, and clients to look at it."""

    queue_url: str
    webhook_secret_arn: str
    plex_secret_arn: str
    state_machine_arn: str
    sqs: Any
    dynamodb: Any
    s3: Any
    sfn: Any

    @property
    def audit(self) -> DynamoDbAuditStore:
        return DynamoDbAuditStore(AUDIT_TABLE, client=self.dynamodb)

    def receive_all(self) -> list[dict[str, Any]]:
        """Every message on the punch queue (received, so invisible for the queue's timeout)."""
        messages: list[dict[str, Any]] = []
        while True:
            batch = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
            ).get("Messages", [])
            if not batch:
                return messages
            messages += batch

    def executions(self) -> list[dict[str, Any]]:
        return self.sfn.list_executions(stateMachineArn=self.state_machine_arn)["executions"]


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch, plant_source: PlantFolderSource) -> Iterator[Stack]:
    """The resources, and every intake function's environment pointing at them."""
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        create_audit_table(dynamodb, AUDIT_TABLE)
        create_state_table(dynamodb, STATE_TABLE)
        dynamodb.create_table(
            TableName=IDEMPOTENCY_TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        )
        sqs = boto3.client("sqs", region_name=REGION)
        queue_url = sqs.create_queue(QueueName="plexlabor-test-punch")["QueueUrl"]
        secrets = boto3.client("secretsmanager", region_name=REGION)
        webhook_arn = secrets.create_secret(Name="test/webhook-hmac-secret", SecretString=WEBHOOK_SECRET)["ARN"]
        plex_arn = secrets.create_secret(Name="test/plex-api-key", SecretString="unused-with-a-plant")["ARN"]
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET)
        sfn = boto3.client("stepfunctions", region_name=REGION)
        machine_arn = sfn.create_state_machine(
            name="plexlabor-test-approval",
            definition=json.dumps(PASS_MACHINE),
            roleArn="arn:aws:iam::123456789012:role/plexlabor-test-approval",
        )["stateMachineArn"]
        for name, value in {
            "PUNCH_QUEUE_URL": queue_url,
            "WEBHOOK_HMAC_SECRET_ARN": webhook_arn,
            "STATE_TABLE_NAME": STATE_TABLE,
            "AUDIT_TABLE_NAME": AUDIT_TABLE,
            "IDEMPOTENCY_TABLE_NAME": IDEMPOTENCY_TABLE,
            "ARTIFACTS_BUCKET_NAME": BUCKET,
            "APPROVAL_STATE_MACHINE_ARN": machine_arn,
            "DEFAULT_SUPERVISOR_ID": "SUP-DEFAULT",
            "PLEX_API_KEY_SECRET_ARN": plex_arn,
            "PLEXLABOR_PLANT_DIR": str(plant_source.plant.path),
            "AWS_LAMBDA_FUNCTION_NAME": "plexlabor-test-function",
        }.items():
            monkeypatch.setenv(name, value)
        for dependencies in DEPENDENCIES:  # another test's clients must not leak into this moto
            dependencies.cache_clear()
        aws.reset()
        yield Stack(queue_url, webhook_arn, plex_arn, machine_arn, sqs, dynamodb, s3, sfn)
        for dependencies in DEPENDENCIES:
            dependencies.cache_clear()
        aws.reset()
