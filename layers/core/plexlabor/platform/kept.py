"""A value read from Plex and kept for a while, for a form's or an API's checks (the copilot's and the
incident form's jobs; `incidents.service.KeptPlantChoices`, the incident form's workcenters and shifts).

Read on first use, again once `keep_s` old; a read that fails (Plex slow or down) keeps the
last value (none at first) and is tried again after `rest_s`; `fresh(min_age_s)` reads again now when
the last try is at least that old (a value typed that the kept read does not hold may be new in Plex),
so Plex is asked at most once per `min_age_s` however many requests name something unknown.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from plexlabor.platform.observability import logger

T = TypeVar("T")


@dataclass
class Kept(Generic[T]):
    read: Callable[[], T]
    what: str
    """What is read, for the warning a failed read logs."""
    keep_s: float = 3600.0
    rest_s: float = 300.0
    clock: Callable[[], float] = time.monotonic
    last: T | None = None
    tried_at: float | None = None
    failed: bool = False

    def __call__(self) -> T | None:
        """The value kept (read again when due), or None when it has never been read."""
        wait = self.rest_s if self.failed or self.last is None else self.keep_s
        return self.fresh(wait)

    def fresh(self, min_age_s: float) -> T | None:
        """The value read again now when the last try is at least `min_age_s` old, else the one kept."""
        if self.tried_at is None or self.clock() - self.tried_at >= min_age_s:
            self.tried_at = self.clock()
            try:
                self.last, self.failed = self.read(), False
            except Exception as error:  # Plex slow or down: what was read before, else nothing yet
                self.failed = True
                logger.warning(f"{self.what} not read", extra={"reason": str(error)})
        return self.last
