"""`plex.jobs.PlexJobs`: a job typed is refused only when a read of Plex's jobs that succeeded lacks it; while
the jobs cannot be read (none read yet, or the fresh read for a job the kept read lacks fails) it is taken as
typed and said to be unchecked (review 140 R2: a job released since the last good read was refused as "no job
... in Plex" while Plex was down)."""

from __future__ import annotations

import pytest

from plexlabor.platform.kept import Kept
from plexlabor.plex.jobs import NEW_JOB_S, JobCheck, PlexJobs, UnknownJobError


class Plex:
    """Plex's jobs endpoint on a clock the test moves: the jobs it holds, `down` makes a read fail."""

    def __init__(self, *jobs: str) -> None:
        self.jobs, self.down, self.now = list(jobs), False, 0.0

    def read(self) -> dict[str, str]:
        if self.down:
            raise ConnectionError("Plex down")
        return {job.casefold(): job for job in self.jobs}

    def kept(self) -> PlexJobs:
        return PlexJobs(Kept(self.read, "Plex jobs", clock=lambda: self.now))


def test_a_job_released_since_the_last_good_read_is_taken_as_typed_while_plex_is_down() -> None:
    plex = Plex("J101058")
    jobs = plex.kept()
    assert jobs.check("j101058") == JobCheck("J101058", checked=True)
    plex.now += 600
    plex.jobs.append("J101077")  # released in Plex at 09:10, then Plex goes down
    plex.down = True

    assert jobs.check("J101077") == JobCheck("J101077", checked=False)
    assert jobs.spelled("J101077") == "J101077"
    assert jobs.check("J101058") == JobCheck("J101058", checked=True)  # the jobs read before still spell it


def test_only_a_read_that_succeeded_refuses_a_job() -> None:
    plex = Plex("J101058")
    jobs = plex.kept()
    jobs.check("J101058")
    plex.now += NEW_JOB_S
    with pytest.raises(UnknownJobError, match="no job J999999 in Plex"):
        jobs.check("J999999")  # read again now, and Plex lacks it
    plex.down = True
    with pytest.raises(UnknownJobError):
        jobs.check("J999999")  # within NEW_JOB_S of that read: it stands, Plex is not asked again
    plex.now += NEW_JOB_S
    assert jobs.check("J999999") == JobCheck("J999999", checked=False)  # the new read failed: not checked


def test_before_any_read_succeeds_a_job_is_taken_as_typed() -> None:
    plex = Plex("J101058")
    plex.down = True
    assert plex.kept().check("J999999") == JobCheck("J999999", checked=False)
