"""`plexlabor backfill`: validate a long past window in shards, on a deployed stack or on this machine.

- `--stack NAME` starts the deployed backfill state machine (the stack's `BackfillStateMachineArn`
  output) with the plan and prints the execution's ARN; Step Functions runs the rest (its Distributed
  Map over the shards).
- `--plant DIR` runs it on the local runtime over that plant folder (`plexlabor_dev.local.backfill`:
  the plan, then each shard, one at a time) and prints the totals and where the time went.

The plan (`plexlabor.intake.backfill.BackfillPlan`) is checked before anything starts: a bad value is
refused naming its field. With `--plant`, the window defaults to the plant's last 4 weeks.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from plexlabor_dev.local.project import repo_root

repo_root()  # `infra` lives at the root of the checkout, not in an installed package

from infra.constants import METRICS_NAMESPACE, SERVICE_NAME  # noqa: E402

if TYPE_CHECKING:  # imported when run: with --plant the handlers' Powertools objects read the environment set first
    from plexlabor.intake.backfill import BackfillPlan

DEFAULT_WEEKS = 4
PLAN_FIELDS = ("since", "until", "slice_days", "employee_shards", "workcenter_shards", "max_concurrency")


def plan_of(args: argparse.Namespace, default_until: Any = None) -> BackfillPlan:
    """The plan the arguments give (unset ones keep the model's defaults); the window defaults to the
    `DEFAULT_WEEKS` before `default_until` when that is given."""
    from plexlabor.intake.backfill import BackfillPlan

    given = {name: getattr(args, name) for name in PLAN_FIELDS if getattr(args, name) is not None}
    if default_until is not None:
        given.setdefault("until", default_until.isoformat())
        given.setdefault("since", (default_until - timedelta(weeks=DEFAULT_WEEKS)).isoformat())
    return BackfillPlan.model_validate(given)


def _refused(error: ValidationError) -> int:
    """One line naming each refused option (a rule across options, e.g. the window's order, by its message)."""
    reasons = [f"--{str(e['loc'][0]).replace('_', '-')}: {e['msg']}" if e["loc"] else e["msg"] for e in error.errors()]
    print(f"plexlabor: error: {'; '.join(reasons)}", file=sys.stderr)
    return 2


def backfill_command(args: argparse.Namespace) -> int:
    # the handlers run in this process, as on Lambda with the stack's variables: Powertools reads these on import
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", SERVICE_NAME)
    os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", METRICS_NAMESPACE)
    try:
        if args.stack:
            if args.policy:
                raise ValueError(
                    f"--policy: a deployed stack validates with its plexlabor:validationPolicy ({args.stack})"
                )
            return _start_on_stack(args.stack, plan_of(args))
        return _run_locally(args)
    except ValidationError as error:
        return _refused(error)


def _start_on_stack(stack: str, plan: BackfillPlan) -> int:
    import boto3

    outputs = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])
    arn = {o["OutputKey"]: o["OutputValue"] for o in outputs}.get("BackfillStateMachineArn")
    if arn is None:
        print(f"plexlabor: error: stack {stack} has no BackfillStateMachineArn output", file=sys.stderr)
        return 1
    started = boto3.client("stepfunctions").start_execution(stateMachineArn=arn, input=plan.model_dump_json())
    print(json.dumps({"executionArn": started["executionArn"]}))
    return 0


def _run_locally(args: argparse.Namespace) -> int:
    from plexlabor.plant import PlantFolder
    from plexlabor.validation.policy import policy_json
    from plexlabor_dev.commands.validation import policy_flag
    from plexlabor_dev.local.backfill import run_backfill
    from plexlabor_dev.local.stack import LocalStack

    policy = policy_json(policy_flag(args.policy)) if args.policy else None  # checked before anything starts
    plan = plan_of(args, default_until=PlantFolder(args.plant).meta().end)
    with LocalStack(args.plant, approval_wait_s=60, validation_policy=policy) as stack:
        run = run_backfill(stack.runtime.invoke, plan.model_dump(mode="json"))
    totals = {key: run.total(key) for key in ("findings", "new", "validated", "records_read")}
    times = {key: round(run.total(key), 1) for key in ("read_s", "check_s", "record_s")}
    extracted = {"slices": len(run.extracts), "extract_s": round(run.extracts_s, 1)}
    elapsed = round(run.plan_s + run.extracts_s + run.shards_s, 1)
    print(json.dumps({"shards": len(run.shards), **extracted, **totals, **times, "elapsed_s": elapsed}))
    return 0
