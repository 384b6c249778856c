"""One windowed read of a plant's labor data, the same from every labor-data port.

`read_snapshot(port, reference=..., windows=...)` returns a `PlexSnapshot`: the reference data asked
for, the records of each kind asked for within that kind's own window (half-open, on the field the port
documents: time-clock entries by clock-in, labor entries by start, shift assignments by scheduled
start, ...), and the plant's time zone (the one given, else the port's). Validation, skills, crew
planning and forecasting each read one snapshot and shape it into their own inputs; how a source reads
fast (a plant folder's pre-filtered lines, Plex's chunked windows) stays inside the source.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from plexlabor import models
from plexlabor.models import PLANT_MODELS
from plexlabor.plex.port import LaborDataPort, port_method
from plexlabor.plex.windows import check_window

Reference = Literal[
    "employees",
    "workcenters",
    "approved-workcenters",
    "jobs",
    "job-operations",
    "shifts",
    "skills",
    "certifications",
    "workcenter-requirements",
    "buildings",
    "clock-devices",
]
"""Reference data, read whole."""

Windowed = Literal[
    "time-clock-entries",
    "labor-entries",
    "shift-assignments",
    "workcenter-events",
    "badge-swipes",
    "scrap-entries",
    "downtime-entries",
    "nonconformances",
    "indirect-labor-entries",
]
"""Records read within a window."""

REFERENCE: tuple[Reference, ...] = get_args(Reference)
WINDOWED: tuple[Windowed, ...] = get_args(Windowed)

CLOSED_JOBS = frozenset({"Complete", "Cancelled"})
STARTED_JOBS = frozenset({"InProcess", "Released"})
"""Jobs in process or released to the floor (held there): read whatever their due date."""

Window = tuple[datetime, datetime]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobsNear:
    """Which jobs' operations a read asks for (Plex answers them one job per call): those whose operations can
    run in [begin, end), and those the labor entries read name (their operations say what was worked).

    A job can run in the window when it is in process or released (`STARTED_JOBS`), or scheduled (closed too
    when `closed_too`: data read after the window began, a replay) with no due date or one before `end + lead`:
    its operations start at most `lead` before its due date. A cancelled job never runs.
    """

    begin: datetime
    end: datetime
    lead: timedelta
    closed_too: bool = False

    def can_run(self, job: models.Job) -> bool:
        if job.status in STARTED_JOBS:
            return True
        if job.status == "Cancelled" or (job.status == "Complete" and not self.closed_too):
            return False
        return job.due_date is None or job.due_date < self.end + self.lead

    def early(self, jobs: Iterable[models.Job], operations: Iterable[models.JobOperation]) -> list[str]:
        """The jobs read whose operations start more than `lead` before their due date (the lead is set too
        short: scheduled jobs like them that were not read may have operations in the window). Every job read
        but a cancelled one counts: a job that runs on time is in process or released by the time it is
        within the lead of its due date, so the scheduled ones alone would rarely show it."""
        due = {job.id: job.due_date for job in jobs if job.status != "Cancelled" and job.due_date is not None}
        return sorted(
            {
                op.job_id
                for op in operations
                if op.job_id in due
                and op.scheduled_start is not None
                and op.scheduled_start < due[op.job_id] - self.lead
            }
        )


@dataclass(frozen=True)
class PlexSnapshot:
    """Reference data and windowed records of one plant, as typed models; kinds not read are empty."""

    timezone: str
    windows: Mapping[Windowed, Window] = field(default_factory=dict)
    """The window each kind of record was read in (UTC, half-open)."""
    employees: tuple[models.Employee, ...] = ()
    workcenters: tuple[models.Workcenter, ...] = ()
    approved_workcenters: tuple[models.ApprovedWorkcenter, ...] = ()
    jobs: tuple[models.Job, ...] = ()
    job_operations: tuple[models.JobOperation, ...] = ()
    shifts: tuple[models.Shift, ...] = ()
    skills: tuple[models.Skill, ...] = ()
    certifications: tuple[models.Certification, ...] = ()
    workcenter_requirements: tuple[models.WorkcenterRequirement, ...] = ()
    buildings: tuple[models.Building, ...] = ()
    clock_devices: tuple[models.ClockDevice, ...] = ()
    time_clock_entries: tuple[models.TimeClockEntry, ...] = ()
    labor_entries: tuple[models.LaborEntry, ...] = ()
    shift_assignments: tuple[models.ShiftAssignment, ...] = ()
    workcenter_events: tuple[models.WorkcenterEvent, ...] = ()
    badge_swipes: tuple[models.BadgeSwipe, ...] = ()
    scrap_entries: tuple[models.ScrapEntry, ...] = ()
    downtime_entries: tuple[models.DowntimeEntry, ...] = ()
    nonconformances: tuple[models.Nonconformance, ...] = ()
    indirect_labor_entries: tuple[models.IndirectLaborEntry, ...] = ()

    def rows(self) -> dict[str, tuple[models.PlexModel, ...]]:
        """The records per resource name (`time-clock-entries`, ...)."""
        return {name: getattr(self, port_method(name)) for name in (*REFERENCE, *WINDOWED)}

    @classmethod
    def from_rows(cls, rows: Mapping[str, Iterable[Any]], timezone: str) -> PlexSnapshot:
        """A snapshot of records already in hand, per resource name (absent: none): models, or Plex
        camelCase dicts parsed by the same models (one that does not parse raises `PlexDataError`
        naming the resource and the field)."""
        values: dict[str, Any] = {}
        for name in (*REFERENCE, *WINDOWED):
            model = PLANT_MODELS[name]
            values[port_method(name)] = tuple(
                row if isinstance(row, model) else model.from_plex(row) for row in rows.get(name, ())
            )
        return cls(timezone=timezone, **values)


def read_snapshot(
    port: LaborDataPort,
    *,
    reference: Iterable[Reference] = (),
    windows: Mapping[Windowed, Window] | None = None,
    timezone: str | None = None,
    open_jobs_only: bool = False,
    jobs_near: JobsNear | None = None,
) -> PlexSnapshot:
    """Read the `reference` kinds whole and each kind in `windows` within its window.

    Job operations: Plex answers them one job at a time, so when only some jobs' are wanted only those are
    asked for (otherwise one call of the port). `open_jobs_only`: of jobs not complete or cancelled.
    `jobs_near`: of the jobs that can run near its window and those the labor entries read name (`JobsNear`);
    a scheduled job read whose operations start earlier than the lead allows is logged as a warning.
    """
    wanted = set(reference)
    selective = "job-operations" in wanted and (open_jobs_only or jobs_near is not None)
    values: dict[str, Any] = {}
    checked = {name: check_window(*window) for name, window in (windows or {}).items()}
    with collector_paused():
        for name in REFERENCE:
            if name in wanted and not (selective and name == "job-operations"):
                values[port_method(name)] = tuple(getattr(port, port_method(name))())
        for kind, (begin, end) in checked.items():
            values[port_method(kind)] = tuple(getattr(port, port_method(kind))(begin, end))
        if selective:
            jobs = values["jobs"] if "jobs" in wanted else tuple(port.jobs())
            values["job_operations"] = tuple(_operations_of(port, jobs, _job_filter(values, open_jobs_only, jobs_near)))
            if jobs_near is not None and (early := jobs_near.early(jobs, values["job_operations"])):
                logger.warning(
                    "jobs scheduled earlier than the job lead allows: operations of jobs not read may be missed; "
                    "raise PLEXLABOR_JOB_LEAD_DAYS",
                    extra={"jobs": len(early), "example_job_id": early[0], "lead_days": jobs_near.lead.days},
                )
    return PlexSnapshot(timezone=timezone or port.timezone(), windows=checked, **values)


def _job_filter(
    values: Mapping[str, Any], open_jobs_only: bool, jobs_near: JobsNear | None
) -> Callable[[models.Job], bool]:
    """Whose operations a selective read asks for (`read_snapshot`)."""
    if jobs_near is None:
        return lambda job: job.status not in CLOSED_JOBS
    named = {entry.job_id for entry in values.get("labor_entries", ())}
    return lambda job: (
        (jobs_near.can_run(job) or job.id in named) and not (open_jobs_only and job.status in CLOSED_JOBS)
    )


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while records are made in bulk (a snapshot, its index).

    The records of a read live on and hold no reference cycles, yet each batch of new objects sets the
    collector walking all of them again (40 % of reading a 400-person plant's half year went there).
    Reference counting still frees everything meanwhile. On the way out, what was made is moved to the
    oldest generation (`gc.freeze` then `gc.unfreeze`, which puts the frozen objects there) so that the
    young generations do not walk it once more (nothing in plexlabor keeps objects frozen), and the
    collector resumes if it was on.
    """
    if not gc.isenabled():  # already paused by a caller, who resumes it
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        gc.enable()


def _operations_of(
    port: LaborDataPort, jobs: tuple[models.Job, ...], asked: Callable[[models.Job], bool]
) -> list[models.JobOperation]:
    """The operations of the jobs `asked` keeps: one call of the port when it keeps them all, else of those jobs."""
    kept = [job.id for job in jobs if asked(job)]
    if len(kept) == len(jobs):
        return port.job_operations()
    return port.job_operations_of(kept)
