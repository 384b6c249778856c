"""`incidents.listing.IncidentLog`: a warm container reads only what is new, and the whole period again when
due; what it lists is what the audit table holds."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from plexlabor.approval.recommendations import INCIDENT_CODING
from plexlabor.audit import AuditEvent, AuditEventType, AuditStatus, AuditStore, InMemoryAuditStore
from plexlabor.incidents.listing import IncidentLog, Standing
from plexlabor.incidents.service import IncidentDeps, IncidentReport, correct_codes, log_incident, opening
from tests.unit.approval.approval_fakes import T0, Clock
from tests.unit.incidents.conftest import CONFIRMED_CODES


class CountingStore(InMemoryAuditStore):
    """The fake, remembering where each kind-index read started."""

    def __init__(self) -> None:
        super().__init__()
        self.kind_reads: list[datetime | None] = []

    def by_kind(self, kind: str, **query: Any) -> list[Any]:
        self.kind_reads.append(query.get("since"))
        return super().by_kind(kind, **query)


def test_a_warm_log_reads_what_is_new_and_the_whole_period_when_due() -> None:
    # Given an incident without a model (it waits in the queue), listed once
    audit, clock = CountingStore(), Clock()
    deps = IncidentDeps(audit, None, clock=clock)
    first = log_incident(deps, IncidentReport(narrative="A pallet slid off the forks near a walker."), "E1")
    audit.kind_reads.clear()  # log_incident's own read (for an earlier report it replaces): not the list's
    log = IncidentLog(audit, clock)
    since, until = T0 - timedelta(days=1), T0 + timedelta(days=1)
    [listed] = log.listing(since, until).incidents
    assert listed.standing is Standing.IN_QUEUE and audit.kind_reads == [since]
    read_at = clock.now
    # When a second is reported and the first confirmed, a minute later
    clock.advance(minutes=1)
    second = log_incident(deps, IncidentReport(narrative="An operator cut a finger on a burr."), "E2")
    audit.kind_reads.pop()
    found = opening(audit, first.incident_id)
    assert found is not None
    correct_codes(audit, found, CONFIRMED_CODES, "S1", clock(), None, {})
    clock.advance(minutes=1)
    # Then the next listing holds both as they stand, read from the last read less the overlap only
    listing = log.listing(since, until)
    assert [(i.incident_id, i.standing) for i in listing.incidents] == [
        (second.incident_id, Standing.IN_QUEUE),
        (first.incident_id, Standing.SENDING),
    ]
    assert audit.kind_reads[-1] == read_at - log.overlap
    # and after `refresh`, or for a period starting earlier, the whole period is read again
    clock.advance(minutes=6)
    log.listing(since, until)
    assert audit.kind_reads[-1] == since
    log.listing(since - timedelta(days=1), until)
    assert audit.kind_reads[-1] == since - timedelta(days=1)
    # and a narrower period is answered from what is kept, its incidents only
    narrower = log.listing(T0 + timedelta(seconds=30), until)  # after the first was reported, before the second
    assert [i.incident_id for i in narrower.incidents] == [second.incident_id]
    assert audit.kind_reads[-1] == clock.now - log.overlap - timedelta(milliseconds=1)


class FindingCountingStore(InMemoryAuditStore):
    """The fake, remembering which incidents' own events were read."""

    def __init__(self) -> None:
        super().__init__()
        self.finding_reads: list[str] = []

    def for_finding(self, finding_id: str) -> list[Any]:
        self.finding_reads.append(finding_id)
        return super().for_finding(finding_id)


def _plex_event(
    audit: AuditStore, incident: AuditEvent | None, event_type: AuditEventType, at: datetime, **payload: Any
) -> None:
    """What plex_writeback records for an incident (a failure and a withdrawal name no kind)."""
    assert incident is not None
    status = {
        AuditEventType.WRITEBACK: AuditStatus.WRITTEN,
        AuditEventType.WRITEBACK_FAILED: AuditStatus.WRITE_FAILED,
        AuditEventType.REVERT: AuditStatus.REVERTED,
    }[event_type]
    audit.append(
        AuditEvent(
            record_key=incident.record_key,
            event_id=str(uuid.uuid4()),
            event_type=event_type,
            status=status,
            occurred_at=at,
            actor="plex_writeback",
            finding_id=incident.finding_id,
            payload=payload,
            previous_values={} if event_type is AuditEventType.WRITEBACK else None,
        )
    )


@pytest.mark.parametrize(
    "log_of",
    [
        lambda audit, clock: IncidentLog(audit, clock, limit=10),  # (before: the status reads were cut at `limit`)
        lambda audit, clock: IncidentLog(audit, clock, status_limit=5),  # more than the status reads take
    ],
    ids=["status-index", "incident-by-incident"],
)
def test_an_incidents_failed_write_and_withdrawal_are_listed_behind_many_older_failures_of_other_kinds(
    log_of: Callable[[AuditStore, Clock], IncidentLog],
) -> None:
    """review 140 R5: 11 older punch write-back failures pushed the incident's failure out of a status read cut at
    the oldest 10 (the real limit 20,000), and the list said 'on its way to Plex', not 'Plex write failed'."""
    audit, clock = FindingCountingStore(), Clock()
    for n in range(11):  # punch write-backs that failed earlier in the period (Plex refusing a field, say)
        audit.append(
            AuditEvent(
                record_key=f"time-clock-entries:T{n}",
                event_id=str(uuid.uuid4()),
                event_type=AuditEventType.WRITEBACK_FAILED,
                status=AuditStatus.WRITE_FAILED,
                occurred_at=clock() - timedelta(hours=1, seconds=-n),
                actor="plex_writeback",
                finding_id=f"f-{n}",
                payload={"error": "PlexRequestError", "message": "400"},
            )
        )
    deps = IncidentDeps(audit, None, clock=clock)
    failed, withdrawn, waiting = (
        log_incident(deps, IncidentReport(narrative=text), "E1").incident_id
        for text in (
            "An operator cut a finger on a burr.",
            "A pallet slid off the forks near a walker.",
            "A forklift clipped a rack upright.",
        )
    )
    openings = {item: opening(audit, item) for item in (failed, withdrawn)}
    for found in openings.values():
        assert found is not None
        correct_codes(audit, found, CONFIRMED_CODES, "S1", clock(), None, {})
    sent, later = clock() + timedelta(minutes=1), clock() + timedelta(minutes=2)
    _plex_event(audit, openings[failed], AuditEventType.WRITEBACK_FAILED, sent, error="PlexRequestError")
    _plex_event(audit, openings[withdrawn], AuditEventType.WRITEBACK, sent, kind=INCIDENT_CODING, sent=True)
    _plex_event(audit, openings[withdrawn], AuditEventType.REVERT, later)
    clock.advance(minutes=5)

    log = log_of(audit, clock)
    listing = log.listing(clock() - timedelta(days=1), clock() + timedelta(days=1))

    standings = {listed.incident_id: listed.standing for listed in listing.incidents}
    assert standings == {failed: Standing.WRITE_FAILED, withdrawn: Standing.WITHDRAWN, waiting: Standing.IN_QUEUE}
    assert listing.complete
    # read incident by incident only when the status index holds more than it reads, and only the page-confirmed
    assert sorted(audit.finding_reads) == (sorted([failed, withdrawn]) if log.status_limit < 11 else [])
