"""Indirect labor entries: time a tenant records against an indirect code rather than a job, and its truth.

A direct operator spends 3 % of their days in training (they never log in at their workcenter:
`workday._work_at_workcenter`); that paid time is truly TRAINING. On `RECORDED_SHARE` of those days the
plant records it in Plex as indirect labor entries (`indirect-labor-entries`, a data source: one per
punch pair, starting 0-5 minutes after the punch in and ending 0-5 minutes before the punch out); on the
others nobody did, and the time is unallocated until a supervisor codes it. The truth, every training
stretch whether recorded or not, goes to `indirect-time.jsonl` (not a Plex resource; read by benches).

The draws come from a stream of their own (`Sim.indirect_rng`), so the plant's other files are exactly
what they were before these entries existed. The generator has no other indirect time on direct
operators (no meetings, no waiting on material beyond a login without a scan), so only training is
recorded here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from plexlabor_dev.simulator.context import MINUTE, Sim, uuid_from
from plexlabor_dev.simulator.jsonlines import read_lines, write_lines
from plexlabor_dev.simulator.world import ShiftDay

INDIRECT_TIME_FILE = "indirect-time.jsonl"
TRAINING = "TRAINING"
RECORDED_SHARE = 0.9
"""Share of training days the plant records as indirect labor entries."""
EDGE_MINUTES = (0.0, 5.0)
"""How far inside the punches a recorded entry starts and ends (uniform)."""


@dataclass(frozen=True)
class IndirectTruth:
    """A stretch an employee truly spent on an indirect code (epoch seconds)."""

    employee_id: str
    code: str
    start: float
    end: float
    recorded: bool


def training_day(sim: Sim, d: ShiftDay) -> None:
    """The day's punch pairs are training; record them as indirect labor entries on most such days."""
    rng = sim.indirect_rng
    recorded = rng.random() < RECORDED_SHARE
    for pin, pout in d.pairs:
        if pout > sim.as_of:
            continue  # still clocked in at the extract: nothing to record yet
        sim.world.indirect_time.append(IndirectTruth(d.person.id, TRAINING, pin, pout, recorded))
        if not recorded:
            continue
        start, end = pin + rng.uniform(*EDGE_MINUTES) * MINUTE, pout - rng.uniform(*EDGE_MINUTES) * MINUTE
        if end > start:
            sim.emit(
                "indirect-labor-entries",
                {
                    "id": uuid_from(rng),
                    "employeeId": d.person.id,
                    "indirectCode": TRAINING,
                    "startTime": sim.iso(start),
                    "endTime": sim.iso(end),
                    "workcenterId": d.workcenter,
                },
            )


def write_truth(sim: Sim) -> None:
    """`indirect-time.jsonl`: one line per truly indirect stretch."""
    write_lines(sim.out.folder.path / INDIRECT_TIME_FILE, (asdict(row) for row in sim.world.indirect_time))


def read_truth(folder: Path | str) -> list[IndirectTruth]:
    """The truly indirect stretches of a generated plant (empty when the file is absent)."""
    return [IndirectTruth(**row) for row in read_lines(Path(folder) / INDIRECT_TIME_FILE)]
