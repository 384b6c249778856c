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
are UTC (no time zone on rules); for a plant outside US Eastern, the synth prints the overrides that
keep the defaults' plant-local times (`infra/schedule_zones.py`).

Delivery: EventBridge invokes asynchronously. A delivery Lambda refuses is retried by EventBridge
twice within an hour (`TARGET_RETRY_ATTEMPTS`, `TARGET_MAX_EVENT_AGE`). Once Lambda has accepted the
event it sits in the function's asynchronous queue, where Lambda's own defaults apply: a throttled
run (its reserved concurrency of 1 busy, the account's concurrency used up) is retried for up to
6 hours, a run that fails (an error, a timeout, out of memory) is run twice more.

Alarms: each scheduled function in the stack alarms the alarm topic when any run fails
(`Errors` > 0) or is throttled (`Throttles` > 0) in a 5-minute period, so a nightly job that stops,
or a poller that fails every 5 minutes, is seen (review_infra_s17 #2); the alarm returns to OK
after a period without either.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.config import ConfigError, DeployConfig
from infra.constants import CTX_SCHEDULES, SCHEDULE_DISABLED, SERVICE_NAME
from infra.constructs.alarms import Alarms
from infra.function_specs import FunctionSpec

TARGET_RETRY_ATTEMPTS = 2
TARGET_MAX_EVENT_AGE = Duration.hours(1)
ALARM_PERIOD = Duration.minutes(5)


class Schedules(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeployConfig,
        specs: Iterable[FunctionSpec],
        functions: Mapping[str, lambda_.IFunction],
        alarms: Alarms,
    ) -> None:
        super().__init__(scope, construct_id)
        scheduled = {spec.name: spec for spec in specs if spec.schedule}
        unknown = sorted(set(config.schedules) - set(scheduled))
        if unknown:
            raise ConfigError(f"{CTX_SCHEDULES}: no scheduled function named {unknown}; scheduled: {sorted(scheduled)}")
        self.rules: dict[str, events.Rule] = {}
        self.expressions: dict[str, str] = {}
        self.failure_alarms: dict[str, tuple[cloudwatch.Alarm, ...]] = {}
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
            self.failure_alarms[name] = self._failure_alarms(spec, functions[name], alarms)

    def _failure_alarms(
        self, spec: FunctionSpec, function: lambda_.IFunction, alarms: Alarms
    ) -> tuple[cloudwatch.Alarm, ...]:
        """A scheduled run nobody waits on: its errors and throttles alarm the topic."""
        watched = (
            (
                "Errors",
                function.metric_errors,
                "failed (an error, a timeout or out of memory; Lambda runs a failed event twice more): its log group "
                "says why. A nightly job's page shows its last report meanwhile.",
            ),
            (
                "Throttles",
                function.metric_throttles,
                "was throttled (its reserved concurrency busy with an earlier run or a retry, or the account's "
                "concurrency used up): Lambda retries it for up to 6 hours.",
            ),
        )
        return tuple(
            alarms.above_zero(
                self,
                f"{spec.construct_id}{name}",
                description=f"A scheduled run of {spec.name} {what}",
                metric=metric(period=ALARM_PERIOD, statistic="Sum"),
            )
            for name, metric, what in watched
        )
