"""`plexlabor model promote|rollback VERSION [--of incidents]`: put a stored scorer (or incident) model in
force by hand (VERSION `packaged`, or the packaged scorer's version: back to the packaged scorer);
`plexlabor model list`: the scorer versions that can be (`plexlabor.learning.manage.stored_models`).

The registry is the artifacts bucket's `models/scorer/` (`--of incidents`: `models/incidents/`,
`plexlabor.incidents.registry`) (`ARTIFACTS_BUCKET_NAME`, or `--bucket`) or a folder standing for that
prefix (`--artifacts-dir`, as `PLEXLABOR_ARTIFACTS_DIR/models/scorer`); the
audit table is `--audit-table` or `AUDIT_TABLE_NAME` (`--endpoint-url` for a moto server; `--local` takes
all of them from the running `plexlabor local up`).
Each move records a `model` audit event (`promoted` or `rolled_back`, `plexlabor.learning.manage`;
a scorer rollback holds automatic promotion until a scorer promote lifts it;
for incidents under `models:incidents`); a scorer move prints the plant's cuts the model now in force brings
(`plexlabor.learning.cuts`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plexlabor.platform import env
from plexlabor.platform.artifacts import ArtifactError, ArtifactStore, LocalFolderArtifactStore
from plexlabor.platform.modelregistry import held_reason
from plexlabor.validation.registry import SCORER_PREFIX
from plexlabor_dev.commands import audit_table_flag

if TYPE_CHECKING:
    from plexlabor.learning.manage import StoredModel

INCIDENTS = "incidents"
FUNCTIONS = {"scorer": "scorer_retrain", INCIDENTS: "incident_retrain"}
"""Whose registry each `--of` moves, as that function sees it (`--local`)."""
NO_REGISTRY = "plexlabor: error: no --artifacts-dir or --bucket (or ARTIFACTS_BUCKET_NAME)"


def _prefix(args: argparse.Namespace) -> str:
    from plexlabor.incidents.registry import PREFIX

    return PREFIX if getattr(args, "of", None) == INCIDENTS else SCORER_PREFIX


def _store(args: argparse.Namespace) -> ArtifactStore | None:
    prefix = _prefix(args)
    if args.artifacts_dir:
        return LocalFolderArtifactStore(Path(args.artifacts_dir) / prefix.rstrip("/"))
    bucket = args.bucket or os.environ.get(env.ARTIFACTS_BUCKET_NAME)
    if bucket:
        from plexlabor.platform.s3artifacts import S3ArtifactStore

        return S3ArtifactStore(bucket, prefix)
    return None


def _mover(args: argparse.Namespace, store: ArtifactStore) -> tuple[Any, Callable[..., dict[str, Any]]]:
    """The registry of `--of` over `store`, and its `put_in_force`."""
    if getattr(args, "of", None) == INCIDENTS:
        from plexlabor.incidents.registry import IncidentModels
        from plexlabor.incidents.registry import put_in_force as put_incident_model

        return IncidentModels(store), put_incident_model
    from plexlabor.learning.manage import put_in_force
    from plexlabor.validation.registry import ModelRegistry

    return ModelRegistry(store), put_in_force


def _where(args: argparse.Namespace, run: Callable[[argparse.Namespace], int]) -> int:
    """`run(args)`; with `--local`, in the running local runtime, as its retrain function sees it."""
    if not args.local:
        return run(args)
    from plexlabor_dev.local.environment import EnvPatch
    from plexlabor_dev.local.state import command_environment

    with EnvPatch.of(command_environment(FUNCTIONS[getattr(args, "of", None) or "scorer"])):
        return run(args)


def model_command(args: argparse.Namespace) -> int:
    """Move the registry's pointer to VERSION and record it (`promote` or `rollback`)."""
    return _where(args, _move)


def list_command(args: argparse.Namespace) -> int:
    """Print the scorer versions that can be put in force (`--json`: as JSON)."""
    return _where(args, _list)


def _percent(value: Any) -> str:
    return f"{value * 100:.1f}%" if isinstance(value, int | float) else "-"


def _metrics(metrics: dict[str, Any] | None) -> str:
    if not metrics:
        return "-"
    return f"precision {_percent(metrics.get('precision'))}, recall {_percent(metrics.get('recall'))}"


