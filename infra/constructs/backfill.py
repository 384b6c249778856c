"""The validation backfill: a Step Functions STANDARD state machine from `backfill.asl.json`.

- Definition: `infra/statemachines/backfill.asl.json`: plan (norms first), then a Distributed Map
  over the shards, each a child execution invoking `validation_backfill` (`plexlabor.intake.backfill`);
  its `${BackfillFunctionArn}` filled by `DefinitionSubstitutions`. Started by hand with a
  `BackfillPlan` (`docs/validation.md`, "Backfill"); nothing schedules it.
- Role: `lambda:InvokeFunction` on that function only; `states:StartExecution` on this state machine
  (the Distributed Map starts its child executions as the parent) and `states:DescribeExecution` /
  `states:StopExecution` on its executions. The state machine's ARN is built from its fixed name, not
  referenced, because the role is part of the state machine's definition (a reference would be circular).
- Logging: level ALL without execution data (shard summaries are counts, but the plan holds the
  window); X-Ray tracing on.
- Alarm: any failed execution -> alarm topic (a failed shard fails the run: `ToleratedFailurePercentage`
  0; it is safe to start again, findings are recorded once).
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constants import BACKFILL_DEFINITION, SERVICE_NAME
from infra.constructs.alarms import Alarms
from infra.constructs.statemachines import (
    failed_executions_alarm,
    logged_state_machine,
    state_machine_role,
    vended_log_group_name,
)
from infra.nag import acknowledge_wildcard_resource

CHILD_EXECUTIONS_REASON = (
    "A Distributed Map runs each item as a child execution of its own state machine; the parent stops and "
    "describes them by execution ARN, which is only known at run time (arn:...:execution:<name>/*)."
)


class Backfill(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        function: lambda_.IFunction,
        log_retention: logs.RetentionDays,
        alarms: Alarms,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        name = f"{SERVICE_NAME}-{stage}-backfill"
        self.role = state_machine_role(
            self, f"{SERVICE_NAME} {stage} backfill state machine: invoke validation_backfill, run its map"
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[function.function_arn])
        )
        own_arn = stack.format_arn(
            service="states", resource="stateMachine", resource_name=name, arn_format=ArnFormat.COLON_RESOURCE_NAME
        )
        self.executions_arn = executions = stack.format_arn(
            service="states", resource="execution", resource_name=f"{name}/*", arn_format=ArnFormat.COLON_RESOURCE_NAME
        )
        self.role.add_to_principal_policy(iam.PolicyStatement(actions=["states:StartExecution"], resources=[own_arn]))
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["states:DescribeExecution", "states:StopExecution"], resources=[executions])
        )
        self.state_machine, self.log_group = logged_state_machine(
            self,
            role=self.role,
            definition=BACKFILL_DEFINITION,
            substitutions={"BackfillFunctionArn": function.function_arn},
            comment=f"{SERVICE_NAME} {stage}: validation backfill over shards (docs/validation.md)",
            log_retention=log_retention,
            log_group_name=vended_log_group_name(stage, "backfill"),
            name=name,
        )
        acknowledge_wildcard_resource(self.role.node.find_child("DefaultPolicy"), executions, CHILD_EXECUTIONS_REASON)
        self.failed_alarm = failed_executions_alarm(
            self,
            alarms,
            self.state_machine,
            "A validation backfill failed: a shard failed after its retries (see the failed child execution "
            "in the Step Functions console). Findings recorded so far stay; starting it again records each "
            "finding once.",
        )
