"""DynamoDB tables: the append-only audit table, the small state table, the idempotency table.

The audit and state key schemas come from `plexlabor.audit.schema` (pure data in the domain
package), so the deployed tables cannot drift from what the adapters query:

Audit table   PK `record_key` (S), SK `event_sk` (S) = `<UTC time>#<event_type>#<event_id>`
              GSIs (all project ALL; every one but status is sparse), each SK `<UTC time>#<event_id>`:
                `gsi_status`     PK `gsi_status_pk` = status       SK `gsi_status_sk`
                `gsi_supervisor` PK `gsi_supervisor_pk` = supervisor id, SK `gsi_supervisor_sk`
                `gsi_employee`   PK `gsi_employee_pk` = employee id, SK `gsi_employee_sk`
                `gsi_finding`    PK `gsi_finding_pk` = finding id,   SK `gsi_finding_sk`
                `gsi_kind`       PK `gsi_kind_pk` = the payload's kind (`incident_coding`...), SK `gsi_kind_sk`
                `gsi_plan_day`   PK `gsi_plan_day_pk` = the day a crew event is about (payload `plan_day`),
                                 SK `gsi_plan_day_sk`: a day's crew suggestions, re-plans and claims in one partition
State table   PK `pk` (S), SK `sk` (S), TTL `expires_at` (N, epoch s): poll cursor, link nonces
Idempotency   PK `id` (S), TTL `expiration`: AWS Lambda Powertools' default schema

All three: on-demand, point-in-time recovery on, encrypted with the AWS-managed `aws/dynamodb`
key (docs/decision_log.md says why not a customer-managed key). The audit and state tables are
RETAINed with deletion protection; the audit table also carries a resource policy that denies
item updates and deletes to every principal, so "append-only, never deleted" holds even for
administrators (changing that policy is itself a CloudTrail-logged act).
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.constants import (
    AUDIT_TABLE_ID,
    IDEMPOTENCY_PARTITION_KEY,
    IDEMPOTENCY_TABLE_ID,
    IDEMPOTENCY_TTL_ATTRIBUTE,
    STATE_TABLE_ID,
)
from plexlabor.audit.schema import AUDIT_TABLE, STATE_TABLE, TableSpec

APPEND_ONLY_DENIED_ACTIONS = ("dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem")
"""Denied on the audit table to everyone (appends use PutItem/TransactWriteItems with a condition)."""
TRANSACTIONS_ONLY = {"Null": {"dynamodb:EnclosingOperation": "true"}}
"""A PutItem outside a TransactWriteItems (no enclosing operation): the audit table denies it to everyone.
The one appender (`audit.dynamodb.DynamoDbAuditStore.append`) puts in a transaction, each item on
condition `attribute_not_exists`; a bare PutItem would replace an existing event without one."""

_STRING = dynamodb.AttributeType.STRING


class Storage(Construct):
    """The three tables. `audit_index_names` lists the audit GSIs (for IAM index ARNs)."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.audit_table = self._table(
            AUDIT_TABLE_ID,
            AUDIT_TABLE,
            retain=True,
            resource_policy=iam.PolicyDocument(
                statements=[
                    iam.PolicyStatement(
                        sid="AuditTableIsAppendOnly",
                        effect=iam.Effect.DENY,
                        principals=[iam.AnyPrincipal()],
                        actions=list(APPEND_ONLY_DENIED_ACTIONS),
                        resources=["*"],
                    ),
                    iam.PolicyStatement(
                        sid="AuditPutsOnlyInTransactions",
                        effect=iam.Effect.DENY,
                        principals=[iam.AnyPrincipal()],
                        actions=["dynamodb:PutItem"],
                        resources=["*"],
                        conditions=TRANSACTIONS_ONLY,
                    ),
                ]
            ),
        )
        self.state_table = self._table(STATE_TABLE_ID, STATE_TABLE, retain=True)
        self.idempotency_table = dynamodb.Table(
            self,
            IDEMPOTENCY_TABLE_ID,
            partition_key=dynamodb.Attribute(name=IDEMPOTENCY_PARTITION_KEY, type=_STRING),
            time_to_live_attribute=IDEMPOTENCY_TTL_ATTRIBUTE,
            **self._common(),
            # idempotency records expire within hours; losing them on stack deletion is harmless
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.audit_index_names = tuple(index.name for index in AUDIT_TABLE.indexes)

    def _table(
        self,
        construct_id: str,
        spec: TableSpec,
        *,
        retain: bool,
        resource_policy: iam.PolicyDocument | None = None,
    ) -> dynamodb.Table:
        if spec.billing_mode != "PAY_PER_REQUEST" or spec.key_type != "S":
            raise ValueError(f"{construct_id}: only on-demand tables with string keys are supported")
        table = dynamodb.Table(
            self,
            construct_id,
            partition_key=dynamodb.Attribute(name=spec.partition_key, type=_STRING),
            sort_key=dynamodb.Attribute(name=spec.sort_key, type=_STRING),
            time_to_live_attribute=spec.ttl_attribute,
            deletion_protection=retain,
            removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
            resource_policy=resource_policy,
            **self._common(),
        )
        for index in spec.indexes:
            if index.projection != "ALL":
                raise ValueError(f"{construct_id}.{index.name}: only ALL projections are supported")
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=dynamodb.Attribute(name=index.partition_key, type=_STRING),
                sort_key=dynamodb.Attribute(name=index.sort_key, type=_STRING),
                projection_type=dynamodb.ProjectionType.ALL,
            )
        return table

    @staticmethod
    def _common() -> dict:
        return {
            "billing_mode": dynamodb.BillingMode.PAY_PER_REQUEST,
            "encryption": dynamodb.TableEncryption.AWS_MANAGED,
            "point_in_time_recovery_specification": dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
        }
