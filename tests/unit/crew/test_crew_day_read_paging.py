"""A day's crew read pages its reads to the end: the day's crew events (the plan-day index: a plant's shift is about
a thousand suggestions) and the plant-wide closing status indexes (`crew.suggestions.read_status`: they hold every
kind's closings of every day from the day's first suggestion on, oldest first), so one page capped at `READ_LIMIT`
dropped the newest events (the day's latest suggestions, their decisions) without a word. A read cut at `READ_PAGES`
logs an error."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest

from plexlabor.approval.messages import ApprovalAction
from plexlabor.audit import AuditStatus
from plexlabor.audit.events import expiry_event, recommendation_event
from plexlabor.crew import suggestions
from plexlabor.crew.suggestions import DayReader, day_since, read_day
from tests.unit.crew.test_crew_suggestions import DAY, CountingStore, _decided, _suggestion

LIMIT = 10


def _plant(store: CountingStore, others: int, start: datetime) -> None:
    """`others` punch findings, each expired, from `start` on."""
    for n in range(others):
        at = start + timedelta(minutes=n)
        finding = recommendation_event(
            "punches:P-1",
            f"punch-{n}",
            status=AuditStatus.PENDING_APPROVAL,
            occurred_at=at,
            actor="punch_detector",
            model_version="punch-1",
            payload={"kind": "punch_finding"},
        )
        store.append(finding)
        store.append(expiry_event(finding.record_key, finding.event_id, occurred_at=at, actor="sweep", payload={}))


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(suggestions, "READ_LIMIT", LIMIT)


@pytest.mark.usefixtures("small_pages")
def test_the_newest_suggestions_of_the_day_and_their_decisions_are_read_past_a_page() -> None:
    store = CountingStore()
    at = day_since(DAY) + timedelta(days=7)  # the plan, published the day before its day
    plan = [_suggestion(f"E{n}", at + timedelta(seconds=n)) for n in range(2 * LIMIT + 3)]
    for event in plan:
        store.append(event)
    _plant(store, 3 * LIMIT, at + timedelta(minutes=1))  # punch findings decided after it: older than its decision
    store.append(_decided(plan[-1], ApprovalAction.REJECT, at + timedelta(hours=5)))
    for read in (read_day(store, DAY), DayReader(store).read(DAY, at + timedelta(hours=6))):
        assert [e.event_id for e in read.openings] == [e.event_id for e in plan]
        assert read.closed[plan[-1].event_id].status is AuditStatus.REJECTED
    # three pages of the day's crew events (23, 10 a page), four of the closing status `expired` (30 expiries, the last
    # page short), one of each other closing status
    store.clear()
    read_day(store, DAY)
    assert len(store.day_reads) == 3 and len(store.reads) == 4 + 1 + 1


@pytest.mark.usefixtures("small_pages")
def test_a_batch_published_at_one_instant_is_read_whole() -> None:
    store = CountingStore()
    at = day_since(DAY) + timedelta(days=7)
    plan = [_suggestion(f"E{n}", at) for n in range(LIMIT + 3)]  # a page ending at the instant it started from
    for event in plan:
        store.append(event)
    assert {e.event_id for e in read_day(store, DAY).openings} == {e.event_id for e in plan}


@pytest.mark.usefixtures("small_pages")
def test_a_read_cut_by_its_page_bound_logs_an_error(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(suggestions, "READ_PAGES", 2)
    at = day_since(DAY) + timedelta(days=7)
    closings, crew = CountingStore(), CountingStore()  # the closings past the bound; the day's crew events past it
    closings.append(_suggestion("E0", at))
    _plant(closings, 3 * LIMIT, at)
    for n in range(3 * LIMIT):
        crew.append(_suggestion(f"E{n}", at + timedelta(seconds=n)))
    for store in (closings, crew):
        with caplog.at_level(logging.ERROR, logger=suggestions.__name__):
            read_day(store, DAY)
        assert any("not to the end" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)
        caplog.clear()
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger=suggestions.__name__):
        read_day(CountingStore(), DAY)
    assert not caplog.records
