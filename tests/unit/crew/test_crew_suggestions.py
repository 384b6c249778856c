"""The day's crew suggestions as crew_replan and the crew board read them (`crew.suggestions`): a whole read,
then catch-ups of what is new only, the stronger closing winning, and a whole read again when due."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from plexlabor.approval.messages import ApprovalAction, Decision
from plexlabor.approval.recommendations import Recommended, recommendation_decision
from plexlabor.audit import AuditEvent, AuditStatus, InMemoryAuditStore
from plexlabor.audit.events import AuditEventType, expiry_event, recommendation_event
from plexlabor.audit.store import IndexQuery
from plexlabor.crew import suggestions
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.replanning import applied_event
from plexlabor.crew.snapshots import KeptStore
from plexlabor.crew.suggestions import (
    CLOSING_SKEW,
    DayReader,
    day_since,
    indexed_from,
    mark_indexed,
    read_day,
    reindex,
    reindex_if_unmarked,
)
from plexlabor.platform.artifacts import InMemoryArtifactStore

DAY = date(2026, 11, 23)
T0 = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)


class CountingStore(InMemoryAuditStore):
    """Remembers from when each status read started (`reads`), and each plan-day read: its day and start
    (`day_reads`)."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[datetime | None] = []
        self.day_reads: list[tuple[str, datetime | None]] = []

    def by_status(self, status: AuditStatus, since: datetime | None = None, limit: int = 100) -> list[AuditEvent]:
        self.reads.append(since)
        return super().by_status(status, since, limit)

    def by_plan_day(self, day: str, *, since: datetime | None = None, limit: int | None = None) -> list[AuditEvent]:
        self.day_reads.append((day, since))
        return super().by_plan_day(day, since=since, limit=limit)

    def clear(self) -> None:
        self.reads.clear()
        self.day_reads.clear()


def _suggestion(employee: str, at: datetime, day: date = DAY, kind: str = "crew_assignment") -> AuditEvent:
    return recommendation_event(
        "job-operations:JO-1",
        f"crew-{day}-{employee}",
        status=AuditStatus.PENDING_APPROVAL,
        occurred_at=at,
        actor="crew_planner",
        model_version="crew-milp-2026.11",
        employee_id=employee,
        payload={"kind": kind, "plan_day": day.isoformat(), "segment": "JO-1/1", "shift_code": "1"},
    )


def _decided(opening: AuditEvent, action: ApprovalAction, at: datetime) -> AuditEvent:
    decision = Decision(action=action, supervisor_id="E00001", reason="no" if action is ApprovalAction.REJECT else None)
    return recommendation_decision(Recommended.of(opening), decision, at, "queue")


def _expired(opening: AuditEvent, at: datetime) -> AuditEvent:
    return expiry_event(opening.record_key, opening.event_id, occurred_at=at, actor="review_sweep", payload={})


