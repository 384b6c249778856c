"""A re-plan drops suggestion S while a swap on the crew board holds S's seat log (review_close_s15 #5). Until
2026-12-06 the swap refused the re-plan's `supersede` and the re-plan left S "to the swap"; when the swap then failed
and let go, S stayed open beside its replacement R in the same seat, and both approvals were accepted (two people to
Plex for one seat). Now only an approval refuses the supersede: S is closed whatever the swap does, and a swap still
under way when the re-plan closed S is refused, its write not sent beside R."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from plexlabor.audit import InMemoryAuditStore
from plexlabor.crew.claims import ClaimRefusedError, SeatClaims
from plexlabor.crew.replan import CurrentPlan
from plexlabor.crew.replanning import _superseding
from tests.unit.crew.crew_builder import DAY
from tests.unit.crew.test_crew_replan_events import message
from tests.unit.crew.test_crew_supersede_race import AT, _opening

CURRENT = CurrentPlan(assignments=frozenset({("J1", "S")}))


def _r_in_s_seat(current: CurrentPlan) -> tuple[Any, Any]:
    """The re-plan's solve: R in S's seat (J1)."""
    return None, SimpleNamespace(assignments=[SimpleNamespace(job_key="J1", employee_id="R")])


def _swap_details(replaced: str) -> dict[str, Any]:
    """T's suggestion chosen on the board in S's seat, as the review service's guard reads it."""
    return {
        "plan_day": DAY.isoformat(),
        "shift_code": "1",
        "replaces": replaced,
        "workcenter_code": "CNC-01",
        "start": (AT + timedelta(hours=1)).isoformat(),
        "end": (AT + timedelta(hours=9)).isoformat(),
    }


def test_a_suggestion_dropped_while_a_failed_swap_held_its_seat_is_closed() -> None:
    # Given S on J1; a supervisor's swap of T into S's seat holds S's seat log
    store = InMemoryAuditStore()
    s = _opening("crew-S", "S", "J1")
    claims = SeatClaims(store, lambda: AT)
    let_go_swap = claims.swap(s.event_id, "T", DAY, "1", "crew-T", "P0001", AT, "tok")

    # When a re-plan (a call-off of V) puts R in S's seat, and the swap then fails and lets go
    _, _, plan, dropped = _superseding(
        store, message("call_off", AT, employee_id="V"), AT, "a call-off of V", CURRENT, {("J1", "S"): s}, _r_in_s_seat
    )
    let_go_swap()

    # Then S is closed by the re-plan (not left open beside R), and its approval is refused naming R
    assert [(a.job_key, a.employee_id) for a in plan.assignments] == [("J1", "R")]
    assert dropped == [s]
    with pytest.raises(ClaimRefusedError) as refused:
        claims.accept("S", DAY, "1", s.event_id, "P0001", AT)
    assert refused.value.holder.what == "supersede" and refused.value.holder.instead == ("R",)


def test_a_swap_under_way_when_the_re_plan_closes_its_seat_is_refused_and_lets_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given S on J1; the swap of T into S's seat has held S's seat log, and the re-plan supersedes S right then
    # (before the swap's own seat and person are held)
    store = InMemoryAuditStore()
    s = _opening("crew-S", "S", "J1")
    claims = SeatClaims(store, lambda: AT)
    accept = claims.accept
    dropped: list[Any] = []

    def re_plan_then_accept(*args: Any, **kwargs: Any) -> Any:
        call_off = message("call_off", AT, employee_id="V")
        dropped.extend(_superseding(store, call_off, AT, "a call-off of V", CURRENT, {("J1", "S"): s}, _r_in_s_seat)[3])
        return accept(*args, **kwargs)

    monkeypatch.setattr(claims, "accept", re_plan_then_accept)

    # When the swap's approval holds what it takes
    with pytest.raises(ClaimRefusedError) as refused:
        claims.hold("crew_assignment", "crew-T", "T", _swap_details(s.event_id), "P0001", AT)

    # Then it is refused naming the re-plan's replacement (its write is not queued), S is closed, and nothing of the
    # swap holds: T may be placed in that seat again (a new swap of R's seat), and S stays refused
    assert dropped == [s]
    assert refused.value.holder.what == "supersede"
    assert str(refused.value) == (
        "this suggestion was just replaced by the re-plan after a call-off of V at 05:00 UTC "
        "(R suggested for the seat instead): it is no longer open to swap"
    )
    monkeypatch.undo()
    claims.seat("T", DAY, "1", "crew-T2", "CNC-01", AT, AT + timedelta(hours=9), "P0001", AT)
    with pytest.raises(ClaimRefusedError):
        claims.accept("S", DAY, "1", s.event_id, "P0001", AT)


