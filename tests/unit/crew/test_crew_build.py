"""build_problem on a generated plant, checked against the raw plant files; the plan's hard rules too."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from plexlabor.crew.build import MAX_OPEN_ENTRY_HOURS, build_problem
from plexlabor.crew.models import CrewProblem
from plexlabor.crew.optimizer import solve
from plexlabor.models import ApprovedWorkcenter, Certification, JobOperation, ShiftAssignment, TimeClockEntry
from plexlabor.plant import PlantFolder

MONDAY = date(2026, 11, 23)  # the first weekday after the generated history (which ends 2026-11-20)


@pytest.fixture(scope="module")
def monday_first_shift(labelled_plant: PlantFolder) -> CrewProblem:
    return build_problem(labelled_plant.path, MONDAY, "1")


def test_segments_are_the_operations_running_in_the_shift(
    labelled_plant: PlantFolder, monday_first_shift: CrewProblem
) -> None:
    crew = monday_first_shift
    zone = ZoneInfo(crew.timezone)
    assert crew.window_start == datetime(2026, 11, 23, 6, 0, tzinfo=zone)
    assert crew.window_end == datetime(2026, 11, 23, 14, 30, tzinfo=zone)  # the 2nd shift's start
    assert crew.jobs and len({j.key for j in crew.jobs}) == len(crew.jobs)
    operations = {op.id: op for op in labelled_plant.load(JobOperation)}
    approved = {(a.part_id, a.operation_code, a.workcenter_id): a for a in labelled_plant.load(ApprovedWorkcenter)}
    for job in crew.jobs:
        op = operations[job.job_operation_id]
        assert op.scheduled_start is not None and op.scheduled_end is not None
        assert op.scheduled_start <= job.start < job.end <= op.scheduled_end
        assert crew.window_start <= job.start < crew.window_end
        standard = approved.get((op.part_id, op.operation_code, op.workcenter_id))
        assert job.crew_size == (round(standard.crew_size) if standard else 1)
    assert any(job.crew_size == 2 for job in crew.jobs)  # assembly runs with crews of two
    # every scheduled operation that starts in the window is there
    starting = {
        op.id
        for op in operations.values()
        if op.scheduled_start is not None
        and op.status != "Complete"
        and crew.window_start <= op.scheduled_start < crew.window_end - timedelta(minutes=30)
    }
    assert starting <= {job.job_operation_id for job in crew.jobs}


def test_operators_leave_certifications_and_hours_match_the_raw_files(
    labelled_plant: PlantFolder, monday_first_shift: CrewProblem
) -> None:
    crew = monday_first_shift
    zone = ZoneInfo(crew.timezone)
    operators = {op.employee_id: op for op in crew.operators}
    on_leave = {
        a.employee_id for a in labelled_plant.load(ShiftAssignment) if a.work_date == MONDAY and a.status == "Leave"
    }
    assert on_leave and {e for e, op in operators.items() if op.leave} == on_leave & set(operators)

    certs: dict[tuple[str, str], list[Certification]] = defaultdict(list)
    for cert in labelled_plant.load(Certification):
        certs[(cert.employee_id, cert.skill_id)].append(cert)
    for (employee_id, skill_id), held in certs.items():
        if employee_id not in operators:
            continue
        expected = max((c.level for c in held if c.valid_on(MONDAY)), default=0)
        assert operators[employee_id].skills[skill_id].level_valid == expected

    # punched hours by clock-in day; a clock-out keyed before the clock-in (a typo) counts nothing,
    # an open entry (a missed clock-out, or a shift running at the extract) counts at most 12 h
    extract = labelled_plant.meta().end
    punched: dict[str, float] = defaultdict(float)
    for entry in labelled_plant.load(TimeClockEntry):
        local_day = entry.clockin_time.astimezone(zone).date()
        end = entry.clockout_time or min(extract, entry.clockin_time + timedelta(hours=MAX_OPEN_ENTRY_HOURS))
        if MONDAY - timedelta(days=7) <= local_day < MONDAY and end > entry.clockin_time:
            punched[entry.employee_id] += (end - entry.clockin_time).total_seconds() / 3600
    # history ends on Friday 2026-11-20 (nothing is scheduled on that weekend in this plant but
    # Saturday overtime): the 7-day hours are the punched hours plus any Saturday/Sunday schedule
    weekend: defaultdict[str, float] = defaultdict(float)
    for a in labelled_plant.load(ShiftAssignment):
        if a.status == "Scheduled" and a.work_date in (MONDAY - timedelta(days=2), MONDAY - timedelta(days=1)):
            weekend[a.employee_id] += (a.scheduled_end - a.scheduled_start).total_seconds() / 3600 - 0.5
    checked = 0
    for employee_id, op in operators.items():
        if employee_id in punched:
            assert op.hours_last_7_days == pytest.approx(punched[employee_id] + weekend[employee_id], abs=0.2)
            checked += 1
    assert checked > 10
    assert any(op.efficiency for op in crew.operators)
    assert all(0.4 <= e.efficiency <= 2.2 for op in crew.operators for e in op.efficiency.values())


def test_every_assignment_keeps_the_hard_rules_against_the_raw_files(
    labelled_plant: PlantFolder, monday_first_shift: CrewProblem
) -> None:
    plan = solve(monday_first_shift, 10)
    assert plan.solver.status == "optimal" and plan.assignments
    certs: dict[str, list[Certification]] = defaultdict(list)
    for cert in labelled_plant.load(Certification):
        certs[cert.employee_id].append(cert)
    leave = {
        a.employee_id for a in labelled_plant.load(ShiftAssignment) if a.work_date == MONDAY and a.status == "Leave"
    }
    jobs = {job.key: job for job in monday_first_shift.jobs}
    per_job: dict[str, set[str]] = defaultdict(set)
    for assignment in plan.assignments:
        job = jobs[assignment.job_key]
        assert assignment.employee_id not in leave
        for requirement in job.requirements:
            held = [
                c.level
                for c in certs[assignment.employee_id]
                if c.skill_id == requirement.skill_id and (c.valid_on(MONDAY) or not requirement.certification_required)
            ]
            assert max(held, default=0) >= requirement.min_level
        per_job[assignment.job_key].add(assignment.employee_id)
    assert all(len(crew) <= jobs[key].crew_size for key, crew in per_job.items())
    assert plan.breakdown.objective >= plan.baselines[0].breakdown.objective


def test_an_unknown_shift_is_refused(labelled_plant: PlantFolder) -> None:
    with pytest.raises(ValueError, match="unknown shift '9'"):
        build_problem(labelled_plant.path, MONDAY, "9")


def test_a_live_port_gives_its_zone_and_the_data_runs_up_to_now(
    labelled_plant: PlantFolder, monday_first_shift: CrewProblem
) -> None:
    from plexlabor.plex.folder import PlantFolderSource

    folder = PlantFolderSource(labelled_plant.path)

    class LivePort:  # a port that is not a frozen extract, as Plex: the zone comes from the port
        def __getattr__(self, name: str) -> object:
            return getattr(folder, name)

        def extract(self) -> None:
            return None

    problem = build_problem(LivePort(), MONDAY, "1", as_of=labelled_plant.meta().end)  # type: ignore[arg-type]
    assert problem.plant == "plex" and problem.timezone == labelled_plant.meta().timezone
    assert problem.jobs == monday_first_shift.jobs and problem.operators == monday_first_shift.operators


def test_short_spill_overs_stay_with_the_neighbouring_shift() -> None:
    from plexlabor.crew.build import _segments, shift_instances
    from plexlabor.models import JobOperation, Shift

    zone = ZoneInfo("America/Detroit")
    shifts = [
        Shift(shift_id="SH1", shift_code="1", name="1st", start_local="06:00", end_local="14:30"),
        Shift(shift_id="SH2", shift_code="2", name="2nd", start_local="14:30", end_local="23:00"),
        Shift(shift_id="SH3", shift_code="3", name="3rd", start_local="22:30", end_local="07:00"),
    ]
    instances = shift_instances(shifts, MONDAY - timedelta(days=1), MONDAY + timedelta(days=1), zone)

    def op(start: str, end: str) -> JobOperation:
        return JobOperation(
            id="OP",
            job_id="J",
            part_id="P",
            operation_no=10,
            operation_code="10",
            workcenter_id="WC",
            quantity=1,
            standard_hours=1,
            scheduled_start=datetime.fromisoformat(f"2026-11-23T{start}").replace(tzinfo=zone),
            scheduled_end=datetime.fromisoformat(f"2026-11-23T{end}").replace(tzinfo=zone),
        )

    # 10 minutes before the 1st shift and 10 minutes after it: one 1st-shift segment
    [(instance, start, end)] = _segments(op("05:50", "14:40"), instances, 0.5)
    assert instance.shift.shift_code == "1" and instance.work_date == MONDAY
    local = (start.astimezone(zone).time().isoformat(), end.astimezone(zone).time().isoformat())
    assert local == ("05:50:00", "14:40:00")
    # into the 3rd shift: three segments; the 2nd/3rd overlap (22:30-23:00) belongs to the 3rd shift
    pieces = _segments(op("12:00", "23:00"), instances, 0.5)
    assert [p[0].shift.shift_code for p in pieces] == ["1", "2", "3"]
    assert pieces[1][2].astimezone(zone).time().isoformat() == "22:30:00"


def test_maximal_cliques_of_intervals() -> None:
    import numpy as np

    from plexlabor.crew.optimizer import maximal_cliques

    starts = np.array([0.0, 1.0, 2.0, 5.0, 5.0, 9.0])
    ends = np.array([3.0, 4.0, 6.0, 8.0, 7.0, 10.0])
    cliques = sorted(sorted(int(i) for i in c) for c in maximal_cliques(starts, ends))
    assert cliques == [[0, 1, 2], [2, 3, 4]]  # job 5 overlaps nothing: no row needed


def test_a_day_already_over_is_planned_as_it_stood_when_it_began(labelled_plant: PlantFolder) -> None:
    """Plex marks an operation Complete once its last piece is made: a replay of a past day still plans the
    operations that were open when the day began (completed during or after it), not those finished before."""
    day = MONDAY - timedelta(days=7)
    problem = build_problem(labelled_plant.path, day, "1")
    operations = {op.id: op for op in labelled_plant.load(JobOperation)}
    planned = {operations[job.job_operation_id] for job in problem.jobs}
    assert any(op.status == "Complete" for op in planned)  # finished since, open then
    for op in planned:
        assert op.status != "Complete" or op.actual_end is None or op.actual_end > problem.window_start
    finished_before = {
        op.id
        for op in operations.values()
        if op.status == "Complete"
        and op.actual_end is not None
        and op.actual_end <= problem.window_start
        and op.scheduled_end is not None
        and op.scheduled_end > problem.window_start
    }
    assert not finished_before & {job.job_operation_id for job in problem.jobs}
