"""`incidents.listing.IncidentLog`: a warm container reads only what is new, and the whole period again when
due; what it lists is what the audit table holds."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from plexlabor.audit import InMemoryAuditStore
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
