"""Typed errors of the intake package; handlers map them to HTTP status or to a failed record."""

from __future__ import annotations


class IntakeError(Exception):
    """Base of the intake package's errors."""


class EnqueueError(IntakeError):
    """Some records could not be put on the punch queue; the caller must not report them accepted."""

    def __init__(self, failed: list[str], reason: str) -> None:
        self.failed = failed
        super().__init__(f"{len(failed)} record(s) not enqueued: {reason}")


class MalformedBodyError(IntakeError):
    """A signed webhook body that cannot be read as a JSON document (not UTF-8, nested too deep, not
    JSON, another content type); the message says which, for the sender."""


class NoSupervisorError(IntakeError):
    """A finding needs a supervisor's approval but neither the employee nor the configuration names one."""

    def __init__(self, employee_id: str | None) -> None:
        self.employee_id = employee_id
        super().__init__(
            f"no supervisor for employee {employee_id or '(none)'} and no DEFAULT_SUPERVISOR_ID configured"
        )


class ContextUnavailableError(IntakeError):
    """The plant data around a batch could not be read (Plex down, say); every record of the batch fails."""
