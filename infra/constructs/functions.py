"""The Lambda functions: one helper (`Functions.add_function`) builds every function from its spec.

Each function gets:
- code: only `functions/__init__.py` and `functions/<name>/` (staged under build/functions/<name>);
  handler `functions.<name>.handler.handler`
- runtime and layers from the spec's flavour (realtime: python3.11 + core + deps-light;
  batch: python3.12 + core + deps-heavy), x86_64 like the layers' wheels
- its own role: write to its own log group, X-Ray, and exactly the spec's accesses and needs
- its own log group with the configured retention; X-Ray active tracing
- env: the variables `infra/wiring.py` lists for the spec (POWERTOOLS_SERVICE_NAME,
  POWERTOOLS_METRICS_NAMESPACE, LOG_LEVEL, PLEXLABOR_STAGE, one per granted resource and need),
  resolved by infra/constructs/permissions.py, plus the spec's own
- an SQS event source with partial batch responses when the spec consumes a queue
- reserved concurrency when the spec asks for it (and `plexlabor:reservedConcurrency` is true)

A function whose environment could come to more than Lambda's 4 KB is refused at synth, naming it, its size and
its largest variables (`environment_bytes`): Lambda would refuse it at deploy, after the other resources were made.

Specs whose `functions/<name>/handler.py` does not exist yet are skipped (listed in `skipped`):
handlers land in parallel with this infrastructure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import ConfigError, DeployConfig
from infra.constants import SCHEDULE_DISABLED, SERVICE_NAME
from infra.constructs.layers import LAMBDA_ARCHITECTURE, RUNTIMES, Layers
from infra.constructs.permissions import SharedResources, environment, grant
from infra.function_specs import FunctionSpec
from infra.nag import acknowledge
from infra.staging import handler_path, stage_function

XRAY_REASON = (
    "X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support "
    "resource-level permissions, so CDK grants them on '*'."
)
RUNTIME_REASON = (
    "Pinned on purpose: real-time functions run python3.11 (the project's Python, and the one the "
    "deps-light wheels are built for); batch functions run python3.12 because the pinned "
    "numpy/scipy/scikit-learn wheels need Amazon Linux 2023's glibc. Upgrading means rebuilding "
    "the layers for the new version: a deliberate change, not a drift."
)


RETENTION = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS,
    150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
    1096: logs.RetentionDays.THREE_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    2192: logs.RetentionDays.SIX_YEARS,
    2557: logs.RetentionDays.SEVEN_YEARS,
}
"""Retention in days -> CDK enum; `DeployConfig` accepts exactly these keys."""


def _max_concurrency(spec: FunctionSpec) -> int | None:
    """The event source's MaximumConcurrency: no more batches at once than the function may run, since a throttled
    batch counts as a receive (and ends in the DLQ). AWS's least is 2, so a consumer reserved 1 must read a FIFO
    queue, whose one message group gives it one batch at a time (then nothing is set)."""
    if spec.reserved_concurrency is None or (spec.consumes is not None and spec.consumes.fifo):
        return None
    return spec.reserved_concurrency  # at least MIN_MAX_CONCURRENCY: FunctionSpec refuses less here


def _schedule_in_force(name: str, schedule: str, config: DeployConfig) -> str:
    """A spec's `schedule` or its `plexlabor:schedules` override (a disabled rule keeps the spec's)."""
    override = config.schedules.get(name)
    return schedule if override is None or override == SCHEDULE_DISABLED else override


ENVIRONMENT_LIMIT_BYTES = 4096
"""Lambda's limit on a function's environment: the names and values of all its variables together."""
REFERENCE_BYTES = 128
"""The most a reference to one of the stack's resources resolves to in a variable: a secret's ARN (about 100
characters), a queue's URL (about 110 with CloudFormation's generated name), a table or bucket name."""
PSEUDO_PARAMETER_BYTES = {"AWS::Region": 14, "AWS::URLSuffix": 16, "AWS::AccountId": 12, "AWS::Partition": 10}
"""The longest each pseudo parameter resolves to (ap-southeast-3, amazonaws.com.cn, 12 digits, aws-us-gov)."""


def _resolved_bytes(value: Any, stack_name: str) -> int:
    """At most how many bytes a resolved CloudFormation value takes once deployed."""
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    if isinstance(value, list):
        return sum(_resolved_bytes(part, stack_name) for part in value)
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return len(separator) * max(len(parts) - 1, 0) + _resolved_bytes(parts, stack_name)
    if isinstance(value, dict) and value.get("Ref") == "AWS::StackName":
        return len(stack_name)
    if isinstance(value, dict) and value.get("Ref") in PSEUDO_PARAMETER_BYTES:
        return PSEUDO_PARAMETER_BYTES[value["Ref"]]
    return REFERENCE_BYTES  # a Ref or GetAtt of a resource, or another intrinsic


def environment_bytes(stack: Stack, variables: Mapping[str, str]) -> dict[str, int]:
    """Each variable's name and value in bytes, a value that refers to a resource at its most (`REFERENCE_BYTES`)."""
    return {
        name: len(name.encode("utf-8")) + _resolved_bytes(stack.resolve(value), stack.stack_name)
        for name, value in variables.items()
    }


