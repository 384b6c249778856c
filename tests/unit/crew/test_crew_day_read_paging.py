"""A day's crew read pages the plant-wide status indexes to the end (`crew.suggestions.read_status`): the indexes hold
every kind's events of every day from `PLAN_LOOKBACK` before the day, oldest first, so one page capped at `READ_LIMIT`
dropped the newest events (today's and tomorrow's plans and their decisions) without a word. A read cut at
`READ_PAGES` logs an error."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from plexlabor.approval.messages import ApprovalAction
from plexlabor.audit import AuditStatus
from plexlabor.audit.events import expiry_event, recommendation_event
from plexlabor.crew import suggestions
from plexlabor.crew.suggestions import DayReader, day_since, read_day
from tests.unit.crew.test_crew_suggestions import DAY, CountingStore, _decided, _suggestion

LIMIT = 10


def _plant(store: CountingStore, others: int) -> None:
    """`others` punch findings, each expired, published in the days before the day's plan (older than it)."""
    start = day_since(DAY) + timedelta(hours=1)
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
    _plant(store, 3 * LIMIT)
    at = day_since(DAY) + timedelta(days=7)  # the plan, published the day before its day: the newest events
    plan = [_suggestion(f"E{n}", at + timedelta(seconds=n)) for n in range(3)]
    for event in plan:
        store.append(event)
    store.append(_decided(plan[-1], ApprovalAction.REJECT, at + timedelta(minutes=5)))
    for read in (read_day(store, DAY), DayReader(store).read(DAY, at + timedelta(hours=1))):
        assert [e.event_id for e in read.openings] == [e.event_id for e in plan]
        assert read.closed[plan[-1].event_id].status is AuditStatus.REJECTED
    # four pages of the closing status `expired` (30 expiries, 10 a page: the last page short), one of the rest
    store.reads.clear()
    read_day(store, DAY)
    assert len(store.reads) == 5 + 3 + 3


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
    store = CountingStore()
    _plant(store, 3 * LIMIT)
    with caplog.at_level(logging.ERROR, logger=suggestions.__name__):
        read_day(store, DAY)
    assert any("not to the end" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger=suggestions.__name__):
        read_day(CountingStore(), DAY)
    assert not caplog.records
