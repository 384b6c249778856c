"""The norms store port: the nightly job saves norms, the real-time path loads the latest.

Norms are stored as the JSON of `Norms.to_json()`. The S3 adapter (`plexlabor.intake.aws`) writes
`norms/<version>.json` (kept, so a finding's model version can be traced to its norms) and then
`norms/latest.json` (what the validator reads). A backfill saves its norms under their version only
and its shards read that version (`plexlabor.intake.backfill`), so the live validator keeps the
nightly's norms and a nightly run in the middle of a backfill does not stop it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from plexlabor.validation.norms import Norms

NORMS_PREFIX = "norms/"
LATEST_KEY = f"{NORMS_PREFIX}latest.json"


def version_key(version: str) -> str:
    return f"{NORMS_PREFIX}{version}.json"


@runtime_checkable
class NormsStore(Protocol):
    def latest(self) -> Norms | None:
        """The most recently saved norms, or None if none were ever saved."""
        ...

    def version(self, version: str) -> Norms | None:
        """The norms saved under `version`, or None if none were."""
        ...

    def save(self, norms: Norms, *, latest: bool = True) -> str:
        """Save `norms` under its version and, when `latest`, as the latest; return where its version went."""
        ...


class InMemoryNormsStore:
    def __init__(self, norms: Norms | None = None) -> None:
        self.saved: dict[str, dict] = {}
        self._latest: dict | None = None
        self._lock = threading.Lock()
        if norms is not None:
            self.save(norms)

    def latest(self) -> Norms | None:
        with self._lock:
            return None if self._latest is None else Norms.from_json(self._latest)

    def version(self, version: str) -> Norms | None:
        with self._lock:
            data = self.saved.get(version_key(version))
        return None if data is None else Norms.from_json(data)

    def save(self, norms: Norms, *, latest: bool = True) -> str:
        data = norms.to_json()
        key = version_key(norms.version)
        with self._lock:
            self.saved[key] = data
            if latest:
                self._latest = data
        return key


class CachedNorms:
    """Keeps the latest norms for `max_age_s` (a warm Lambda does not re-read S3 every batch).
    Absent norms are not cached: the first batch after the nightly job picks them up."""

    def __init__(
        self, store: NormsStore, max_age_s: float = 600.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.store, self.max_age_s, self._clock = store, max_age_s, clock
        self._norms: Norms | None = None
        self._loaded_at = float("-inf")

    def latest(self) -> Norms | None:
        now = self._clock()
        if self._norms is None or now - self._loaded_at > self.max_age_s:
            self._norms = self.store.latest()
            self._loaded_at = now
        return self._norms
