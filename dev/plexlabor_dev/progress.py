"""Progress for long commands: in a terminal, a live line on stderr (spinner, the current step, elapsed
time; rich's progress display), gone when the command ends; nothing when stderr is not a terminal.

    with Progress("validate", quiet=args.quiet):
        step("reading the plant")      # any code below the command may call step(); a no-op outside
        ...

The command line wraps the long commands in one (`Command.progress`, `--quiet`). `TTY_COMPATIBLE=1`
(rich's switch) shows it where rich cannot tell that stderr is a terminal.
"""

from __future__ import annotations

from types import TracebackType
from typing import IO

from rich.console import Console
from rich.progress import Progress as RichProgress
from rich.progress import SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

_active: Progress | None = None


def step(what: str) -> None:
    """Say what the running command does now (its live line); a no-op outside a command."""
    if _active is not None:
        _active.step(what)


class Progress:
    """Shows `<command>: <what>` with a spinner and the elapsed time while the block runs."""

    def __init__(
        self, command: str, *, quiet: bool = False, stream: IO[str] | None = None, terminal: bool | None = None
    ) -> None:
        self.command = command
        self.steps: list[str] = []
        console = Console(stderr=stream is None, file=stream, force_terminal=terminal, force_interactive=terminal)
        self.shown = not quiet and console.is_interactive
        self._display = RichProgress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not self.shown,
            # sys.stdout/stderr stay the process's own: a logger first made while the line is shown
            # (Powertools binds sys.stdout) would otherwise keep rich's proxy after the command ends
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._task: TaskID | None = None

    def step(self, what: str) -> None:
        self.steps.append(what)
        description = f"{self.command}: {what}"
        if self._task is None:
            self._task = self._display.add_task(description, total=None)
        else:
            self._display.update(self._task, description=description)

    def __enter__(self) -> Progress:
        global _active
        _active = self
        self._display.start()
        self.step("starting")
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        global _active
        self._display.stop()
        if _active is self:
            _active = None
