"""An accepted seat whose person calls off (issue 16): crew_replan opens one review item to remove the assignment from
Plex, for the supervisor it went to; a second call-off opens no second; a call-off of a seat not accepted opens none;
an undone call-off closes it; leave read from Plex opens one too; once its write went through (or in dry run), the seat
is no longer held and the person back in it is a new suggestion (`crew.removals`). Before, nothing was opened: the board
only said the assignment "should be removed". A removal approved but not (yet) written, refused by Plex, or reverted
leaves the seat held (review180 #1, #2: until 2026-12-05 the approval alone let it go)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

import pytest

import plexlabor.crew.build as crew_build
from plexlabor.approval.messages import Decision
from plexlabor.approval.recommendations import CREW_ASSIGNMENT, CREW_REMOVAL, Recommended, recommendation_decision
from plexlabor.audit import (
    ApprovalAction,
    AuditEvent,
    AuditEventType,
    AuditStatus,
    InMemoryAuditStore,
    format_audit_time,
    stable_event_id,
)
from plexlabor.crew.claims import Claim, SeatClaims, live, person_log
from plexlabor.crew.models import CrewProblem
from plexlabor.crew.optimizer import solve
from plexlabor.crew.publish import assignment_event_id, publish_plan
from plexlabor.crew.removals import NOT_IN_PLEX, accepted_seats, over_by, removals, removed, retry_event
from plexlabor.crew.replanning import KEPT_FOR, current_plan, run
from plexlabor.crew.snapshots import KeptStore
from plexlabor.crew.suggestions import DayReader, read_day
from plexlabor.platform.artifacts import InMemoryArtifactStore
from tests.unit.crew.crew_builder import DAY, T0, WELD, job, operator, place, problem
from tests.unit.crew.test_crew_replan_events import container, down, message, planned_store, reads, shift

__all__ = ["reads"]  # the fixture, used by name

AT = T0 - timedelta(minutes=20)  # 05:40, the shift starts at 06:00


def _seat(store: InMemoryAuditStore, employee_id: str) -> AuditEvent:
    [seat] = [
        e
        for e in read_day(store, DAY).openings
        if e.employee_id == employee_id and e.payload.get("kind") == "crew_assignment"
    ]
    return seat


def _decide(store: InMemoryAuditStore, opening: AuditEvent, action: str = "approve", at: datetime = AT) -> None:
    """A supervisor's decision of `opening` in the queue at `at`."""
    reason = "needed on the line" if action == "reject" else None
    decision = Decision(action=ApprovalAction(action), supervisor_id="SUP-1", reason=reason)
    store.append(recommendation_decision(Recommended.of(opening), decision, at, "queue"))


def _write(
    store: InMemoryAuditStore, removal: AuditEvent, kind: AuditEventType, at: datetime, **payload: Any
) -> AuditEvent:
    """An event of the removal's item as plex_writeback (`writeback`, `writeback_failed`) or a revert records it."""
    status = {
        AuditEventType.WRITEBACK: AuditStatus.WRITTEN,
        AuditEventType.WRITEBACK_FAILED: AuditStatus.WRITE_FAILED,
        AuditEventType.REVERT: AuditStatus.REVERTED,
    }[kind]
    event = AuditEvent(
        record_key=removal.record_key,
        event_id=stable_event_id(removal.event_id, kind.value),
        event_type=kind,
        status=status,
        occurred_at=at,
        actor="plex_writeback",
        finding_id=removal.event_id,
        employee_id=removal.employee_id,
        payload={"kind": CREW_REMOVAL, **payload},
        previous_values={"status": "assigned"} if kind is not AuditEventType.WRITEBACK_FAILED else None,
    )
    store.append(event)
    return event


def _written(store: InMemoryAuditStore, removal: AuditEvent, at: datetime = AT, sent: bool = True) -> AuditEvent:
    mode = "custom_object" if sent else "dry_run"
    return _write(store, removal, AuditEventType.WRITEBACK, at, sent=sent, mode=mode)


def _removals(store: InMemoryAuditStore) -> list[AuditEvent]:
    return read_day(store, DAY).removals


