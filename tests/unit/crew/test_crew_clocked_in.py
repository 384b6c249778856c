"""A called-off operator who clocks in after their call-off (review 163 D1, D2): crew_replan's read of the shift takes
the call-off back, records the clock-in (`clocked_in`, an `applied` event the crew board reads as the call-off over),
closes the waiting removal from Plex of their accepted seat, also on a refresh; a clock-in from before the call-off (a
person sent home mid-shift) does not take it back."""

from __future__ import annotations

from datetime import timedelta

from plexlabor.crew.removals import removals
from plexlabor.crew.replanning import KEPT_FOR, recorded, run
from plexlabor.crew.suggestions import DayRead, DayReader, read_day
from tests.unit.crew.crew_builder import DAY, T0
from tests.unit.crew.test_crew_removals import _accepted
from tests.unit.crew.test_crew_replan_events import Source, container, down, message, planned_store, reads

__all__ = ["reads"]  # the fixture, used by name

CALLED_OFF = T0 + timedelta(minutes=17)  # crew_call_offs' no-show, 06:17


def _read(store: object) -> DayRead:
    """The day's read with the re-plans' `applied` events (as crew_replan and the crew board read it)."""
    return DayReader(store, applied=True).read(DAY, T0 + timedelta(hours=8))  # type: ignore[arg-type]


def _leave(deps: object, employee_id: str) -> str | None:
    kept = deps.problems[(DAY, "1")]  # type: ignore[attr-defined]
    return {op.employee_id: op.leave for op in kept.problem.operators}[employee_id]


def test_a_clock_in_after_the_call_off_is_recorded_and_closes_the_removal(reads: list[int]) -> None:
    store, source, clock = planned_store(), Source(), [CALLED_OFF]
    accepted, _ = _accepted(store)
    deps = container(store, clock, source)
    run(deps, message("call_off", CALLED_OFF, employee_id=accepted))
    [removal] = removals(read_day(store, DAY)).values()
    assert removal.state == "waiting"

    source.port.clock_ins[accepted] = T0 + timedelta(minutes=25)  # late, but there
    clock[0] += KEPT_FOR + timedelta(minutes=1)
    run(deps, down(clock[0]))  # reads the shift again

    read = _read(store)
    assert _leave(deps, accepted) is None
    [back] = [e for e in recorded(read, DAY, "1") if e.reason == "clocked_in"]
    assert (back.employee_id, back.detected_at) == (accepted, T0 + timedelta(minutes=25))
    [removal] = removals(read).values()
    assert removal.state == "superseded"
    # read again later: recorded once, and the call-off stays taken back
    clock[0] += KEPT_FOR + timedelta(minutes=1)
    run(deps, down(clock[0]))
    assert [e.reason for e in recorded(_read(store), DAY, "1")].count("clocked_in") == 1
    assert _leave(deps, accepted) is None


def test_a_refresh_that_finds_the_clock_in_records_it_and_closes_the_removal(reads: list[int]) -> None:
    store, source, clock = planned_store(), Source(), [CALLED_OFF]
    accepted, _ = _accepted(store)
    deps = container(store, clock, source)
    run(deps, message("call_off", CALLED_OFF, employee_id=accepted))
    source.port.clock_ins[accepted] = T0 + timedelta(minutes=25)
    clock[0] += KEPT_FOR + timedelta(minutes=1)

    run(deps, message("refresh", clock[0]))

    read = _read(store)
    assert [e.employee_id for e in recorded(read, DAY, "1") if e.reason == "clocked_in"] == [accepted]
    assert [r.state for r in removals(read).values()] == ["superseded"]


def test_a_clock_in_before_the_call_off_does_not_take_it_back(reads: list[int]) -> None:
    # review 163 D1: clocked in 5 minutes before the shift, sent home sick 3 hours in (recorded on the crew board)
    store, source, clock = planned_store(), Source(), [T0 + timedelta(hours=3)]
    source.port.clock_ins["A"] = T0 - timedelta(minutes=5)
    deps = container(store, clock, source)
    run(deps, message("call_off", clock[0], employee_id="A", reported_by="P0001", call_off_reason="sick"))
    clock[0] += KEPT_FOR + timedelta(minutes=1)

    run(deps, down(clock[0]))  # reads the shift again

    assert _leave(deps, "A") == "call_off"
    assert [e for e in recorded(_read(store), DAY, "1") if e.reason == "clocked_in"] == []


def test_a_detected_call_off_is_taken_back_by_a_punch_that_reached_plex_after_the_detection(reads: list[int]) -> None:
    # crew_call_offs found no clock-in at 06:17; the 06:16 punch reached Plex after that
    store, source, clock = planned_store(), Source(), [CALLED_OFF]
    deps = container(store, clock, source)
    run(deps, message("call_off", CALLED_OFF, employee_id="A"))
    source.port.clock_ins["A"] = T0 + timedelta(minutes=16)
    clock[0] += KEPT_FOR + timedelta(minutes=1)

    run(deps, down(clock[0]))

    assert _leave(deps, "A") is None
    [back] = [e for e in recorded(_read(store), DAY, "1") if e.reason == "clocked_in"]
    assert back.detected_at == CALLED_OFF  # not before the call-off it takes back
