"""A call-off crew_call_offs detects takes the claim a call-off recorded on the crew board takes (`SeatClaims.call_off`,
`replanning._hold_detected`): the board lists it "re-plan pending" as detected from that moment, an approval of the
person's seat of the shift is refused until its re-plan, one already recorded on the board is not sent again, and one
that could not be sent is let go for the retry to send it. Until 2026-12-06 a detected call-off held no claim: only
its re-plan's `applied` event, seconds later, said anything."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from plexlabor.audit import InMemoryAuditStore
from plexlabor.crew import wiring
from plexlabor.crew.build import build_problem
from plexlabor.crew.claims import ClaimRefusedError, SeatClaims
from plexlabor.crew.messages import DETECTOR, ReplanMessage
from plexlabor.crew.replanning import CallOffEvent, detect
from plexlabor.plant import PlantFolder
from plexlabor.plex.folder import PlantFolderSource
from plexlabor.plex.sources import LaborSource
from plexlabor.webapp.crewboard import board_reader, read_board
from tests.support import load_event

DAY = date(2026, 11, 23)  # Monday after the history: nobody scheduled on shift 1 has clocked in
NOW = datetime(2026, 11, 23, 11, 17, tzinfo=UTC)  # 06:17 in Detroit, 17 minutes into shift 1

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")


class Sender:
    def __init__(self, failing: int = 0) -> None:
        self.sent: list[ReplanMessage] = []
        self.failing = failing

    def send(self, message: ReplanMessage) -> None:
        if self.failing:
            self.failing -= 1
            raise ConnectionError("the replan queue did not answer")
        self.sent.append(message)


def _detect(source: LaborSource, store: InMemoryAuditStore, sender: Sender) -> dict[str, Any]:
    event = {k: v for k, v in load_event("crew_call_offs").items() if k != "detail"}
    request = CallOffEvent.model_validate({**event, "time": NOW.isoformat()})
    return detect(wiring.CallOffDependencies(source=source, sender=sender, store=store), request)


@pytest.fixture
def source(labelled_plant: PlantFolder) -> LaborSource:
    return LaborSource(PlantFolderSource(labelled_plant.path), "America/Detroit")


def _block(source: LaborSource, employee_id: str) -> tuple[datetime, datetime]:
    problem = build_problem(source.port, DAY, "1", timezone=source.timezone, operators_only=True)
    [op] = [op for op in problem.operators if op.employee_id == employee_id]
    [block] = [b for b in op.blocks if b.shift_code == "1" and b.work_date == DAY]
    return block.start, block.end


def test_a_detected_call_off_is_held_as_one_recorded_on_the_board(source: LaborSource) -> None:
    store, sender = InMemoryAuditStore(), Sender()
    _detect(source, store, sender)
    detected = [m for m in sender.sent if m.reason == "call_off"]
    assert detected
    employee = str(detected[0].employee_id)
    claims = SeatClaims(store, lambda: NOW)

    # held by the same claim as the board's, on the person's Plex block of the shift
    [held] = claims.call_offs_held(employee, DAY)
    assert (held.shift, held.by, held.at, held.reason) == ("1", DETECTOR, NOW, None)
    assert (held.start, held.end) == _block(source, employee)
    assert {c.employee_id for m in detected for c in claims.call_offs_held(str(m.employee_id), DAY)} == {
        m.employee_id for m in detected
    }
    # an approval of their seat of the shift is refused from the detection on, as after a board call-off
    start = NOW + timedelta(hours=1)
    with pytest.raises(ClaimRefusedError, match=r"shift 1 \(not clocked in after the shift's start: detected at 11:17"):
        claims.seat(employee, DAY, "1", "crew-x", "WC-01", start, start + timedelta(hours=2), "P0001", NOW)
    # the board lists it at once as detected (no one recorded it), re-plan pending
    board = read_board(board_reader(store).day(DAY, NOW, fresh=True), DAY, None, NOW)
    [listed] = [c for c in board.call_offs["1"] if c.employee_id == employee]
    assert (listed.reported_by, listed.replanned, listed.at) == (None, False, NOW)


def test_a_call_off_recorded_on_the_board_first_is_not_sent_again(source: LaborSource) -> None:
    store, first = InMemoryAuditStore(), Sender()
    _detect(source, InMemoryAuditStore(), first)  # who is late
    late = [str(m.employee_id) for m in first.sent if m.reason == "call_off"]
    employee = late[0]
    SeatClaims(store, lambda: NOW).call_off(employee, DAY, "1", "sick", "P0002", NOW - timedelta(hours=1))

    sender = Sender()
    summary = _detect(source, store, sender)

    assert employee not in {m.employee_id for m in sender.sent}  # neither its call-off nor its nearby messages
    assert summary["call_offs_held_already"] == 1
    assert summary["call_offs"] == len(late) - 1


def test_a_call_off_that_could_not_be_sent_is_let_go_and_sent_by_the_retry(source: LaborSource) -> None:
    store = InMemoryAuditStore()
    with pytest.raises(ConnectionError):
        _detect(source, store, Sender(failing=1))
    sender = Sender()  # the schedule's retry of the same run
    summary = _detect(source, store, sender)
    detected = [m for m in sender.sent if m.reason == "call_off"]
    assert detected and summary["call_offs_held_already"] == 0
    assert all(SeatClaims(store).call_offs_held(str(m.employee_id), DAY) for m in detected)


class NearbyFails(Sender):
    """A replan queue that takes call-offs but not the first `failing` call_off_nearby messages."""

    def send(self, message: ReplanMessage) -> None:
        if message.reason == "call_off_nearby" and self.failing:
            self.failing -= 1
            raise ConnectionError("the replan queue did not answer")
        self.sent.append(message)


def _bodies(messages: list[ReplanMessage]) -> list[str]:
    return sorted(m.model_dump_json() for m in messages)


def test_the_retry_sends_the_nearby_messages_a_sent_call_off_did_not_get_out(source: LaborSource) -> None:
    # Given what a run sends when nothing fails, and a run whose first call-off went but its first nearby did not
    everything = Sender()
    _detect(source, InMemoryAuditStore(), everything)
    store, first = InMemoryAuditStore(), NearbyFails(failing=1)
    with pytest.raises(ConnectionError):
        _detect(source, store, first)
    [call_off] = first.sent
    person = call_off.employee_id
    nearby = [m for m in everything.sent if m.employee_id == person and m.reason == "call_off_nearby"]
    assert nearby
    # When the schedule retries the run
    retry = Sender()
    summary = _detect(source, store, retry)
    # Then it sends that person's nearby messages (not their call-off again), and the two tries together send what
    # one run sends
    assert _bodies([m for m in retry.sent if m.employee_id == person]) == _bodies(nearby)
    assert summary["call_offs_held_already"] == 1
    assert _bodies(first.sent + retry.sent) == _bodies(everything.sent)
