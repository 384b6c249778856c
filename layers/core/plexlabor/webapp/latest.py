"""The newest artifact a scheduled function stored (a skills report, a forecast run), kept between
requests: the pointer is read at most every `ttl_s` seconds (every request while there is none), the
artifact again only when the pointer changes. A pointer or artifact that cannot be read keeps the one
already held, shown with the problem (`Loaded.problem`); with none held the page says what is missing.
Thread-safe: one warm container serves requests side by side.
"""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from plexlabor.platform.artifacts import ArtifactError, ArtifactStore, ReportPointer, read_pointer

logger = logging.getLogger(__name__)

POINTER_TTL_S = 30.0
"""How long a warm container trusts the pointer it read."""


class Indexed(Protocol):
    """What an artifact is kept as: built from, and compared by, the pointer that named it."""

    @property
    def pointer(self) -> Any: ...


IndexT = TypeVar("IndexT", bound=Indexed)
PointerT = TypeVar("PointerT")


@dataclass(frozen=True)
class Loaded(Generic[IndexT]):
    """What `Latest.current` found: the artifact (None: none yet) and a problem reading it, if any."""

    index: IndexT | None
    problem: str | None = None


class Latest(ABC, Generic[PointerT, IndexT]):
    """The newest artifact of one store (see the module docstring)."""

    what = "artifact"
    """What the log calls it when it cannot be read."""

    def __init__(
        self, store: ArtifactStore, *, ttl_s: float = POINTER_TTL_S, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.store = store
        self._ttl_s = ttl_s
        self._monotonic = monotonic
        self._index: IndexT | None = None
        self._checked_at: float | None = None
        self._lock = threading.Lock()

    @abstractmethod
    def read_pointer(self) -> PointerT | None:
        """The pointer to the newest artifact, or None when there is none yet."""

    @abstractmethod
    def read(self, pointer: PointerT) -> IndexT:
        """The artifact `pointer` names, as kept between requests."""

    def current(self) -> Loaded[IndexT]:
        with self._lock:
            now = self._monotonic()
            fresh = self._checked_at is not None and now - self._checked_at < self._ttl_s
            if self._index is not None and fresh:
                return Loaded(self._index)
            try:
                pointer = self.read_pointer()
                if pointer is not None and (self._index is None or pointer != self._index.pointer):
                    self._index = self.read(pointer)
            except (ArtifactError, KeyError, ValueError) as error:
                logger.warning(f"{self.what} unreadable", extra={"error": str(error)})
                return Loaded(self._index, str(error))
            self._checked_at = now
            return Loaded(self._index)


class LatestReport(Latest[ReportPointer, IndexT]):
    """The newest report a scheduled function points at with `latest.json` (`platform.artifacts.ReportPointer`)."""

    def read_pointer(self) -> ReportPointer | None:
        return read_pointer(self.store, self.what)
