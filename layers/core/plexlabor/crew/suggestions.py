"""The crew suggestions of a day as the audit table holds them, and how each was closed: one reader for
crew_replan's current plan (`replanning.read_current_plan`) and the crew board (`webapp.crewboard`).
Imports the audit model only, so the web app loads neither NumPy nor SciPy through it."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import date, datetime, timedelta

from plexlabor.audit.events import AuditEvent, AuditEventType, AuditStatus
from plexlabor.audit.store import AuditStore

REPLAN_ACTOR = "crew_replan"
"""Who records a re-plan's suggestions, and closes those it superseded, in the audit trail."""
PLAN_LOOKBACK = timedelta(days=3)
"""How far before the planned day its suggestions are looked for (the nightly plan is published the day before)."""
READ_LIMIT = 50_000
"""Events per status read (a shift of a 2,400-person plant has about 1,000 assignments)."""
CLOSING = (AuditStatus.APPROVED, AuditStatus.REJECTED, AuditStatus.EXPIRED)
"""The statuses that close a suggestion, in the order one wins over another (approved first)."""
OPENING = (AuditStatus.PENDING_APPROVAL, AuditStatus.LOGGED)


def closings(store: AuditStore, since: datetime) -> dict[str, AuditEvent]:
    """The event that closed each suggestion since `since`, by the suggestion's id (its `finding_id`);
    an approval wins over a rejection, which wins over an expiry."""
    closed: dict[str, AuditEvent] = {}
    for status in CLOSING:
        for event in store.by_status(status, since, READ_LIMIT):
            if event.finding_id and event.event_type is not AuditEventType.RECOMMENDATION:
                closed.setdefault(event.finding_id, event)
    return closed


def plan_suggestions(store: AuditStore, day: date, since: datetime, kinds: Collection[str]) -> Iterator[AuditEvent]:
    """The recommendations of `kinds` for `day` (`payload.plan_day`) that were waiting or logged when made."""
    for status in OPENING:
        for event in store.by_status(status, since, READ_LIMIT):
            payload = event.payload
            if (
                event.event_type is AuditEventType.RECOMMENDATION
                and payload.get("kind") in kinds
                and payload.get("plan_day") == day.isoformat()
            ):
                yield event
