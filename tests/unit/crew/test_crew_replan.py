"""Re-planning a shift after an event: the event applied, started and accepted work held, changes charged."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from pydantic import ValidationError

from plexlabor.crew.build import build_problem
from plexlabor.crew.messages import ReplanMessage, call_offs, people_in
from plexlabor.crew.models import CrewPolicy
from plexlabor.crew.optimizer import solve
from plexlabor.crew.pairs import compile_problem
from plexlabor.crew.replan import (
    CurrentPlan,
    apply_event,
    assignments_of,
    compile_event,
    pair_indexes,
    people_moved,
    replan,
)
from plexlabor.crew.replanning import remembered
from plexlabor.plant import PlantFolder
from tests.unit.crew.crew_builder import DAY, T0, job, operator, place, problem

A, B = place("A"), place("B")


def plant(start: float = 0.0, policy: CrewPolicy | None = None):  # type: ignore[no-untyped-def]
    """X is best at A, Y at B; Z is the spare (good at A, poor at B). From scratch: X at A, Y at B."""
    return problem(
        [job("JA", A, start=start), job("JB", B, start=start)],
        [
            operator("X", efficiency={"A": 1.2, "B": 1.0}),
            operator("Y", efficiency={"A": 0.7, "B": 1.1}),
            operator("Z", efficiency={"A": 1.15, "B": 0.8}),
        ],
        policy,
    )


def call_off(employee: str) -> ReplanMessage:
    return ReplanMessage(reason="call_off", day=DAY, shift="1", employee_id=employee, detected_at=T0)


def test_a_call_off_moves_only_the_operator_who_covers_the_seat() -> None:
    # Given the nightly plan (X at A, Y at B) and Y calling off before the shift starts
    crew = plant(start=1.0)
    nightly = solve(crew)
    assert assignments_of(nightly) == {("JA", "X"), ("JB", "Y")}
    # When the shift is re-planned with the change cost, and from scratch
    minimal = replan(crew, CurrentPlan.of(nightly), call_off("Y"), T0, time_limit=10)
    scratch = solve(apply_event(crew, call_off("Y")))
    # Then the re-plan puts Z on B (one person moved); from scratch X moves to B and Z to A (two moved),
    # worth 0.15 x 8 h x 55 = 66 dollars, less than the 200 two changes cost
    assert assignments_of(minimal) == {("JA", "X"), ("JB", "Z")}
    assert assignments_of(scratch) == {("JA", "Z"), ("JB", "X")}
    absent = frozenset({"Y"})
    assert people_moved(assignments_of(nightly), assignments_of(minimal), absent) == 1
    assert people_moved(assignments_of(nightly), assignments_of(scratch), absent) == 2
    assert minimal.breakdown.plan_change == 100.0 and scratch.breakdown.plan_change == 0.0


def test_started_work_is_held_even_without_a_change_cost() -> None:
    crew = plant(start=0.0, policy=CrewPolicy(change_cost=0.0))
    nightly = solve(crew)
    # the jobs started at T0; Y calls off at T0 + 20 min: X stays on A (started), Z takes B
    plan = replan(crew, CurrentPlan.of(nightly), call_off("Y"), T0 + timedelta(minutes=20), time_limit=10)
    assert assignments_of(plan) == {("JA", "X"), ("JB", "Z")}


def test_a_call_off_moves_nobody_outside_its_seats_even_without_a_change_cost() -> None:
    crew = plant(start=2.0, policy=CrewPolicy(change_cost=0.0))
    nightly = solve(crew)
    current = CurrentPlan.of(nightly)
    # from scratch X would move to B and Z take A (worth 66 dollars); the call-off touches B only: X stays on A
    assert assignments_of(solve(apply_event(crew, call_off("Y")))) == {("JA", "Z"), ("JB", "X")}
    free = replan(crew, current, call_off("Y"), T0, time_limit=10)
    assert assignments_of(free) == {("JA", "X"), ("JB", "Z")}
    accepted = current.model_copy(update={"accepted": frozenset({("JA", "X")})})
    held = replan(crew, accepted, call_off("Y"), T0, time_limit=10)
    assert assignments_of(held) == {("JA", "X"), ("JB", "Z")}


def test_a_called_off_operators_started_work_is_not_held() -> None:
    crew = plant(start=0.0)
    nightly = solve(crew)
    plan = replan(crew, CurrentPlan.of(nightly), call_off("X"), T0 + timedelta(minutes=20), time_limit=10)
    assert "X" not in {employee for _, employee in assignments_of(plan)}
    assert ("JA", "Z") in assignments_of(plan)


def test_workcenter_down_and_operation_completed_drop_their_segments() -> None:
    crew = plant()
    down = ReplanMessage(reason="workcenter_down", day=DAY, shift="1", workcenter_id="WC-A", detected_at=T0)
    done = ReplanMessage(reason="operation_completed", day=DAY, shift="1", job_operation_id="OP-JB", detected_at=T0)
    assert [j.key for j in apply_event(crew, down).jobs] == ["JB"]
    assert [j.key for j in apply_event(crew, done).jobs] == ["JA"]
    assert "re-planned after workcenter down: 1 segment(s) dropped" in apply_event(crew, down).notes
    up = ReplanMessage(reason="workcenter_up", day=DAY, shift="1", workcenter_id="WC-A", detected_at=T0)
    assert apply_event(crew, up) == crew


def test_after_decisions_on_the_board_a_rejected_pair_is_never_suggested_again() -> None:
    # Given the nightly plan (X at A, Y at B); the supervisor accepted Y at B and rejected X at A
    crew = plant(start=2.0)
    nightly = solve(crew)
    decided = CurrentPlan(
        assignments=frozenset(assignments_of(nightly) - {("JA", "X")}),
        accepted=frozenset({("JB", "Y")}),
        rejected=frozenset({("JA", "X")}),
    )
    changed = ReplanMessage(reason="plan_changed", day=DAY, shift="1", detected_at=T0)

    plan = replan(crew, decided, changed, T0, time_limit=10)

    # Then the rest of the shift is re-planned around them: Y stays at B, the spare Z takes A, not X
    assert assignments_of(plan) == {("JA", "Z"), ("JB", "Y")}
    assert changed.describe(crew) == "the supervisor's decisions on the crew board"


def test_a_message_must_name_what_changed() -> None:
    with pytest.raises(ValidationError, match="a call_off message needs employee_id"):
        ReplanMessage(reason="call_off", day=DAY, shift="1", detected_at=T0)
    with pytest.raises(ValidationError, match="reason"):
        ReplanMessage.model_validate({"reason": "coffee", "date": "2026-11-23", "shift": "1", "detected_at": T0})


def test_a_refresh_names_no_event_and_changes_no_problem() -> None:
    refresh = ReplanMessage.model_validate({"reason": "refresh", "date": "2026-11-23", "shift": "1", "detected_at": T0})
    crew = plant()
    assert apply_event(crew, refresh) == crew and refresh.describe(crew) == "a scheduled refresh"


def test_a_kept_shift_remembers_the_events_plex_may_not_show_until_taken_back() -> None:
    def message(reason: str, **subject: str) -> ReplanMessage:
        return ReplanMessage(reason=reason, day=DAY, shift="1", detected_at=T0, **subject)  # type: ignore[arg-type]

    down, done = message("workcenter_down", workcenter_id="WC-A"), message("operation_completed", job_operation_id="J1")
    events: tuple[ReplanMessage, ...] = ()
    for event in (call_off("Y"), down, done, message("swap", employee_id="Z"), message("plan_changed")):
        events = remembered(events, event)
    assert events == (call_off("Y"), down, done)  # a swap and decisions are in the audit table, not the problem
    assert remembered(events, message("workcenter_up", workcenter_id="WC-B")) == events  # another workcenter
    assert remembered(events, message("workcenter_up", workcenter_id="WC-A")) == (call_off("Y"), done)
    assert remembered(events, message("operation_moved", job_operation_id="J1")) == (call_off("Y"), down)
    assert remembered(events, message("refresh")) == events


def test_call_offs_are_scheduled_operators_not_clocked_in_after_the_grace() -> None:
    crew = plant()  # X, Y, Z all scheduled on shift 1 at T0
    crew = crew.model_copy(update={"operators": (*crew.operators, operator("L", leave="vacation"))})
    grace = timedelta(minutes=15)
    assert call_offs(crew, "1", {"X"}, T0 + timedelta(minutes=14), grace) == []  # still within the grace
    late = call_offs(crew, "1", {"X"}, T0 + timedelta(minutes=15), grace)
    assert [(m.reason, m.employee_id, m.shift) for m in late] == [("call_off", "Y", "1"), ("call_off", "Z", "1")]
    assert call_offs(crew, "2", set(), T0 + timedelta(hours=3), grace) == []  # nobody is on shift 2


@pytest.mark.parametrize("hours_in", [0, 4])
def test_a_call_off_on_a_compiled_problem_gives_what_compiling_again_gives(
    labelled_plant: PlantFolder, hours_in: int
) -> None:
    """Before the shift (`hours_in` 0) and mid-shift (4 hours in: the work over by then keeps its pairs)."""
    crew = build_problem(labelled_plant.path, date(2026, 11, 19), "1")
    base = compile_problem(crew)
    at = min(job.start for job in crew.jobs) + timedelta(hours=hours_in)
    for employee in sorted({crew.operators[k].employee_id for k in base.pair_op[:: max(1, len(base.pair_op) // 5)]}):
        message = call_off(employee).model_copy(update={"detected_at": at})
        fast_problem, fast = compile_event(crew, message, base)
        slow_problem, slow = compile_event(crew, message)
        assert fast_problem == slow_problem
        if not hours_in:
            assert not fast.available[[o.employee_id for o in fast.operators].index(employee)]
        for name in ("pair_job", "pair_op", "hours", "outside", "value", "labor", "fatigue", "fillable", "available"):
            assert np.array_equal(getattr(fast, name), getattr(slow, name)), name
        assert np.allclose(fast.net, slow.net)
        assert solve(fast).breakdown == solve(slow).breakdown


def test_pair_indexes_finds_each_pair_and_nothing_else(labelled_plant: PlantFolder) -> None:
    compiled = compile_problem(build_problem(labelled_plant.path, date(2026, 11, 19), "1"))
    pairs = {
        (compiled.jobs[j].key, compiled.operators[o].employee_id): p
        for p, (j, o) in enumerate(zip(compiled.pair_job.tolist(), compiled.pair_op.tolist(), strict=True))
    }
    employees = [op.employee_id for op in compiled.operators]
    not_pairs = {(job.key, e) for job in compiled.jobs for e in employees[:7]} - set(pairs)
    unknown = {("no-such-job", employees[0]), (compiled.jobs[0].key, "no-such-person")}
    assert not_pairs and len(pairs) > 10
    assert pair_indexes(compiled, set(pairs) | not_pairs | unknown) == pairs


def test_a_message_is_described_by_the_codes_people_know() -> None:
    crew = plant()
    down = ReplanMessage(reason="workcenter_down", day=DAY, shift="1", workcenter_id="WC-A", detected_at=T0)
    done = ReplanMessage(reason="operation_completed", day=DAY, shift="1", job_operation_id="OP-JB", detected_at=T0)
    elsewhere = ReplanMessage(reason="workcenter_up", day=DAY, shift="1", workcenter_id="WC-Z", detected_at=T0)
    assert call_off("Y").describe(crew) == "a call-off of Y"
    assert down.describe(crew) == "workcenter A down"
    assert done.describe(crew) == "job J-JB operation 10 completed"
    assert elsewhere.describe(crew) == "a workcenter back up"


def test_a_page_finds_the_people_a_description_names_to_name_them() -> None:
    crew = plant()
    uuid = "3bbc4e83-7dd2-4a1b-9c3d-0123456789ab"
    absent = ReplanMessage(reason="absence", day=DAY, shift="1", employee_id="E-7", detected_at=T0)
    swapped = ReplanMessage(reason="swap", day=DAY, shift="1", employee_id="E9", detected_at=T0)
    down = ReplanMessage(reason="workcenter_down", day=DAY, shift="1", workcenter_id="WC-A", detected_at=T0)
    note = f"After {call_off(uuid).describe(crew)}: Suggest E1 on A; {absent.describe(crew)}, {swapped.describe(crew)}"
    assert people_in(note) == [uuid, "E-7", "E9"]  # not E1: the note's own person is the suggestion's
    assert people_in(f"After {down.describe(crew)}: Suggest E1 on A") == []


def test_a_call_off_mid_shift_keeps_the_person_in_the_seats_over_by_then() -> None:
    """Sent home at 11:00: X worked JA (06:00-10:00), which a re-plan keeps as it was; only JB (10:00-14:00), not
    over, is re-planned. Before, every seat of the person was re-planned, and the re-plan published Z for JA, a seat
    already over. The rule is the removals' (`models.ended_by`): work that ended at or before the call-off stands."""
    crew = problem(
        [job("JA", A, hours=4.0), job("JB", B, start=4.0, hours=4.0)],
        [operator("X", efficiency={"A": 1.2, "B": 1.2}), operator("Z", efficiency={"A": 1.0, "B": 1.0})],
    )
    current = CurrentPlan(
        assignments=frozenset({("JA", "X"), ("JB", "X")}), accepted=frozenset({("JA", "X"), ("JB", "X")})
    )
    sent_home = ReplanMessage(
        reason="call_off", day=DAY, shift="1", employee_id="X", detected_at=T0 + timedelta(hours=5)
    )
    gone, fast = compile_event(crew, sent_home, compile_problem(crew))  # the warm container's, `pairs.on_leave`
    fresh = compile_problem(gone)  # a new container's
    for compiled in (fast, fresh):
        pairs = {
            (compiled.jobs[j].key, compiled.operators[o].employee_id)
            for j, o in zip(compiled.pair_job, compiled.pair_op, strict=True)
        }
        assert pairs == {("JA", "X"), ("JA", "Z"), ("JB", "Z")}
    assert fast.job_stats(1).turned_away == fresh.job_stats(1).turned_away == {"called off": 1}  # ux_s17 L4
    assert fast.job_stats(0).turned_away == fresh.job_stats(0).turned_away == {}

    plan = replan(crew, current, sent_home, T0 + timedelta(hours=5), time_limit=10)

    assert assignments_of(plan) == {("JA", "X"), ("JB", "Z")}
    # the leave entered in Plex after the call-off (read as leave of the day) keeps the call-off's start
    operators = tuple(o.model_copy(update={"leave": "Sick"}) if o.employee_id == "X" else o for o in crew.operators)
    [x] = [o for o in apply_event(crew.model_copy(update={"operators": operators}), sent_home).operators if o.leave]
    assert x.leave == "Sick" and not x.off_for(crew.jobs[0].end) and x.off_for(crew.jobs[1].end)
    # the same call-off before the shift takes X off both seats
    before = sent_home.model_copy(update={"detected_at": T0 - timedelta(minutes=20)})
    plan = replan(crew, current, before, T0 - timedelta(minutes=20), time_limit=10)
    assert assignments_of(plan) == {("JA", "Z"), ("JB", "Z")}
