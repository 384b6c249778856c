"""The day's crew suggestions as crew_replan and the crew board read them (`crew.suggestions`): a whole read,
then catch-ups of what is new only, the stronger closing winning, and a whole read again when due."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from plexlabor.approval.messages import ApprovalAction, Decision
from plexlabor.approval.recommendations import Recommended, recommendation_decision
from plexlabor.audit import AuditEvent, AuditStatus, InMemoryAuditStore
from plexlabor.audit.events import AuditEventType, expiry_event, recommendation_event
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.replanning import applied_event
from plexlabor.crew.snapshots import KeptStore
from plexlabor.crew.suggestions import DayReader, day_since, read_day
from plexlabor.platform.artifacts import InMemoryArtifactStore

DAY = date(2026, 11, 23)
T0 = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)


class CountingStore(InMemoryAuditStore):
    """Remembers from when each status read started."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[datetime | None] = []

    def by_status(self, status: AuditStatus, since: datetime | None = None, limit: int = 100) -> list[AuditEvent]:
        self.reads.append(since)
        return super().by_status(status, since, limit)


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
    assert store.reads == [day_since(DAY)] * 5  # three closing statuses, two opening ones
    # Given a rejection of the first and a new suggestion, written after that read
    second = _suggestion("E2", now + timedelta(minutes=1))
    store.append(second)
    store.append(_decided(first, ApprovalAction.REJECT, now + timedelta(minutes=1)))
    store.reads.clear()
    # When the day is read again: only from the last read's start less the overlap
    later = now + timedelta(minutes=3)
    read = reader.read(DAY, later)
    assert store.reads == [now - reader.overlap] * 5
    assert [e.event_id for e in read.openings] == [first.event_id, second.event_id]
    assert read.closed[first.event_id].status is AuditStatus.REJECTED and second.event_id not in read.closed
    # An approval wins over an expiry written after it (a re-plan's), whichever is read first
    store.append(_decided(second, ApprovalAction.APPROVE, later))
    assert reader.read(DAY, later + timedelta(seconds=1)).closed[second.event_id].status is AuditStatus.APPROVED
    store.append(_expired(second, later + timedelta(seconds=2)))
    assert reader.read(DAY, later + timedelta(seconds=3)).closed[second.event_id].status is AuditStatus.APPROVED
    # A suggestion that shows up dated before the overlap is missed by a catch-up, found by the next whole read
    late = _suggestion("E3", T0)
    store.append(late)
    assert late.event_id not in {e.event_id for e in reader.read(DAY, later + timedelta(seconds=4)).openings}
    store.reads.clear()
    whole = reader.read(DAY, now + reader.refresh)
    assert store.reads == [day_since(DAY)] * 5
    assert late.event_id in {e.event_id for e in whole.openings}
    assert whole == read_day(store, DAY)  # what the catch-ups built is what a whole read finds


def test_a_refresh_reads_the_day_whole_ahead_of_when_it_is_due_and_old_days_are_forgotten() -> None:
    store = CountingStore()
    store.append(_suggestion("E1", T0))
    reader = DayReader(store, refresh=timedelta(minutes=10))
    now = T0 + timedelta(hours=1)
    reader.read(DAY, now)
    store.reads.clear()
    # Four minutes later a read due by seven minutes on (a refresh's) is a catch-up: the whole read is due at ten
    soon = now + timedelta(minutes=2)
    assert not reader.whole_due(DAY, soon + timedelta(minutes=7))
    reader.read(DAY, soon, whole_if_due_by=soon + timedelta(minutes=7))
    assert store.reads == [now - reader.overlap] * 5
    # Five minutes after the whole read it is due within the seven: the refresh reads whole now
    store.reads.clear()
    later = now + timedelta(minutes=5)
    assert reader.whole_due(DAY, later + timedelta(minutes=7)) and not reader.whole_due(DAY, later)
    reader.read(DAY, later, whole_if_due_by=later + timedelta(minutes=7))
    assert store.reads == [day_since(DAY)] * 5
    # and a plain read nine minutes after that refresh (before the next is due) is a catch-up
    store.reads.clear()
    reader.read(DAY, later + timedelta(minutes=9))
    assert store.reads == [later - reader.overlap] * 5
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
    assert len(store.reads) == 6  # the five statuses of suggestions and closings, and `applied`
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
