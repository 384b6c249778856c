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

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar, runtime_checkable

from plexlabor import models

ModelT = TypeVar("ModelT", bound=models.PlexModel)


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

    def job_operations_of(self, job_ids: Sequence[str]) -> list[models.JobOperation]:
        """Operations of these jobs, job by job in the order given (on Plex one call per job, or one Data Source
        call per `PlexSettings.job_keys_per_call` jobs where the tenant configures the `job-operations` one)."""
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


def port_method(resource: str) -> str:
    """The port method (and snapshot field) that reads a resource: `time-clock-entries` -> `time_clock_entries`."""
    return resource.replace("-", "_")


def operations_by_job(operations: Iterable[models.JobOperation]) -> dict[str, list[models.JobOperation]]:
    """Job id -> its operations, in the order given: how an in-memory port answers `job_operations(job_id)`."""
    by_job: dict[str, list[models.JobOperation]] = defaultdict(list)
    for operation in operations:
        by_job[operation.job_id].append(operation)
    return dict(by_job)


def of_employee(entries: list[models.TimeClockEntry], employee_id: str | None) -> list[models.TimeClockEntry]:
    """The entries of one employee (all of them when `employee_id` is None), as `time_clock_entries` filters."""
    return entries if employee_id is None else [entry for entry in entries if entry.employee_id == employee_id]


class TypedReads(ABC):
    """The typed methods of `LaborDataPort`, each resource with its model written once: an adapter says how
    it reads a kind whole (`_all`) and a windowed kind in [begin, end) (`_window`, ordered as the port
    promises), and overrides the methods it answers another way."""

    @abstractmethod
    def _all(self, model: type[ModelT]) -> list[ModelT]: ...

    @abstractmethod
    def _window(self, model: type[ModelT], begin: datetime, end: datetime) -> list[ModelT]: ...

    @abstractmethod
    def job_operations(self, job_id: str | None = None) -> list[models.JobOperation]: ...

    def employees(self) -> list[models.Employee]:
        return self._all(models.Employee)

    def user_accounts(self) -> list[models.UserAccount]:
        return self._all(models.UserAccount)

    def workcenters(self) -> list[models.Workcenter]:
        return self._all(models.Workcenter)

    def approved_workcenters(self) -> list[models.ApprovedWorkcenter]:
        return self._all(models.ApprovedWorkcenter)

    def jobs(self) -> list[models.Job]:
        return self._all(models.Job)

    def job_operations_of(self, job_ids: Sequence[str]) -> list[models.JobOperation]:
        return [operation for job_id in job_ids for operation in self.job_operations(job_id)]

    def time_clock_entries(
        self, begin: datetime, end: datetime, *, employee_id: str | None = None
    ) -> list[models.TimeClockEntry]:
        return of_employee(self._window(models.TimeClockEntry, begin, end), employee_id)

    def labor_entries(self, begin: datetime, end: datetime) -> list[models.LaborEntry]:
        return self._window(models.LaborEntry, begin, end)

    def buildings(self) -> list[models.Building]:
        return self._all(models.Building)

    def clock_devices(self) -> list[models.ClockDevice]:
        return self._all(models.ClockDevice)

    def shifts(self) -> list[models.Shift]:
        return self._all(models.Shift)

    def shift_assignments(self, begin: datetime, end: datetime) -> list[models.ShiftAssignment]:
        return self._window(models.ShiftAssignment, begin, end)

    def skills(self) -> list[models.Skill]:
        return self._all(models.Skill)

    def certifications(self) -> list[models.Certification]:
        return self._all(models.Certification)

    def workcenter_requirements(self) -> list[models.WorkcenterRequirement]:
        return self._all(models.WorkcenterRequirement)

    def workcenter_events(self, begin: datetime, end: datetime) -> list[models.WorkcenterEvent]:
        return self._window(models.WorkcenterEvent, begin, end)

    def badge_swipes(self, begin: datetime, end: datetime) -> list[models.BadgeSwipe]:
        return self._window(models.BadgeSwipe, begin, end)

    def scrap_entries(self, begin: datetime, end: datetime) -> list[models.ScrapEntry]:
        return self._window(models.ScrapEntry, begin, end)

    def downtime_entries(self, begin: datetime, end: datetime) -> list[models.DowntimeEntry]:
        return self._window(models.DowntimeEntry, begin, end)

    def nonconformances(self, begin: datetime, end: datetime) -> list[models.Nonconformance]:
        return self._window(models.Nonconformance, begin, end)

    def indirect_labor_entries(self, begin: datetime, end: datetime) -> list[models.IndirectLaborEntry]:
        return self._window(models.IndirectLaborEntry, begin, end)