def describe_model(listed: StoredModel) -> list[str]:
    """A stored version as `model list` prints it: a heading line, then its card's window, counts and metrics."""
    marks = [mark for mark, on in (("IN FORCE", listed.in_force), ("SHADOW", listed.shadow)) if on]
    if listed.card is None:
        return [" ".join([listed.version, "packaged (ships with the code)", *marks])]
    card = listed.card
    window = card.get("training_window") or {}
    counts = card.get("counts") or {}
    train, held = counts.get("training") or {}, counts.get("holdout") or {}
    metrics = card.get("metrics") or {}
    return [
        " ".join(
            [
                listed.version,
                f"stored {card.get('created_at', '?')} (the retrain's verdict: {card.get('status', '?')})",
                *marks,
            ]
        ),
        f"  trained on decisions {window.get('from', '?')} to {window.get('to', '?')}: {train.get('decisions', 0)}"
        f" ({train.get('approved', 0)} upheld, {train.get('rejected', 0)} rejected);"
        f" held out {held.get('decisions', 0)}",
        f"  on the held-out decisions: {_metrics(metrics.get('candidate'))}"
        f" (the model in force then, {card.get('in_force_version', '?')}: {_metrics(metrics.get('in_force'))})",
    ]


def _list(args: argparse.Namespace) -> int:
    from plexlabor.audit.dynamodb import DynamoDbAuditStore
    from plexlabor.learning.manage import PACKAGED, stored_models
    from plexlabor.validation.registry import ModelRegistry

    store = _store(args)
    if store is None:
        print(NO_REGISTRY, file=sys.stderr)
        return 2
    registry = ModelRegistry(store)
    listed = stored_models(registry, DynamoDbAuditStore(audit_table_flag(args)))
    if args.json:
        rows = [{**asdict(model), "packaged": model.packaged} for model in listed]
        print(json.dumps(rows, indent=1, sort_keys=True, default=str))
        return 0
    for model in listed:
        print("\n".join(describe_model(model)))
    print(
        "\nplexlabor model promote|rollback VERSION puts a stored version in force (audited); "
        f"plexlabor model rollback {PACKAGED} puts the packaged model back"
    )
    hold = registry.promotion_hold()
    if hold:
        print(f"{held_reason(hold)}: plexlabor model promote VERSION lifts it")
    return 0


def _move(args: argparse.Namespace) -> int:
    from plexlabor.audit.dynamodb import DynamoDbAuditStore
    from plexlabor.platform.clock import utc_now

    store = _store(args)
    if store is None:
        print(NO_REGISTRY, file=sys.stderr)
        return 2
    table = audit_table_flag(args)
    rollback = args.model_command == "rollback"
    registry, put_in_force = _mover(args, store)
    held = None if getattr(args, "of", None) == INCIDENTS else registry.promotion_hold()
    try:
        pointer = put_in_force(
            registry,
            DynamoDbAuditStore(table),
            args.version,
            rollback=rollback,
            by=args.actor,
            at=utc_now(),
        )
    except ArtifactError as error:
        print(f"plexlabor: nothing changed: {error}", file=sys.stderr)
        return 1
    verb = "rolled back to" if rollback else "promoted"
    moved = pointer["version"] or f"the packaged model {pointer.get('packaged')}"
    print(f"{verb} {moved} (was {pointer['previous'] or 'the packaged model'}), by {pointer['by']}")
    if pointer.get("packaged"):
        print("this plant's cuts (not sent for review): none (the packaged model's routing)")
    elif getattr(args, "of", None) != INCIDENTS:
        cuts = registry.model(pointer["version"]).cuts
        told = "; ".join(f"{name} under {cut.minimum:g} {cut.feature}" for name, cut in sorted(cuts.items()))
        print(f"this plant's cuts (not sent for review): {told or 'none'}")
    if pointer.get("promotion_held"):
        print(
            "automatic promotion held: the weekly retrain keeps its candidates in shadow until "
            "`plexlabor model promote VERSION` (the version in force, or packaged, too) lifts it"
        )
    elif held and not rollback:
        print(f"automatic promotion resumed ({held_reason(held)} lifted)")
    return 0
