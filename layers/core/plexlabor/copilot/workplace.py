"""Where an operator asks from: the departments of their job's operation, read from Plex (the job's operations,
their workcenters, the workcenters' departments), so that the copilot looks at that department's procedures
before the plant's and answers from another department's only a question that names its machine
(`answers.Where`; ux164 #6: "what gloves do I need" asked at a quality seat got the paint booth's colour change).

The operation is the one typed when it is one of the job's (its number or code, "30"), else the job's
operations in process, else all of them. Plex's jobs and workcenters are read once and kept
(`platform.kept.Kept`, hourly); a job's operations are read when it is asked from (their status changes).
When Plex cannot tell (the job or its workcenter unknown, Plex slow or down) no department is known and the
plant's procedures answer as before; nothing is refused for it. An operation typed that the job's operations, once
read, do not have is refused (`UnknownOperationError`, a 400 naming the field: ux_s14 #4, "abc" and "99" were
logged to the job's Plex record); while they cannot be read it is taken as typed, as the job is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from plexlabor.models.organization import Workcenter
from plexlabor.models.production import Job, JobOperation
from plexlabor.platform.kept import Kept
from plexlabor.platform.observability import logger


class UnknownOperationError(ValueError):
    """An operation typed that the job's operations in Plex do not have."""

    def __init__(self, job: str, operation: str, operations: Iterable[JobOperation]) -> None:
        numbers = sorted({op.operation_no for op in operations})
        known = ", ".join(map(str, numbers))
        super().__init__(f"job {job} has no operation {operation} in Plex: its operations are {known}")


@dataclass(frozen=True)
class Routing:
    """What the departments of a job's operation are looked up in."""

    jobs: dict[str, str]
    """Each job's id by its number and its id, case-folded (as `plex.jobs.job_spellings` spells them)."""
    departments: dict[str, str]
    """Each workcenter's department code by its id."""


def routing(jobs: Iterable[Job], workcenters: Iterable[Workcenter]) -> Routing:
    return Routing(
        {name.casefold(): job.id for job in jobs for name in (job.job_no, job.id)},
        {w.workcenter_id: w.department_code for w in workcenters if w.department_code},
    )


def typed_operations(operations: list[JobOperation], typed: str | None) -> list[JobOperation]:
    """The job's operations the operation typed names (by its number or code); none when none is typed."""
    return [
        op
        for op in operations
        if typed is not None and typed.strip().casefold() in (str(op.operation_no), op.operation_code.casefold())
    ]


def operation_departments(routing: Routing, operations: list[JobOperation], typed: str | None) -> tuple[str, ...]:
    """The departments of the operation typed (by its number or code), else of those in process, else of all."""
    chosen = typed_operations(operations, typed)
    chosen = chosen or [op for op in operations if op.status == "InProcess"] or operations
    found = (routing.departments.get(op.workcenter_id) for op in chosen)
    return tuple(dict.fromkeys(department for department in found if department))


@dataclass
class Workplaces:
    """The departments a job is asked from, read from Plex."""

    routing: Kept[Routing]
    operations: Callable[[str], list[JobOperation]]
    """A job's operations by its id (one read of Plex, with the limits of a read a person waits on)."""

    def departments(self, job: str, operation: str | None) -> tuple[str, ...]:
        """The departments of `job`'s operation (`operation_departments`); none when Plex cannot tell.
        UnknownOperationError when the job's operations, read, do not have the operation typed."""
        known = self.routing()
        job_id = known.jobs.get(job.casefold()) if known is not None else None
        if known is None or job_id is None or self.routing.failed:
            return ()
        try:
            operations = self.operations(job_id)
        except Exception as error:  # Plex slow or down: the plant's procedures, as without a job
            logger.warning("the job's operations not read: no department", extra={"job": job, "reason": str(error)})
            return ()
        if operation and operations and not typed_operations(operations, operation):
            raise UnknownOperationError(job, operation, operations)
        return operation_departments(known, operations, operation)
