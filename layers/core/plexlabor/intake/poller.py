"""Polling Plex for new and changed punches and labor entries: the domain side of `punch_poller`.

One poll reads the window [since, until):
- `since` = the stored cursor minus an overlap (records that become visible a little late are
  caught by the next poll), or `now - lookback` on the first run;
- `until` = now.
Time-clock entries come from the incremental read (`time_clock_entries_modified`). Labor entries
have no modified filter: they are read by start time from `labor_window` before `since`, and those
that changed since `since` (modifiedDate, else end, else start) are kept, each id+version once.
Everything goes on the queue first; the cursor moves to `until` only after the queue took it all,
and never backwards. Re-reading an overlap means re-sending some records: the validator's
idempotency (record key + version) makes that harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import AwareDatetime, BaseModel, ConfigDict

from plexlabor.intake.cursor import TIME_CLOCK_CURSOR, CursorStore
from plexlabor.intake.errors import EnqueueError
from plexlabor.intake.messages import PunchMessage, change_marker
from plexlabor.intake.queue import PunchQueue
from plexlabor.models import LaborEntry, TimeClockEntry
from plexlabor.platform.observability import logger, metrics
from plexlabor.plex.port import LaborDataPort

if TYPE_CHECKING:
    from plexlabor.intake.wiring import PollerDependencies


@dataclass(frozen=True)
class PollPolicy:
    lookback: timedelta = timedelta(hours=24)
    overlap: timedelta = timedelta(minutes=5)
    labor_window: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class PollResult:
    since: datetime
    until: datetime
    cursor_before: datetime | None
    punches: int
    labor: int
    cursor_advanced: bool

    @property
    def enqueued(self) -> int:
        return self.punches + self.labor

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "cursor_before": self.cursor_before.isoformat() if self.cursor_before else None,
            "punches": self.punches,
            "labor_entries": self.labor,
            "enqueued": self.enqueued,
            "cursor_advanced": self.cursor_advanced,
        }


def poll_window(
    cursor: datetime | None, now: datetime, policy: PollPolicy, since: datetime | None, until: datetime | None
) -> tuple[datetime, datetime]:
    """The window of one poll (explicit `since`/`until` win: replays and backfills)."""
    until = until or now
    if since is None:
        since = cursor - policy.overlap if cursor is not None else until - policy.lookback
    if until <= since:
        raise ValueError(f"empty poll window: {since.isoformat()} .. {until.isoformat()}")
    return since, until


def changed_labor(entries: list[LaborEntry], since: datetime) -> list[LaborEntry]:
    """Labor entries changed at or after `since`, each id+version once."""
    seen: set[tuple[str, datetime]] = set()
    kept = []
    for entry in entries:
        marker = change_marker(entry)
        if marker < since or (entry.id, marker) in seen:
            continue
        seen.add((entry.id, marker))
        kept.append(entry)
    return kept


def poll(
    port: LaborDataPort,
    cursors: CursorStore,
    queue: PunchQueue,
    *,
    now: datetime,
    policy: PollPolicy | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> PollResult:
    """One poll: read, enqueue everything, then advance the cursor (EnqueueError leaves it)."""
    policy = policy or PollPolicy()
    cursor = cursors.get(TIME_CLOCK_CURSOR)
    since, until = poll_window(cursor, now, policy, since, until)
    punches: list[TimeClockEntry] = port.time_clock_entries_modified(since, until)
    labor = changed_labor(port.labor_entries(since - policy.labor_window, until), since)
    entries: list[TimeClockEntry | LaborEntry] = [*punches, *labor]
    messages = [PunchMessage.of(entry, "poll", now, known_until=until) for entry in entries]
    if messages:
        queue.send(messages)
    advanced = cursors.advance(TIME_CLOCK_CURSOR, until)
    return PollResult(since, until, cursor, len(punches), len(labor), advanced)


class PollDetail(BaseModel):
    model_config = ConfigDict(extra="ignore")

    since: AwareDatetime | None = None
    until: AwareDatetime | None = None


class PollerEvent(EventBridgeModel):
    """punch_poller's request: an EventBridge scheduled event. A schedule sends `detail: {}`; a replay
    or a backfill names its window, `{"since": "<ISO instant>", "until": "<ISO instant>"}`."""

    detail: PollDetail = PollDetail()


def run(deps: PollerDependencies, request: PollerEvent) -> dict[str, Any]:
    """One poll; the summary `{"since", "until", "cursor_before", "punches", "labor_entries", "enqueued",
    "cursor_advanced"}`. If the queue refuses any record, EnqueueError is raised (the scheduler
    retries) and the cursor stays."""
    try:
        result = poll(
            deps.source,
            deps.cursors,
            deps.queue,
            now=deps.clock(),
            policy=deps.policy,
            since=request.detail.since,
            until=request.detail.until,
        )
    except EnqueueError as error:
        logger.error("poll not enqueued; cursor left where it was", failed=len(error.failed), reason=str(error))
        metrics.add_metric(name="PollEnqueueFailed", unit=MetricUnit.Count, value=len(error.failed))
        raise
    summary = result.as_dict()
    logger.info("poll done", **summary)
    metrics.add_metric(name="PolledPunches", unit=MetricUnit.Count, value=result.punches)
    metrics.add_metric(name="PolledLaborEntries", unit=MetricUnit.Count, value=result.labor)
    return summary
