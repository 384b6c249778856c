"""`PlantFolderSource`: the labor-data port over a plant folder on disk (batch commands and tests).

Same semantics as `PlexLaborClient`: half-open windows on the same fields, each record once.
Each resource is parsed on first use and kept (a plant folder does not change under a reader).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from plexlabor.models import (
    ApprovedWorkcenter,
    BadgeSwipe,
    Building,
    Certification,
    ClockDevice,
    DowntimeEntry,
    Employee,
    Job,
    JobOperation,
    LaborEntry,
    PlexModel,
    ScrapEntry,
    Shift,
    ShiftAssignment,
    Skill,
    TimeClockEntry,
    UserAccount,
    Workcenter,
    WorkcenterEvent,
    WorkcenterRequirement,
)
from plexlabor.plant import PlantFolder
from plexlabor.plex.windows import check_window, in_window, modified_marker

ModelT = TypeVar("ModelT", bound=PlexModel)


class PlantFolderSource:
    """Reads a plant folder through `PlantFolder`; implements `LaborDataPort`."""

    def __init__(self, plant: PlantFolder | Path | str) -> None:
        self.plant = plant if isinstance(plant, PlantFolder) else PlantFolder(plant)
        self._cache: dict[str, list[Any]] = {}
        self._lock = threading.Lock()

    def _all(self, model: type[ModelT]) -> list[ModelT]:
        with self._lock:
            if model.resource not in self._cache:
                self._cache[model.resource] = self.plant.load(model)
            return list(self._cache[model.resource])

    def _window(
        self,
        model: type[ModelT],
        begin: datetime,
        end: datetime,
        moment: Callable[[Any], datetime | None],
        keep: Callable[[Any], bool] = lambda _record: True,
    ) -> list[ModelT]:
        begin, end = check_window(begin, end)
        seen: set[str] = set()
        records = []
        for record in self._all(model):
            key = record.id  # type: ignore[attr-defined]
            if key in seen or not in_window(moment(record), begin, end) or not keep(record):
                continue
            seen.add(key)
            records.append(record)
        records.sort(key=lambda record: (moment(record), record.id))  # type: ignore[attr-defined]
        return records

    def employees(self) -> list[Employee]:
        return self._all(Employee)

    def user_accounts(self) -> list[UserAccount]:
        return self._all(UserAccount)

    def workcenters(self) -> list[Workcenter]:
        return self._all(Workcenter)

    def approved_workcenters(self) -> list[ApprovedWorkcenter]:
        return self._all(ApprovedWorkcenter)

    def jobs(self) -> list[Job]:
        return self._all(Job)

    def job_operations(self, job_id: str | None = None) -> list[JobOperation]:
        operations = self._all(JobOperation)
        return operations if job_id is None else [op for op in operations if op.job_id == job_id]

    def time_clock_entries(
        self, begin: datetime, end: datetime, *, employee_id: str | None = None
    ) -> list[TimeClockEntry]:
        return self._window(
            TimeClockEntry,
            begin,
            end,
            lambda entry: entry.clockin_time,
            keep=lambda entry: employee_id is None or entry.employee_id == employee_id,
        )

    def time_clock_entries_modified(self, since: datetime, until: datetime) -> list[TimeClockEntry]:
        return self._window(TimeClockEntry, since, until, modified_marker)

    def labor_entries(self, begin: datetime, end: datetime) -> list[LaborEntry]:
        return self._window(LaborEntry, begin, end, lambda entry: entry.start_time)

    def buildings(self) -> list[Building]:
        return self._all(Building)

    def clock_devices(self) -> list[ClockDevice]:
        return self._all(ClockDevice)

    def shifts(self) -> list[Shift]:
        return self._all(Shift)

    def shift_assignments(self, begin: datetime, end: datetime) -> list[ShiftAssignment]:
        return self._window(ShiftAssignment, begin, end, lambda row: row.scheduled_start)

    def skills(self) -> list[Skill]:
        return self._all(Skill)

    def certifications(self) -> list[Certification]:
        return self._all(Certification)

    def workcenter_requirements(self) -> list[WorkcenterRequirement]:
        return self._all(WorkcenterRequirement)

    def workcenter_events(self, begin: datetime, end: datetime) -> list[WorkcenterEvent]:
        return self._window(WorkcenterEvent, begin, end, lambda event: event.event_time)

    def badge_swipes(self, begin: datetime, end: datetime) -> list[BadgeSwipe]:
        return self._window(BadgeSwipe, begin, end, lambda swipe: swipe.swipe_time)

    def scrap_entries(self, begin: datetime, end: datetime) -> list[ScrapEntry]:
        return self._window(ScrapEntry, begin, end, lambda scrap: scrap.scrap_time)

    def downtime_entries(self, begin: datetime, end: datetime) -> list[DowntimeEntry]:
        return self._window(DowntimeEntry, begin, end, lambda downtime: downtime.start_time)
