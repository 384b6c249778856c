"""A heartbeat for long commands: every few seconds, one line on stderr saying what the command is doing.

    with Progress("validate", quiet=args.quiet):
        step("reading the plant")      # any code below the command may call step(); a no-op outside
        ...

Nothing is printed for a run shorter than `INTERVAL_S`; lines stop after `MAX_LINES` (a bound, not a
limit on the run). The command line wraps the long commands in one (`Command.progress`, `--quiet`).
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import IO

INTERVAL_S = 5.0
"""Seconds between two lines (and before the first)."""
MAX_LINES = 720
"""At most this many lines per run (an hour at the default interval); the run itself goes on."""

_active: Progress | None = None


def step(what: str) -> None:
    """Say what the running command does now (shown in its next progress line); a no-op outside one."""
    if _active is not None:
        _active.what = what


class Progress:
    """Prints `<command>: <what> (<seconds> s)` to `stream` every `interval_s` until the block ends."""

    def __init__(
        self,
        command: str,
        *,
        quiet: bool = False,
        interval_s: float | None = None,
        max_lines: int = MAX_LINES,
        stream: IO[str] | None = None,
    ) -> None:
        self.command, self.quiet, self.max_lines = command, quiet, max_lines
        self.interval_s = INTERVAL_S if interval_s is None else interval_s
        self.stream = stream
        self.what = "starting"
        self.lines = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = 0.0

    def __enter__(self) -> Progress:
        global _active
        self._started = time.monotonic()
        _active = self
        if not self.quiet:
            self._thread = threading.Thread(target=self._run, name=f"progress-{self.command}", daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        global _active
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2 * self.interval_s + 1)
        if _active is self:
            _active = None

    def _run(self) -> None:
        while self.lines < self.max_lines and not self._stop.wait(self.interval_s):
            seconds = time.monotonic() - self._started
            stream = self.stream if self.stream is not None else sys.stderr
            print(f"{self.command}: {self.what} ({seconds:.0f} s)", file=stream, flush=True)
            self.lines += 1