def test_a_day_is_read_whole_then_only_what_is_new_is_read() -> None:
    store = CountingStore()
    first = _suggestion("E1", T0)
    for event in (first, _suggestion("E9", T0, day=DAY + timedelta(days=1)), _suggestion("E8", T0, kind="x")):
        store.append(event)
    reader = DayReader(store)
    now = T0 + timedelta(hours=1)
    read = reader.read(DAY, now)
    assert [e.event_id for e in read.openings] == [first.event_id] and read.closed == {}
    assert store.day_reads == [(DAY.isoformat(), None)]  # the day's crew events, all of them
    assert store.reads == [T0 - CLOSING_SKEW] * 3  # the three closing statuses, from its first suggestion
    # Given a rejection of the first and a new suggestion, written after that read
    second = _suggestion("E2", now + timedelta(minutes=1))
    store.append(second)
    store.append(_decided(first, ApprovalAction.REJECT, now + timedelta(minutes=1)))
    store.clear()
    # When the day is read again: only from the last read's start less the overlap
    later = now + timedelta(minutes=3)
    read = reader.read(DAY, later)
    assert store.day_reads == [(DAY.isoformat(), now - reader.overlap)]
    assert store.reads == [now - reader.overlap] * 3
    assert [e.event_id for e in read.openings] == [first.event_id, second.event_id]
    assert read.closed[first.event_id].status is AuditStatus.REJECTED and second.event_id not in read.closed
    # An approval wins over an expiry written after it (a re-plan's), whichever is read first
    store.append(_decided(second, ApprovalAction.APPROVE, later))
    assert reader.read(DAY, later + timedelta(seconds=1)).closed[second.event_id].status is AuditStatus.APPROVED
    store.append(_expired(second, later + timedelta(seconds=2)))
    assert reader.read(DAY, later + timedelta(seconds=3)).closed[second.event_id].status is AuditStatus.APPROVED
    # A suggestion that shows up dated before the overlap is missed by a catch-up, found by the next whole read
    late = _suggestion("E3", T0 - timedelta(minutes=1))
    store.append(late)
    assert late.event_id not in {e.event_id for e in reader.read(DAY, later + timedelta(seconds=4)).openings}
    store.clear()
    whole = reader.read(DAY, now + reader.refresh)
    assert store.day_reads == [(DAY.isoformat(), None)]
    assert store.reads == [late.occurred_at - CLOSING_SKEW] * 3
    assert late.event_id in {e.event_id for e in whole.openings}
    assert whole == read_day(store, DAY)  # what the catch-ups built is what a whole read finds


def test_a_day_with_no_suggestion_reads_no_closing() -> None:
    store = CountingStore()
    store.append(_suggestion("E9", T0, day=DAY + timedelta(days=1)))
    read = DayReader(store).read(DAY, T0 + timedelta(hours=1))
    assert read.openings == [] and read.closed == {}
    # nothing to close: no closing read; only the two opening status indexes, in case its plan predates the index
    assert store.day_reads == [(DAY.isoformat(), None)] and store.reads == [day_since(DAY)] * 2


def test_a_marked_index_ends_the_status_reads_of_a_day_planned_nowhere() -> None:
    """Issue 16: on a table whose plan-day index is marked complete (`mark_indexed`: `plexlabor crew reindex`, or
    crew_planner's first plan) a day planned nowhere reads its partition only; a day whose fallback would start before
    the marker's time still reads the two opening status indexes, as on a table not yet reindexed (above)."""
    store = CountingStore()
    store.append(_suggestion("E9", T0, day=DAY + timedelta(days=1)))
    mark_indexed(store, day_since(DAY), T0, "cli")
    reader = DayReader(store)
    assert reader.read(DAY, T0 + timedelta(hours=1)).openings == []
    assert store.reads == [] and store.day_reads == [(DAY.isoformat(), None)]
    store.clear()
    earlier = DAY - timedelta(days=1)
    assert reader.read(earlier, T0 + timedelta(hours=1)).openings == []
    assert store.reads == [day_since(earlier)] * 2
    store.clear()
    assert read_day(store, DAY).openings == [] and store.reads == []  # the module's whole read too
    assert read_day(store, earlier).openings == [] and store.reads == [day_since(earlier)] * 2


def test_reindex_marks_the_index_only_when_every_status_was_read_to_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    store = CountingStore()
    for employee in ("E1", "E2", "E3"):
        store.append(_suggestion(employee, T0 + timedelta(minutes=int(employee[1]))))
    since = day_since(DAY)
    # a read cut at its last page marks nothing (a fallback read may still find what it did not reach)
    with monkeypatch.context() as cut:
        cut.setattr(suggestions, "READ_LIMIT", 1)
        cut.setattr(suggestions, "READ_PAGES", 1)
        assert not reindex(store, since, T0, "cli").complete and indexed_from(store) is None
    done = reindex(store, since, T0, "cli")
    assert done.complete and indexed_from(store) == since
    marker = store.history(suggestions.INDEX_RECORD)
    assert [(e.event_type, e.actor, e.payload["complete_from"]) for e in marker] == [
        (AuditEventType.INDEXED, "cli", since.isoformat())
    ]
    # crew_planner's: nothing to do for days the marker covers; an earlier day reindexes from earlier and marks that
    assert reindex_if_unmarked(store, DAY, T0, "crew_planner") is None
    assert reindex_if_unmarked(store, DAY - timedelta(days=2), T0, "crew_planner") is not None
    assert indexed_from(store) == day_since(DAY - timedelta(days=2))
    store.clear()
    assert DayReader(store).read(DAY - timedelta(days=2), T0).openings == [] and store.reads == []


