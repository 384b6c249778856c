"""The crew plan reads the plant's policy facts as validation does (`plexlabor:validationPolicy`): whether a
certification is valid on its expiry date (`certification_expiry`) and the pay week an operator's week hours
count in (`pay_week_starts`), and the week hours after which time is overtime (`overtime_after_hours`)."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from plexlabor.crew.build import build_problem
from plexlabor.crew.models import CrewPolicy, CrewProblem
from plexlabor.crew.pairs import compile_problem
from plexlabor.crew.wiring import CrewPlannerSettings
from plexlabor.models import Certification, ShiftAssignment
from plexlabor.plant import PlantFolder

MONDAY = date(2026, 11, 23)  # the first weekday after the generated history (which ends 2026-11-20)


@pytest.fixture(scope="module")
def expiring_today(labelled_plant: PlantFolder, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A copy of the shared plant where one operator's only certification of a skill at their best level expires
    on the planning day: (the folder, the employee, the skill)."""
    folder = tmp_path_factory.mktemp("expiry") / "plant"
    shutil.copytree(labelled_plant.path, folder)
    certs = PlantFolder(folder).load(Certification)
    problem = build_problem(folder, MONDAY, "1")
    operators = {op.employee_id for op in problem.operators}
    chosen = next(
        c
        for c in sorted(certs, key=lambda c: c.id)
        if c.employee_id in operators
        and c.valid_on(MONDAY)
        and not any(
            o.id != c.id and o.employee_id == c.employee_id and o.skill_id == c.skill_id and o.level >= c.level
            for o in certs
        )
    )
    rows = [json.loads(line) for line in (folder / "certifications.jsonl").read_text().splitlines()]
    for row in rows:
        if row["id"] == chosen.id:
            row["expiresDate"] = MONDAY.isoformat()
    (folder / "certifications.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    return folder, chosen.employee_id, chosen.skill_id


def _holding(problem: CrewProblem, employee: str, skill: str) -> tuple[int, date | None]:
    [operator] = [op for op in problem.operators if op.employee_id == employee]
    holding = operator.skills[skill]
    return holding.level_valid, holding.valid_until


def test_a_certification_expiring_on_the_planning_day_qualifies_nobody_where_that_day_is_invalid(
    expiring_today: tuple[Path, str, str],
) -> None:
    folder, employee, skill = expiring_today
    held, until = _holding(build_problem(folder, MONDAY, "1"), employee, skill)
    assert held > 0 and until == MONDAY  # by default the expiry date is the last valid day
    policy = CrewPolicy(certification_expiry="first_invalid_day")
    level, until = _holding(build_problem(folder, MONDAY, "1", policy=policy), employee, skill)
    assert level < held and until != MONDAY  # as UNCERTIFIED_OPERATOR and skills read it: lapsed today


def test_an_operators_week_hours_count_in_the_plants_pay_week(labelled_plant: PlantFolder) -> None:
    monday_weeks = {op.employee_id: op.week_hours for op in build_problem(labelled_plant.path, MONDAY, "1").operators}
    saturday = build_problem(labelled_plant.path, MONDAY, "1", policy=CrewPolicy(pay_week_starts="saturday"))
    # Monday weeks: Tuesday to Sunday still scheduled; Saturday weeks: Saturday 21 and Sunday 22, then
    # Tuesday to Friday (the history ends on Friday 20: the weekend before counts as scheduled)
    scheduled: dict[tuple[str, date], float] = {}
    for a in labelled_plant.load(ShiftAssignment):
        if a.status == "Scheduled":
            hours = (a.scheduled_end - a.scheduled_start).total_seconds() / 3600 - 0.5
            scheduled[(a.employee_id, a.work_date)] = scheduled.get((a.employee_id, a.work_date), 0.0) + hours

    def on(employee: str, *offsets: int) -> float:
        return sum(scheduled.get((employee, MONDAY + timedelta(days=k)), 0.0) for k in offsets)

    moved = 0
    for op in saturday.operators:
        expected = monday_weeks[op.employee_id] + on(op.employee_id, -2, -1) - on(op.employee_id, 5, 6)
        assert op.week_hours == pytest.approx(expected, abs=0.05), op.employee_id
        moved += op.week_hours != monday_weeks[op.employee_id]
    assert moved  # someone works Saturday overtime the weekend before


def test_the_plants_overtime_threshold_moves_an_operators_overtime_seats(labelled_plant: PlantFolder) -> None:
    """At 38 h an operator's week has 2 h less straight time left, so an extra seat is overtime sooner."""
    environment = {"AUDIT_TABLE_NAME": "audit", "PLEXLABOR_PLANT_DIR": str(labelled_plant.path)}
    settings = CrewPlannerSettings.from_env({**environment, "VALIDATION_POLICY": '{"overtime_after_hours": 38}'})
    assert settings.policy().weekly_straight_time_hours == 38
    plant = compile_problem(build_problem(labelled_plant.path, MONDAY, "1", policy=settings.policy()))
    default = compile_problem(build_problem(labelled_plant.path, MONDAY, "1"))
    assert default.straight_spare.max() > 2  # someone has more than 2 h of straight time left
    assert plant.straight_spare == pytest.approx((default.straight_spare - 2).clip(min=0))


def test_crew_planner_takes_both_facts_from_the_plants_policy() -> None:
    environment = {"AUDIT_TABLE_NAME": "audit", "PLEXLABOR_PLANT_DIR": "/nowhere"}
    policy = '{"pay_week_starts": "sunday", "certification_expiry": "first_invalid_day"}'
    crew = CrewPlannerSettings.from_env({**environment, "VALIDATION_POLICY": policy}).policy()
    assert (crew.pay_week_starts, crew.certification_expiry) == ("sunday", "first_invalid_day")
    default = CrewPlannerSettings.from_env(environment).policy()
    assert (default.pay_week_starts, default.certification_expiry) == ("monday", "last_valid_day")
