"""The CDK app: `python infra/app.py` (make synth) or `cdk synth|deploy` (cdk.json runs this file).

Offline and credential-free: no STS call, no lookups. The stack is environment-agnostic unless
both `plexlabor:account` and `plexlabor:region` are given as context. Before synthesizing, the
dependency layers are (re)built if their inputs changed (`infra/build_layers.py`, needs PyPI),
unless `plexlabor:placeholderLayers=true` (tests/offline: not deployable).
Output goes to `cdk.out` (or wherever the CDK CLI says, via CDK_OUTDIR).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, cast

if __package__ in (None, ""):  # run as a script: import from the repo root, not from infra/
    _HERE = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
    sys.path.insert(0, str(_HERE.parent))
    sys.path.insert(1, str(_HERE.parent / "layers" / "core"))

from aws_cdk import App, Environment
from aws_cdk import aws_lambda as lambda_

import plexlabor.platform.env as env_vars
from infra.build_layers import ensure_layers
from infra.config import DeployConfig
from infra.constants import (
    CTX_ADVISORY_MODE,
    CTX_DEFAULT_SUPERVISOR_ID,
    CTX_NOTIFY_SENDER,
    CTX_RESERVED_CONCURRENCY,
    CTX_TIMEZONE,
    REPO_ROOT,
    stack_name,
)
from infra.schedule_zones import zone_advice
from infra.stack import PlexlaborStack

CDK_JSON = REPO_ROOT / "cdk.json"
HOW_TO_SET = {
    env_vars.TIMEZONE: f"-c {CTX_TIMEZONE}=America/Detroit (the plant's IANA zone)",
    env_vars.NOTIFY_SENDER: f"-c {CTX_NOTIFY_SENDER}=<an SES-verified address>",
    env_vars.DEFAULT_SUPERVISOR_ID: (
        f"-c {CTX_DEFAULT_SUPERVISOR_ID}=<employee id> (who approves findings about employees with no "
        f"supervisor), or -c {CTX_ADVISORY_MODE}=true"
    ),
    env_vars.APPROVAL_BASE_URL: "approval_callback's handler (the API serves the links)",
}


def cdk_json_context(path: Path = CDK_JSON) -> dict[str, Any]:
    """The `context` block of cdk.json (feature flags and plexlabor defaults).

    The CDK CLI passes it itself; `python infra/app.py` does not go through the CLI, so the app
    reads it too. Context from the CLI wins over these values.
    """
    return dict(json.loads(path.read_text()).get("context", {}))


def create_app(context: dict[str, Any] | None = None, outdir: str | None = None) -> App:
    merged = {**cdk_json_context(), **(context or {})}
    if outdir is None and not os.environ.get("CDK_OUTDIR"):
        outdir = str(REPO_ROOT / "cdk.out")
    return App(context=merged, outdir=outdir)


def add_stack(app: App) -> PlexlaborStack:
    config = DeployConfig.from_node(app.node)
    env = Environment(account=config.account, region=config.region) if config.account else None
    name = stack_name(config.stage)
    return PlexlaborStack(app, name, stack_name=name, env=env, config=config)


def main() -> None:
    app = create_app()
    config = DeployConfig.from_node(app.node)
    if config.placeholder_layers:
        print(
            "[app] WARNING: plexlabor:placeholderLayers=true: dependency layers are placeholders; "
            "this cloud assembly is NOT deployable",
            file=sys.stderr,
        )
    else:
        ensure_layers(config.build_dir, log=lambda line: print(line, file=sys.stderr))
    stack = add_stack(app)
    skipped = stack.functions.skipped
    if skipped:
        names = ", ".join(skipped)
        print(f"[app] functions without a handler yet (not in the stack): {names}", file=sys.stderr)
    for line in [*missing_settings_report(stack), *concurrency_report(stack), *schedule_zone_report(stack, config)]:
        print(line, file=sys.stderr)
    app.synth()


UNRESERVED_MINIMUM = 100
"""Lambda keeps this much of an account's concurrency quota unreserved: reservations may take only the rest."""


def reserved_concurrency(stack: PlexlaborStack) -> int:
    """The concurrency the stack's functions reserve in all (none when `plexlabor:reservedConcurrency` is false)."""
    reservations = (
        cast(lambda_.CfnFunction, function.node.default_child).reserved_concurrent_executions
        for function in stack.functions.functions.values()
    )
    return sum(int(reserved) for reserved in reservations if reserved)


def concurrency_report(stack: PlexlaborStack) -> list[str]:
    """The Lambda concurrency quota a deploy needs, when the stack reserves any."""
    reserved = reserved_concurrency(stack)
    if not reserved:
        return []
    return [
        f"[app] the functions reserve {reserved} concurrent executions: the account's Lambda concurrency quota in "
        f"this region must be at least {reserved + UNRESERVED_MINIMUM} ({reserved} + the {UNRESERVED_MINIMUM} Lambda "
        f"keeps unreserved), or set {CTX_RESERVED_CONCURRENCY}=false"
    ]


def schedule_zone_report(stack: PlexlaborStack, config: DeployConfig) -> list[str]:
    """The schedules to deploy with when the plant's zone would run the defaults at other plant-local times."""
    defaults = {
        name: expression for name, expression in stack.schedules.expressions.items() if name not in config.schedules
    }
    return zone_advice(config.timezone, defaults)


def missing_settings_report(stack: PlexlaborStack) -> list[str]:
    """One warning per function that would refuse to start for want of a setting."""
    return [
        f"[app] WARNING: {name} will fail at run time without {variable}: set {HOW_TO_SET.get(variable, variable)}"
        for name, variables in stack.missing_settings().items()
        for variable in variables
    ]


if __name__ == "__main__":
    main()