def _seated(store: InMemoryAuditStore) -> tuple[str, str]:
    """The two operators the nightly plan seated (J1's, J2's)."""
    seats = {e.payload["segment"]: e.employee_id for e in read_day(store, DAY).openings if e.employee_id}
    return str(seats["J1"]), str(seats["J2"])


def _on_leave(employee_id: str) -> CrewProblem:
    """The shift with `employee_id` on leave for it, as Plex's leave reads."""
    crew = shift()
    operators = tuple(
        operator(op.employee_id, leave="vacation") if op.employee_id == employee_id else op for op in crew.operators
    )
    return crew.model_copy(update={"operators": operators})


def _accepted(store: InMemoryAuditStore) -> tuple[str, AuditEvent]:
    """J1's operator and their seat, accepted."""
    accepted, _ = _seated(store)
    seat = _seat(store, accepted)
    _decide(store, seat)
    return accepted, seat


def _called_off(store: InMemoryAuditStore) -> tuple[str, AuditEvent, AuditEvent]:
    """J1's operator, their accepted seat and the removal their call-off (re-planned at AT) opened for it."""
    accepted, seat = _accepted(store)
    run(container(store, [AT]), message("call_off", AT, employee_id=accepted))
    [removal] = _removals(store)
    return accepted, seat, removal


def test_a_call_off_of_an_accepted_seat_opens_one_removal_for_its_supervisor(reads: list[int]) -> None:
    store, clock = planned_store(), [AT]
    accepted, seat = _accepted(store)
    deps = container(store, clock)

    summary = run(deps, message("call_off", AT, employee_id=accepted))

    [removal] = _removals(store)
    assert summary["removals_opened"] == 1
    assert removal.status is AuditStatus.PENDING_APPROVAL and removal.payload["kind"] == CREW_REMOVAL
    assert removal.payload["removes"] == seat.event_id and removal.record_key == seat.record_key  # the Plex record
    assert (removal.employee_id, removal.supervisor_id) == (accepted, seat.supervisor_id)
    assert removal.payload["note"].startswith(f"Remove {accepted} from CNC-0")
    assert "shift 1 in Plex (called off at 05:40)" in removal.payload["note"]
    # the same person called off again (crew_call_offs detects the no-show after the board's call-off): no second item
    clock[0] = T0 + timedelta(minutes=17)
    again = run(deps, message("call_off", clock[0], employee_id=accepted))
    assert again["removals_opened"] == 0 and len(_removals(store)) == 1
    # a cold container re-planning the shift later does not open one either
    run(container(store, [T0 + KEPT_FOR + timedelta(minutes=20)]), down(T0 + KEPT_FOR + timedelta(minutes=20)))
    assert len(_removals(store)) == 1


def test_a_call_off_of_a_seat_not_accepted_opens_no_removal(reads: list[int]) -> None:
    store = planned_store()
    _, waiting = _seated(store)
    _accepted(store)

    summary = run(container(store, [AT]), message("call_off", AT, employee_id=waiting))

    assert summary["removals_opened"] == 0 and _removals(store) == []


def test_a_rejected_seat_whose_person_calls_off_opens_no_removal(reads: list[int]) -> None:
    store = planned_store()
    accepted, _ = _seated(store)
    _decide(store, _seat(store, accepted), "reject")
    run(container(store, [AT]), message("call_off", AT, employee_id=accepted))
    assert _removals(store) == []


def test_an_undone_call_off_closes_the_waiting_removal_and_the_seat_is_held_again(reads: list[int]) -> None:
    store, clock = planned_store(), [AT]
    accepted, seat = _accepted(store)
    deps = container(store, clock)
    run(deps, message("call_off", AT, employee_id=accepted))

    summary = run(deps, message("call_off_undone", AT + timedelta(minutes=3), employee_id=accepted))

    read = read_day(store, DAY)
    [removal] = removals(read).values()
    assert summary["removals_superseded"] == 1 and removal.state == "superseded"
    plan, _ = current_plan(read, "1")
    assert (seat.payload["segment"], accepted) in plan.accepted
    # a call-off after the undo opens a new removal (the first one is closed, not decided)
    run(deps, message("call_off", AT + timedelta(minutes=6), employee_id=accepted))
    assert [r.state for r in removals(read_day(store, DAY)).values()] == ["waiting"]
    assert len(_removals(store)) == 2


