"""Labor allocation of a day: every paid minute in exactly one bucket, splits, indirect codes, inferred
jobs for misapplied job codes, overtime cost, the suggested job of unallocated time."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plexlabor.allocation.day import DayInputs, allocate_day
from plexlabor.allocation.policy import WAITING, AllocationPolicy, Split
from plexlabor.allocation.report import indirect_entries, read_report
from plexlabor.allocation.scans import Scan, scans_of
from plexlabor.models import (
    Employee,
    IndirectLaborEntry,
    JobOperation,
    LaborEntry,
    TimeClockEntry,
    WorkcenterEvent,
)
from plexlabor.plant import PlantFolder
from plexlabor.plex import PlantFolderSource
from plexlabor.plex.errors import PlexNotFoundError
from plexlabor_dev.cli import main

T0 = datetime(2026, 11, 18, 6, tzinfo=UTC)
DAY = (T0.timestamp() - 6 * 3600, T0.timestamp() + 18 * 3600)


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _punch(start: float, end: float, employee: str = "E1", n: int = 0) -> TimeClockEntry:
    return TimeClockEntry(
        id=f"P{employee}{n}{start}", employee_id=employee, clockin_time=_at(start), clockout_time=_at(end)
    )


def _scan(op: str, start: float, end: float, quantity: float = 0.0, employee: str = "E1") -> Scan:
    return Scan(f"L{op}{start}", employee, "W1", _at(start).timestamp(), _at(end).timestamp(), op, op, quantity)


def _employee(department: str = "MACH", rate: float = 30.0) -> Employee:
    return Employee(
        id="E1", employee_no="E00001", first_name="A", last_name="B", department_code=department, pay_rate=rate
    )


def _op(op_id: str, workcenter: str, standard_hours: float = 1.0, part: str = "P1", code: str = "10") -> JobOperation:
    return JobOperation(
        id=op_id,
        job_id=f"J{op_id}",
        part_id=part,
        operation_no=10,
        operation_code=code,
        workcenter_id=workcenter,
        quantity=100,
        standard_hours=standard_hours,
    )


def _inputs(punches: list[TimeClockEntry], scans: list[Scan], **more: object) -> DayInputs:
    return DayInputs(day=DAY, week_start=DAY[0], punches=punches, scans=scans, **more)  # type: ignore[arg-type]


def test_two_machines_at_once_split_equally_and_gaps_are_unallocated() -> None:
    # Given 8 h paid in two punches, op A from 10 to 250 min, op B alongside from 130 to 250, then nothing
    inputs = _inputs([_punch(0, 240), _punch(240, 480, n=1)], [_scan("A", 10, 250), _scan("B", 130, 250)])
    # When allocated
    (day,) = allocate_day(inputs)
    # Then A has 120 min alone plus half of 120 min shared, B the other half, the rest is unallocated
    assert (day.paid_minutes, day.jobs, day.indirect, day.unallocated_minutes) == (480, {"A": 180, "B": 60}, {}, 240)
    # and the 230 min after both end are one stretch suggested to the nearest scan (a tie: the first by id)
    (stretch,) = [s for s in day.stretches if s.start == _at(250)]
    assert (stretch.minutes, stretch.likely_operation_id, stretch.gap_minutes) == (230, "A", 0)
    # and the first 10 min, under the policy's 15, are not suggested
    assert [s.start for s in day.stretches] == [_at(250)]


def test_split_by_standard_hours_and_by_cycles() -> None:
    # Given two operations run at once for 120 min: A 3 standard hours and 30 pieces, B 1 h and 90 pieces
    punches = [_punch(0, 120)]
    scans = [_scan("A", 0, 120, quantity=30), _scan("B", 0, 120, quantity=90)]
    operations = {"A": _op("A", "W1", 3.0), "B": _op("B", "W1", 1.0)}
    # Then by standard hours A carries 3/4, by cycles B carries 3/4
    by_hours = allocate_day(
        _inputs(punches, scans, operations=operations), AllocationPolicy(split=Split.STANDARD_HOURS)
    )
    by_cycles = allocate_day(_inputs(punches, scans, operations=operations), AllocationPolicy(split=Split.CYCLES))
    assert by_hours[0].jobs == {"A": 90, "B": 30}
    assert by_cycles[0].jobs == {"A": 30, "B": 90}


def test_logged_in_without_a_scan_is_waiting_and_indirect_departments_get_their_code() -> None:
    # Given an operator logged in from 10 to 100 min with a scan from 40 to 100, and a maintenance technician
    logins = [
        WorkcenterEvent(id="1", workcenter_id="W1", event_type="OperatorLogin", event_time=_at(10), employee_id="E1"),
        WorkcenterEvent(id="2", workcenter_id="W1", event_type="OperatorLogout", event_time=_at(100), employee_id="E1"),
    ]
    technician = Employee(id="E2", employee_no="E00002", first_name="C", last_name="D", department_code="MAINT")
    inputs = _inputs(
        [_punch(0, 120), _punch(0, 60, employee="E2")],
        [_scan("A", 40, 100)],
        logins=logins,
        employees={"E1": _employee(), "E2": technician},
    )
    operator, maintenance = allocate_day(inputs)
    # Then the login without a scan is waiting; before the login and after the logout is unallocated
    assert (operator.jobs, operator.indirect, operator.unallocated_minutes) == ({"A": 60}, {WAITING: 30}, 30)
    assert (maintenance.indirect, maintenance.unallocated_minutes, maintenance.stretches) == (
        {"MAINTENANCE": 60},
        0,
        (),
    )


def _indirect(code: str, start: float, end: float, employee: str = "E1") -> IndirectLaborEntry:
    return IndirectLaborEntry(
        id=f"I{employee}{code}{start}",
        employee_id=employee,
        indirect_code=code,
        start_time=_at(start),
        end_time=_at(end),
    )


def test_recorded_indirect_labor_comes_after_scans_and_before_waiting() -> None:
    # Given 3 h paid, logged in throughout, a scan from 0 to 60 min, TRAINING recorded from 30 to 120 and
    # a MEETING from 90 to 120 alongside it
    logins = [
        WorkcenterEvent(id="1", workcenter_id="W1", event_type="OperatorLogin", event_time=_at(0), employee_id="E1"),
        WorkcenterEvent(id="2", workcenter_id="W1", event_type="OperatorLogout", event_time=_at(180), employee_id="E1"),
    ]
    recorded = [_indirect("TRAINING", 30, 120), _indirect("MEETING", 90, 120), _indirect("OPEN", 150, 150)]
    inputs = _inputs([_punch(0, 180)], [_scan("A", 0, 60)], logins=logins, indirect=recorded)
    (day,) = allocate_day(inputs)
    # Then the scan keeps its hour, the recorded codes take what is left of theirs (shared where both run),
    # and the login covers the rest as waiting
    assert day.jobs == {"A": 60}
    assert day.indirect == {"TRAINING": 45, "MEETING": 15, WAITING: 60}
    assert day.unallocated_minutes == 0


def test_a_tenant_without_indirect_labor_entries_reads_none() -> None:
    class NoIndirect:
        def indirect_labor_entries(self, begin: datetime, end: datetime) -> list[IndirectLaborEntry]:
            raise PlexNotFoundError("Data source 90113 does not exist or is not enabled for this account", status=404)

    assert indirect_entries(NoIndirect(), T0, T0 + timedelta(days=1)) == []  # type: ignore[arg-type]


def test_a_misapplied_job_code_is_charged_to_what_the_workcenter_was_running() -> None:
    # Given W1 runs op A (routed there); E1's scan keys op X, routed to W9 and not approved at W1,
    # while E2 works A at W1 at the same time; op Y is not routed to W1 but its part operation is approved there
    operations = {"A": _op("A", "W1"), "X": _op("X", "W9", part="P9"), "Y": _op("Y", "W8", part="P2", code="20")}
    approved = frozenset({("P2", "20", "W1")})

    def entry(entry_id: str, employee: str, op: str) -> LaborEntry:
        return LaborEntry(
            id=entry_id,
            employee_id=employee,
            workcenter_id="W1",
            job_id="J",
            job_operation_id=op,
            start_time=_at(0),
            end_time=_at(60),
        )

    scans = scans_of([entry("1", "E1", "X"), entry("2", "E2", "A"), entry("3", "E3", "Y")], operations, approved)
    # Then X is charged to A and marked inferred; A and the approved Y stand as keyed
    assert [(s.operation_id, s.scanned_operation_id, s.inferred) for s in scans] == [
        ("A", "X", True),
        ("A", "A", False),
        ("Y", "Y", False),
    ]
    (day,) = allocate_day(_inputs([_punch(0, 60)], [scans[0]]))
    assert (day.jobs, day.inferred_minutes) == ({"A": 60}, 60)
    # and without inference the scan stands as keyed
    assert scans_of([entry("1", "E1", "X")], operations, approved, infer=False)[0].operation_id == "X"


def test_minutes_past_40_hours_in_the_week_cost_the_overtime_premium() -> None:
    # Given 38 h paid earlier in the week and an 8 h day at $30 an hour
    earlier = [_punch(-60 * 24 - 38 * 60 + i * 60, -60 * 24 - 37 * 60 + i * 60, n=i) for i in range(38)]
    inputs = DayInputs(
        day=DAY,
        week_start=DAY[0] - 4 * 86400,
        punches=[*earlier, _punch(0, 480)],
        scans=[_scan("A", 0, 480)],
        employees={"E1": _employee(rate=30.0)},
    )
    (day,) = allocate_day(inputs)
    # Then 6 h are overtime: 2 h at $30 plus 6 h at $45, all of it on op A
    assert day.overtime_minutes == 360
    assert day.cost == pytest.approx(2 * 30 + 6 * 45)
    assert day.job_cost == {"A": pytest.approx(330.0)}


@st.composite
def _days(
    draw: st.DrawFn,
) -> tuple[list[TimeClockEntry], list[Scan], list[WorkcenterEvent], list[IndirectLaborEntry]]:
    employees = [f"E{i}" for i in range(draw(st.integers(1, 3)))]
    minute = st.floats(-120, 1560, allow_nan=False)
    punches, scans, logins, recorded = [], [], [], []
    for employee in employees:
        for n in range(draw(st.integers(0, 4))):
            a, b = sorted((draw(minute), draw(minute)))
            punches.append(_punch(a, b, employee=employee, n=n))
        for n in range(draw(st.integers(0, 5))):
            a, b = sorted((draw(minute), draw(minute)))
            if b > a:
                scans.append(_scan(f"op{n % 3}", a, b, quantity=draw(st.floats(0, 50)), employee=employee))
        for n in range(draw(st.integers(0, 2))):
            a, b = sorted((draw(minute), draw(minute)))
            for kind, at in (("OperatorLogin", a), ("OperatorLogout", b)):
                logins.append(
                    WorkcenterEvent(
                        id=f"{employee}{n}{kind}",
                        workcenter_id="W1",
                        event_type=kind,
                        event_time=_at(at),
                        employee_id=employee,
                    )
                )
        for _ in range(draw(st.integers(0, 2))):
            a, b = sorted((draw(minute), draw(minute)))
            recorded.append(_indirect(draw(st.sampled_from(("TRAINING", "MEETING"))), a, b, employee=employee))
    return punches, scans, logins, recorded


@settings(max_examples=150, deadline=None)
@given(_days(), st.sampled_from(list(Split)), st.booleans())
def test_every_paid_minute_lands_in_exactly_one_bucket(
    day: tuple[list[TimeClockEntry], list[Scan], list[WorkcenterEvent], list[IndirectLaborEntry]],
    split: Split,
    maintenance: bool,
) -> None:
    punches, scans, logins, recorded = day
    people = {f"E{i}": _employee("MAINT" if maintenance and i == 0 else "MACH") for i in range(3)}
    inputs = _inputs(punches, scans, logins=logins, indirect=recorded, employees=people)
    allocated = allocate_day(inputs, AllocationPolicy(split=split))
    for employee in allocated:
        assert employee.allocated_minutes + employee.unallocated_minutes == employee.paid_minutes
        assert all(m > 0 for m in [*employee.jobs.values(), *employee.indirect.values()])
        assert sum(s.minutes for s in employee.stretches) <= employee.unallocated_minutes + len(employee.stretches)
        bucket_cost = sum(employee.job_cost.values()) + sum(employee.indirect_cost.values()) + employee.unallocated_cost
        buckets = len(employee.job_cost) + len(employee.indirect_cost) + 1
        assert abs(bucket_cost - employee.cost) <= 0.005 * buckets + 1e-9
    # and nobody without closed paid time inside the day is listed
    paid_people = {p.employee_id for p in punches if p.clockout_time and p.clockout_time > p.clockin_time}
    assert {e.employee_id for e in allocated} <= paid_people


def test_every_day_of_a_generated_plant_conserves_minutes_and_cost(labelled_plant: PlantFolder) -> None:
    end = labelled_plant.meta().end.date()
    source = PlantFolderSource(labelled_plant)
    for offset in range(1, 8):
        report = read_report(source, end - timedelta(days=offset))
        assert report.employees
        assert all(sum(e.jobs.values()) + sum(e.indirect.values()) + e.unallocated == e.paid for e in report.employees)
        t = report.totals
        assert t.jobs + t.indirect + t.unallocated == t.paid
        assert abs(t.allocated_cost - t.payroll) <= 0.01 * (len(report.employees) * 4)
        assert t.jobs > 0.5 * t.paid


def test_the_command_prints_per_employee_minutes_and_names_bad_input(
    labelled_plant: PlantFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    day = (labelled_plant.meta().end - timedelta(days=3)).date()
    plant = str(labelled_plant.path)
    assert main(["allocation", "run", "--plant", plant, "--day", day.isoformat(), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert date.fromisoformat(out["day"]) == day
    t = out["totals"]
    assert t["paid"] == t["jobs"] + t["indirect"] + t["unallocated"] > 0
    assert all(row["employee_no"].startswith("E") for row in out["employees"])
    assert out["jobs"] and all(job["job_no"].startswith("J") for job in out["jobs"])
    assert main(["allocation", "run", "--plant", plant, "--day", day.isoformat(), "--split", "cycles"]) == 0
    assert "employees paid" in capsys.readouterr().out
    assert main(["allocation", "run", "--plant", plant, "--day", "2026-02-30"]) == 2
    assert "--day: '2026-02-30' is not a date" in capsys.readouterr().err
    assert main(["allocation", "run", "--plant", plant, "--day", "2001-01-08"]) == 2  # a Monday long before the plant
    assert "no one was paid that day" in capsys.readouterr().err
