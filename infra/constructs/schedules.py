"""EventBridge schedule rules -> the scheduled functions (`FunctionSpec.schedule`).

One rule per spec with `schedule=` (the expressions are in `infra/function_specs.py`, listed in
docs/deployment.md); like functions, a rule exists only for a function in the stack.

`plexlabor:schedules` overrides a spec's expression per function, or turns its rule off
(`"disabled"`: the rule is kept, disabled, so turning it back on is an update, not a new resource).
A spec whose runs look back over their period (`FunctionSpec.period_variable`: crew_call_offs) gets
the period of the expression in force, and an override without a fixed period of at most an hour
(a cron expression, days) is refused at synth (`infra.config`).
Rules, not EventBridge Scheduler: the target receives the "Scheduled Event" envelope the handlers
parse (`EventBridgeModel`) and that the local runtime sends when it fires a schedule. Expressions
are UTC (no time zone on rules).

Delivery: EventBridge invokes asynchronously; a throttled or failed delivery is retried twice
within an hour (an older tick is worthless: the next one comes). The function's own errors are
retried by Lambda's asynchronous invocation (twice).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.config import ConfigError, DeployConfig
from infra.constants import CTX_SCHEDULES, SCHEDULE_DISABLED, SERVICE_NAME
from infra.function_specs import FunctionSpec

TARGET_RETRY_ATTEMPTS = 2
TARGET_MAX_EVENT_AGE = Duration.hours(1)


class Schedules(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeployConfig,
        specs: Iterable[FunctionSpec],
        functions: Mapping[str, lambda_.IFunction],
    ) -> None:
        super().__init__(scope, construct_id)
        scheduled = {spec.name: spec for spec in specs if spec.schedule}
        unknown = sorted(set(config.schedules) - set(scheduled))
        if unknown:
            raise ConfigError(f"{CTX_SCHEDULES}: no scheduled function named {unknown}; scheduled: {sorted(scheduled)}")
        self.rules: dict[str, events.Rule] = {}
        self.expressions: dict[str, str] = {}
        for name, spec in scheduled.items():
            if name not in functions:
                continue
            assert spec.schedule is not None
            override = config.schedules.get(name)
            enabled = override != SCHEDULE_DISABLED
            expression = override if override and enabled else spec.schedule
            rule = events.Rule(
                self,
                f"{spec.construct_id}Schedule",
                description=f"{SERVICE_NAME} {config.stage}: run {name} on {expression}",
                schedule=events.Schedule.expression(expression),
                enabled=enabled,
            )
            rule.add_target(
                targets.LambdaFunction(
                    functions[name], retry_attempts=TARGET_RETRY_ATTEMPTS, max_event_age=TARGET_MAX_EVENT_AGE
                )
            )
            self.rules[name] = rule
            self.expressions[name] = expression
