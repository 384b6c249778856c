"""Typed errors of the incidents package."""

from __future__ import annotations


class IncidentError(Exception):
    """Base of the incident errors."""


class IncidentDataError(IncidentError, ValueError):
    """A reports file the classifier cannot use; the message names the file, the line and the column."""

    def __init__(self, path: str, problem: str, line: int | None = None, column: str | None = None) -> None:
        self.path, self.problem, self.line, self.column = path, problem, line, column
        where = path if line is None else f"{path}, line {line}"
        if column:
            where += f", column '{column}'"
        super().__init__(f"{where}: {problem}")


class IncidentModelError(IncidentError, ValueError):
    """A model file that is not an incident model this code can use; the message names the file."""
