"""`plexlabor model promote|rollback VERSION [--of incidents]`: put a stored scorer (or incident) model in
force by hand (VERSION `packaged`, or the packaged model's version: back to the packaged model);
`plexlabor model list [--of incidents]`: the versions that can be (`plexlabor.learning.manage`, one code for both
lines: `platform.modelregistry.ModelLine`).

The registry is the artifacts bucket's `models/scorer/` (`--of incidents`: `models/incidents/`,
`plexlabor.incidents.registry`) (`ARTIFACTS_BUCKET_NAME`, or `--bucket`) or a folder standing for that
prefix (`--artifacts-dir`, as `PLEXLABOR_ARTIFACTS_DIR/models/scorer`); the
audit table is `--audit-table` or `AUDIT_TABLE_NAME` (`--endpoint-url` for a moto server; `--local` takes
all of them from the running `plexlabor local up`, as the line's retrain function sees them).
Each move records a `model` audit event (`promoted` or `rolled_back`, under `models:scorer` or
`models:incidents`); a rollback holds the line's automatic promotion until a promote of the line lifts it; a
scorer move prints the plant's cuts the model now in force brings (`plexlabor.learning.cuts`).
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
from plexlabor.validation.registry import SCORER_PREFIX, ModelRegistry
from plexlabor_dev.commands import audit_table_flag

if TYPE_CHECKING:
    from plexlabor.learning.manage import StoredModel
    from plexlabor.platform.modelregistry import ModelLine

INCIDENTS = "incidents"
FUNCTIONS = {"scorer": "scorer_retrain", INCIDENTS: "incident_retrain"}
"""Whose registry each `--of` moves, as that function sees it (`--local`)."""
NO_REGISTRY = (
    "plexlabor: error: no --artifacts-dir or --bucket (or ARTIFACTS_BUCKET_NAME); --local for the local runtime's"
)
PACKAGED_NOTE = "packaged (ships with the code)"
NOTHING_STORED = {
    "scorer": "scorer_retrain stores one each week once supervisors have decided enough findings",
    INCIDENTS: "incident_retrain stores one each week once the EHS lead has coded or corrected enough incidents"
    " (its last run is on the KPI page)",
}
"""What `model list` says of a line that has stored no version yet."""


def _prefix(args: argparse.Namespace) -> str:
    from plexlabor.incidents.registry import PREFIX

    return PREFIX if _of(args) == INCIDENTS else SCORER_PREFIX


def _store(args: argparse.Namespace) -> ArtifactStore | None:
    prefix = _prefix(args)
    if args.artifacts_dir:
        return LocalFolderArtifactStore(Path(args.artifacts_dir) / prefix.rstrip("/"))
    bucket = args.bucket or os.environ.get(env.ARTIFACTS_BUCKET_NAME)
    if bucket:
        from plexlabor.platform.s3artifacts import S3ArtifactStore

        return S3ArtifactStore(bucket, prefix)
    return None


def _line(args: argparse.Namespace, store: ArtifactStore) -> ModelLine:
    """The model line of `--of` over `store`."""
    if _of(args) == INCIDENTS:
        from plexlabor.incidents.registry import IncidentModels, line
        from plexlabor.incidents.wiring import packaged_version

        return line(IncidentModels(store), packaged_version())
    from plexlabor.learning.manage import scorer_line

    return scorer_line(ModelRegistry(store))


def _of(args: argparse.Namespace) -> str:
    return str(getattr(args, "of", None) or "scorer")


def _where(args: argparse.Namespace, run: Callable[[argparse.Namespace], int]) -> int:
    """`run(args)`; with `--local`, in the running local runtime, as its retrain function sees it."""
    if not args.local:
        return run(args)
    from plexlabor_dev.local.environment import EnvPatch
    from plexlabor_dev.local.state import command_environment

    with EnvPatch.of(command_environment(FUNCTIONS[_of(args)])):
        return run(args)


def model_command(args: argparse.Namespace) -> int:
    """Move the registry's pointer to VERSION and record it (`promote` or `rollback`)."""
    return _where(args, _move)


def list_command(args: argparse.Namespace) -> int:
    """Print the versions of `--of` that can be put in force (`--json`: as JSON)."""
    return _where(args, _list)


def _percent(value: Any) -> str:
    return f"{value * 100:.1f}%" if isinstance(value, int | float) else "-"


def _metrics(metrics: dict[str, Any] | None) -> str:
    if not metrics:
        return "-"
    return f"precision {_percent(metrics.get('precision'))}, recall {_percent(metrics.get('recall'))}"


def _heading(listed: StoredModel, stored: str) -> str:
    marks = [mark for mark, on in (("IN FORCE", listed.in_force), ("SHADOW", listed.shadow)) if on]
    return " ".join([listed.version, stored, *marks])


def describe_model(listed: StoredModel) -> list[str]:
    """A stored scorer version as `model list` prints it: a heading line, then its card's window, counts and
    metrics."""
    if listed.card is None:
        return [_heading(listed, PACKAGED_NOTE)]
    card = listed.card
    window = card.get("training_window") or {}
    counts = card.get("counts") or {}
    train, held = counts.get("training") or {}, counts.get("holdout") or {}
    metrics = card.get("metrics") or {}
    return [
        _heading(listed, f"stored {card.get('created_at', '?')} (the retrain's verdict: {card.get('status', '?')})"),
        f"  trained on decisions {window.get('from', '?')} to {window.get('to', '?')}: {train.get('decisions', 0)}"
        f" ({train.get('approved', 0)} upheld, {train.get('rejected', 0)} rejected);"
        f" held out {held.get('decisions', 0)}",
        f"  on the held-out decisions: {_metrics(metrics.get('candidate'))}"
        f" (the model in force then, {card.get('in_force_version', '?')}: {_metrics(metrics.get('in_force'))})",
    ]


