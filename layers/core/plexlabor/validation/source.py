"""Read what the engine needs from any labor-data port (Plex, the simulator, a plant folder)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from plexlabor.plex.port import LaborDataPort
from plexlabor.validation.data import PlantData

SCHEDULE_LOOKAHEAD = timedelta(days=8)  # weekly hours are projected over the rest of the schedule


def read_plant_data(port: LaborDataPort, begin: datetime, end: datetime, timezone: str) -> PlantData:
    """Reference data plus every transaction in [begin, end), indexed for the rules; `end` is the extract time."""
    rows: dict[str, list[Any]] = {
        "employees": port.employees(),
        "workcenters": port.workcenters(),
        "approved-workcenters": port.approved_workcenters(),
        "job-operations": port.job_operations(),
        "buildings": port.buildings(),
        "clock-devices": port.clock_devices(),
        "workcenter-requirements": port.workcenter_requirements(),
        "certifications": port.certifications(),
        "shift-assignments": port.shift_assignments(begin, end + SCHEDULE_LOOKAHEAD),
        "time-clock-entries": port.time_clock_entries(begin, end),
        "labor-entries": port.labor_entries(begin, end),
        "workcenter-events": port.workcenter_events(begin, end),
        "badge-swipes": port.badge_swipes(begin, end),
        "downtime-entries": port.downtime_entries(begin, end),
    }
    return PlantData.build(rows, timezone, end.timestamp())
