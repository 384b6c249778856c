"""Coverage against demand on hand-built plants: who is qualified, what is at risk, what cover recovers."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from plexlabor.models import JobOperation
from plexlabor.plex.snapshot import PlexSnapshot
from plexlabor.skills.coverage import ShiftClock
from plexlabor.skills.data import SkillsInput, from_snapshot
from plexlabor.skills.engine import assess_skills
from tests.unit.skills.skills_builder import TIMEZONE, SkillsBuilder, day_of, local


def test_nobody_certified_for_a_workcenter_is_a_gap_with_every_hour_at_risk() -> None:
    # Given W requires SK-A at level 2; E1 holds it at level 1 only, E2 not at all; both planned there
    plant = SkillsBuilder().skill("SK-A", "G1").workcenter("W", {"SK-A": 2}).employee("E1").employee("E2")
    plant.cert("E1", "SK-A", 1)
    plant.plan("E1", day=1, workcenter="W").plan("E2", day=1, workcenter="W")
    op = plant.op("W", day=1, hours=8)
    # When
    report = assess_skills(plant.build())
    # Then one gap: crew 1 needed, nobody qualified, the operation at risk, not curable by cover
    [gap] = report.gaps
    assert (gap.workcenter_id, gap.work_date, gap.shift_code) == ("W", day_of(1), "1")
    assert gap.operation_ids == [op]
    assert (gap.crew_needed, gap.planned, gap.qualified, gap.shortfall) == (1, 2, [], 1)
    assert gap.hours_at_risk == 8.0 and gap.hours_at_risk_after_cover == 8.0
    assert gap.cause == "not_certified"
    assert [(u.employee_id, u.missing_skills, u.lapsed_certification_ids) for u in gap.unqualified] == [
        ("E1", ["SK-A"], []),
        ("E2", ["SK-A"], []),
    ]
    assert [b.workcenter_id for b in report.bottlenecks] == ["W"]
    assert [(s.skill_code, s.min_level, s.holders) for s in report.skill_bottlenecks] == [("A", 2, 0)]
    assert report.totals.hours_at_risk == 8.0


def test_everyone_on_leave_leaves_the_work_at_risk() -> None:
    plant = SkillsBuilder().skill("SK-A").workcenter("W", {"SK-A": 1})
    for person in ("E1", "E2"):
        plant.employee(person).cert(person, "SK-A", 3)
        plant.plan(person, day=0, workcenter="W", leave=True)
    plant.op("W", day=0, hours=6, crew=2)
    [gap] = assess_skills(plant.build()).gaps
    assert gap.on_leave == ["E1", "E2"] and gap.planned == 0 and gap.qualified == []
    assert (gap.crew_needed, gap.shortfall, gap.hours_at_risk, gap.cause) == (2, 2, 6.0, "leave")


def test_a_covered_shift_is_not_a_gap_and_a_partial_crew_puts_the_operation_at_risk() -> None:
    plant = SkillsBuilder().skill("SK-A").workcenter("W", {"SK-A": 1}).workcenter("V", {"SK-A": 1})
    for person in ("E1", "E2", "E3"):
        plant.employee(person).cert(person, "SK-A", 1)
    plant.plan("E1", day=0, workcenter="W").plan("E2", day=0, workcenter="V")
    plant.plan("E3", day=0, workcenter="V", leave=True)
    plant.op("W", day=0, crew=1, hours=7)
    plant.op("V", day=0, crew=2, hours=9)  # a crew of two, one qualified operator there
    report = assess_skills(plant.build())
    rows = {r.workcenter_id: r for r in report.coverage}
    assert (rows["W"].qualified, rows["W"].shortfall, rows["W"].hours_at_risk) == (1, 0, 0.0)
    assert (rows["V"].crew_needed, rows["V"].qualified, rows["V"].shortfall, rows["V"].hours_at_risk) == (2, 1, 1, 9.0)
    assert [g.workcenter_id for g in report.gaps] == ["V"]


def test_operations_at_one_workcenter_in_one_shift_need_one_crew_and_add_their_hours() -> None:
    plant = SkillsBuilder().skill("SK-A").workcenter("W", {"SK-A": 1}).employee("E1")
    plant.op("W", day=0, hours=3, crew=1)
    plant.op("W", day=0, hours=4, crew=2, at=time(9, 0))
    [row] = assess_skills(plant.build()).coverage
    assert (row.operations, row.crew_needed, row.standard_hours, row.hours_at_risk) == (2, 2, 7.0, 7.0)


def test_a_partial_crew_secures_the_operations_it_can_staff() -> None:
    plant = SkillsBuilder().skill("SK-A").workcenter("W", {"SK-A": 1}).employee("E1")
    plant.cert("E1", "SK-A", 1)
    plant.plan("E1", day=0, workcenter="W")
    plant.op("W", day=0, hours=3, crew=1)
    plant.op("W", day=0, hours=4, crew=2, at=time(9, 0))
    [gap] = assess_skills(plant.build()).gaps
    assert (gap.shortfall, gap.hours_at_risk) == (1, 4.0)


def test_spare_qualified_operators_on_the_shift_cover_the_biggest_gap_first() -> None:
    # Given two gaps on Monday's 1st shift (W: 8 h, V: 5 h) and one spare qualified operator
    # planned at a workcenter with no work, plus one in another building who cannot walk over
    plant = SkillsBuilder().skill("SK-A").workcenter("W", {"SK-A": 1}).workcenter("V", {"SK-A": 1})
    plant.workcenter("IDLE").employee("S1").employee("S2", building="B2")
    plant.cert("S1", "SK-A", 1)
    plant.cert("S2", "SK-A", 1)
    plant.plan("S1", day=0, workcenter="IDLE").plan("S2", day=0)
    plant.op("W", day=0, hours=8)
    plant.op("V", day=0, hours=5)
    report = assess_skills(plant.build())
    gaps = {g.workcenter_id: g for g in report.gaps}
    assert gaps["W"].cover == ["S1"] and gaps["W"].hours_at_risk_after_cover == 0.0
    assert gaps["V"].cover == [] and gaps["V"].hours_at_risk_after_cover == 5.0
    assert [g.workcenter_id for g in report.gaps] == ["W", "V"]  # ranked by hours at risk
    assert report.totals.hours_at_risk == 13.0 and report.totals.hours_at_risk_after_cover == 5.0


def test_a_surplus_operator_covers_but_a_needed_one_does_not() -> None:
    plant = SkillsBuilder().skill("SK-A").workcenter("W", {"SK-A": 1}).workcenter("HOME", {"SK-A": 1})
    for person in ("E1", "E2"):
        plant.employee(person).cert(person, "SK-A", 1)
        plant.plan(person, day=0, workcenter="HOME")
    plant.op("HOME", day=0, hours=8)
    plant.op("W", day=0, hours=8)
    gaps = assess_skills(plant.build()).gaps
    assert [(g.workcenter_id, g.cover) for g in gaps] == [("W", ["E2"])]  # E1 stays home (first by id)


def test_work_outside_the_horizon_or_for_inactive_employees_is_not_counted() -> None:
    plant = SkillsBuilder(horizon_days=3).skill("SK-A").workcenter("W", {"SK-A": 1}).employee("E1")
    plant.cert("E1", "SK-A", 1)
    plant.op("W", day=-1)
    plant.op("W", day=3)
    kept = plant.op("W", day=2)
    plant.plan("E1", day=2, workcenter="W")
    data = plant.build()
    data.employees["E1"] = data.employees["E1"].__class__("E1", "SUP1", None, None, "B1", False)
    [gap] = assess_skills(data).gaps
    assert gap.operation_ids == [kept] and gap.planned == 0


@pytest.mark.parametrize(
    ("day", "at", "expected"),
    [
        (0, time(6, 0), (0, "S1")),
        (0, time(14, 29), (0, "S1")),
        (0, time(14, 30), (0, "S2")),
        (0, time(22, 30), (0, "S3")),  # the 2nd shift is still running: the latest started wins
        (0, time(22, 45), (0, "S3")),
        (1, time(3, 0), (0, "S3")),  # an overnight shift belongs to the day it started
        (1, time(6, 30), (1, "S1")),
    ],
)
def test_an_operation_belongs_to_the_latest_started_running_shift(day: int, at: time, expected: tuple) -> None:
    clock = ShiftClock(SkillsBuilder().data.shifts, SkillsInput(TIMEZONE, day_of(0)))
    assert clock.place(local(day, at)) == (day_of(expected[0]), expected[1])


def test_ties_are_ordered_by_workcenter_code_and_inputs_in_any_order_give_the_same_report() -> None:
    def plant() -> SkillsBuilder:
        p = SkillsBuilder().skill("SK-A", "G").skill("SK-B", "G")
        p.workcenter("W-ID-1", {"SK-A": 1}, code="CNC-02").workcenter("W-ID-2", {"SK-A": 1}, code="CNC-01")
        for person, holds in (("E1", "SK-B"), ("E2", "SK-B"), ("E3", "SK-B")):
            p.employee(person).cert(person, holds, 1)
            p.plan(person, day=0, workcenter="IDLE")
        p.workcenter("IDLE")
        p.op("W-ID-1", day=0, hours=8)
        p.op("W-ID-2", day=0, hours=8)
        return p

    first = assess_skills(plant().build())
    assert [g.workcenter_code for g in first.gaps] == ["CNC-01", "CNC-02"]
    assert [b.workcenter_code for b in first.bottlenecks] == ["CNC-01", "CNC-02"]
    # equal candidates are ranked by employee id
    assert [c.employee_id for c in first.training[0].candidates] == ["E1", "E2", "E3"]
    for seed in (1, 2, 3):
        assert assess_skills(plant().build(shuffle_seed=seed)).model_dump_json() == first.model_dump_json()


def test_no_shifts_is_a_clear_error() -> None:
    data = SkillsBuilder().workcenter("W").build()
    data.shifts = {}
    with pytest.raises(ValueError, match="no shifts"):
        assess_skills(data)


def test_the_clock_reads_local_wall_time_across_dst() -> None:
    # 2026-11-01 is the end of DST in Detroit: 06:00 local is 11:00 UTC after, 10:00 UTC before
    clock = ShiftClock(SkillsBuilder().data.shifts, SkillsInput(TIMEZONE, day_of(0)))
    assert clock.place(datetime(2026, 11, 2, 11, 0, tzinfo=UTC))[1] == "S1"
    assert clock.place(datetime(2026, 10, 30, 10, 0, tzinfo=UTC))[1] == "S1"


def test_a_job_of_several_days_is_worked_in_every_shift_it_spans_and_no_shift_more_than_its_seats() -> None:
    # Given a crew-of-2 operation of 144 h scheduled for 72 h from Monday 06:00 (ux141 #6: its hours all
    # went to Monday's 1st shift, "144 h at risk" on a 2-seat shift of 8.5 h)
    plant = SkillsBuilder().skill("SK-A").workcenter("W", {"SK-A": 1}).employee("E1")
    op = plant.op("W", day=0, hours=144, crew=2, runs=timedelta(hours=72))
    # When
    report = assess_skills(plant.build())
    # Then each of the 9 shifts it runs in holds the hours of the shift time it spends there (1st 06:00-14:30,
    # 2nd to 22:30 when the 3rd begins, 3rd to 06:00), none more than 2 seats x 8.5 h
    hours = {(r.work_date, r.shift_id): r.standard_hours for r in report.coverage}
    per_day = {"S1": 17.0, "S2": 16.0, "S3": 15.0}
    assert hours == {(day_of(d), shift): h for d in range(3) for shift, h in per_day.items()}
    assert all(g.operation_ids == [op] and g.hours_at_risk <= 2 * 8.5 for g in report.gaps)
    assert report.totals.hours_scheduled == 144.0 and report.totals.hours_beyond_seats == 0.0
    assert report.bottlenecks[0].hours_at_risk == 144.0 and report.bottlenecks[0].gap_shifts == 9


def test_work_scheduled_at_once_beyond_the_seats_is_not_charged_to_the_shift() -> None:
    # Given two crew-of-2 operations of 17 h each on Monday's 1st shift at one workcenter (34 h in 8.5 h)
    plant = SkillsBuilder().skill("SK-A").workcenter("W", {"SK-A": 1}).employee("E1")
    plant.op("W", day=0, hours=17, crew=2)
    plant.op("W", day=0, hours=17, crew=2, part="P2")
    [row] = assess_skills(plant.build()).coverage
    # Then the shift is charged what its 2 seats can work in it, and the rest is said apart
    assert (row.crew_needed, row.standard_hours, row.hours_beyond_seats, row.hours_at_risk) == (2, 17.0, 17.0, 17.0)


def test_a_job_running_into_the_horizon_counts_its_hours_there() -> None:
    # Given an operation that started on Sunday 06:00 (before the horizon) and runs 30 h to Monday 12:00
    plant = SkillsBuilder().skill("SK-A").workcenter("W", {"SK-A": 1}).employee("E1")
    plant.op("W", day=-1, hours=30, runs=timedelta(hours=30))
    # Then Monday's 1st shift holds its 6 h there; Sunday's shifts are outside
    [row] = assess_skills(plant.build()).coverage
    assert (row.work_date, row.shift_id, row.standard_hours, row.hours_at_risk) == (day_of(0), "S1", 6.0, 6.0)


def test_cross_training_counts_only_the_hours_of_the_shifts_a_candidate_works() -> None:
    # Given a 48 h job at V from Monday 06:00 (crew 1, nobody qualified) and E1, in the skill's group,
    # scheduled on Monday's 1st shift only (ux141 #6: "would cover 319.6 h" for one shift's candidate)
    plant = SkillsBuilder().skill("SK-A", "G").skill("SK-B", "G").workcenter("V", {"SK-A": 1}).workcenter("IDLE")
    plant.employee("E1").cert("E1", "SK-B", 1)
    plant.plan("E1", day=0, workcenter="IDLE")
    plant.op("V", day=0, hours=48, runs=timedelta(hours=48))
    [training] = assess_skills(plant.build()).training
    # Then training E1 would cover the 8.5 h of that shift, not the job's 48 h
    assert [(c.employee_id, c.coverage_gain_hours) for c in training.candidates] == [("E1", 8.5)]
    assert training.hours_at_risk_after_cover == 48.0


def test_the_snapshot_keeps_an_operation_that_started_before_the_plan_and_runs_into_it() -> None:
    start = local(-3, time(6, 0))

    def op(op_id: str, hours: float) -> JobOperation:
        return JobOperation(
            id=op_id,
            job_id="J1",
            part_id="P1",
            operation_no=10,
            operation_code="10",
            workcenter_id="W",
            quantity=1,
            standard_hours=hours,
            scheduled_start=start,
            scheduled_end=start + timedelta(hours=hours),
        )

    data = from_snapshot(PlexSnapshot(timezone=TIMEZONE, job_operations=(op("LONG", 96), op("DONE", 24))), day_of(0))
    assert [(o.id, o.end) for o in data.operations] == [("LONG", start + timedelta(hours=96))]
