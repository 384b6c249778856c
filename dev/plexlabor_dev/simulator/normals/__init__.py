"""Hard normal patterns of the plant generator, one module per pattern (or per group drawn together).

Each is behind a switch: `PlantSpec(hard_normals=frozenset({...}))` with names from `NORMAL_PATTERNS`;
all are off by default. `docs/data-format.md` ("Hard normal patterns") describes each one.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path

from plexlabor_dev.simulator.context import Sim
from plexlabor_dev.simulator.jsonlines import read_lines, write_lines
from plexlabor_dev.simulator.normals.base import NormalDay, NormalPattern
from plexlabor_dev.simulator.normals.clock_drift import CLOCK_DRIFT
from plexlabor_dev.simulator.normals.closures import HOLIDAYS, SHUTDOWN_WEEKS
from plexlabor_dev.simulator.normals.day_changes import DAY_CHANGES, SHARES, DayPlan
from plexlabor_dev.simulator.normals.double_reads import DOUBLE_READS
from plexlabor_dev.simulator.normals.dst_nights import DST_NIGHTS
from plexlabor_dev.simulator.normals.habit_drift import HABIT_DRIFT
from plexlabor_dev.simulator.normals.new_hires import NEW_HIRES
from plexlabor_dev.simulator.normals.rest_breaks import REST_BREAKS
from plexlabor_dev.simulator.normals.rotation import ROTATION

NORMAL_PATTERNS: tuple[str, ...] = (
    ROTATION.name,
    DST_NIGHTS.name,
    REST_BREAKS.name,
    *SHARES,
    NEW_HIRES.name,
    HABIT_DRIFT.name,
    CLOCK_DRIFT.name,
    HOLIDAYS.name,
    SHUTDOWN_WEEKS.name,
    DOUBLE_READS.name,
)
"""Every switch `PlantSpec.hard_normals` accepts."""
NORMALS_FILE = "normal-patterns.jsonl"


def write_truth(sim: Sim) -> None:
    """`normal-patterns.jsonl`: one line per shift-day a pattern shaped (only when a pattern is on)."""
    if not sim.spec.hard_normals:
        return
    write_lines(
        sim.out.folder.path / NORMALS_FILE,
        (
            {
                **asdict(row),
                "work_date": row.work_date.isoformat(),
                "start": datetime.fromtimestamp(row.start, UTC).isoformat(),
                "end": datetime.fromtimestamp(row.end, UTC).isoformat(),
            }
            for row in sim.world.normal_days
        ),
    )


def read_truth(folder: Path | str) -> list[NormalDay]:
    """The shift-days the hard normal patterns shaped in a generated plant (empty when none was on)."""
    return [
        NormalDay(
            row["pattern"],
            row["employee_id"],
            date.fromisoformat(row["work_date"]),
            datetime.fromisoformat(row["start"]).timestamp(),
            datetime.fromisoformat(row["end"]).timestamp(),
        )
        for row in read_lines(Path(folder) / NORMALS_FILE)
    ]


__all__ = [
    "CLOCK_DRIFT",
    "DAY_CHANGES",
    "DOUBLE_READS",
    "DST_NIGHTS",
    "HABIT_DRIFT",
    "HOLIDAYS",
    "NEW_HIRES",
    "NORMALS_FILE",
    "NORMAL_PATTERNS",
    "REST_BREAKS",
    "ROTATION",
    "SHUTDOWN_WEEKS",
    "DayPlan",
    "NormalDay",
    "NormalPattern",
    "read_truth",
    "write_truth",
]
