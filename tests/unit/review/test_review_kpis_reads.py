"""The KPI page's status reads go to the end of the period (review_s13 L3): each read was one page, oldest first and
capped (50,000), so in a plant past the cap the newest expiries (crew seats expire daily), openings and decisions
fell off: an item that expired read as waiting. The cap made small here (`limit`, a page's size now)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest

from plexlabor.audit import InMemoryAuditStore
from plexlabor.audit.events import expiry_event
from plexlabor.review import kpis
from plexlabor.review.kpis import compute_kpis
from plexlabor.webapp.kpireads import KpiReads
from tests.unit.review.test_review_kpis_outcomes import LATER, T0, _suggest

SEATS = [f"seat-{n}" for n in range(1, 6)]


def _expire(store: InMemoryAuditStore, item_id: str, minutes: int, after: datetime = T0) -> None:
    store.append(
        expiry_event(
            f"records:{item_id}",
            item_id,
            occurred_at=after + timedelta(minutes=minutes),
            actor="review_sweep",
            payload={"kind": "crew_assignment", "ended": T0.isoformat()},
        )
    )


def _seats(store: InMemoryAuditStore) -> kpis.KindFigures:
    for seat in SEATS:
        _suggest(store, seat, "crew_assignment", "crew-milp-2026.11")
    for minutes, seat in enumerate(SEATS[:4], start=1):
        _expire(store, seat, minutes)
    [row] = compute_kpis(store, clock=lambda: LATER, limit=2).by_kind
    return row


def test_every_expiry_of_the_period_is_counted_past_a_page() -> None:
    row = _seats(InMemoryAuditStore())
    assert (row.suggested, row.expired, row.waiting) == (5, 4, 1)


def test_through_the_pages_kept_per_container_too() -> None:
    store = InMemoryAuditStore()
    now = [LATER]
    reads = KpiReads(store, clock=lambda: now[0])
    for seat in SEATS:
        _suggest(store, seat, "crew_assignment", "crew-milp-2026.11")
    _expire(store, SEATS[0], 1)
    [first] = compute_kpis(reads, clock=lambda: now[0], limit=2).by_kind
    for seconds, seat in enumerate(SEATS[1:4], start=1):  # three more expiries since: more than a page
        _expire(store, seat, 0, after=LATER + timedelta(seconds=seconds))
    now[0] = LATER + timedelta(minutes=1)
    [second] = compute_kpis(reads, clock=lambda: now[0], limit=2).by_kind
    assert (first.expired, first.waiting) == (1, 4)
    assert (second.suggested, second.expired, second.waiting) == (5, 4, 1)


def test_a_read_cut_at_its_pages_says_so(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(kpis, "PAGES", 2)
    with caplog.at_level(logging.ERROR):
        row = _seats(InMemoryAuditStore())
    assert row.suggested == 2  # two pages (two, then two again at the same instant): the rest left out
    assert "pending_approval events read up to" in caplog.text
