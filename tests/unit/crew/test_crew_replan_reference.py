"""crew_replan's refreshes keep reference data for `reference_max_age_s` (`ReferenceCache`): job operations cost
one Plex call per job, and a refresh comes every 5 minutes. Reference data is not kept longer than that age (a
complete job's operations are history), a real event's read asks the source again, the history (labor entries,
punches) is caught up, not read whole, and the problem kept is the one read without the cache."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from plexlabor.audit import InMemoryAuditStore
from plexlabor.crew import wiring
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.replanning import run
from plexlabor.plant import PlantFolder
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.sources import LaborSource

DAY = date(2026, 11, 23)  # Monday after the history
BEFORE_SHIFT = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)  # 05:30 in Detroit, the 1st shift starts at 06:00


class Counting(PlantFolderSource):
    """The plant folder, counting the reads of each kind."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.calls: Counter[str] = Counter()
        self.labor_windows: list[tuple[datetime, datetime]] = []

    def job_operations(self, job_id: str | None = None) -> list[Any]:
        self.calls["job-operations"] += 1
        return super().job_operations(job_id)

    def jobs(self) -> list[Any]:
        self.calls["jobs"] += 1
        return super().jobs()

    def labor_entries(self, begin: datetime, end: datetime) -> list[Any]:
        self.calls["labor-entries"] += 1
        self.labor_windows.append((begin, end))
        return super().labor_entries(begin, end)


def _deps(port: Counting, clock: list[datetime], max_age_s: float | None) -> wiring.ReplanDependencies:
    source = LaborSource(port, "America/Detroit")
    return wiring.ReplanDependencies(
        source=source, store=InMemoryAuditStore(), clock=lambda: clock[0], reference_max_age_s=max_age_s
    )


def _refresh(deps: wiring.ReplanDependencies, clock: list[datetime]) -> dict[str, Any]:
    return run(deps, ReplanMessage(reason="refresh", day=DAY, shift="1", detected_at=clock[0]))


def test_refreshes_read_job_operations_once_per_max_age(labelled_plant: PlantFolder) -> None:
    # Given crew_replan's dependencies keeping reference data 15 minutes
    port, clock = Counting(labelled_plant.path), [BEFORE_SHIFT]
    deps = _deps(port, clock, 900)
    # When refreshes come every 5 minutes
    calls = []
    for _ in range(5):
        summary = _refresh(deps, clock)
        calls.append((summary["data_read"], port.calls["job-operations"]))
        clock[0] += timedelta(minutes=5)
    # Then each re-reads the shift but job operations only when 15 minutes old, and then not those of complete jobs
    assert [read for read, _ in calls] == [True] * 5
    first = calls[0][1]
    assert first > 1 and [operations for _, operations in calls][:4] == [first] * 4
    assert first < calls[4][1] < 2 * first  # at 20 minutes (> 900 s): the jobs still open
    # and the labor entries (90 days before the day, up to the extract's end) are read whole once, then only
    # from the earliest still open on (or a day before the last read): here the ~2 hours of the one left open
    (begin, end), *later = port.labor_windows
    assert end - begin > timedelta(days=85) and len(later) == 4
    assert all(timedelta(0) < end - begin < timedelta(days=1) for begin, end in later)


def test_a_real_event_reads_the_source_again(labelled_plant: PlantFolder) -> None:
    # Given a container a refresh left ready a minute ago
    port, clock = Counting(labelled_plant.path), [BEFORE_SHIFT]
    deps = _deps(port, clock, 900)
    _refresh(deps, clock)
    first = port.calls["job-operations"]
    clock[0] += timedelta(minutes=1)
    op = next(iter(deps.problems.values())).problem.jobs[0].job_operation_id
    # When an operation is added (an event whose change only a read shows)
    message = ReplanMessage(reason="operation_added", day=DAY, shift="1", detected_at=clock[0], job_operation_id=op)
    summary = run(deps, message)
    # Then the read asked the source for jobs and open jobs' operations again, within the cache's age
    assert summary["data_read"] and port.calls["jobs"] == 2
    assert first < port.calls["job-operations"] < 2 * first


def test_the_kept_problem_is_the_one_read_without_the_cache(labelled_plant: PlantFolder) -> None:
    # Given two containers, one keeping reference data and one not, refreshed at the same times
    clock = [BEFORE_SHIFT]
    cached, plain = _deps(Counting(labelled_plant.path), clock, 900), _deps(Counting(labelled_plant.path), clock, None)
    for _ in range(3):
        _refresh(cached, clock), _refresh(plain, clock)
        clock[0] += timedelta(minutes=5)
    # Then they keep the same shift problem (reference data unchanged meanwhile)
    ((key, mine),) = cached.problems.items()
    theirs = plain.problems[key]
    assert mine.problem.jobs == theirs.problem.jobs and mine.problem.operators == theirs.problem.operators
    assert mine.problem.jobs
