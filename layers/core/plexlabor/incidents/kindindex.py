"""The incidents' own events, read from the audit table's kind index page after page, and what each incident came to.

The kind index (`AuditStore.by_kind`, partition `incident_coding`) holds every event of incidents that names the
kind: openings, decisions, the closings of a corrected resend and of a withdrawal, write-backs and notices; nothing of
any other kind. So the trends, the training rows and the EHS lead's digest read it, never a plant-wide status
partition (`expired`, `approved`), where every kind's events (crew seats expire daily) would fill a capped read oldest
first and hide the newest incident closings (review 163 D4). The read is bounded (`PAGE_SIZE` × `MAX_PAGES` events:
decades of a plant's incidents); `IncidentEvents.complete` says whether it reached the end.

Incidents recorded before the kind index existed (2026-12-05) carry no key of it until `reindex` (`plexlabor incidents
reindex`) gives them one: it finds their openings in the status partitions an opening carries (`REINDEX_STATUSES`,
oldest first) and gives every event of each incident's record its key (`AuditStore.index_kind`: the event unchanged).
It is idempotent (an event indexed already is left as it is), bounded (`pages` status pages a run) and resumable (its
`Reindexed.cursor`, where the next run starts).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from plexlabor.approval.recommendations import INCIDENT_CODING
from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus, AuditStore
from plexlabor.audit.events import format_audit_time, withdrawal
from plexlabor.audit.paging import read_to_end
from plexlabor.incidents.withdrawal import DUPLICATE, called_back, ground_of

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
    """Every `incident_coding` event at or after `since` (None: all), oldest first, read to the end
    (`audit.paging.read_to_end`, pages of `PAGE_SIZE`, at most `MAX_PAGES`)."""
    pages = read_to_end(
        lambda start, size: audit.by_kind(INCIDENT_CODING, since=start, limit=size), since, PAGE_SIZE, MAX_PAGES
    )
    if not pages.complete:
        logger.error("incident events: the kind index read up to %s, not to the end", pages.stopped_at)
    return IncidentEvents(pages.events, pages.complete)


@dataclass(frozen=True)
class Outcome:
    """What one incident came to: its opening (None when it lies before the read), its newest decision (the one that
    holds) and whether its reporter took it back or the EHS lead set it aside (`withdrawal.called_back`: replaced by
    a corrected report, withdrawn, not an incident, a duplicate), which leaves it out of the trends and training."""

    opening: AuditEvent | None = None
    decision: AuditEvent | None = None
    called_back: bool = False
    duplicate_of: str | None = None
    """The report it was set aside as a duplicate of, when it was."""

    @property
    def approved(self) -> AuditEvent | None:
        """The newest decision when it confirmed codes (a rejection of the codes confirms none), else None."""
        decision = self.decision
        return decision if decision is not None and decision.status is AuditStatus.APPROVED else None

    @property
    def asks_to_correct(self) -> list[str]:
        """The decided reports of the same text and time this resend asks the EHS lead to correct (ux_s13 #16)."""
        opening = self.opening
        return [str(decided) for decided in (opening.payload.get("asks_to_correct") or [])] if opening else []

    @property
    def replaces(self) -> list[str]:
        """The reporter's earlier reports of the same text and time this corrected resend replaces (closed just after
        it is recorded: `service.log_incident`)."""
        opening = self.opening
        return [str(earlier) for earlier in (opening.payload.get("replaces") or [])] if opening else []


def outcomes(events: Iterable[AuditEvent]) -> dict[str, Outcome]:
    """Each incident's `Outcome` from its events, by incident id."""
    found: dict[str, Outcome] = {}
    for event in sorted(events, key=lambda e: e.event_sk):
        item = event.finding_id
        if item is None or event.payload.get("kind") != INCIDENT_CODING:
            continue
        now = found.get(item, Outcome())
        if event.event_type is AuditEventType.RECOMMENDATION and now.opening is None:
            found[item] = replace(now, opening=event)
        elif event.event_type is AuditEventType.DECISION:
            found[item] = replace(now, decision=event)
        elif called_back(event):
            duplicate_of = (withdrawal(event) or {}).get("duplicate_of") if ground_of(event) == DUPLICATE else None
            found[item] = replace(now, called_back=True, duplicate_of=str(duplicate_of) if duplicate_of else None)
    return found


def _set_aside_first(item: str, outcome: Outcome, found: Mapping[str, Outcome]) -> bool:
    """Whether `item` is the older of two reports set aside as duplicates of each other at the same moment (each
    request read the other as standing: review_s14 L6), which is counted as the one that stands."""
    other = found.get(outcome.duplicate_of or "")
    if other is None or other.duplicate_of != item:
        return False

    def age(report: str, of: Outcome) -> tuple[str, str]:
        return (of.opening.event_sk if of.opening is not None else "", report)

    return age(item, outcome) < age(str(outcome.duplicate_of), other)


def stands(item: str, found: Mapping[str, Outcome]) -> bool:
    """Whether the report `item` stands among the outcomes `found`: not called back (one with no event in `found` is
    taken to stand), or the older of two reports set aside as duplicates of each other (`_set_aside_first`)."""
    return item not in found or not found[item].called_back or _set_aside_first(item, found[item], found)


def counted(found: Mapping[str, Outcome]) -> dict[str, Outcome]:
    """The incidents of `found` the trends and the training rows count: those that stand (`stands`), and not a resend
    asking the EHS lead to correct a decided report (`Outcome.asks_to_correct`) while that report stands, as it is the
    same event, counted once as the decided report (counted in its place once each report it names is called back).
    A corrected resend whose earlier report still stands (the write that closes it failed after the resend was
    recorded, or the EHS lead decided it meanwhile: review_s14 L1) is the same event too, counted once as the earlier
    report until that one is closed."""
    return {
        item: outcome
        for item, outcome in found.items()
        if stands(item, found)
        and not any(stands(other, found) for other in [*outcome.asks_to_correct, *outcome.replaces])
    }


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


REINDEX_STATUSES = (AuditStatus.PENDING_APPROVAL, AuditStatus.LOGGED)
"""The statuses an incident's opening carries (`service.log_incident`: in the queue, or auto-coded or held): the status
partitions `reindex` reads, in this order, for the incidents the kind index lacks."""
REINDEX_PAGE_SIZE = 1_000
REINDEX_PAGES = 50
"""Status pages `reindex` reads a run by default (50,000 events of every kind): a few minutes of DynamoDB reads."""


@dataclass(frozen=True)
class Reindexed:
    """What one `reindex` run did, and where the next starts."""

    read: int
    """Status events read (of every kind)."""
    incidents: int
    """Incident records whose events were given their key where they had none."""
    indexed: int
    """Events given their key of the kind index."""
    cursor: str | None
    """Where the next run starts (`<status>@<UTC time>`); None: every status partition was read to its end."""
    skipped: list[str]
    """Instants holding a whole page of one partition's events, stepped over (a larger page size reads them)."""


def reindex(
    audit: AuditStore, *, after: str | None = None, pages: int = REINDEX_PAGES, page_size: int = REINDEX_PAGE_SIZE
) -> Reindexed:
    """Give the incidents recorded before the kind index existed their key of it: read the partitions of
    `REINDEX_STATUSES` oldest first from `after` (a `Reindexed.cursor`; None: from the start), at most `pages` pages of
    `page_size` (at least 2) events in all, and for each incident opening read give every event of its record its key
    (`AuditStore.index_kind`). A page's last instant is read again by the next (the reads' `since` is inclusive): its
    events are given nothing twice (idempotent)."""
    if page_size < 2:
        raise ValueError("page size: at least 2 (a page starts at the last one's final instant, read again)")
    position, since = _parse_cursor(after)
    read = indexed = 0
    seen: set[str] = set()
    skipped: list[str] = []
    for _ in range(pages):
        status = REINDEX_STATUSES[position]
        page = audit.by_status(status, since, page_size)
        read += len(page)
        for event in page:
            if _incident_opening(event) and event.record_key not in seen:
                seen.add(event.record_key)
                indexed += audit.index_kind(audit.history(event.record_key))
        if len(page) < page_size:  # this partition is read to its end
            position, since = position + 1, None
            if position == len(REINDEX_STATUSES):
                return Reindexed(read, len(seen), indexed, None, skipped)
            continue
        if page[-1].occurred_at != since:
            since = page[-1].occurred_at
        else:  # a whole page at the instant it was read from: the partition cannot be paged past it
            logger.error("incident reindex: %s events at %s fill a page; stepped over", status.value, since)
            skipped.append(f"{status.value}@{format_audit_time(since)}")
            since += timedelta(microseconds=1)
    status = REINDEX_STATUSES[position]
    cursor = f"{status.value}@{format_audit_time(since)}" if since else status.value
    return Reindexed(read, len(seen), indexed, cursor, skipped)


def _incident_opening(event: AuditEvent) -> bool:
    return event.event_type is AuditEventType.RECOMMENDATION and event.kind == INCIDENT_CODING


def _parse_cursor(cursor: str | None) -> tuple[int, datetime | None]:
    """The status partition (its place in `REINDEX_STATUSES`) and time a `Reindexed.cursor` names; ValueError naming
    what is wrong."""
    if not cursor:
        return 0, None
    status, _, at = cursor.partition("@")
    names = [s.value for s in REINDEX_STATUSES]
    if status not in names:
        raise ValueError(f"cursor '{cursor}': not <status>@<UTC time> of a run (status one of {', '.join(names)})")
    try:
        since = datetime.fromisoformat(at) if at else None
    except ValueError:
        raise ValueError(f"cursor '{cursor}': '{at}' is not a UTC time") from None
    if since is not None and since.tzinfo is None:
        raise ValueError(f"cursor '{cursor}': '{at}' names no zone")
    return names.index(status), since
