"""A crew read asks Plex only for the operations of jobs that can run near the shift (`JobsNear`, issue 16): the
problem it builds is the problem the read of every job's operations built (the segments of the shift, their
setups, and every operator's figures), on a generated plant, for each shift of the first weekday after the
history, the whole day, a read during the shift, and a replay of a day inside the history; and it asks for far
fewer jobs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from plexlabor.crew.build import build_problem
from plexlabor.crew.models import CrewProblem
from plexlabor.models import Job, JobOperation, LaborEntry
from plexlabor.plant import PlantFolder
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.snapshot import JobsNear, read_snapshot
from plexlabor_dev.simulator.generator import PlantSpec, generate_plant

PLANT = PlantSpec(employees=240, weeks=2, seed=301)
MONDAY = date(2026, 11, 23)  # the first weekday after the history
REPLAY = date(2026, 11, 19)  # a Thursday inside it


class Counting(PlantFolderSource):
    """A plant folder that counts whose operations it is asked for (on Plex: one call per job)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.asked: list[str | None] = []

    def job_operations(self, job_id: str | None = None) -> list[JobOperation]:
        self.asked.append(job_id)
        return super().job_operations(job_id)

    def labor_entries(self, begin: datetime, end: datetime) -> list[LaborEntry]:
        self.asked.append("labor-entries")
        return super().labor_entries(begin, end)


@pytest.fixture(scope="module")
def plant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("near")
    generate_plant(PLANT, path)
    return path


@pytest.mark.parametrize(
    ("day", "shift", "after_start"),
    [
        (MONDAY, "1", None),
        (MONDAY, "2", None),
        (MONDAY, "3", None),
        (MONDAY, None, None),
        (MONDAY, "1", timedelta(hours=3)),  # read during the shift: what started is held, what closed is out
        (REPLAY, "1", None),  # the day is over when the data was read: closed jobs may have run in it
    ],
)
def test_the_near_read_builds_the_problem_of_every_jobs_read(
    plant: Path, day: date, shift: str | None, after_start: timedelta | None
) -> None:
    as_of = None
    if after_start is not None:  # the data as a live read during the shift would see it
        window_start = build_problem(plant, day, shift, job_lead_days=None).window_start
        as_of = window_start + after_start
    every_source, near_source = Counting(plant), Counting(plant)
    every = build_problem(every_source, day, shift, as_of=as_of, job_lead_days=None)
    near = build_problem(near_source, day, shift, as_of=as_of)
    assert every.jobs and every.operators
    assert near.jobs == every.jobs  # segments, crews, setups, requirements
    assert near.operators == every.operators  # efficiency (the labor entries' operations), hours, skills
    assert (near.window_start, near.window_end) == (every.window_start, every.window_end)
    jobs = sum(1 for _ in PlantFolder(plant).iter_raw("jobs"))
    assert every_source.asked == [None, "labor-entries"]  # every job's operations in one call of the port
    near_source.asked.remove("labor-entries")
    assert None not in near_source.asked and 0 < len(near_source.asked) < 0.6 * jobs


def test_call_off_detection_reads_no_jobs_nor_labor(plant: Path) -> None:
    source = Counting(plant)
    only = build_problem(source, MONDAY, "1", operators_only=True)
    full = build_problem(plant, MONDAY, "1")
    assert source.asked == [] and only.jobs == () and full.jobs

    def schedule(problem: CrewProblem) -> list[tuple[object, ...]]:
        return [(o.employee_id, o.blocks, o.leave, o.week_hours, o.consecutive_days) for o in problem.operators]

    assert schedule(only) == schedule(full)  # what `call_offs` looks at, and the hours


def test_setups_are_planned_alike(plant: Path) -> None:
    every = build_problem(plant, MONDAY, "1", job_lead_days=None)
    near = build_problem(plant, MONDAY, "1")
    setups = [job.key for job in near.jobs if job.setup_hours]
    assert setups and setups == [job.key for job in every.jobs if job.setup_hours]


def _job(status: str, due: datetime | None) -> Job:
    return Job(id="J", job_no="1", part_id="P", quantity=1, status=status, due_date=due)  # type: ignore[arg-type]


def test_which_jobs_can_run_near_a_window() -> None:
    begin, end = datetime(2026, 11, 22, 11, tzinfo=UTC), datetime(2026, 11, 24, 19, 30, tzinfo=UTC)
    near = JobsNear(begin, end, timedelta(days=10))
    assert near.can_run(_job("Scheduled", end + timedelta(days=9)))
    assert not near.can_run(_job("Scheduled", end + timedelta(days=10)))  # its first operation starts at `end`
    assert near.can_run(_job("Scheduled", begin - timedelta(days=30)))  # late: may still run
    assert near.can_run(_job("Scheduled", None))
    assert near.can_run(_job("InProcess", end + timedelta(days=60)))  # started: whatever its due date
    assert near.can_run(_job("Released", end + timedelta(days=60)))
    assert not near.can_run(_job("Complete", end))
    assert JobsNear(begin, end, timedelta(days=10), closed_too=True).can_run(_job("Complete", end))
    assert not near.can_run(_job("Cancelled", end))


def test_a_lead_set_too_short_is_logged(plant: Path, caplog: pytest.LogCaptureFixture) -> None:
    # The next day's read, as the nightly planner makes it (not days ahead, where every job is still scheduled)
    source = PlantFolderSource(plant)
    start = PlantFolder(plant).meta().end
    near = JobsNear(start, start + timedelta(days=1), timedelta(days=5))  # the plant's jobs start 10 days before due
    with caplog.at_level("WARNING", logger="plexlabor.plex.snapshot"):
        read_snapshot(source, reference=("jobs", "job-operations"), jobs_near=near)
    assert "raise PLEXLABOR_JOB_LEAD_DAYS" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="plexlabor.plex.snapshot"):
        read_snapshot(
            source, reference=("jobs", "job-operations"), jobs_near=JobsNear(start, near.end, timedelta(days=10))
        )
    assert "PLEXLABOR_JOB_LEAD_DAYS" not in caplog.text
