"""Where forecast_nightly's runs live in the artifacts bucket, and how a reader finds the newest one.

The store is the shared port (`plexlabor.platform.artifacts.ArtifactStore`: in-memory, folder, S3),
rooted at `models/forecast/` (the prefix forecast_nightly may write and web_app read). Keys:
- `<version>/model.pkl` (only when a model was trained), `<version>/forecasts.jsonl`,
  `<version>/alerts.jsonl`, `<version>/overtime.jsonl`;
- `latest.json`: the pointer to the newest run (version, sha256 of the model and of each file,
  counts), written last, so a reader never sees a pointer to a half-written run.
"""

from __future__ import annotations

import json
from typing import Any

from plexlabor.platform.artifacts import LATEST, ArtifactError, ArtifactStore, read_pointed

PREFIX = "models/forecast/"
"""Where forecast runs live in the artifacts bucket (infra grants it by this prefix)."""
FILES = ("forecasts.jsonl", "alerts.jsonl", "overtime.jsonl")
"""A run's record files, one JSON object a line (`forecast.records`)."""


def run_key(version: str, name: str) -> str:
    if "/" in version or not version:
        raise ArtifactError(f"bad artifact version {version!r}")
    return f"{version}/{name}"


def read_latest(store: ArtifactStore) -> dict[str, Any] | None:
    """The newest run's pointer, or None when no run was stored yet."""
    raw = store.get(LATEST)
    if raw is None:
        return None
    try:
        pointer = json.loads(raw)
    except json.JSONDecodeError:
        raise ArtifactError(f"{LATEST} is not JSON") from None
    if not isinstance(pointer, dict) or "version" not in pointer:
        raise ArtifactError(f"{LATEST} has no version")
    return pointer


def read_run_file(store: ArtifactStore, pointer: dict[str, Any], name: str) -> bytes:
    """One record file of the run a pointer names, checked against the pointer's sha256 when it has one
    (runs stored before the file hashes were recorded have none)."""
    key = run_key(str(pointer["version"]), name)
    return read_pointed(store, key, (pointer.get("file_sha256") or {}).get(key))
