"""A labor-data port that keeps reference data for a while (the real-time validator's, crew_replan's refreshes)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from plexlabor import models
from plexlabor.plex.port import Extract, LaborDataPort, ModelT, TypedReads, port_method

REFERENCE_MAX_AGE_S = 900.0
"""How long reference data is kept by default (the validator's `REFERENCE_MAX_AGE_SECONDS`, crew_replan's)."""


class ReferenceCache(TypedReads):
    """A labor-data port that keeps reference data (employees, workcenters, routings, job operations,
    certifications, buildings, clocks, shifts) for `max_age_s`; windowed reads always go through.

    The real-time validator reads a week of context per batch. Without this, every batch would also
    re-read the reference data, and job operations cost one Plex call per job: at Plex's ~200
    calls/minute a warm Lambda would spend most of its budget on data that changes a few times a day.
    """

    def __init__(
        self, port: LaborDataPort, max_age_s: float = REFERENCE_MAX_AGE_S, clock: Callable[[], float] | None = None
    ) -> None:
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

    def expire(self) -> None:
        """Drop what is kept: the next read of each kind asks the port."""
        self._cache.clear()

    # what the source knows about the plant: asked through
    def timezone(self) -> str:
        return self.port.timezone()

    def extract(self) -> Extract | None:
        return self.port.extract()

    # reference data: cached
    def _all(self, model: type[ModelT]) -> list[ModelT]:
        return self._cached(model.resource, None, getattr(self.port, port_method(model.resource)))

    def job_operations(self, job_id: str | None = None) -> list[models.JobOperation]:
        return self._cached("job-operations", job_id, lambda: self.port.job_operations(job_id))

    # transactions: always read
    def _window(self, model: type[ModelT], begin: datetime, end: datetime) -> list[ModelT]:
        return list(getattr(self.port, port_method(model.resource))(begin, end))

    def time_clock_entries(
        self, begin: datetime, end: datetime, *, employee_id: str | None = None
    ) -> list[models.TimeClockEntry]:
        return self.port.time_clock_entries(begin, end, employee_id=employee_id)

    def time_clock_entries_modified(self, since: datetime, until: datetime) -> list[models.TimeClockEntry]:
        return self.port.time_clock_entries_modified(since, until)
