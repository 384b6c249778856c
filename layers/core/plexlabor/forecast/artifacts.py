"""The artifact store port: where the nightly job keeps model artifacts and forecast files.

Keys (under `models/forecast/`, the prefix the function may write):
- `<version>/model.pkl` (only when a model was trained), `<version>/forecasts.jsonl`,
  `<version>/alerts.jsonl`, `<version>/overtime.jsonl`;
- `latest.json`: the pointer to the newest run (version, sha256 of the model, counts), written last.

Implementations: `LocalFolderArtifactStore` (a folder; tests, the CLI, the local runtime) and
`S3ArtifactStore` (`plexlabor.forecast.s3`, the only module here that imports boto3). One contract
test runs against both.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from plexlabor.forecast.errors import ArtifactError

PREFIX = "models/forecast/"
LATEST = "latest.json"


def run_key(version: str, name: str) -> str:
    if "/" in version or not version:
        raise ArtifactError(f"bad artifact version {version!r}")
    return f"{version}/{name}"


@runtime_checkable
class ArtifactStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        """Store `data` under `key` (relative to the store's prefix), replacing what was there."""
        ...

    def get(self, key: str) -> bytes | None:
        """The bytes under `key`, or None when nothing is stored there."""
        ...


def check_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise ArtifactError(f"bad artifact key {key!r}")
    return key


class LocalFolderArtifactStore:
    """The fake: files under a folder (the folder plays the role of the bucket prefix)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        path = self.root / check_key(key)
        with self._lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(path.name + ".part")
            temporary.write_bytes(data)
            temporary.replace(path)

    def get(self, key: str) -> bytes | None:
        path = self.root / check_key(key)
        return path.read_bytes() if path.is_file() else None


class InMemoryArtifactStore:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self.objects[check_key(key)] = bytes(data)

    def get(self, key: str) -> bytes | None:
        return self.objects.get(check_key(key))


def read_latest(store: ArtifactStore) -> dict[str, Any] | None:
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
