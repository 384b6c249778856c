"""Lightweight records the engine works on, read from Plex-shaped dicts or from the pydantic models.

The engine runs on a whole plant in batch and on one punch in real time; both go through these
slotted classes (epoch seconds, no pydantic on the hot loop) so that they run the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from plexlabor.models import (
    BadgeSwipe,
    LaborEntry,
    PlexModel,
    ShiftAssignment,
    TimeClockEntry,
    WorkcenterEvent,
    record_key,
)


def epoch(value: str | datetime | None) -> float | None:
    """Epoch seconds of a Plex date string or an aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.timestamp()


def _row(item: dict[str, Any] | PlexModel) -> dict[str, Any]:
    return item.to_plex() if isinstance(item, PlexModel) else item


@dataclass(slots=True)
class Punch:
    key: str
    id: str
    employee: str
    t_in: float
    t_out: float | None
    created: float
    source: str
    device: str | None
    lat: float | None
    lon: float | None
    biometric: float | None

    @classmethod
    def read(cls, item: dict[str, Any] | TimeClockEntry) -> Punch:
        row = _row(item)
        t_in = epoch(row["clockinTime"])
        assert t_in is not None
        return cls(
            record_key(TimeClockEntry.resource, row["id"]),
            row["id"],
            row["employeeId"],
            t_in,
            epoch(row.get("clockoutTime")),
            epoch(row.get("createdDate")) or t_in,
            row.get("source") or "Device",
            row.get("clockinDeviceId"),
            row.get("clockinLatitude"),
            row.get("clockinLongitude"),
            row.get("biometricScore"),
        )


@dataclass(slots=True)
class Scheduled:
    employee: str
    start: float
    end: float
    work_date: date
    working: bool
    workcenter: str | None

    @classmethod
    def read(cls, item: dict[str, Any] | ShiftAssignment) -> Scheduled:
        row = _row(item)
        return cls(
            row["employeeId"],
            epoch(row["scheduledStart"]) or 0.0,
            epoch(row["scheduledEnd"]) or 0.0,
            date.fromisoformat(row["workDate"]),
            row.get("status", "Scheduled") == "Scheduled",
            row.get("workcenterId"),
        )


@dataclass(slots=True)
class Labor:
    key: str
    id: str
    employee: str
    workcenter: str
    job_operation: str
    start: float
    end: float | None
    quantity: float

    @classmethod
    def read(cls, item: dict[str, Any] | LaborEntry) -> Labor:
        row = _row(item)
        return cls(
            record_key(LaborEntry.resource, row["id"]),
            row["id"],
            row["employeeId"],
            row["workcenterId"],
            row["jobOperationId"],
            epoch(row["startTime"]) or 0.0,
            epoch(row.get("endTime")),
            float(row.get("quantity") or 0),
        )


@dataclass(slots=True)
class WcEvent:
    key: str
    id: str
    workcenter: str
    kind: str
    t: float
    employee: str | None

    @classmethod
    def read(cls, item: dict[str, Any] | WorkcenterEvent) -> WcEvent:
        row = _row(item)
        return cls(
            record_key(WorkcenterEvent.resource, row["id"]),
            row["id"],
            row["workcenterId"],
            row["eventType"],
            epoch(row["eventTime"]) or 0.0,
            row.get("employeeId"),
        )


@dataclass(slots=True)
class Swipe:
    key: str
    id: str
    employee: str
    building: str
    t: float
    direction: str

    @classmethod
    def read(cls, item: dict[str, Any] | BadgeSwipe) -> Swipe:
        row = _row(item)
        return cls(
            record_key(BadgeSwipe.resource, row["id"]),
            row["id"],
            row["employeeId"],
            row["buildingCode"],
            epoch(row["swipeTime"]) or 0.0,
            row["direction"],
        )


@dataclass(slots=True)
class Session:
    """An operator's stay at a workcenter, from login to logout (open while `end` is None)."""

    employee: str
    workcenter: str
    start: float
    end: float | None
