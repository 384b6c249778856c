"""Least privilege: what each access and need of a function spec grants, and its env var values.

DynamoDB permissions are explicit action lists on explicit ARNs (the table, and each GSI by name).
Queue and secret grants use CDK's grant methods, already scoped to the one resource (SQS and
Secrets Manager use AWS-managed keys: no KMS grants). The artifacts bucket is granted per key
prefix (`s3:GetObject`/`s3:PutObject` on `<prefix>*`, the one acknowledged wildcard besides X-Ray:
object keys are versioned names made at run time) plus `s3:ListBucket` on the bucket. The approval
state machine is granted with CDK's `grant_start_execution` / `grant_task_response` (its ARN only);
SES `ses:SendEmail` only on the sender's identities and only with that sender as From. Amazon
Transcribe: `StartTranscriptionJob` on '*' (it has no resource type) only with the transcript going to
the artifacts bucket under `incidents/transcripts/`, `GetTranscriptionJob` on incident_log's job names.

The variable names and what each value is come from `infra/wiring.py` (shared with the local
runtime); `environment` resolves them to this stack's values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_cdk import Fn, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn

from infra.config import DeployConfig
from infra.constants import QueueName, SecretName
from infra.constructs.auth import Auth
from infra.constructs.queues import Queues
from infra.constructs.secrets import Secrets
from infra.constructs.storage import Storage
from infra.function_specs import BucketAccess, FunctionSpec, Need, ReadSecret, SendTo, TableAccess
from infra.nag import acknowledge, acknowledge_wildcard_resource
from infra.wiring import (
    Attribute,
    Setting,
    Table,
    environment_sources,
    optional_setting,
    resolve,
    resolve_environment,
)
from plexlabor.incidents.transcribe import JOB_PREFIX as TRANSCRIPTION_JOB_PREFIX
from plexlabor.incidents.transcribe import TRANSCRIPT_PREFIX

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
TABLE_CONDITIONS: dict[TableAccess, dict[str, Any]] = {
    TableAccess.AUDIT_APPEND: {"ForAnyValue:StringEquals": {"dynamodb:EnclosingOperation": ["TransactWriteItems"]}},
}
"""Appends to the audit table are puts inside a transaction only (AWS's documented condition key):
no role can call a bare PutItem there, which could replace an event (see `storage.TRANSACTIONS_ONLY`)."""
SES_SEND_ACTIONS = ("ses:SendEmail",)  # SES v1 SendEmail, what plexlabor.approval.aws.SesNotifier calls

OBJECTS_REASON = (
    "Objects under one key prefix of the artifacts bucket: the keys are versioned names chosen at "
    "run time (norms/<version>.json), so they cannot be listed in the policy; the prefix is the scope."
)

START_TRANSCRIPTION_REASON = (
    "transcribe:StartTranscriptionJob has no resource type (AWS's service authorization reference), so it "
    "is granted on '*', conditioned on the output going to the artifacts bucket under incidents/transcripts/ "
    "(transcribe:OutputBucketName, transcribe:OutputKey)."
)
TRANSCRIPTION_JOBS_REASON = (
    "transcribe:GetTranscriptionJob on incident_log's own jobs: their names are the recording's hash, made "
    "at run time (plexlabor-incident-<sha256>), so the name prefix is the scope."
)


class UnsetSettingError(ValueError):
    pass


@dataclass(frozen=True)
class SharedResources:
    """What functions can be granted access to and read the names of."""

    config: DeployConfig
    storage: Storage
    queues: Queues
    secrets: Secrets
    artifacts: s3.IBucket
    approval: sfn.StateMachine
    api_url: str | None = None
    """The API stage URL, or None when no function serves a route (then no approval links)."""
    auth: Auth | None = None
    """The user pool and the web app's client, or None when no function signs people in."""

    def table(self, table: Table) -> dynamodb.ITable:
        return {
            Table.AUDIT: self.storage.audit_table,
            Table.STATE: self.storage.state_table,
            Table.IDEMPOTENCY: self.storage.idempotency_table,
        }[table]

    # -- infra.wiring.SourceValues: this stack's values ----------------------------------------------
    def setting(self, setting: Setting) -> object:
        return getattr(self.config, setting.value)

    def plex_setting(self, key: str) -> str | None:
        return self.config.plex_settings.get(key)

    def table_name(self, table: Table) -> str:
        return self.table(table).table_name

    def queue_url(self, queue: QueueName) -> str:
        return self.queues.queues[queue].queue_url

    def redrive_limit(self, queue: QueueName) -> int:
        return self.queues.max_receive_count[queue]

    def secret_arn(self, secret: SecretName) -> str:
        return self.secrets.secrets[secret].secret_arn

    def attribute(self, attribute: Attribute) -> str | None:
        auth = self.auth
        return {
            Attribute.ARTIFACTS_BUCKET_NAME: self.artifacts.bucket_name,
            Attribute.APPROVAL_STATE_MACHINE_ARN: self.approval.state_machine_arn,
            Attribute.API_URL: self.api_url,
            Attribute.USER_POOL_ID: auth.user_pool_id if auth else None,
            Attribute.USER_POOL_CLIENT_ID: auth.client_id if auth else None,
            Attribute.HOSTED_UI_URL: auth.hosted_ui_url if auth else None,
            Attribute.REGION: Stack.of(self.storage).region,
        }[attribute]


def grant(spec: FunctionSpec, role: iam.Role, resources: SharedResources) -> None:
    """Grant `role` every access and need of `spec` (and nothing else)."""
    for access in spec.access:
        _grant_access(access, role, resources)
    for need in spec.needs:
        if isinstance(need, BucketAccess):
            _grant_bucket(need, role, resources.artifacts)
        elif need is Need.START_APPROVALS:
            resources.approval.grant_start_execution(role)
        elif need is Need.ANSWER_APPROVALS:
            resources.approval.grant_task_response(role)
        elif need is Need.SEND_EMAIL and resources.config.notify_sender:
            role.add_to_principal_policy(ses_send_statement(role, resources.config.notify_sender))
        elif need is Need.TRANSCRIBE:
            _grant_transcription(role, resources.artifacts)
        elif need is Need.BEDROCK and resources.config.copilot_bedrock_model_id:
            role.add_to_principal_policy(bedrock_statement(role, resources.config.copilot_bedrock_model_id))


def environment(spec: FunctionSpec, resources: SharedResources) -> dict[str, str]:
    """The function's variables (`infra.wiring`), resolved to this stack's values, and its tuning variables
    (`plexlabor:tuning`, `infra.tuning`: never one of the others).

    A variable whose setting is not configured is left out: optional ones silently, others are
    reported by `missing_settings` (the app warns; the handler refuses to start without them).
    """
    resolved = resolve_environment(spec, resources, resources.config.plex_settings)
    return {**resolved, **resources.config.tuning.get(spec.name, {})}


def missing_settings(spec: FunctionSpec, resources: SharedResources) -> list[str]:
    """Names of the variables `spec` needs whose setting or resource is not configured."""
    return [
        name
        for name, source in environment_sources(spec, resources.config.plex_settings).items()
        if not optional_setting(source, resources) and resolve(source, resources) is None
    ]


def _grant_access(access: TableAccess | SendTo | ReadSecret, role: iam.Role, resources: SharedResources) -> None:
    if isinstance(access, SendTo):
        resources.queues.queues[access.queue].grant_send_messages(role)
        return
    if isinstance(access, ReadSecret):
        resources.secrets.secrets[access.secret].grant_read(role)
        return
    storage = resources.storage
    if access in (TableAccess.AUDIT_APPEND, TableAccess.AUDIT_READ):
        table = storage.audit_table
    elif access in (TableAccess.STATE_READ, TableAccess.STATE_READ_WRITE):
        table = storage.state_table
    else:
        table = storage.idempotency_table
    arns = [table.table_arn]
    if access is TableAccess.AUDIT_READ:
        arns += [index_arn(table, name) for name in storage.audit_index_names]
    statement = iam.PolicyStatement(
        actions=list(TABLE_ACTIONS[access]),
        resources=arns,  # type: ignore[arg-type]
        conditions=TABLE_CONDITIONS.get(access),
    )
    role.add_to_principal_policy(statement)


def _grant_bucket(access: BucketAccess, role: iam.Role, bucket: s3.IBucket) -> None:
    objects = [bucket.arn_for_objects(f"{access.prefix}{key}") for key in access.keys]
    actions = ["s3:GetObject", "s3:PutObject"] if access.write else ["s3:GetObject"]
    role.add_to_principal_policy(iam.PolicyStatement(actions=actions, resources=objects))
    role.add_to_principal_policy(iam.PolicyStatement(actions=["s3:ListBucket"], resources=[bucket.bucket_arn]))
    for pattern in (arn for arn, key in zip(objects, access.keys, strict=True) if "*" in key):
        acknowledge_wildcard_resource(role.node.find_child("DefaultPolicy"), pattern, OBJECTS_REASON)


def _grant_transcription(role: iam.Role, bucket: s3.IBucket) -> None:
    """Amazon Transcribe batch jobs whose transcripts go to `bucket` under TRANSCRIPT_PREFIX, and reading
    the state of its own jobs. In a policy of its own, so its '*' is acknowledged with its own reason;
    the recordings and transcripts are the spec's bucket accesses (Transcribe uses the caller's)."""
    jobs = Stack.of(role).format_arn(
        service="transcribe", resource="transcription-job", resource_name=f"{TRANSCRIPTION_JOB_PREFIX}*"
    )
    policy = iam.Policy(
        role,
        "TranscribePolicy",
        roles=[role],
        statements=[
            iam.PolicyStatement(
                actions=["transcribe:StartTranscriptionJob"],
                resources=["*"],
                conditions={
                    "StringEquals": {"transcribe:OutputBucketName": bucket.bucket_name},
                    "StringLike": {"transcribe:OutputKey": f"{TRANSCRIPT_PREFIX}*"},
                },
            ),
            iam.PolicyStatement(actions=["transcribe:GetTranscriptionJob"], resources=[jobs]),
        ],
    )
    acknowledge(policy, "AwsSolutions-IAM5[Resource::*]", START_TRANSCRIPTION_REASON)
    acknowledge_wildcard_resource(policy, jobs, TRANSCRIPTION_JOBS_REASON)


def bedrock_statement(scope: iam.Role, model_id: str) -> iam.PolicyStatement:
    """bedrock:InvokeModel (what the Converse API is authorized as) on one foundation model in the stack's region."""
    model = Stack.of(scope).format_arn(
        service="bedrock", account="", resource="foundation-model", resource_name=model_id
    )
    return iam.PolicyStatement(actions=["bedrock:InvokeModel"], resources=[model])


def ses_send_statement(scope: iam.Role, sender: str) -> iam.PolicyStatement:
    """ses:SendEmail with `sender` as From only, on its address and domain identities (SES
    authorizes against whichever of the two is verified)."""
    stack = Stack.of(scope)
    domain = sender.rsplit("@", 1)[1]
    identities = [stack.format_arn(service="ses", resource="identity", resource_name=name) for name in (sender, domain)]
    return iam.PolicyStatement(
        actions=list(SES_SEND_ACTIONS),
        resources=identities,
        conditions={"StringEquals": {"ses:FromAddress": sender}},
    )


def index_arn(table: dynamodb.ITable, index_name: str) -> str:
    return Fn.join("", [table.table_arn, "/index/", index_name])