def check_environment_size(name: str, sizes: Mapping[str, int]) -> None:
    """ConfigError when a function's variables could come to more than Lambda accepts."""
    total = sum(sizes.values())
    if total <= ENVIRONMENT_LIMIT_BYTES:
        return
    largest = ", ".join(f"{variable} {size} B" for variable, size in sorted(sizes.items(), key=lambda kv: -kv[1])[:3])
    raise ConfigError(
        f"{name}: its environment variables come to up to {total} bytes, above Lambda's {ENVIRONMENT_LIMIT_BYTES} "
        f"(largest: {largest}); shorten the settings that make them (plexlabor:plexSettings reaches every function "
        "that reads Plex)"
    )


def with_handlers(specs: Iterable[FunctionSpec], functions_root: Path) -> list[FunctionSpec]:
    """The specs whose `functions/<name>/handler.py` exists: those become functions."""
    return [spec for spec in specs if handler_path(functions_root, spec.name).is_file()]


class Functions(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeployConfig,
        specs: Iterable[FunctionSpec],
        layers: Layers,
        resources: SharedResources,
    ) -> None:
        super().__init__(scope, construct_id)
        self._config = config
        self._layers = layers
        self._resources = resources
        self.functions: dict[str, lambda_.Function] = {}
        self.specs: dict[str, FunctionSpec] = {}
        specs = list(specs)
        present = with_handlers(specs, config.functions_root)
        for spec in present:
            self.add_function(spec)
        self.skipped: tuple[str, ...] = tuple(spec.name for spec in specs if spec not in present)

    def add_function(self, spec: FunctionSpec) -> lambda_.Function:
        """Build one function (log group, role, grants, env, trigger) from its spec."""
        if spec.name in self.functions:
            raise ValueError(f"function {spec.name} defined twice")
        config = self._config
        base = spec.construct_id
        log_group = logs.LogGroup(
            self,
            f"{base}Logs",
            retention=RETENTION[config.log_retention_days],
        )
        role = iam.Role(
            self,
            f"{base}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{SERVICE_NAME} {config.stage} {spec.name}: least privilege for its spec",
        )
        log_group.grant_write(role)
        variables = environment(spec, self._resources)
        own = (
            spec.environment_for(_schedule_in_force(spec.name, spec.schedule, config))
            if spec.schedule
            else dict(spec.environment)
        )
        clashes = sorted(set(own) & set(variables))
        if clashes:
            raise ValueError(f"{spec.name}: spec environment overrides managed variables {clashes}")
        variables.update(own)
        check_environment_size(spec.name, environment_bytes(Stack.of(self), variables))
        grant(spec, role, self._resources)

        function = lambda_.Function(
            self,
            base,
            description=spec.description,
            runtime=RUNTIMES[spec.flavour.python],
            architecture=LAMBDA_ARCHITECTURE,
            handler=spec.handler,
            code=lambda_.Code.from_asset(str(stage_function(config.functions_root, spec.name, config.build_dir))),
            layers=self._layers.for_flavour(spec.flavour),
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_s),
            environment=variables,
            tracing=lambda_.Tracing.ACTIVE,
            role=role,
            log_group=log_group,
            reserved_concurrent_executions=(spec.reserved_concurrency if config.reserved_concurrency else None),
        )
        if spec.consumes is not None:
            function.add_event_source(
                event_sources.SqsEventSource(
                    self._resources.queues.queues[spec.consumes],
                    batch_size=spec.batch_size,
                    max_batching_window=(
                        Duration.seconds(spec.max_batching_window_s) if spec.max_batching_window_s else None
                    ),
                    report_batch_item_failures=True,
                    max_concurrency=_max_concurrency(spec),
                )
            )
        # acknowledged on the generated L1 resources only, so nothing else inherits them
        acknowledge(role.node.find_child("DefaultPolicy"), "AwsSolutions-IAM5[Resource::*]", XRAY_REASON)
        acknowledge(function.node.find_child("Resource"), "AwsSolutions-L1", RUNTIME_REASON)
        self.functions[spec.name] = function
        self.specs[spec.name] = spec
        return function