def _choice_of_t(s_id: str) -> Any:
    """T's swap choice chosen on the board in S's seat, recorded and not finished (its write could not be queued)."""
    choice = _opening("crew-T", "T", "J1")
    return choice.model_copy(update={"payload": choice.payload | {"replaces": s_id, "swapped_for": "S"}})


def _t_kept(current: CurrentPlan) -> tuple[Any, Any]:
    """The re-plan's solve: T kept in S's seat (J1), S dropped."""
    return None, SimpleNamespace(assignments=[SimpleNamespace(job_key="J1", employee_id="T")])


def test_a_swap_choice_the_re_plan_keeps_in_the_seat_is_the_replacement_and_stays_open_to_approve() -> None:
    # Given S on J1 and T's swap choice in S's seat, not finished: the current plan holds both (issue 16)
    store = InMemoryAuditStore()
    s = _opening("crew-S", "S", "J1")
    t = _choice_of_t(s.event_id)
    current = CurrentPlan(assignments=frozenset({("J1", "S"), ("J1", "T")}))
    both = {("J1", "S"): s, ("J1", "T"): t}

    # When a re-plan (a call-off of V) keeps T in the seat and drops S
    _, _, _, dropped = _superseding(
        store, message("call_off", AT, employee_id="V"), AT, "a call-off of V", current, both, _t_kept
    )

    # Then S is closed naming T as its replacement, T's approval (with its swap's claims) is held, and S stays refused
    assert dropped == [s]
    claims = SeatClaims(store, lambda: AT)
    closing = claims.superseded(DAY, s.event_id, AT)
    assert closing is not None and closing.instead == ("T",) and closing.kept == (t.event_id,)
    claims.hold("crew_assignment", t.event_id, "T", _swap_details(s.event_id), "P0001", AT)
    with pytest.raises(ClaimRefusedError) as refused:
        claims.accept("S", DAY, "1", s.event_id, "P0002", AT)
    assert "(T suggested for the seat instead)" in str(refused.value)


def test_a_swap_choice_the_re_plan_drops_with_its_replaced_suggestion_is_still_refused() -> None:
    # near miss: the re-plan planned the seat for R, dropping S and T's choice: T's swap stays refused
    store = InMemoryAuditStore()
    s = _opening("crew-S", "S", "J1")
    t = _choice_of_t(s.event_id)
    current = CurrentPlan(assignments=frozenset({("J1", "S"), ("J1", "T")}))
    both = {("J1", "S"): s, ("J1", "T"): t}

    _, _, _, dropped = _superseding(
        store, message("call_off", AT, employee_id="V"), AT, "a call-off of V", current, both, _r_in_s_seat
    )

    assert {e.event_id for e in dropped} == {s.event_id, t.event_id}
    with pytest.raises(ClaimRefusedError) as refused:
        SeatClaims(store, lambda: AT).hold("crew_assignment", t.event_id, "T", _swap_details(s.event_id), "P0001", AT)
    assert refused.value.holder.what == "supersede" and refused.value.holder.instead == ("R",)