def test_a_decided_removal_is_not_opened_again(reads: list[int]) -> None:
    store, clock = planned_store(), [AT]
    accepted, _ = _accepted(store)
    deps = container(store, clock)
    run(deps, message("call_off", AT, employee_id=accepted))
    [removal] = _removals(store)
    _decide(store, removal, "reject")  # kept in Plex

    run(deps, message("call_off", AT + timedelta(minutes=5), employee_id=accepted))

    assert [r.state for r in removals(read_day(store, DAY)).values()] == ["kept"]
    assert len(_removals(store)) == 1


@pytest.mark.parametrize("outcome", ["kept", "reverted", "refused"])
def test_a_new_call_off_after_an_undo_opens_a_new_removal_whatever_became_of_the_first(
    reads: list[int], outcome: str
) -> None:
    """review_s13 #8: one item per seat and call-off. A removal rejected (they said they would come), reverted or
    refused, then the call-off undone (they turned up), then sent home ill: the new call-off opened no removal."""
    store, clock = planned_store(), [AT]
    accepted, seat = _accepted(store)
    deps = container(store, clock)
    run(deps, message("call_off", AT, employee_id=accepted))
    [first] = _removals(store)
    _decide(store, first, "reject" if outcome == "kept" else "approve")
    if outcome == "reverted":
        written = _written(store, first, AT + timedelta(minutes=1))
        _write(store, first, AuditEventType.REVERT, AT + timedelta(minutes=2), reverted_event_id=written.event_id)
    elif outcome == "refused":
        _write(store, first, AuditEventType.WRITEBACK_FAILED, AT + timedelta(minutes=1), message="bad request")
    clock[0] = AT + timedelta(minutes=5)
    run(deps, message("call_off_undone", clock[0], employee_id=accepted))  # they turned up
    assert removals(read_day(store, DAY))[seat.event_id].state == outcome
    clock[0] = AT + timedelta(hours=3)

    summary = run(deps, message("call_off", clock[0], employee_id=accepted))  # sent home ill at 08:40

    assert summary["removals_opened"] == 1
    newest = removals(read_day(store, DAY))[seat.event_id]
    assert newest.state == "waiting" and newest.called_off_at == clock[0]
    assert "called off at 08:40" in newest.event.payload["note"]  # the new call-off's time, not the first's
    # the same call-off seen again (crew_call_offs' no-show after the board's) opens none
    clock[0] += timedelta(minutes=20)
    run(deps, message("call_off", clock[0], employee_id=accepted))
    assert len(_removals(store)) == 2


def test_leave_read_from_plex_opens_a_removal(monkeypatch: pytest.MonkeyPatch) -> None:
    store = planned_store()
    accepted, _ = _accepted(store)
    on_leave = _on_leave(accepted)

    def build_problem(*_: Any, **__: Any) -> CrewProblem:
        return on_leave

    monkeypatch.setattr(crew_build, "build_problem", build_problem)
    run(container(store, [AT]), message("plan_changed", AT))

    [removal] = _removals(store)
    assert "(on leave in Plex for the day)" in removal.payload["note"] and removal.payload["called_off_at"] is None


def test_a_removed_assignment_is_no_longer_held_and_the_person_back_is_a_new_suggestion(reads: list[int]) -> None:
    store = planned_store()
    accepted, seat, removal = _called_off(store)
    _decide(store, removal)  # approved: on its way to Plex, the seat still held
    read = read_day(store, DAY)
    assert removals(read)[seat.event_id].state == "approved" and removed(read) == {}
    assert (seat.payload["segment"], accepted) in current_plan(read, "1")[0].accepted
    _written(store, removal)  # plex_writeback: Plex took the withdrawn record

    read = read_day(store, DAY)
    plan, _ = current_plan(read, "1")
    assert (seat.payload["segment"], accepted) not in plan.accepted | plan.assignments
    assert removals(read)[seat.event_id].state == "removed"
    # the same pair planned again gets a new id: a suggestion to decide, not the old approval
    published = publish_plan(solve(shift(), 10), store, AT, renewed={seat.event_id: removal.event_id})
    assert published.published >= 1
    again = [e for e in read_day(store, DAY).openings if e.employee_id == accepted and e.event_id != seat.event_id]
    assert [e.payload["segment"] for e in again] == [seat.payload["segment"]]
    assert seat.event_id == assignment_event_id(DAY.isoformat(), str(seat.payload["segment"]), accepted)


