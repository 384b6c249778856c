"""An accepted seat a call-off of another shift rules its person out of (issue 16, found by helper-271): the re-plan
of its shift (a `call_off_nearby`, or any later one) takes it from them and opens a removal from Plex for review, which
names the shift called off; it stays open across later re-plans while the call-off stands, and the undo of the call-off
closes it. Before, no removal opened: the accepted assignment stayed in Plex while the re-plan planned the seat for
someone else (or left it empty), and a removal would have been closed at the next re-plan, its person not off that
shift."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

import plexlabor.crew.build as crew_build
from plexlabor.audit import AuditEvent, InMemoryAuditStore
from plexlabor.crew.messages import ReplanMessage, nearby
from plexlabor.crew.optimizer import solve
from plexlabor.crew.publish import publish_plan
from plexlabor.crew.removals import removals
from plexlabor.crew.replanning import current_plan, recorded, run
from plexlabor.crew.suggestions import DayReader, read_day
from tests.unit.crew.crew_builder import DAY, T0
from tests.unit.crew.test_crew_call_off_nearby import _day, _seated, _shift
from tests.unit.crew.test_crew_removals import _decide
from tests.unit.crew.test_crew_replan_events import Source, container

AT = T0 - timedelta(hours=1)  # 05:00, before shift 1


def _j5(store: InMemoryAuditStore) -> AuditEvent:
    [seat] = [
        e
        for e in read_day(store, DAY).openings
        if e.employee_id == "A" and e.payload.get("segment") == "J5" and e.payload.get("kind") == "crew_assignment"
    ]
    return seat


@pytest.fixture
def accepted(monkeypatch: pytest.MonkeyPatch) -> InMemoryAuditStore:
    """The night plan (A in J1 on shift 1 and in J5 on shift 2, as overtime starting as shift 1 ends), A's J5 seat
    accepted (sent to Plex)."""
    monkeypatch.setattr(crew_build, "build_problem", lambda _port, _day, shift, **__: _shift(shift))
    store = InMemoryAuditStore()
    publish_plan(solve(_day(), 10), store, T0 - timedelta(hours=10))
    _decide(store, _j5(store), at=AT - timedelta(minutes=30))
    assert ("J5", "A") in current_plan(read_day(store, DAY), "2")[0].accepted
    return store


def _call_off() -> ReplanMessage:
    return ReplanMessage(
        reason="call_off",
        day=DAY,
        shift="1",
        detected_at=AT,
        employee_id="A",
        reported_by="P1",
        call_off_reason="family",
    )


def test_an_accepted_seat_a_call_off_next_to_it_rules_out_gets_a_removal_naming_that_shift(
    accepted: InMemoryAuditStore,
) -> None:
    clock = [AT]
    deps = container(accepted, clock)
    run(deps, _call_off())

    summary = run(deps, nearby(_call_off(), DAY, "2"))

    assert ("J5", None) in _seated(accepted, "2")  # the re-plan let it go: nobody else is free for it
    assert summary["removals_opened"] == 1
    [removal] = removals(read_day(accepted, DAY)).values()
    assert removal.state == "waiting" and removal.removes == _j5(accepted).event_id
    assert removal.event.supervisor_id == _j5(accepted).supervisor_id
    assert removal.event.payload["off_shift"] == "1" and removal.event.payload["off_day"] == DAY.isoformat()
    assert removal.event.payload["note"].startswith(
        "Remove A from CNC-01 shift 2 in Plex (called off shift 1 at "
    ) and removal.event.payload["note"].split(")")[0].endswith(
        ", family or personal; this seat starts as that shift ends"
    )


def test_the_removal_stays_open_across_later_re_plans_while_the_call_off_stands(
    accepted: InMemoryAuditStore,
) -> None:
    clock = [AT]
    deps = container(accepted, clock)
    run(deps, _call_off())
    run(deps, nearby(_call_off(), DAY, "2"))
    clock[0] = AT + timedelta(minutes=5)

    summary = run(deps, _down(clock[0]))

    assert summary["removals_superseded"] == 0 and summary["removals_opened"] == 0
    assert [r.state for r in removals(read_day(accepted, DAY)).values()] == ["waiting"]


def test_a_later_re_plan_of_that_shift_opens_the_removal_when_no_call_off_nearby_did(
    accepted: InMemoryAuditStore,
) -> None:
    # the call-off nearby was lost (or is still behind on the queue): any re-plan of shift 2 reads the call-off
    clock = [AT]
    deps = container(accepted, clock)
    run(deps, _call_off())
    clock[0] = AT + timedelta(minutes=5)

    summary = run(deps, _down(clock[0]))

    assert summary["removals_opened"] == 1
    [removal] = removals(read_day(accepted, DAY)).values()
    assert removal.state == "waiting" and removal.event.payload["off_shift"] == "1"


def test_undoing_the_call_off_closes_the_removal(accepted: InMemoryAuditStore) -> None:
    clock = [AT]
    deps = container(accepted, clock)
    run(deps, _call_off())
    run(deps, nearby(_call_off(), DAY, "2"))
    clock[0] = AT + timedelta(minutes=5)
    undo = ReplanMessage(reason="call_off_undone", day=DAY, shift="1", detected_at=clock[0], employee_id="A")

    summary = run(deps, undo)

    assert summary["removals_superseded"] == 1
    [removal] = removals(read_day(accepted, DAY)).values()
    assert removal.state == "superseded"
    # the seat stands accepted: the next re-plan of shift 2 holds A in it again
    run(deps, _down(clock[0]))
    assert ("J5", "A") in current_plan(read_day(accepted, DAY), "2")[0].accepted
    assert ("J5", None) not in _seated(accepted, "2")


def _down(at: datetime) -> ReplanMessage:
    """Another event of shift 2: CNC-02 down (B's J6)."""
    return ReplanMessage(reason="workcenter_down", day=DAY, shift="2", detected_at=at, workcenter_id="WC-CNC-02")


@pytest.mark.parametrize("read_by", ["workcenter_down", "refresh"])
def test_a_clock_in_after_the_call_off_closes_the_removal(accepted: InMemoryAuditStore, read_by: str) -> None:
    # review_s16 #11: crew_call_offs' no-show of A at 06:15 and its call-off nearby of shift 2 open the removal of A's
    # accepted J5; A clocks in at 06:20; the next read of shift 1 (a re-plan or a refresh) takes the call-off back and
    # closes the removal of shift 2 too, not only those of shift 1 (before, it stayed waiting, and approving it
    # withdrew A's valid overtime assignment from Plex)
    store, source = accepted, Source()
    clock = [T0 + timedelta(minutes=15)]
    deps = container(store, clock, source)
    no_show = ReplanMessage(reason="call_off", day=DAY, shift="1", detected_at=clock[0], employee_id="A")
    run(deps, no_show)
    run(deps, nearby(no_show, DAY, "2"))
    assert [(r.state, r.event.payload["off_shift"]) for r in removals(read_day(store, DAY)).values()] == [
        ("waiting", "1")
    ]
    source.port.clock_ins["A"] = T0 + timedelta(minutes=20)
    clock[0] = T0 + timedelta(minutes=40)
    extra = {"workcenter_id": "WC-CNC-02"} if read_by == "workcenter_down" else {}

    run(deps, ReplanMessage(reason=read_by, day=DAY, shift="1", detected_at=clock[0], **extra))  # type: ignore[arg-type]

    read = DayReader(store, applied=True).read(DAY, clock[0])
    assert "clocked_in" in [e.reason for e in recorded(read, DAY, "1") if e.employee_id == "A"]
    assert [r.state for r in removals(read).values()] == ["superseded"]
    # the seat stands accepted: the next re-plan of shift 2 holds A in it again
    run(deps, _down(clock[0]))
    assert ("J5", "A") in current_plan(read_day(store, DAY), "2")[0].accepted
    assert ("J5", None) not in _seated(store, "2")