def test_a_planned_day_reads_no_status_index_for_a_plan_before_the_plan_day_index() -> None:
    store = CountingStore()
    first = _suggestion("E1", T0)
    store.append(first)
    read = DayReader(store, applied=True, claims=True).read(DAY, T0 + timedelta(hours=1))
    assert [e.event_id for e in read.openings] == [first.event_id]
    assert store.reads == [first.occurred_at - CLOSING_SKEW] * 3  # the three closing indexes only


def test_a_refresh_reads_the_day_whole_ahead_of_when_it_is_due_and_old_days_are_forgotten() -> None:
    store = CountingStore()
    store.append(_suggestion("E1", T0))
    reader = DayReader(store, refresh=timedelta(minutes=10))
    now = T0 + timedelta(hours=1)
    reader.read(DAY, now)
    store.clear()
    # Four minutes later a read due by seven minutes on (a refresh's) is a catch-up: the whole read is due at ten
    soon = now + timedelta(minutes=2)
    assert not reader.whole_due(DAY, soon + timedelta(minutes=7))
    reader.read(DAY, soon, whole_if_due_by=soon + timedelta(minutes=7))
    assert store.reads == [now - reader.overlap] * 3 and store.day_reads == [(DAY.isoformat(), now - reader.overlap)]
    # Five minutes after the whole read it is due within the seven: the refresh reads whole now
    store.clear()
    later = now + timedelta(minutes=5)
    assert reader.whole_due(DAY, later + timedelta(minutes=7)) and not reader.whole_due(DAY, later)
    reader.read(DAY, later, whole_if_due_by=later + timedelta(minutes=7))
    assert store.reads == [T0 - CLOSING_SKEW] * 3 and store.day_reads == [(DAY.isoformat(), None)]
    # and a plain read nine minutes after that refresh (before the next is due) is a catch-up
    store.clear()
    reader.read(DAY, later + timedelta(minutes=9))
    assert store.reads == [later - reader.overlap] * 3
    # A day before the one named is forgotten: read whole again
    reader.read(DAY + timedelta(days=1), later)
    reader.forget_before(DAY + timedelta(days=1))
    assert reader.whole_due(DAY, later) and not reader.whole_due(DAY + timedelta(days=1), later)


def test_crew_replans_reader_also_reads_the_events_re_plans_applied_to_the_day() -> None:
    store = CountingStore()
    for day in (DAY, DAY + timedelta(days=1)):
        message = ReplanMessage(reason="call_off", day=day, shift="1", employee_id="E1", detected_at=T0)
        store.append(applied_event(message, T0))
    read = DayReader(store, applied=True).read(DAY, T0 + timedelta(minutes=1))
    assert [(e.payload["plan_day"], e.payload["replan_reason"]) for e in read.applied] == [
        (DAY.isoformat(), "call_off")
    ]
    # one read of the day's crew events; no plan in it: the two opening status indexes (a plan before the index?)
    assert store.day_reads == [(DAY.isoformat(), None)] and store.reads == [day_since(DAY)] * 2
    assert DayReader(store).read(DAY, T0).applied == [] and read_day(store, DAY).applied == []  # the crew board's


