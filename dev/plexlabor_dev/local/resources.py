"""Create, in moto, every resource the CDK stack defines, from the same definitions.

- tables: the audit and state tables from `plexlabor.audit.schema` (through `create_audit_table` /
  `create_state_table`), the idempotency table with the keys from `infra.constants`;
- one queue per `QueueName` with its DLQ and a redrive policy of `max_receive_count` (FIFO where the stack's is);
- the secrets `plexlabor/<stage>/<secret>` (`infra.constants.secret_path`) with generated values;
- the artifacts bucket, a verified SES sender;
- the approval state machine from `infra/statemachines/approval.asl.json`, with the CDK definition
  substitutions (`${NotifyQueueUrl}`, `${WritebackQueueUrl}`, ...) filled in.

Physical names are `plexlabor-<stage>-<thing>` (CDK leaves them to CloudFormation).
"""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from infra.constants import (
    APPROVAL_SUBSTITUTIONS,
    IDEMPOTENCY_PARTITION_KEY,
    IDEMPOTENCY_TTL_ATTRIBUTE,
    SERVICE_NAME,
    QueueName,
    SecretName,
    secret_path,
)
from plexlabor.audit.dynamodb import create_audit_table, create_state_table
from plexlabor_dev.local.environment import AWS_ACCOUNT_ID, LocalResources

_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")
STATE_MACHINE_ROLE_ARN = f"arn:aws:iam::{AWS_ACCOUNT_ID}:role/{SERVICE_NAME}-local-approval"


def physical_name(stage: str, thing: str) -> str:
    return f"{SERVICE_NAME}-{stage}-{thing}"


def generated_secret() -> str:
    """64 letters and digits, like the CDK's `SecretStringGenerator(password_length=64, exclude_punctuation=True)`."""
    return secrets.token_hex(32)


def create_idempotency_table(dynamodb: Any, name: str) -> None:
    """Powertools' default idempotency schema: PK `id` (S), TTL `expiration`."""
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": IDEMPOTENCY_PARTITION_KEY, "AttributeType": "S"}],
        KeySchema=[{"AttributeName": IDEMPOTENCY_PARTITION_KEY, "KeyType": "HASH"}],
    )
    dynamodb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": IDEMPOTENCY_TTL_ATTRIBUTE}
    )


def create_queues(
    sqs: Any, stage: str, *, max_receive_count: int, visibility_timeouts: Mapping[QueueName, int]
) -> tuple[dict[QueueName, str], dict[QueueName, str], dict[QueueName, str], dict[QueueName, str]]:
    """Each work queue (with its visibility timeout in seconds) and its DLQ: (queue URLs, queue ARNs, DLQ URLs, DLQ
    ARNs)."""
    urls, arns, dlq_urls, dlq_arns = {}, {}, {}, {}
    for name in QueueName:
        fifo = {"FifoQueue": "true"} if name.fifo else {}  # as the stack's (replan): SQS wants the .fifo suffix
        suffix = ".fifo" if name.fifo else ""
        dlq_url = sqs.create_queue(QueueName=physical_name(stage, f"{name.value}-dlq{suffix}"), Attributes=fifo)[
            "QueueUrl"
        ]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        url = sqs.create_queue(
            QueueName=physical_name(stage, f"{name.value}{suffix}"),
            Attributes={
                **fifo,
                "VisibilityTimeout": str(visibility_timeouts[name]),
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count}),
            },
        )["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        urls[name], arns[name], dlq_urls[name], dlq_arns[name] = url, arn, dlq_url, dlq_arn
    return urls, arns, dlq_urls, dlq_arns


def create_secrets(
    secretsmanager: Any, stage: str, values: Mapping[SecretName, str]
) -> tuple[dict[SecretName, str], dict[SecretName, str]]:
    """Every secret, with `values` or a generated value: (ARNs, values)."""
    arns, stored = {}, {}
    for name in SecretName:
        value = values.get(name) or generated_secret()
        arns[name] = secretsmanager.create_secret(Name=secret_path(stage, name), SecretString=value)["ARN"]
        stored[name] = value
    return arns, stored


def definition_substitutions(resources: LocalResources) -> dict[str, str]:
    """The values CDK substitutes into the ASL (`infra.constants.APPROVAL_SUBSTITUTIONS`)."""
    return {placeholder: resources.queue_urls[queue] for placeholder, queue in APPROVAL_SUBSTITUTIONS.items()}


def render_definition(template: str, substitutions: Mapping[str, str]) -> str:
    """Fill `${Name}` placeholders; a placeholder without a value is an error, not left in."""
    missing = sorted({name for name in _PLACEHOLDER.findall(template) if name not in substitutions})
    if missing:
        raise ValueError(f"the state machine definition needs substitutions the local runtime lacks: {missing}")
    rendered = _PLACEHOLDER.sub(lambda found: substitutions[found.group(1)], template)
    json.loads(rendered)  # must still be JSON
    return rendered


def create_state_machine(stepfunctions: Any, stage: str, definition_file: Path, resources: LocalResources) -> str:
    definition = render_definition(definition_file.read_text(encoding="utf-8"), definition_substitutions(resources))
    return stepfunctions.create_state_machine(
        name=physical_name(stage, "approval"),
        definition=definition,
        roleArn=STATE_MACHINE_ROLE_ARN,
        type="STANDARD",
    )["stateMachineArn"]


def create_resources(
    clients: Mapping[str, Any],
    *,
    stage: str,
    region: str,
    max_receive_count: int,
    visibility_timeouts: Mapping[QueueName, int],
    secret_values: Mapping[SecretName, str],
    notify_sender: str,
    state_machine_file: Path | None,
) -> tuple[LocalResources, dict[SecretName, str]]:
    """Everything, in moto; returns the resources and the secret values."""
    dynamodb = clients["dynamodb"]
    audit, state, idempotency = (physical_name(stage, kind) for kind in ("audit", "state", "idempotency"))
    create_audit_table(dynamodb, audit)
    create_state_table(dynamodb, state)
    create_idempotency_table(dynamodb, idempotency)
    urls, arns, dlq_urls, dlq_arns = create_queues(
        clients["sqs"], stage, max_receive_count=max_receive_count, visibility_timeouts=visibility_timeouts
    )
    secret_arns, values = create_secrets(clients["secretsmanager"], stage, secret_values)
    bucket = physical_name(stage, "artifacts")
    create_bucket: dict[str, Any] = {"Bucket": bucket}
    if region != "us-east-1":
        create_bucket["CreateBucketConfiguration"] = {"LocationConstraint": region}
    clients["s3"].create_bucket(**create_bucket)
    clients["ses"].verify_email_identity(EmailAddress=notify_sender)
    resources = LocalResources(
        region=region,
        audit_table=audit,
        state_table=state,
        idempotency_table=idempotency,
        queue_urls=urls,
        queue_arns=arns,
        dlq_urls=dlq_urls,
        dlq_arns=dlq_arns,
        secret_arns=secret_arns,
        artifacts_bucket=bucket,
        notify_sender=notify_sender,
    )
    if state_machine_file is not None and state_machine_file.is_file():
        arn = create_state_machine(clients["stepfunctions"], stage, state_machine_file, resources)
        resources = dataclasses.replace(resources, state_machine_arn=arn)
    return resources, values
