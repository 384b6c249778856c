"""The approval workflow: a Step Functions STANDARD state machine from `approval.asl.json`.

- Definition: `infra/statemachines/approval.asl.json` (the file the local runtime runs in moto too),
  its `${NotifyQueueUrl}` and `${WritebackQueueUrl}` filled by `DefinitionSubstitutions`.
- Role: `sqs:SendMessage` on the notify and write-back queues and nothing else of ours (SSE-SQS
  needs no KMS); CDK adds the CloudWatch Logs delivery and X-Ray actions, which have no
  resource-level permissions (acknowledged).
- Logging: level ALL to its own log group *without execution data*: inputs and outputs carry the
  finding (employee id, punch times, evidence), so only state transitions and errors are logged.
- X-Ray tracing on.
- Alarm: any failed execution (`ExecutionsFailed` > 0 in 5 minutes) -> alarm topic. Expiry is a
  normal outcome (SUCCEEDED), so a failure means something is broken (docs/approval.md).

Functions are granted in `infra/constructs/permissions.py`: `grant_start_execution` (validator,
nightly sweep) and `grant_task_response` (approval_callback), both on this ARN only.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constants import APPROVAL_DEFINITION, APPROVAL_SUBSTITUTIONS, SERVICE_NAME
from infra.constructs.alarms import Alarms
from infra.constructs.queues import Queues
from infra.nag import acknowledge

SEND_ACTIONS = ("sqs:SendMessage",)
LOGS_AND_XRAY_REASON = (
    "CloudWatch Logs vended-log delivery (logs:CreateLogDelivery and friends) and X-Ray "
    "(xray:PutTraceSegments, GetSamplingRules, ...) do not support resource-level permissions; "
    "CDK grants them on '*' for the state machine's logging and tracing."
)


class Approval(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        queues: Queues,
        log_retention: logs.RetentionDays,
        alarms: Alarms,
    ) -> None:
        super().__init__(scope, construct_id)
        self.role = iam.Role(
            self,
            "StateMachineRole",
            assumed_by=iam.ServicePrincipal("states.amazonaws.com"),
            description=f"{SERVICE_NAME} {stage} approval state machine: send to the notify and write-back queues",
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(SEND_ACTIONS),
                resources=[queues.queues[queue].queue_arn for queue in APPROVAL_SUBSTITUTIONS.values()],
            )
        )
        self.log_group = logs.LogGroup(self, "StateMachineLogs", retention=log_retention)
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            comment=f"{SERVICE_NAME} {stage}: supervisor approval of a finding (docs/approval.md)",
            definition_body=sfn.DefinitionBody.from_file(str(APPROVAL_DEFINITION)),
            definition_substitutions={
                placeholder: queues.queues[queue].queue_url for placeholder, queue in APPROVAL_SUBSTITUTIONS.items()
            },
            state_machine_type=sfn.StateMachineType.STANDARD,
            role=self.role,
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
            tracing_enabled=True,
        )
        acknowledge(self.role.node.find_child("DefaultPolicy"), "AwsSolutions-IAM5[Resource::*]", LOGS_AND_XRAY_REASON)
        self.failed_alarm = alarms.above_zero(
            self,
            "ExecutionsFailed",
            description=(
                "Approval executions failed (not expired: expiry succeeds). A failed notify step "
                "(Approval.NotifyFailed) is recorded approval_failed: the finding is decided in the review "
                "queue and review_sweep mails it. Anything else: see the failed state in the Step Functions "
                "console; the finding stays pending in the audit table."
            ),
            metric=self.state_machine.metric_failed(period=Duration.minutes(5), statistic=cloudwatch.Stats.SUM),
        )