def test_a_days_read_and_its_stored_copy_keep_the_closings_of_its_crew_suggestions_only() -> None:
    # Given 20 crew suggestions of the day, one rejected, and 5,000 punch findings decided in the same days
    store = InMemoryAuditStore()
    suggestions = [_suggestion(f"E{i}", T0) for i in range(20)]
    for event in suggestions:
        store.append(event)
    store.append(_decided(suggestions[0], ApprovalAction.REJECT, T0 + timedelta(minutes=5)))
    for i in range(5000):
        store.append(
            AuditEvent(
                record_key=f"time-clock-entries:{i}",
                event_type=AuditEventType.DECISION,
                status=AuditStatus.REJECTED,
                occurred_at=T0 + timedelta(seconds=i),
                actor="E9",
                finding_id=f"f{i}",
                supervisor_id="E9",
                payload={"reason": "x" * 40},
            )
        )
    # When the day is read whole, then caught up, and stored for the next container
    reader = DayReader(store, applied=True)
    read = reader.read(DAY, T0 + timedelta(hours=2))
    caught_up = reader.read(DAY, T0 + timedelta(hours=2, minutes=1))
    state = reader.state(DAY)
    assert state is not None
    written = KeptStore(InMemoryArtifactStore()).save_day(DAY, state)
    # Then only the day's crew suggestion's closing is kept, and the stored read stays small (was 1.6 MB)
    assert list(read.closed) == list(caught_up.closed) == [suggestions[0].event_id]
    assert read.closed[suggestions[0].event_id].status is AuditStatus.REJECTED
    assert written < 20_000, written


def test_a_plan_published_a_week_ahead_is_read_with_its_day() -> None:
    store = InMemoryAuditStore()
    early = _suggestion("E1", datetime(2026, 11, 16, 20, 0, tzinfo=UTC))  # 7 days before DAY, in the afternoon
    store.append(early)
    assert [e.event_id for e in read_day(store, DAY).openings] == [early.event_id]
    assert [e.event_id for e in DayReader(store).read(DAY, T0).openings] == [early.event_id]


class FetchedStore(InMemoryAuditStore):
    """Remembers every event its index queries answered."""

    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[AuditEvent] = []

    def _find(self, query: IndexQuery) -> list[AuditEvent]:
        found = super()._find(query)
        self.fetched += found
        return found


def test_a_days_read_fetches_its_own_crew_events_not_the_other_days_plans() -> None:
    """Issue 16: a day's read answered every suggestion published in the 8 days before it (the plans of the days
    around it, every kind's findings) and dropped all but the day's; it now asks for the day's crew events and the
    closings since its first suggestion."""
    store = FetchedStore()
    for offset in range(-3, 5):  # each day's plan published the evening before its day
        day = DAY + timedelta(days=offset)
        published = datetime.combine(day, datetime.min.time(), UTC) - timedelta(hours=4)
        for n in range(5):
            store.append(_suggestion(f"E{n}", published, day=day))
    finding = recommendation_event(
        "time-clock-entries:1",
        "punch-1",
        status=AuditStatus.PENDING_APPROVAL,
        occurred_at=T0 - timedelta(days=2),
        actor="punch_validator",
        model_version="rules",
        payload={"kind": "punch_finding"},
    )
    store.append(finding)
    own = read_day(store, DAY).openings
    assert len(own) == 5 and {e.payload["plan_day"] for e in own} == {DAY.isoformat()}
    assert {e.payload.get("plan_day") for e in store.fetched} == {DAY.isoformat()}, "other days' plans fetched"
    store.fetched.clear()
    DayReader(store, applied=True).read_days((DAY, DAY - timedelta(days=1)), T0)
    assert {e.payload.get("plan_day") for e in store.fetched} == {
        DAY.isoformat(),
        (DAY - timedelta(days=1)).isoformat(),
    }


def test_a_plan_published_further_ahead_than_the_horizon_is_read_with_its_day() -> None:
    """A day's read looked for its suggestions from `PLAN_LOOKBACK` (8 days) before it: a plan published earlier (a
    planner's run two weeks ahead) was invisible to re-plans and the board. The day's partition holds it whenever it
    was published."""
    store = InMemoryAuditStore()
    early = _suggestion("E1", datetime.combine(DAY, datetime.min.time(), UTC) - timedelta(days=14))
    store.append(early)
    store.append(_decided(early, ApprovalAction.APPROVE, early.occurred_at + timedelta(days=1)))
    read = read_day(store, DAY)
    assert [e.event_id for e in read.openings] == [early.event_id]
    assert read.closed[early.event_id].status is AuditStatus.APPROVED
    assert [e.event_id for e in DayReader(store).read(DAY, T0).openings] == [early.event_id]
