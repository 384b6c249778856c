"""crew_replan on the local runtime: crew_planner fired for one shift, then `call_off` messages put on the
replan queue as crew_call_offs would; crew_replan's SQS poller re-plans the shift and the audit table gets
the caller's suggestion superseded and the re-plan's suggestions (waiting for review). Message to
suggestion is timed (printed), for a cold and a warm container."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from infra.constants import QueueName
from plexlabor.audit import AuditStatus, InMemoryAuditStore
from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.replanning import CallOffEvent, detect, read_current_plan, shifts_between
from plexlabor.crew.wiring import REPLAN_GROUP, CallOffDependencies
from plexlabor.plant import PlantFolder
from plexlabor.platform.sqs import SqsJsonSender
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.sources import LaborSource
from plexlabor.webapp.crewboard import CallOff, board_reader, read_board
from plexlabor_dev.local.stack import LocalStack
from tests.support import load_event

SHIFT = "1"


def _weekday_in_data(plant: Path) -> date:
    day = PlantFolder(plant).meta().end.date() - timedelta(days=2)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


@pytest.fixture(scope="module")
def planned(e2e_plant: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalStack, date]]:
    day = _weekday_in_data(e2e_plant)
    log = (tmp_path_factory.mktemp("replan-logs") / "handlers.log").open("w", encoding="utf-8")
    with log, LocalStack(e2e_plant, handler_output=log) as stack:
        summary = stack.runtime.fire("crew_planner", detail={"date": day.isoformat(), "shift": SHIFT})
        assert summary["published"] > 0 and summary["seats_filled"] > 1
        yield stack, day


def test_call_offs_on_the_replan_queue_are_re_planned_into_the_review_queue(
    planned: tuple[LocalStack, date],
) -> None:
    stack, day = planned
    runtime = stack.runtime
    store = runtime.audit_store()
    since = datetime.combine(day, datetime.min.time(), UTC) - timedelta(days=3)
    _, openings = read_current_plan(store, day, SHIFT, since)
    callers = sorted({employee for _, employee in openings})[:2]
    assert len(callers) == 2
    sqs = runtime.client("sqs")
    assert runtime.resources is not None
    queue_url = runtime.resources.queue_urls[QueueName.REPLAN]
    for label, caller in zip(("cold", "warm"), callers, strict=True):
        # called off before their first seat, as crew_call_offs or the board would (a day of the data, over now: a
        # call-off at the clock's now would leave them the seats over by then, `crew.models.ended_by`)
        first = min(datetime.fromisoformat(e.payload["start"]) for (_, who), e in openings.items() if who == caller)
        message = ReplanMessage(
            reason="call_off", day=day, shift=SHIFT, employee_id=caller, detected_at=first - timedelta(minutes=20)
        )
        sent = time.monotonic()
        SqsJsonSender(queue_url, sqs, by_alias=True, group=REPLAN_GROUP).send(message)  # as crew.wiring.replan_sender

        def superseded(caller: str = caller) -> list[str]:
            closed = store.by_status(AuditStatus.EXPIRED, since, 10_000)
            return [e.event_id for e in closed if e.employee_id == caller and e.payload.get("superseded_by")]

        runtime.wait_for(superseded, timeout_s=180, what=f"the re-plan after {caller}'s call-off")
        print(f"\ncrew_replan on the local runtime, {label}: message to suggestions {time.monotonic() - sent:.2f} s")
    runtime.drain(60)
    replans = runtime.invocations("crew_replan")
    assert len(replans) == 2 and all(i.error is None and i.failed_records == 0 for i in replans)
    assert runtime.queue_depth(QueueName.REPLAN, dlq=True) == 0
    after, _ = read_current_plan(store, day, SHIFT, since)
    assert not {employee for _, employee in after.assignments} & set(callers)
    pending = store.by_status(AuditStatus.PENDING_APPROVAL, since, 10_000)
    assert all(e.payload["note"].startswith("After a call-off of ") for e in pending if e.actor == "crew_replan")


class _Kept:
    """A replan sender that keeps the messages (to find a shift with a call-off before firing the runtime's)."""

    def __init__(self) -> None:
        self.sent: list[ReplanMessage] = []

    def send(self, message: ReplanMessage) -> None:
        self.sent.append(message)


def _shift_with_a_call_off(plant: Path, before: date) -> tuple[date, str, datetime]:
    """The latest 1st shift before `before` in the plant's data with somebody scheduled and not clocked in."""
    meta = PlantFolder(plant).meta()
    source, zone = LaborSource(PlantFolderSource(plant), meta.timezone), ZoneInfo(meta.timezone)
    for back in range(1, 15):
        begin = datetime.combine(before - timedelta(days=back), datetime.min.time(), zone)
        for work_date, code, start in shifts_between(source.port.shifts(), zone, begin, begin + timedelta(days=1)):
            kept = _Kept()
            as_of = start + timedelta(minutes=17)
            detect(
                CallOffDependencies(source=source, sender=kept, store=InMemoryAuditStore()),
                CallOffEvent.model_validate({"detail": {"as_of": as_of}, **_EVENT}),
            )
            if code == SHIFT and any(m.reason == "call_off" for m in kept.sent):
                return work_date, code, as_of
    raise AssertionError("no shift with a call-off in the plant's data")


_EVENT = {k: v for k, v in load_event("crew_call_offs").items() if k != "detail"}


def test_call_offs_fired_on_the_local_runtime_run_as_of_the_plant_and_are_re_planned(
    planned: tuple[LocalStack, date], e2e_plant: Path
) -> None:
    """ux119 #13: crew_call_offs fired on the local runtime looked at the wall clock's shifts (none in a generated
    plant's past); as of a moment of the plant (`detail.as_of`) it finds the call-off and crew_replan re-plans it."""
    stack, day = planned
    runtime = stack.runtime
    work_date, code, as_of = _shift_with_a_call_off(e2e_plant, day)
    assert runtime.fire("crew_planner", detail={"date": work_date.isoformat(), "shift": code})["published"] > 0
    summary = runtime.fire("crew_call_offs", detail={"as_of": as_of.isoformat()})
    assert summary["shifts"] == [f"{work_date.isoformat()}/{code}"] and summary["call_offs"] >= 1
    store = runtime.audit_store()
    since = datetime.combine(work_date, datetime.min.time(), UTC) - timedelta(days=3)

    def applied() -> list[str]:
        return [
            e.event_id
            for e in store.by_status(AuditStatus.APPLIED, since, 10_000)
            if e.payload.get("replan_reason") == "call_off" and e.payload.get("plan_day") == work_date.isoformat()
        ]

    runtime.wait_for(lambda: len(applied()) >= summary["call_offs"], timeout_s=180, what="the call-offs re-planned")
    runtime.drain(60)
    assert runtime.queue_depth(QueueName.REPLAN, dlq=True) == 0


def test_a_call_off_recorded_on_the_board_is_re_planned_and_listed_on_the_board(
    planned: tuple[LocalStack, date],
) -> None:
    """ux119 #13: the board's call-off (the message crew_call_offs sends, with who took it and why) goes through the
    runtime's replan queue and crew_replan; the board's read of the day then lists it with who took it."""
    stack, day = planned
    runtime = stack.runtime
    store = runtime.audit_store()
    since = datetime.combine(day, datetime.min.time(), UTC) - timedelta(days=3)
    _, openings = read_current_plan(store, day, SHIFT, since)
    caller = sorted({employee for _, employee in openings})[-1]
    taken = datetime.now(UTC)
    message = ReplanMessage(
        reason="call_off",
        day=day,
        shift=SHIFT,
        employee_id=caller,
        detected_at=taken,
        reported_by="E00002",
        call_off_reason="transport",
    )
    assert runtime.resources is not None
    queue_url = runtime.resources.queue_urls[QueueName.REPLAN]
    SqsJsonSender(queue_url, runtime.client("sqs"), by_alias=True, group=REPLAN_GROUP).send(message)  # replan_sender

    def listed() -> list[CallOff]:
        board = read_board(board_reader(store).day(day, datetime.now(UTC), fresh=True), day, None, taken)
        return [c for c in board.call_offs.get(SHIFT, []) if c.employee_id == caller and c.reported_by]

    [call_off] = runtime.wait_for(listed, timeout_s=180, what="the board's call-off re-planned")
    assert (call_off.reported_by, call_off.why) == ("E00002", "no transport")
    runtime.drain(60)
    assert runtime.queue_depth(QueueName.REPLAN, dlq=True) == 0
