"""The plant's jobs as Plex last gave them, for checking a job someone typed (the copilot's question, the
incident form): one reader, kept by `platform.kept.Kept`, so both refuse the same unknown job the same way."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from plexlabor.models.production import Job
from plexlabor.platform.kept import Kept

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


@dataclass
class PlexJobs:
    """The plant's jobs as Plex last gave them (`job_spellings`, kept by `platform.kept.Kept`)."""

    kept: Kept[dict[str, str]]

    def spelled(self, typed: str) -> str:
        """The job as Plex spells it; UnknownJobError when Plex has no such job. When Plex's jobs cannot
        be read (none read yet), the job is taken as typed."""
        known = self.kept()
        if known is not None and typed.casefold() not in known:
            known = self.kept.fresh(NEW_JOB_S)
        if known is None:
            return typed
        if typed.casefold() not in known:
            raise UnknownJobError(typed)
        return known[typed.casefold()]
