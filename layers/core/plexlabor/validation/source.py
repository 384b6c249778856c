"""Read what the engine needs from any labor-data port (Plex, the simulator, a plant folder)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from plexlabor.models import PLANT_MODELS
from plexlabor.plex.plain import PlainRows
from plexlabor.plex.port import LaborDataPort
from plexlabor.plex.snapshot import PlexSnapshot, Reference, Window, Windowed, collector_paused, read_snapshot
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


def plant_windows(begin: datetime, end: datetime) -> dict[Windowed, Window]:
    """The window each kind of transaction is read in for [begin, end): the schedule reaches past `end`."""
    history = (begin, end)
    return {
        "shift-assignments": (begin, end + SCHEDULE_LOOKAHEAD),
        "time-clock-entries": history,
        "labor-entries": history,
        "workcenter-events": history,
        "badge-swipes": history,
        "downtime-entries": history,
    }


def read_plant_snapshot(
    port: LaborDataPort, begin: datetime, end: datetime, timezone: str | None = None
) -> PlexSnapshot:
    """What `read_plant_data` indexes, as read (the backfill keeps it to index it elsewhere)."""
    return read_snapshot(port, reference=REFERENCE, windows=plant_windows(begin, end), timezone=timezone)


def read_plant_data(port: LaborDataPort, begin: datetime, end: datetime, timezone: str | None = None) -> PlantData:
    """Reference data plus every transaction in [begin, end), indexed for the rules; `end` is the extract
    time. The time zone is the port's unless given. A plant folder's transactions are read as plain rows
    (`PlantFolderSource.plain_window`): the same records and bad records, without a pydantic model each."""
    from plexlabor.plex.folder import PlantFolderSource

    with collector_paused():  # the snapshot and its index: a plant's records, made at once
        if not isinstance(port, PlantFolderSource):
            return PlantData.from_snapshot(read_plant_snapshot(port, begin, end, timezone), end.timestamp())
        reference = read_snapshot(port, reference=REFERENCE, timezone=timezone)
        rows: dict[str, Any] = dict(reference.rows())
        for kind, window in plant_windows(begin, end).items():
            rows[kind] = PlainRows(port.plain_window(PLANT_MODELS[kind], *window))
        return PlantData.build(rows, reference.timezone, end.timestamp())
