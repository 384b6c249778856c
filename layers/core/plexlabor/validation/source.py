"""Read what the engine needs from any labor-data port (Plex, the simulator, a plant folder)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from plexlabor.plex.port import LaborDataPort
from plexlabor.plex.snapshot import PlexSnapshot, Reference, Window, Windowed, collector_paused, read_snapshot
from plexlabor.validation.data import PlantData, Transactions, read_transactions

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


READ_COST: dict[Windowed, float] = {
    "workcenter-events": 2.5,
    "time-clock-entries": 1.75,
    "labor-entries": 1.7,
    "badge-swipes": 1.0,
    "shift-assignments": 0.65,
    "downtime-entries": 0.1,
}
"""Each kind's share of reading a plant (CPU seconds, profiled on bench_validation's plant of 400
people x 26 weeks; reference data costs about 0.4), to share the kinds out among processes."""
REFERENCE_COST = 0.4


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


def read_plant_data(
    port: LaborDataPort, begin: datetime, end: datetime, timezone: str | None = None, *, workers: int = 1
) -> PlantData:
    """Reference data plus every transaction in [begin, end), indexed for the rules; `end` is the extract
    time. The time zone is the port's unless given.

    `workers` > 1: the kinds of transaction are shared out among that many processes, each reading its
    kinds and making the engine's records of them (`workers.fork_map`); for a port that reads on this
    machine (a plant folder): a Plex client's rate limit is its own process's.
    """
    windows = plant_windows(begin, end)
    as_of = end.timestamp()
    with collector_paused():  # the snapshot and its index: a plant's records, made at once
        if workers <= 1:
            return PlantData.from_snapshot(read_plant_snapshot(port, begin, end, timezone), as_of)
        from plexlabor.validation.workers import fork_map

        shares = _shares(list(windows), workers)
        pick = [{kind: windows[kind] for kind in share} for share in shares]
        reads: list[Callable[[], Any]] = [partial(_read_here, port, pick[0], as_of, timezone)]
        reads += [partial(_read_there, port, part, as_of) for part in pick[1:]]
        (here, transactions), *theirs = fork_map(reads)
        return PlantData.build(here.rows(), here.timezone, as_of, sum(theirs, transactions))


def _read_here(
    port: LaborDataPort, windows: dict[Windowed, Window], as_of: float, timezone: str | None
) -> tuple[PlexSnapshot, Transactions]:
    """The reference data and some kinds of transaction, and the engine's records of those."""
    snapshot = read_snapshot(port, reference=REFERENCE, windows=windows, timezone=timezone)
    return snapshot, read_transactions(snapshot.rows(), as_of)


def _read_there(port: LaborDataPort, windows: dict[Windowed, Window], as_of: float) -> Transactions:
    """The engine's records of some kinds of transaction (in another process: only they travel back)."""
    return read_transactions(read_snapshot(port, windows=windows).rows(), as_of)


def _shares(kinds: list[Windowed], workers: int) -> list[list[Windowed]]:
    """The kinds shared out among `workers` processes, costliest first to the least loaded (the first
    process also reads the reference data)."""
    shares: list[list[Windowed]] = [[] for _ in range(workers)]
    load = [REFERENCE_COST] + [0.0] * (workers - 1)
    for kind in sorted(kinds, key=READ_COST.__getitem__, reverse=True):
        least = load.index(min(load))
        shares[least].append(kind)
        load[least] += READ_COST[kind]
    return shares
