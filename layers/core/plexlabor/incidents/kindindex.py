"""The incidents' own events, read from the audit table's kind index page after page, and what each incident came to.

The kind index (`AuditStore.by_kind`, partition `incident_coding`) holds every event of incidents that names the
kind: openings, decisions, the closings of a corrected resend and of a withdrawal, write-backs and notices; nothing of
any other kind. So the trends, the training rows and the EHS lead's digest read it, never a plant-wide status
partition (`expired`, `approved`), where every kind's events (crew seats expire daily) would fill a capped read oldest
first and hide the newest incident closings (review 163 D4). The read is bounded (`PAGE_SIZE` × `MAX_PAGES` events:
decades of a plant's incidents); `IncidentEvents.complete` says whether it reached the end. Incidents recorded before
the kind index existed (2026-12-05) carry no key of it and are not read (the audit table is append-only).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from plexlabor.approval.recommendations import INCIDENT_CODING
from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus, AuditStore
from plexlabor.incidents.withdrawal import called_back

logger = logging.getLogger(__name__)

PAGE_SIZE = 5_000
MAX_PAGES = 40
"""At most this many pages per read (200,000 events); a read cut there says so in the log and in `complete`."""


@dataclass(frozen=True)
class IncidentEvents:
    events: list[AuditEvent]
    complete: bool
    """Every event from `since` on was read (False: cut at `MAX_PAGES`, the newest left out)."""


def incident_events(audit: AuditStore, since: datetime | None) -> IncidentEvents:
    """Every `incident_coding` event at or after `since` (None: all), oldest first, page after page (the next page
    starts at the last event's time; an event read twice is kept once)."""
    found: dict[str, AuditEvent] = {}
    for _ in range(MAX_PAGES):
        page = audit.by_kind(INCIDENT_CODING, since=since, limit=PAGE_SIZE)
        fresh = [event for event in page if event.event_id not in found]
        found.update((event.event_id, event) for event in page)
        if len(page) < PAGE_SIZE:
            return IncidentEvents(list(found.values()), True)
        if not fresh:  # a whole page at one instant: the index cannot be paged past it
            break
        since = page[-1].occurred_at
    logger.error("incident events: the kind index read up to %s, not to the end", since)
    return IncidentEvents(list(found.values()), False)


@dataclass(frozen=True)
class Outcome:
    """What one incident came to: its opening (None when it lies before the read), its newest decision (the one that
    holds) and whether its reporter took it back or the EHS lead set it aside (`withdrawal.called_back`: replaced by
    a corrected report, withdrawn, not an incident, a duplicate), which leaves it out of the trends and training."""

    opening: AuditEvent | None = None
    decision: AuditEvent | None = None
    called_back: bool = False

    @property
    def approved(self) -> AuditEvent | None:
        """The newest decision when it confirmed codes (a rejection of the codes confirms none), else None."""
        decision = self.decision
        return decision if decision is not None and decision.status is AuditStatus.APPROVED else None


def outcomes(events: Iterable[AuditEvent]) -> dict[str, Outcome]:
    """Each incident's `Outcome` from its events, by incident id."""
    found: dict[str, Outcome] = {}
    for event in sorted(events, key=lambda e: e.event_sk):
        item = event.finding_id
        if item is None or event.payload.get("kind") != INCIDENT_CODING:
            continue
        now = found.get(item, Outcome())
        if event.event_type is AuditEventType.RECOMMENDATION and now.opening is None:
            found[item] = Outcome(event, now.decision, now.called_back)
        elif event.event_type is AuditEventType.DECISION:
            found[item] = Outcome(now.opening, event, now.called_back)
        elif called_back(event):
            found[item] = Outcome(now.opening, now.decision, True)
    return found


def incident_outcomes(audit: AuditStore, since: datetime | None) -> dict[str, Outcome]:
    """The `Outcome` of every incident with an event at or after `since`, from the kind index; when the read was cut
    (`complete` False), each incident read is settled from its own record instead, so a closing among the events not
    read still counts."""
    read = incident_events(audit, since)
    found = outcomes(read.events)
    if read.complete:
        return found
    records = {str(event.finding_id): event.record_key for event in read.events if event.finding_id}
    return {item: outcomes(audit.history(records[item])).get(item, state) for item, state in found.items()}
