"""The labor-data port: what plexlabor reads from Plex, as typed models, whatever the source.

Implementations: `PlexLaborClient` (Plex over HTTP, or the simulator) and `PlantFolderSource` (a plant
folder on disk, for batch commands and tests). Every windowed method is half-open, `begin <= t < end`,
on the field named in its docstring, returns each record once (ordered by that field, then id), and
raises `PlexError` subclasses for transport failures and `PlexDataError` for records that do not parse.

A port also says what it knows about the plant: its time zone (shifts, work dates and weeks are local)
and, for a frozen copy such as a plant folder, what the extract covers. `plexlabor.plex.snapshot`
reads a port into one typed snapshot; every capability builds its inputs from that.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from plexlabor import models


@dataclass(frozen=True)
class Extract:
    """A frozen copy of a plant's data (a plant folder): its name and the span of its history."""

    name: str
    start: datetime
    end: datetime
    """The extract time: history runs up to it, the schedule from it."""


@runtime_checkable
class LaborDataPort(Protocol):
    # What the source knows about the plant
    def timezone(self) -> str:
        """The plant's IANA time zone."""
        ...

    def extract(self) -> Extract | None:
        """What a frozen copy covers; None for a live source (Plex: the data runs up to now)."""
        ...

    # Connect REST resources
    def employees(self) -> list[models.Employee]: ...

    def user_accounts(self) -> list[models.UserAccount]: ...

    def workcenters(self) -> list[models.Workcenter]: ...

    def approved_workcenters(self) -> list[models.ApprovedWorkcenter]: ...

    def jobs(self) -> list[models.Job]: ...

    def job_operations(self, job_id: str | None = None) -> list[models.JobOperation]:
        """Operations of one job, or of every job when `job_id` is None (one call per job on Plex)."""
        ...

    def time_clock_entries(
        self, begin: datetime, end: datetime, *, employee_id: str | None = None
    ) -> list[models.TimeClockEntry]:
        """Punches whose `clockinTime` is in the window."""
        ...

    def time_clock_entries_modified(self, since: datetime, until: datetime) -> list[models.TimeClockEntry]:
        """The incremental poll: punches whose modifiedDate (else createdDate, clockoutTime,
        clockinTime) is in [since, until). Poll the next window from `until`."""
        ...

    def labor_entries(self, begin: datetime, end: datetime) -> list[models.LaborEntry]:
        """Labor records whose `startTime` is in the window."""
        ...

    # Data Source API (no REST resource exists for these)
    def buildings(self) -> list[models.Building]: ...

    def clock_devices(self) -> list[models.ClockDevice]: ...

    def shifts(self) -> list[models.Shift]: ...

    def shift_assignments(self, begin: datetime, end: datetime) -> list[models.ShiftAssignment]:
        """Assignments whose `scheduledStart` is in the window."""
        ...

    def skills(self) -> list[models.Skill]: ...

    def certifications(self) -> list[models.Certification]: ...

    def workcenter_requirements(self) -> list[models.WorkcenterRequirement]: ...

    def workcenter_events(self, begin: datetime, end: datetime) -> list[models.WorkcenterEvent]:
        """Events whose `eventTime` is in the window."""
        ...

    def badge_swipes(self, begin: datetime, end: datetime) -> list[models.BadgeSwipe]:
        """Swipes whose `swipeTime` is in the window."""
        ...

    def scrap_entries(self, begin: datetime, end: datetime) -> list[models.ScrapEntry]:
        """Scrap whose `scrapTime` is in the window."""
        ...

    def downtime_entries(self, begin: datetime, end: datetime) -> list[models.DowntimeEntry]:
        """Downtime whose `startTime` is in the window."""
        ...

    def nonconformances(self, begin: datetime, end: datetime) -> list[models.Nonconformance]:
        """Quality audit and inspection findings whose `foundTime` is in the window."""
        ...

    def indirect_labor_entries(self, begin: datetime, end: datetime) -> list[models.IndirectLaborEntry]:
        """Time charged to indirect codes whose `startTime` is in the window (where the tenant records it)."""
        ...


def operations_by_job(operations: Iterable[models.JobOperation]) -> dict[str, list[models.JobOperation]]:
    """Job id -> its operations, in the order given: how an in-memory port answers `job_operations(job_id)`."""
    by_job: dict[str, list[models.JobOperation]] = defaultdict(list)
    for operation in operations:
        by_job[operation.job_id].append(operation)
    return dict(by_job)


def of_employee(entries: list[models.TimeClockEntry], employee_id: str | None) -> list[models.TimeClockEntry]:
    """The entries of one employee (all of them when `employee_id` is None), as `time_clock_entries` filters."""
    return entries if employee_id is None else [entry for entry in entries if entry.employee_id == employee_id]
