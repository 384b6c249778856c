"""Punches validated, per plant-local day: the denominator of the KPI page's flagged share.

A clean punch leaves no audit event, so the validators count what they validate here:
`punch_validator` each record it validates, the nightly sweep the punches and labor entries of its
window. A record is counted **once**, the first time any of them validates it, on the plant-local
day that happens (`on`): a marker per record and the day's counter increment are written together
or not at all (the DynamoDB adapter: one transaction). So nothing counts twice:

- an SQS redelivery, a retry after a failure, a Powertools idempotency record that expired or was
  deleted by an exception: the marker is there, nothing is added;
- a new version of the record (the clock-out of a punch counted at its clock-in, an edit): the same;
- the sweep re-validating yesterday's records: it counts only those no validator counted (a punch
  that reached the dead-letter queue, one the poller never saw).

What can still be off, by design: a record whose own day changes (an edit moving the clock-in across
midnight) has a new marker and counts again; a record validated again more than
`VALIDATED_KEEP_DAYS` after it was first counted (its marker expired) counts again, on that day.

Counts are by the day a record was first validated, like findings (by the day they were recorded):
a real-time finding lands on its punch's day; a sweep's finding about a punch counted in real time
lands on the sweep's day, the night after.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, runtime_checkable

from plexlabor.models import LaborEntry, TimeClockEntry

PUNCH_RESOURCES = (TimeClockEntry.resource, LaborEntry.resource)
"""The records counted: what the punch queue carries (time-clock entries and labor entries)."""


def resource_of(record_key: str) -> str:
    """`time-clock-entries` of `time-clock-entries:123`."""
    return record_key.split(":", 1)[0]


@dataclass(frozen=True)
class ValidatedRecord:
    """One record a validator looked at."""

    record_key: str
    record_day: date
    """The plant-local day of the record itself (a punch's clock-in, a labor entry's start): where
    its marker is kept, so the sweep reads the markers of its window a day at a time."""
    department: str | None = None
    """The employee's department code, when known."""

    @property
    def resource(self) -> str:
        return resource_of(self.record_key)


@dataclass(frozen=True)
class DayCount:
    """The records first validated on one plant-local day."""

    day: date
    validated: int = 0
    by_resource: dict[str, int] = field(default_factory=dict)
    by_department: dict[str, int] = field(default_factory=dict)


@runtime_checkable
class ValidationCounts(Protocol):
    """The reading side (the KPI page)."""

    def days(self, first: date, last: date) -> list[DayCount]:
        """The days from `first` to `last` (both included) with a count, oldest first."""
        ...


@runtime_checkable
class ValidationCounter(ValidationCounts, Protocol):
    """The writing side (the validators)."""

    def count(self, records: Sequence[ValidatedRecord], on: date) -> int:
        """Count each record not counted before, on the plant-local day `on`; return how many were new."""
        ...


class InMemoryValidationCounter:
    """The port in a dict, for tests and the in-process tools."""

    def __init__(self) -> None:
        self.markers: dict[tuple[date, str], date] = {}
        self._days: dict[date, Counter[str]] = defaultdict(Counter)
        self._lock = threading.Lock()

    def count(self, records: Sequence[ValidatedRecord], on: date) -> int:
        new = 0
        with self._lock:
            for record in records:
                if (record.record_day, record.record_key) in self.markers:
                    continue
                self.markers[record.record_day, record.record_key] = on
                self._days[on].update(counter_names(record))
                new += 1
        return new

    def days(self, first: date, last: date) -> list[DayCount]:
        with self._lock:
            return [day_count(day, names) for day, names in sorted(self._days.items()) if first <= day <= last]


VALIDATED = "validated"
RESOURCE_PREFIX = "resource#"
DEPARTMENT_PREFIX = "department#"


def counter_names(record: ValidatedRecord) -> list[str]:
    """The numbers one record adds 1 to on its day's counter."""
    names = [VALIDATED, RESOURCE_PREFIX + record.resource]
    if record.department:
        names.append(DEPARTMENT_PREFIX + record.department)
    return names


def day_count(day: date, numbers: Counter[str] | dict[str, int]) -> DayCount:
    """A day's counter numbers (summed over its shards) as a DayCount."""
    return DayCount(
        day,
        int(numbers.get(VALIDATED, 0)),
        {k.removeprefix(RESOURCE_PREFIX): int(v) for k, v in sorted(numbers.items()) if k.startswith(RESOURCE_PREFIX)},
        {
            k.removeprefix(DEPARTMENT_PREFIX): int(v)
            for k, v in sorted(numbers.items())
            if k.startswith(DEPARTMENT_PREFIX)
        },
    )