def test_once_removed_the_seats_claims_let_the_person_back_in(reads: list[int]) -> None:
    """The approval held the person in the seat (`crew.claims`); after the removal and an undone call-off the re-plan
    lets that go, so the person may be accepted in an overlapping seat (a new suggestion) again."""
    store, clock = planned_store(), [AT]
    accepted, _ = _seated(store)
    seat = _seat(store, accepted)
    claims = SeatClaims(store, lambda: clock[0])
    claims.hold(CREW_ASSIGNMENT, seat.event_id, accepted, seat.payload, "SUP-1", AT - timedelta(hours=1))
    _decide(store, seat)
    deps = container(store, clock)
    run(deps, message("call_off", AT, employee_id=accepted))
    [removal] = _removals(store)
    _decide(store, removal, at=AT + timedelta(minutes=2))
    _written(store, removal, AT + timedelta(minutes=2))
    held = [c for c in live(store_claims(store, accepted)) if c.item_id == seat.event_id]
    assert [c.what for c in held] == ["seat"]

    clock[0] = AT + timedelta(minutes=5)
    summary = run(deps, message("call_off_undone", clock[0], employee_id=accepted))

    assert summary["removed_claims_released"] == 2  # the person's seat and the seat's accept
    assert [c for c in live(store_claims(store, accepted)) if c.item_id == seat.event_id] == []
    other = "another-seat"
    claims.hold(CREW_ASSIGNMENT, other, accepted, seat.payload, "SUP-1", clock[0])  # not refused: nothing raised


def store_claims(store: InMemoryAuditStore, employee_id: str) -> list[Claim]:
    return [Claim.of(e) for e in store.history(person_log(DAY, employee_id))]


