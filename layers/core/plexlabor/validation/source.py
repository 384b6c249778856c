"""Read what the engine needs from any labor-data port (Plex, the simulator, a plant folder)."""

from __future__ import annotations

from datetime import datetime, timedelta

from plexlabor.plex.port import LaborDataPort
from plexlabor.plex.snapshot import Reference, collector_paused, read_snapshot
from plexlabor.validation.data import PlantData

SCHEDULE_LOOKAHEAD = timedelta(days=8)  # weekly hours are projected over the rest of the schedule

REFERENCE: tuple[Reference, ...] = (
    "employees",
    "workcenters",
    "approved-workcenters",
    "jobs",
    "job-operations",
    "skills",
    "buildings",
    "clock-devices",
    "workcenter-requirements",
    "certifications",
)


def read_plant_data(port: LaborDataPort, begin: datetime, end: datetime, timezone: str | None = None) -> PlantData:
    """Reference data plus every transaction in [begin, end), indexed for the rules; `end` is the extract
    time. The time zone is the port's unless given."""
    history = (begin, end)
    with collector_paused():  # the snapshot and its index: a plant's records, made at once
        snapshot = read_snapshot(
            port,
            reference=REFERENCE,
            windows={
                "shift-assignments": (begin, end + SCHEDULE_LOOKAHEAD),
                "time-clock-entries": history,
                "labor-entries": history,
                "workcenter-events": history,
                "badge-swipes": history,
                "downtime-entries": history,
            },
            timezone=timezone,
        )
        return PlantData.from_snapshot(snapshot, end.timestamp())
