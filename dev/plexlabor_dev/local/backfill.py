"""The validation backfill on the local runtime: the state machine's three states, played in process.

moto runs the approval state machine (its tasks send to SQS), and its interpreter knows Map states,
but a Lambda task in moto needs Docker to run the function, which the local runtime does not use.
So this driver reads `infra/statemachines/backfill.asl.json`, checks that it is still the shape it
plays (a `Plan` task, then a `Map` over `$.planned.slices` whose one task invokes the same function
with `{"extract": item}`, then a `Map` over `$.planned.shards` whose one task invokes it with
`{"shard": item}`), and does what Step Functions does: invokes `validation_backfill` with
`{"plan": ...}`, then once per planned slice, then once per planned shard, one at a time (on this
machine's cores a Python shard is CPU-bound; `max_concurrency` is the deployed maps'). Everything else
is the local runtime's: the handler, its wiring from the stack's environment, the audit table, the
norms and the slices' extracts in moto, Plex data from the plant folder.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from infra.constants import BACKFILL_DEFINITION, BACKFILL_FUNCTION
from plexlabor_dev.progress import step

Invoke = Callable[[str, Any], Any]


@dataclass
class BackfillRun:
    planned: dict[str, Any]
    extracts: list[dict[str, Any]] = field(default_factory=list)
    shards: list[dict[str, Any]] = field(default_factory=list)
    plan_s: float = 0.0
    extracts_s: float = 0.0
    shards_s: float = 0.0

    def total(self, key: str, kind: str | None = None) -> float:
        return sum(s[key] for s in self.shards if kind is None or s["kind"] == kind)


def check_definition(definition: Mapping[str, Any]) -> None:
    """Refuse a definition this driver would not play faithfully."""
    plan = definition["States"][definition["StartAt"]]
    extracts = definition["States"][plan["Next"]]
    shards = definition["States"][extracts["Next"]]
    if plan["Parameters"]["Payload"] != {"plan.$": "$"} or not shards.get("End"):
        raise ValueError("backfill.asl.json changed: update plexlabor_dev.local.backfill")
    for state, items, key in ((extracts, "slices", "extract"), (shards, "shards", "shard")):
        [task] = state["ItemProcessor"]["States"].values()
        selector = {f"{key}.$": "$$.Map.Item.Value"}
        if state["Type"] != "Map" or state["ItemsPath"] != f"$.planned.{items}" or state["ItemSelector"] != selector:
            raise ValueError(f"backfill.asl.json's map over {items} changed: update plexlabor_dev.local.backfill")
        if task["Parameters"]["Payload.$"] != "$":
            raise ValueError(f"backfill.asl.json's task over {items} changed: update plexlabor_dev.local.backfill")


def run_backfill(invoke: Invoke, plan: Mapping[str, Any]) -> BackfillRun:
    """Plan, then validate every shard, through `invoke(function, event)` (`LocalRuntime.invoke`)."""
    check_definition(json.loads(BACKFILL_DEFINITION.read_text()))
    started = time.perf_counter()
    step("planning the shards and computing the norms")
    run = BackfillRun(planned=invoke(BACKFILL_FUNCTION, {"plan": dict(plan)}))
    run.plan_s = time.perf_counter() - started
    run.extracts, run.extracts_s = _map(invoke, run.planned["slices"], "extract", "extracting slice")
    run.shards, run.shards_s = _map(invoke, run.planned["shards"], "shard", "validating shard")
    return run


def _map(invoke: Invoke, items: list[Any], key: str, doing: str) -> tuple[list[dict[str, Any]], float]:
    """One of the definition's maps: the function invoked with `{key: item}` per item, one at a time; the
    answers and the seconds taken."""
    started = time.perf_counter()
    answers = []
    for number, item in enumerate(items, 1):
        step(f"{doing} {number} of {len(items)}")
        answers.append(invoke(BACKFILL_FUNCTION, {key: item}))
    return answers, time.perf_counter() - started