def test_the_removals_note_says_whether_the_re_plan_filled_the_seat(
    reads: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # ux164 #6: the note said "the re-plan fills it" of a seat the re-plan left empty
    filled = planned_store()
    accepted, _ = _accepted(filled)
    run(container(filled, [AT]), message("call_off", AT, employee_id=accepted))  # C, free, takes the seat
    [removal] = _removals(filled)
    assert "; the re-plan filled it. Reject to keep" in removal.payload["note"]

    # J1 needs a welder and only A welds: A's call-off leaves it empty
    crew = problem(
        [job("J1", place("WLD-01"), requirements=(WELD,)), job("J2", place("CNC-02"))],
        [operator("A", levels={"SK-CNC": 3, "SK-WELD": 2}), operator("B")],
    )
    monkeypatch.setattr(crew_build, "build_problem", lambda *_, **__: crew)
    empty = InMemoryAuditStore()
    publish_plan(solve(crew, 10), empty, T0 - timedelta(hours=10))
    _decide(empty, _seat(empty, "A"))
    run(container(empty, [AT]), message("call_off", AT, employee_id="A"))
    [removal] = _removals(empty)
    assert "; the re-plan found nobody for it: it stays empty. Reject to keep" in removal.payload["note"]


@pytest.mark.parametrize(
    ("outcome", "state", "held"),
    [
        ("approved", "approved", True),  # the write on its way
        ("refused", "refused", True),  # Plex answered 400: the assignment is still in Plex
        ("dry_run", "dry_run", False),  # dry run counts as written, as for the accepted assignment itself
        ("written", "removed", False),
        ("reverted", "reverted", True),  # `plexlabor writeback revert`: the assignment posted again
    ],
)
def test_a_removal_lets_the_seat_go_only_once_written(reads: list[int], outcome: str, state: str, held: bool) -> None:
    # review180 #1, #2: the approval alone read "removed in Plex" and let the seat go, written or not, reverted or not
    store = planned_store()
    accepted, seat, removal = _called_off(store)
    _decide(store, removal)
    later = AT + timedelta(minutes=1)
    if outcome == "refused":
        _write(store, removal, AuditEventType.WRITEBACK_FAILED, later, error="PlexRequestError", message="bad request")
    elif outcome in ("written", "dry_run", "reverted"):
        written = _written(store, removal, later, sent=outcome != "dry_run")
        if outcome == "reverted":  # at the same moment: the revert names the write it undid, order does not matter
            _write(store, removal, AuditEventType.REVERT, later, reverted_event_id=written.event_id, sent=True)

    read = read_day(store, DAY)
    assert removals(read)[seat.event_id].state == state
    assert (seat.event_id in removed(read)) is not held
    assert (seat.event_id in [e.event_id for e in accepted_seats(read, "1")]) is held
    assert ((seat.payload["segment"], accepted) in current_plan(read, "1")[0].accepted) is held
    # the person still off: no second removal of the seat, whatever became of the first
    run(container(store, [later]), message("call_off", later, employee_id=accepted))
    assert len(_removals(store)) == 1


def test_a_catching_up_reader_reads_the_removals_write_and_only_once_one_is_approved(reads: list[int]) -> None:
    store = planned_store()
    _, seat, removal = _called_off(store)
    reader = DayReader(store)
    assert reader.read(DAY, AT).removal_writes == []
    _decide(store, removal, at=AT + timedelta(minutes=1))
    written = _written(store, removal, AT + timedelta(minutes=1))

    read = reader.read(DAY, AT + timedelta(minutes=2))  # a catch-up

    assert read.removal_writes == [written] and removals(read)[seat.event_id].state == "removed"
    # another container starts from the day's snapshot: the write comes with it
    kept = KeptStore(InMemoryArtifactStore())
    state = reader.state(DAY)
    assert state is not None
    kept.save_day(DAY, state)
    assert removals(kept.load_day(DAY).read)[seat.event_id].state == "removed"


@pytest.mark.parametrize("reverted", [False, True])
def test_a_call_off_opens_no_removal_of_an_assignment_withdrawn_from_plex_by_a_revert(
    reads: list[int], reverted: bool
) -> None:
    """review_s13 #1: an assignment plant IT withdrew (`plexlabor writeback revert`) still counted as accepted in
    Plex, and its person's call-off opened a removal that posted `withdrawn` again."""
    store = planned_store()
    accepted, seat = _accepted(store)
    written = _write(store, seat, AuditEventType.WRITEBACK, AT - timedelta(hours=1), sent=True, mode="custom_object")
    if reverted:
        _write(store, seat, AuditEventType.REVERT, AT - timedelta(minutes=30), reverted_event_id=written.event_id)

    summary = run(container(store, [AT]), message("call_off", AT, employee_id=accepted))

    assert summary["removals_opened"] == (0 if reverted else 1)
    assert len(_removals(store)) == (0 if reverted else 1)
    # review_s14 #7: the re-plan records why it opened none (the board said "its removal opens with the re-plan")
    [applied] = [e for e in store.history(f"crew-shifts:{DAY}/1") if e.event_type is AuditEventType.REPLAN]
    at = format_audit_time(AT - timedelta(minutes=30))
    said = {seat.event_id: {"at": at, "by": "plex_writeback"}} if reverted else None  # the revert's actor (`_write`)
    assert applied.payload.get(NOT_IN_PLEX) == said


def test_a_removal_opened_by_a_container_started_from_the_snapshot_names_the_seat(reads: list[int]) -> None:
    """review_s13 #7: the day's snapshot kept slim seats, so a cold container's removal read "Remove ... from None"
    and had no department (its department's supervisors did not see it) nor hours."""
    store = InMemoryAuditStore()
    departments = {job.place.workcenter_id: "MACHINING" for job in shift().jobs}
    publish_plan(solve(shift(), 10), store, T0 - timedelta(hours=10), departments=departments)
    accepted, seat = _accepted(store)
    assert seat.payload["department"] == "MACHINING"
    kept = KeptStore(InMemoryArtifactStore())
    first = dataclasses.replace(container(store, [AT - timedelta(minutes=2)]), kept_store=kept)
    run(first, down(AT - timedelta(minutes=2)))  # reads the day whole and stores it
    cold = dataclasses.replace(container(store, [AT]), kept_store=kept)  # another container, from the snapshot

    run(cold, message("call_off", AT, employee_id=accepted))

    [removal] = _removals(store)
    for name in ("workcenter_id", "workcenter_code", "department", "hours"):
        assert removal.payload.get(name) == seat.payload.get(name), name
    assert f"from {seat.payload['workcenter_code']} shift 1" in removal.payload["note"]


def test_a_person_sent_home_mid_shift_gets_a_removal_only_for_the_seats_not_yet_over(
    reads: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # issue 16, gap 3: a person sent home at 11:00 got a removal for their 06:00-10:00 seat too, worked and over
    crew = problem(
        [job("J1", place("CNC-01"), hours=4.0), job("J2", place("CNC-02"), start=4.0, hours=4.5)],
        [operator("A", efficiency={"CNC-01": 1.3, "CNC-02": 1.3}), operator("B", efficiency={"CNC-01": 0.6})],
    )
    monkeypatch.setattr(crew_build, "build_problem", lambda *_, **__: crew)
    store = InMemoryAuditStore()
    publish_plan(solve(crew, 10), store, T0 - timedelta(hours=10))
    seats = [e for e in read_day(store, DAY).openings if e.employee_id == "A"]
    assert sorted(e.payload["segment"] for e in seats) == ["J1", "J2"]
    for seat in seats:
        _decide(store, seat, at=T0 - timedelta(hours=1))
    sent_home = T0 + timedelta(hours=5)  # 11:00: J1 ended at 10:00

    run(container(store, [sent_home]), message("call_off", sent_home, employee_id="A"))

    assert [r.payload["segment"] for r in _removals(store)] == ["J2"]
    # ...and the re-plan keeps A in J1 (one rule, `models.ended_by`): before, it published B for J1, a seat over
    read = read_day(store, DAY)
    assert [e.payload["segment"] for e in read.openings if e.actor == "crew_replan"] == ["J2"]
    assert ("J1", "A") in current_plan(read, "1")[0].assignments


def test_the_scheduled_refresh_opens_the_removal_of_a_person_on_leave_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # issue 16, gap 2: leave entered in Plex for a person with an accepted seat opened its removal only with the next
    # re-plan of the shift (any event's); crew_replan's refresh, every 5 minutes, read the leave and opened nothing
    store = planned_store()
    accepted, seat = _accepted(store)
    on_leave = _on_leave(accepted)
    monkeypatch.setattr(crew_build, "build_problem", lambda *_, **__: on_leave)
    clock = [AT]
    deps = container(store, clock)

    summary = run(deps, message("refresh", AT))

    [removal] = _removals(store)
    assert summary["removals_opened"] == 1 and removal.payload["removes"] == seat.event_id
    assert removal.status is AuditStatus.PENDING_APPROVAL and removal.payload["called_off_at"] is None
    assert "(on leave in Plex for the day)" in removal.payload["note"]
    assert "the shift's next re-plan fills it" in removal.payload["note"]
    # the next refresh, another container's and the shift's next re-plan open no second one
    clock[0] = AT + timedelta(minutes=5)
    assert run(deps, message("refresh", clock[0]))["removals_opened"] == 0
    run(container(store, clock), message("refresh", clock[0]))
    run(deps, message("plan_changed", clock[0]))
    assert len(_removals(store)) == 1


def test_a_refresh_closes_the_removal_of_a_person_no_longer_on_leave(monkeypatch: pytest.MonkeyPatch) -> None:
    # review_s14 #4: the refresh opened the removal of a person on leave in Plex, but none closed it once HR took the
    # leave out of Plex: it waited, "on leave in Plex for the day", and its approval withdrew a worked seat
    store = planned_store()
    accepted, seat = _accepted(store)
    monkeypatch.setattr(crew_build, "build_problem", lambda *_, **__: _on_leave(accepted))
    clock = [AT]
    deps = container(store, clock)
    assert run(deps, message("refresh", AT))["removals_opened"] == 1
    monkeypatch.setattr(crew_build, "build_problem", lambda *_, **__: shift())  # the leave taken out of Plex
    clock[0] = AT + timedelta(minutes=1)
    assert run(deps, message("refresh", clock[0]))["removals_superseded"] == 0  # the shift not read again yet

    clock[0] = AT + KEPT_FOR + timedelta(minutes=1)
    summary = run(deps, message("refresh", clock[0]))

    assert summary["data_read"] is True and summary["removals_superseded"] == 1
    removal = removals(read_day(store, DAY))[seat.event_id]
    assert removal.state == "superseded"
    assert removal.closing is not None and removal.closing.payload["replaced_after"] == (
        f"{accepted} no longer on leave in Plex"
    )
    assert [e.event_id for e in accepted_seats(read_day(store, DAY), "1")] == [seat.event_id]  # held again


def test_a_refresh_leaves_the_removal_of_a_call_off_to_the_re_plans(monkeypatch: pytest.MonkeyPatch) -> None:
    # the near miss: a refresh that reads the shift again (no leave in Plex) keeps the removal of a call-off applied
    # to it; that one closes with the call-off's undo (its re-plan)
    store = planned_store()
    accepted, seat = _accepted(store)
    monkeypatch.setattr(crew_build, "build_problem", lambda *_, **__: shift())
    run(container(store, [AT]), message("call_off", AT, employee_id=accepted))
    clock = [AT + KEPT_FOR + timedelta(minutes=1)]

    summary = run(container(store, clock), message("refresh", clock[0]))

    assert summary["data_read"] is True and summary["removals_superseded"] == 0
    assert removals(read_day(store, DAY))[seat.event_id].state == "waiting"


def test_a_refused_removal_sent_again_is_the_seats_removal_and_none_other_opens(reads: list[int]) -> None:
    # issue 16, gap 1: the retry is a new removal of the same seat (its next id), naming the refused one
    store = planned_store()
    accepted, seat, removal = _called_off(store)
    _decide(store, removal)
    later = AT + timedelta(minutes=1)
    _write(store, removal, AuditEventType.WRITEBACK_FAILED, later, error="PlexRequestError", message="bad request")
    refused = removals(read_day(store, DAY))[seat.event_id]

    retry = retry_event(read_day(store, DAY), refused, later, "SUP-1")
    store.append(retry)

    assert retry.event_id == stable_event_id(seat.event_id, CREW_REMOVAL, "1") != removal.event_id
    assert (retry.actor, retry.payload["retry_of"], retry.payload["removes"]) == (
        "SUP-1",
        removal.event_id,
        seat.event_id,
    )
    assert retry.payload["note"].startswith("Sent again after the write to Plex was refused (bad request): Remove ")
    assert retry.payload["chosen_by_hand"] is True  # the KPIs count the model's suggestion (approved) once
    assert removals(read_day(store, DAY))[seat.event_id].state == "waiting"  # until the web app approves it
    _decide(store, retry, at=later)
    _written(store, retry, later)
    assert removals(read_day(store, DAY))[seat.event_id].state == "removed"
    run(container(store, [later]), message("call_off", later, employee_id=accepted))  # the person still off
    assert len(_removals(store)) == 2


def test_a_retry_of_a_retry_says_the_first_removal_once(reads: list[int]) -> None:
    # review_s14 L11: each retry nested the refused one's note ("Sent again after ...: Sent again after ...: Remove")
    store = planned_store()
    _, seat, removal = _called_off(store)
    later = AT + timedelta(minutes=1)
    for reason in ("bad request", "still bad"):
        _decide(store, removal, at=later)
        _write(store, removal, AuditEventType.WRITEBACK_FAILED, later, error="PlexRequestError", message=reason)
        previous, removal = (
            removal,
            retry_event(read_day(store, DAY), removals(read_day(store, DAY))[seat.event_id], later, "SUP-1"),
        )
        store.append(removal)

    note = removal.payload["note"]
    assert note.startswith("Sent again after the write to Plex was refused (still bad): Remove ")
    assert note.count("Sent again") == 1 and note.endswith(_removals(store)[0].payload["note"])
    assert removal.payload["retry_of"] == previous.event_id  # the chain, followed back through each retry


def test_a_seat_without_an_end_is_over_after_its_hours() -> None:
    seat = {"start": T0.isoformat(), "hours": 8.0}  # as the claims read it: an older suggestion without `end`
    assert not over_by(seat, T0 + timedelta(hours=7)) and over_by(seat, T0 + timedelta(hours=8))
    assert over_by(seat | {"end": (T0 + timedelta(hours=2)).isoformat()}, T0 + timedelta(hours=2))
