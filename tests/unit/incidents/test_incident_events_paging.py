"""`kindindex.incident_events` reads the kind index past a batch of incident events published at one instant that
fills a page (the page asked again twice as large, `audit.paging.read_to_end`): it stopped there, `complete` False."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from plexlabor.approval.recommendations import INCIDENT_CODING
from plexlabor.audit import InMemoryAuditStore
from plexlabor.incidents import kindindex
from tests.unit.audit.test_audit_paging import opened

AT = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def test_a_batch_at_one_instant_filling_a_page_is_read_past(monkeypatch: pytest.MonkeyPatch) -> None:
    audit = InMemoryAuditStore()
    times = [AT] + [AT + timedelta(hours=1)] * 4 + [AT + timedelta(hours=2)]
    for number, at in enumerate(times):
        opened(audit, number, at, INCIDENT_CODING)
    monkeypatch.setattr(kindindex, "PAGE_SIZE", 3)

    read = kindindex.incident_events(audit, None)

    assert read.complete
    assert sorted(event.finding_id or "" for event in read.events) == [f"item-{n}" for n in range(6)]
