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

from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constants import APPROVAL_DEFINITION, APPROVAL_SUBSTITUTIONS, SERVICE_NAME
from infra.constructs.alarms import Alarms
from infra.constructs.queues import Queues
from infra.constructs.statemachines import (
    failed_executions_alarm,
    logged_state_machine,
    state_machine_role,
    vended_log_group_name,
)

SEND_ACTIONS = ("sqs:SendMessage",)


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
        self.role = state_machine_role(
            self, f"{SERVICE_NAME} {stage} approval state machine: send to the notify and write-back queues"
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(SEND_ACTIONS),
                resources=[queues.queues[queue].queue_arn for queue in APPROVAL_SUBSTITUTIONS.values()],
            )
        )
        self.state_machine, self.log_group = logged_state_machine(
            self,
            role=self.role,
            definition=APPROVAL_DEFINITION,
            substitutions={
                placeholder: queues.queues[queue].queue_url for placeholder, queue in APPROVAL_SUBSTITUTIONS.items()
            },
            comment=f"{SERVICE_NAME} {stage}: supervisor approval of a finding (docs/approval.md)",
            log_retention=log_retention,
            log_group_name=vended_log_group_name(stage, "approval"),
        )
        self.failed_alarm = failed_executions_alarm(
            self,
            alarms,
            self.state_machine,
            "Approval executions failed (not expired: expiry succeeds). A failed notify step "
            "(Approval.NotifyFailed) is recorded approval_failed: the finding is decided in the review "
            "queue and review_sweep mails it. Anything else: see the failed state in the Step Functions "
            "console; the finding stays pending in the audit table.",
        )
