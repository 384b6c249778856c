"""A labor-data port that keeps reference data for a while (the real-time validator's)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from plexlabor.plex.port import Extract, LaborDataPort


class ReferenceCache:
    """A labor-data port that keeps reference data (employees, workcenters, routings, job operations,
    certifications, buildings, clocks, shifts) for `max_age_s`; windowed reads always go through.

    The real-time validator reads a week of context per batch. Without this, every batch would also
    re-read the reference data, and job operations cost one Plex call per job: at Plex's ~200
    calls/minute a warm Lambda would spend most of its budget on data that changes a few times a day.
    """

    def __init__(self, port: LaborDataPort, max_age_s: float = 900.0, clock: Callable[[], float] | None = None) -> None:
        import time

        self.port, self.max_age_s = port, max_age_s
        self._clock = clock or time.monotonic
        self._cache: dict[tuple[str, object], tuple[float, list[Any]]] = {}
        self.reads = 0

    def _cached(self, name: str, key: object, read: Callable[[], list[Any]]) -> list[Any]:
        now = self._clock()
        hit = self._cache.get((name, key))
        if hit is None or now - hit[0] > self.max_age_s:
            hit = (now, read())
            self._cache[(name, key)] = hit
            self.reads += 1
        return list(hit[1])

    # what the source knows about the plant: asked through
    def timezone(self) -> str:
        return self.port.timezone()

    def extract(self) -> Extract | None:
        return self.port.extract()

    # reference data: cached
    def employees(self) -> list[Any]:
        return self._cached("employees", None, self.port.employees)

    def user_accounts(self) -> list[Any]:
        return self._cached("user_accounts", None, self.port.user_accounts)

    def workcenters(self) -> list[Any]:
        return self._cached("workcenters", None, self.port.workcenters)

    def approved_workcenters(self) -> list[Any]:
        return self._cached("approved_workcenters", None, self.port.approved_workcenters)

    def jobs(self) -> list[Any]:
        return self._cached("jobs", None, self.port.jobs)

    def job_operations(self, job_id: str | None = None) -> list[Any]:
        return self._cached("job_operations", job_id, lambda: self.port.job_operations(job_id))

    def buildings(self) -> list[Any]:
        return self._cached("buildings", None, self.port.buildings)

    def clock_devices(self) -> list[Any]:
        return self._cached("clock_devices", None, self.port.clock_devices)

    def shifts(self) -> list[Any]:
        return self._cached("shifts", None, self.port.shifts)

    def skills(self) -> list[Any]:
        return self._cached("skills", None, self.port.skills)

    def certifications(self) -> list[Any]:
        return self._cached("certifications", None, self.port.certifications)

    def workcenter_requirements(self) -> list[Any]:
        return self._cached("workcenter_requirements", None, self.port.workcenter_requirements)

    # transactions: always read
    def time_clock_entries(self, begin: datetime, end: datetime, *, employee_id: str | None = None) -> list[Any]:
        return self.port.time_clock_entries(begin, end, employee_id=employee_id)

    def time_clock_entries_modified(self, since: datetime, until: datetime) -> list[Any]:
        return self.port.time_clock_entries_modified(since, until)

    def labor_entries(self, begin: datetime, end: datetime) -> list[Any]:
        return self.port.labor_entries(begin, end)

    def shift_assignments(self, begin: datetime, end: datetime) -> list[Any]:
        return self.port.shift_assignments(begin, end)

    def workcenter_events(self, begin: datetime, end: datetime) -> list[Any]:
        return self.port.workcenter_events(begin, end)

    def badge_swipes(self, begin: datetime, end: datetime) -> list[Any]:
        return self.port.badge_swipes(begin, end)

    def scrap_entries(self, begin: datetime, end: datetime) -> list[Any]:
        return self.port.scrap_entries(begin, end)

    def downtime_entries(self, begin: datetime, end: datetime) -> list[Any]:
        return self.port.downtime_entries(begin, end)

    def nonconformances(self, begin: datetime, end: datetime) -> list[Any]:
        return self.port.nonconformances(begin, end)

    def indirect_labor_entries(self, begin: datetime, end: datetime) -> list[Any]:
        return self.port.indirect_labor_entries(begin, end)
