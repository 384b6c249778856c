"""Least privilege: what each `Access` of a function spec grants, and the env var it brings.

DynamoDB permissions are explicit action lists on explicit ARNs (the table, and each GSI by name),
so no wildcard reaches a role. Queue and secret grants use CDK's grant methods, which are already
scoped to the one resource (SQS and Secrets Manager use AWS-managed keys: no KMS grants needed).
A function only receives the env vars of the resources it may use.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Fn
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam

from infra.config import DeployConfig
from infra.constants import (
    ENV_AUDIT_TABLE_NAME,
    ENV_IDEMPOTENCY_TABLE_NAME,
    ENV_PLEX_BASE_URL,
    ENV_PLEX_WRITE_MODE,
    ENV_QUEUE_URL,
    ENV_SECRET_ARN,
    ENV_STATE_TABLE_NAME,
    PLEX_ENV_PREFIX,
)
from infra.constructs.queues import Queues
from infra.constructs.secrets import Secrets
from infra.constructs.storage import Storage
from infra.function_specs import Access, FunctionSpec, ReadSecret, SendTo, TableAccess

READ_ACTIONS = ("dynamodb:GetItem", "dynamodb:Query")
TABLE_ACTIONS: dict[TableAccess, tuple[str, ...]] = {
    TableAccess.AUDIT_APPEND: ("dynamodb:PutItem",),
    TableAccess.AUDIT_READ: READ_ACTIONS,
    TableAccess.STATE_READ: READ_ACTIONS,
    TableAccess.STATE_READ_WRITE: (*READ_ACTIONS, "dynamodb:PutItem", "dynamodb:UpdateItem"),
    TableAccess.IDEMPOTENCY: (
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    ),
}


@dataclass(frozen=True)
class SharedResources:
    """What functions can be granted access to."""

    config: DeployConfig
    storage: Storage
    queues: Queues
    secrets: Secrets


def grant(spec: FunctionSpec, role: iam.IRole, resources: SharedResources) -> dict[str, str]:
    """Grant `role` every access of `spec`; return the env vars that go with them."""
    environment: dict[str, str] = {}
    for access in spec.access:
        environment.update(_grant_one(access, role, resources))
    if spec.reads_plex:
        environment[ENV_PLEX_BASE_URL] = resources.config.plex_base_url
        environment[ENV_PLEX_WRITE_MODE] = resources.config.plex_write_mode
        for key, value in sorted(resources.config.plex_settings.items()):
            environment[f"{PLEX_ENV_PREFIX}{key}"] = value
    return environment


def _grant_one(access: Access, role: iam.IRole, resources: SharedResources) -> dict[str, str]:
    if isinstance(access, SendTo):
        queue = resources.queues.queues[access.queue]
        queue.grant_send_messages(role)
        return {ENV_QUEUE_URL[access.queue]: queue.queue_url}
    if isinstance(access, ReadSecret):
        secret = resources.secrets.secrets[access.secret]
        secret.grant_read(role)
        return {ENV_SECRET_ARN[access.secret]: secret.secret_arn}
    storage = resources.storage
    if access in (TableAccess.AUDIT_APPEND, TableAccess.AUDIT_READ):
        table, env_name = storage.audit_table, ENV_AUDIT_TABLE_NAME
    elif access in (TableAccess.STATE_READ, TableAccess.STATE_READ_WRITE):
        table, env_name = storage.state_table, ENV_STATE_TABLE_NAME
    else:
        table, env_name = storage.idempotency_table, ENV_IDEMPOTENCY_TABLE_NAME
    arns = [table.table_arn]
    if access is TableAccess.AUDIT_READ:
        arns += [index_arn(table, name) for name in storage.audit_index_names]
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=list(TABLE_ACTIONS[access]), resources=arns)  # type: ignore[arg-type]
    )
    return {env_name: table.table_name}


def index_arn(table: dynamodb.ITable, index_name: str) -> str:
    return Fn.join("", [table.table_arn, "/index/", index_name])