def _accuracies(figures: dict[str, Any] | None) -> str:
    if not figures:
        return "-"
    return (
        f"event division {_percent(figures.get('event_division_accuracy'))}, auto-coded"
        f" {_percent(figures.get('auto_coded_share'))} at {_percent(figures.get('auto_coded_accuracy'))} accuracy"
    )


def describe_incident_model(listed: StoredModel) -> list[str]:
    """A stored incident model as `model list --of incidents` prints it: a heading line, then its card's counts and
    figures on the held-out corrections (`incidents.retrain`)."""
    if listed.card is None:
        return [_heading(listed, PACKAGED_NOTE)]
    card = listed.card
    in_force = card.get("in_force") or {}
    return [
        _heading(listed, f"stored {card.get('trained_at', '?')} (the retrain's verdict: {card.get('verdict', '?')})"),
        f"  trained on {card.get('base_reports', 0)} base reports and {card.get('corrections_trained', 0)}"
        f" corrections; held out {card.get('held_out', 0)} (from {card.get('held_out_from', '?')})",
        f"  on the held-out corrections: {_accuracies(card.get('candidate'))}"
        f" (the model in force then, {in_force.get('version') or '?'}: {_accuracies(in_force.get('figures'))})",
    ]


def _list(args: argparse.Namespace) -> int:
    from plexlabor.audit.dynamodb import DynamoDbAuditStore
    from plexlabor.learning.manage import PACKAGED, stored_models

    store = _store(args)
    if store is None:
        print(NO_REGISTRY, file=sys.stderr)
        return 2
    line = _line(args, store)
    listed = stored_models(line, DynamoDbAuditStore(audit_table_flag(args)))
    if args.json:
        rows = [{**asdict(model), "packaged": model.packaged} for model in listed]
        print(json.dumps(rows, indent=1, sort_keys=True, default=str))
        return 0
    describe = describe_incident_model if line.of == INCIDENTS else describe_model
    for model in listed:
        print("\n".join(describe(model)))
    of = line.flag
    if line.packaged is None:
        print(f"no {line.what} is packaged with the code (`make incidents-model` builds one)")
    if not any(not model.packaged for model in listed):
        print(f"no {line.what} is stored yet in {_where_stored(args)}: {NOTHING_STORED[_of(args)]}")
    print(
        f"\nplexlabor model promote|rollback VERSION{of} puts a stored version in force (audited)"
        + (f"; plexlabor model rollback {PACKAGED}{of} puts the packaged model back" if line.packaged else "")
    )
    hold = line.registry.promotion_hold()
    if hold:
        print(f"{held_reason(hold)}: plexlabor model promote VERSION{of} lifts it")
    return 0


def _where_stored(args: argparse.Namespace) -> str:
    if args.artifacts_dir:
        return str(Path(args.artifacts_dir) / _prefix(args))
    return f"s3://{args.bucket or os.environ.get(env.ARTIFACTS_BUCKET_NAME)}/{_prefix(args)}"


def _cuts(registry: ModelRegistry, pointer: dict[str, Any]) -> str:
    if pointer.get("packaged"):
        return "none (the packaged model's routing)"
    model = registry.model(pointer["version"])
    cuts = sorted(model.cuts.items()) if model else []
    return "; ".join(f"{name} under {cut.minimum:g} {cut.feature}" for name, cut in cuts) or "none"


def _move(args: argparse.Namespace) -> int:
    from plexlabor.audit.dynamodb import DynamoDbAuditStore
    from plexlabor.learning.manage import UnknownVersionError, put_in_force
    from plexlabor.platform.clock import utc_now

    store = _store(args)
    if store is None:
        print(NO_REGISTRY, file=sys.stderr)
        return 2
    table = audit_table_flag(args)
    rollback = args.model_command == "rollback"
    line = _line(args, store)
    held = line.registry.promotion_hold()
    try:
        pointer = put_in_force(
            line,
            DynamoDbAuditStore(table),
            args.version,
            rollback=rollback,
            by=args.actor,
            at=utc_now(),
        )
    except ArtifactError as error:  # a version not stored is the user's error (exit 2, ux_s17 L12); in force: 1
        print(f"plexlabor: nothing changed: {error}", file=sys.stderr)
        return 2 if isinstance(error, UnknownVersionError) else 1
    verb = "rolled back to" if rollback else "promoted"
    moved = pointer["version"] or f"the packaged model {pointer.get('packaged')}"
    print(f"{verb} {moved} (was {pointer['previous'] or 'the packaged model'}), by {pointer['by']}")
    registry = line.registry
    if isinstance(registry, ModelRegistry):  # the scorer's: the plant's cuts the model in force brings
        print(f"this plant's cuts (not sent for review): {_cuts(registry, pointer)}")
    of = line.flag
    if pointer.get("promotion_held"):
        print(
            "automatic promotion held: the weekly retrain keeps its candidates in shadow until "
            f"`plexlabor model promote VERSION{of}` (the version in force, or packaged, too) lifts it"
        )
    elif held and not rollback:
        print(f"automatic promotion resumed ({held_reason(held)} lifted)")
    return 0
