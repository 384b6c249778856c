"""What the stack's Step Functions state machines share (approval, backfill): a role only Step Functions
assumes; a STANDARD state machine from an ASL file, logging level ALL to its own log group *without
execution data* (inputs and outputs carry findings and windows) and X-Ray tracing on, the '*' that CDK
grants for log delivery and X-Ray acknowledged; an alarm on any failed execution in 5 minutes.

Each log group is named `/aws/vendedlogs/states/plexlabor-<stage>-<kind>` (`vended_log_group_name`): Step Functions
adds a log group outside that prefix to the account's CloudWatch Logs resource policy, which holds 5,120 characters in
all, so in a busy account a deploy could fail on it (Step Functions guide, "Avoiding CloudWatch Logs resource policy
size restrictions"; review_infra_s17 #8). A stack deployed before the names were given replaces its log groups; the
old ones are retained (CDK's default), with the executions they logged.

The children keep the ids they had in each construct (`StateMachineRole`, `StateMachineLogs`,
`StateMachine`, `ExecutionsFailed`), so the template's logical ids do not move.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constants import stack_name
from infra.constructs.alarms import Alarms
from infra.nag import acknowledge

VENDED_LOGS_PREFIX = "/aws/vendedlogs/states/"


def vended_log_group_name(stage: str, kind: str) -> str:
    """The log group of the stage's `kind` state machine, under the prefix that needs no resource policy entry."""
    return f"{VENDED_LOGS_PREFIX}{stack_name(stage)}-{kind}"


LOGS_AND_XRAY_REASON = (
    "CloudWatch Logs vended-log delivery (logs:CreateLogDelivery and friends) and X-Ray "
    "(xray:PutTraceSegments, GetSamplingRules, ...) do not support resource-level permissions; "
    "CDK grants them on '*' for the state machine's logging and tracing."
)


def state_machine_role(scope: Construct, description: str) -> iam.Role:
    """The role of `scope`'s state machine, assumed by Step Functions only; the caller adds its policies."""
    return iam.Role(
        scope, "StateMachineRole", assumed_by=iam.ServicePrincipal("states.amazonaws.com"), description=description
    )


def logged_state_machine(
    scope: Construct,
    *,
    role: iam.Role,
    definition: Path,
    substitutions: Mapping[str, str],
    comment: str,
    log_retention: logs.RetentionDays,
    log_group_name: str,
    name: str | None = None,
) -> tuple[sfn.StateMachine, logs.LogGroup]:
    """The STANDARD state machine of `definition` with its log group (no execution data) and tracing."""
    log_group = logs.LogGroup(scope, "StateMachineLogs", log_group_name=log_group_name, retention=log_retention)
    state_machine = sfn.StateMachine(
        scope,
        "StateMachine",
        state_machine_name=name,
        comment=comment,
        definition_body=sfn.DefinitionBody.from_file(str(definition)),
        definition_substitutions=dict(substitutions),
        state_machine_type=sfn.StateMachineType.STANDARD,
        role=role,
        logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
        tracing_enabled=True,
    )
    acknowledge(role.node.find_child("DefaultPolicy"), "AwsSolutions-IAM5[Resource::*]", LOGS_AND_XRAY_REASON)
    return state_machine, log_group


def failed_executions_alarm(
    scope: Construct, alarms: Alarms, state_machine: sfn.StateMachine, description: str
) -> cloudwatch.Alarm:
    """Any failed execution in 5 minutes -> the alarm topic."""
    return alarms.above_zero(
        scope,
        "ExecutionsFailed",
        description=description,
        metric=state_machine.metric_failed(period=Duration.minutes(5), statistic=cloudwatch.Stats.SUM),
    )
