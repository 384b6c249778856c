"""`plexlabor model promote|rollback VERSION [--of incidents]`: put a stored scorer (or incident) model in
force by hand.

The registry is the artifacts bucket's `models/scorer/` (`--of incidents`: `models/incidents/`,
`plexlabor.incidents.registry`) (`ARTIFACTS_BUCKET_NAME`, or `--bucket`) or a folder standing for that
prefix (`--artifacts-dir`, as `PLEXLABOR_ARTIFACTS_DIR/models/scorer`); the
audit table is `--audit-table` or `AUDIT_TABLE_NAME` (`--endpoint-url` for a moto server; `--local` takes
all of them from the running `plexlabor local up`).
Each move records a `model` audit event (`promoted` or `rolled_back`, `plexlabor.learning.manage`;
for incidents under `models:incidents`); a scorer move prints the plant's cuts the model now in force brings
(`plexlabor.learning.cuts`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from plexlabor.platform import env
from plexlabor.platform.artifacts import ArtifactError, ArtifactStore, LocalFolderArtifactStore
from plexlabor.validation.registry import SCORER_PREFIX
from plexlabor_dev.commands import audit_table_flag

INCIDENTS = "incidents"
FUNCTIONS = {"scorer": "scorer_retrain", INCIDENTS: "incident_retrain"}
"""Whose registry each `--of` moves, as that function sees it (`--local`)."""


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


def model_command(args: argparse.Namespace) -> int:
    """Move the registry's pointer to VERSION and record it (`promote` or `rollback`); with `--local`, in
    the running local runtime, as its scorer_retrain function sees it."""
    if not args.local:
        return _move(args)
    from plexlabor_dev.local.environment import EnvPatch
    from plexlabor_dev.local.state import command_environment

    with EnvPatch.of(command_environment(FUNCTIONS[getattr(args, "of", None) or "scorer"])):
        return _move(args)


def _move(args: argparse.Namespace) -> int:
    from plexlabor.audit.dynamodb import DynamoDbAuditStore
    from plexlabor.platform.clock import utc_now

    store = _store(args)
    if store is None:
        print("plexlabor: error: no --artifacts-dir or --bucket (or ARTIFACTS_BUCKET_NAME)", file=sys.stderr)
        return 2
    table = audit_table_flag(args)
    rollback = args.model_command == "rollback"
    registry, put_in_force = _mover(args, store)
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
    print(f"{verb} {pointer['version']} (was {pointer['previous'] or 'the packaged model'}), by {pointer['by']}")
    if getattr(args, "of", None) != INCIDENTS:
        cuts = registry.model(pointer["version"]).cuts
        told = "; ".join(f"{name} under {cut.minimum:g} {cut.feature}" for name, cut in sorted(cuts.items()))
        print(f"this plant's cuts (not sent for review): {told or 'none'}")
    return 0
