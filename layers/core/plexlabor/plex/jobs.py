"""The plant's jobs as Plex last gave them, for checking a job someone typed (the copilot's question, the
incident form): one reader, kept by `platform.kept.Kept`, so both refuse the same unknown job the same way."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from plexlabor.models.production import Job
from plexlabor.platform.kept import Kept
from plexlabor.platform.observability import logger

NEW_JOB_S = 60.0
"""A job typed that the kept read of Plex's jobs does not hold is looked for again at most this often
(it may have been released since); otherwise the jobs are read again hourly (`platform.kept.Kept`)."""


class UnknownJobError(ValueError):
    """A job typed that Plex does not have."""

    def __init__(self, job: str) -> None:
        super().__init__(f"no job {job} in Plex: check the job number")
        self.job = job


def job_spellings(jobs: Iterable[Job]) -> dict[str, str]:
    """Each job's number and id, by their case-folded form (an operator may type "j101058")."""
    return {name.casefold(): name for job in jobs for name in (job.job_no, job.id)}


@dataclass(frozen=True)
class JobCheck:
    """A job typed, as Plex spells it when checked; as typed when Plex's jobs could not be read."""

    job: str
    checked: bool


@dataclass
class PlexJobs:
    """The plant's jobs as Plex last gave them (`job_spellings`, kept by `platform.kept.Kept`)."""

    kept: Kept[dict[str, str]]

    def check(self, typed: str) -> JobCheck:
        """The job as Plex spells it. A job the kept read lacks is looked for in a fresh read (at most once per
        `NEW_JOB_S`: it may have been released since); only a read that succeeded and lacks it refuses it
        (UnknownJobError). While Plex's jobs cannot be read (none read yet, or the fresh read failed: slow or
        down), the job is taken as typed, not checked (logged as a warning)."""
        known = self.kept()
        if known is not None and typed.casefold() not in known:
            known = self.kept.fresh(NEW_JOB_S)
        if known is not None and typed.casefold() in known:
            return JobCheck(known[typed.casefold()], checked=True)
        if known is None or self.kept.failed:
            logger.warning("job taken as typed: Plex's jobs could not be read", extra={"job": typed})
            return JobCheck(typed, checked=False)
        raise UnknownJobError(typed)

    def spelled(self, typed: str) -> str:
        """`check`'s job: as Plex spells it, or as typed while Plex's jobs cannot be read."""
        return self.check(typed).job
