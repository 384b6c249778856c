"""`Lifecycle`: start and stop on one `ExitStack`, for what the local runtime starts.

A subclass opens everything in `_open(stack)`, registering how to undo each step on the stack;
`stop()` undoes them in reverse order, and a `start()` that fails undoes what it had done.
"""

from __future__ import annotations

import contextlib
from typing import Self


class Lifecycle:
    """`start()` / `stop()`, and a context manager that does both."""

    _exit_stack: contextlib.ExitStack | None = None

    @property
    def started(self) -> bool:
        return self._exit_stack is not None

    def _open(self, stack: contextlib.ExitStack) -> None:
        raise NotImplementedError

    def start(self) -> Self:
        stack = contextlib.ExitStack()
        try:
            self._open(stack)
        except BaseException:
            stack.close()
            raise
        self._exit_stack = stack
        return self

    def stop(self) -> None:
        stack, self._exit_stack = self._exit_stack, None
        if stack is not None:
            stack.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
