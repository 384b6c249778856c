"""Seeded fault injection and the simulator's rolling-minute rate limit."""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FaultAction = Literal["429", "500", "503", "drop", "truncate", "none"]
"""`truncate`: the real answer's status and headers, its JSON body cut in half (a proxy or a
connection that lost the rest; Content-Length says the cut length, so the client reads it whole)."""


class FaultConfig(BaseModel):
    """What to break. Shares are drawn from one seeded RNG, one draw per call, in arrival order;
    `next` is a queue of forced outcomes used before any share (deterministic whatever the seed)."""

    model_config = ConfigDict(extra="forbid")

    latency_ms: int = Field(default=0, ge=0)
    rate_429: float = Field(default=0.0, ge=0, le=1)
    rate_500: float = Field(default=0.0, ge=0, le=1)
    rate_drop: float = Field(default=0.0, ge=0, le=1)
    rate_truncate: float = Field(default=0.0, ge=0, le=1)
    retry_after_s: int = Field(default=1, ge=0, description="Retry-After sent with an injected 429/503")
    seed: int = 1
    next: list[FaultAction] = Field(default_factory=list)
    paths: list[str] = Field(default_factory=list, description="only paths with these prefixes; [] = all")


class FaultInjector:
    def __init__(self, config: FaultConfig | None = None) -> None:
        self._lock = threading.Lock()
        self.configure(config or FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        with self._lock:
            self.config = config
            self._pending: deque[FaultAction] = deque(config.next)
            self._random = random.Random(config.seed)

    def update(self, changes: dict[str, Any]) -> FaultConfig:
        """Apply a partial change (the JSON of `POST /_sim/faults`); `{"reset": true}` clears all."""
        changes = dict(changes)
        base = FaultConfig() if changes.pop("reset", False) else self.config
        merged = FaultConfig.model_validate({**base.model_dump(), **changes})
        self.configure(merged)
        return merged

    def decide(self, path: str) -> tuple[float, FaultAction]:
        """(latency in seconds, outcome) for one call."""
        with self._lock:
            config = self.config
            if config.paths and not any(path.startswith(prefix) for prefix in config.paths):
                return 0.0, "none"
            latency = config.latency_ms / 1000.0
            if self._pending:
                return latency, self._pending.popleft()
            if not (config.rate_drop or config.rate_429 or config.rate_500 or config.rate_truncate):
                return latency, "none"
            draw = self._random.random()
        shares: list[tuple[float, FaultAction]] = [
            (config.rate_drop, "drop"),
            (config.rate_429, "429"),
            (config.rate_500, "500"),
            (config.rate_truncate, "truncate"),
        ]
        for share, action in shares:
            if draw < share:
                return latency, action
            draw -= share
        return latency, "none"


class RollingRateLimit:
    """At most `limit` accepted calls in any `window_s` seconds (0 = unlimited)."""

    def __init__(self, limit: int, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window_s, self._clock = limit, window_s, clock
        self._calls: deque[float] = deque()
        self._lock = threading.Lock()

    def check(self) -> int | None:
        """Count a call and return None, or return the Retry-After seconds if it is over the limit."""
        if self.limit <= 0:
            return None
        with self._lock:
            now = self._clock()
            while self._calls and self._calls[0] <= now - self.window_s:
                self._calls.popleft()
            if len(self._calls) >= self.limit:
                return max(1, math.ceil(self._calls[0] + self.window_s - now))
            self._calls.append(now)
            return None

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
