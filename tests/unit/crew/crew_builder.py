"""Small hand-made crew problems: one day, shifts at fixed UTC times, a few operators and jobs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from plexlabor.crew.models import (
    CrewJob,
    CrewPolicy,
    CrewProblem,
    Efficiency,
    Operator,
    Place,
    ShiftBlock,
    SkillHolding,
    SkillRequirement,
)

DAY = date(2026, 11, 23)
T0 = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
"""1st shift start; shifts here are 06:00-14:30 (1), 14:30-23:00 (2) in UTC."""
SHIFT = {"1": (T0, T0 + timedelta(hours=8.5)), "2": (T0 + timedelta(hours=8.5), T0 + timedelta(hours=17))}
CNC = SkillRequirement(skill_id="SK-CNC", skill_code="CNC_LATHE", min_level=2)
WELD = SkillRequirement(skill_id="SK-WELD", skill_code="WELD_MIG", min_level=1)


def place(code: str, x: float = 0.0, y: float = 0.0, building: str = "B1") -> Place:
    return Place(workcenter_id=f"WC-{code}", workcenter_code=code, building_code=building, x_m=x, y_m=y)


def job(
    key: str,
    wc: Place,
    *,
    start: float = 0.0,
    hours: float = 8.0,
    crew: int = 1,
    requirements: tuple[SkillRequirement, ...] = (CNC,),
    shift: str = "1",
    setup_hours: float = 0.0,
) -> CrewJob:
    begin = T0 + timedelta(hours=start)
    return CrewJob(
        key=key,
        job_operation_id=f"OP-{key}",
        job_id=f"JOB-{key}",
        part_id="P1",
        operation_code="10",
        job_no=f"J-{key}",
        place=wc,
        shift_code=shift,
        start=begin,
        end=begin + timedelta(hours=hours),
        hours=hours,
        standard_hours=hours * crew,
        crew_size=crew,
        requirements=requirements,
        setup_hours=setup_hours,
    )


def block(shift: str = "1", day: date = DAY, workcenter: str | None = None) -> ShiftBlock:
    start, end = SHIFT[shift]
    offset = timedelta(days=(day - DAY).days)
    return ShiftBlock(
        start=start + offset,
        end=end + offset,
        shift_code=shift,
        work_date=day,
        workcenter_id=workcenter,
        paid_hours=8.0,
    )


def operator(
    employee_id: str,
    *,
    levels: dict[str, int] | None = None,
    lapsed: dict[str, int] | None = None,
    shifts: tuple[ShiftBlock, ...] | None = None,
    leave: str | None = None,
    pay: float = 25.0,
    home: Place | None = None,
    planned: Place | None = None,
    efficiency: dict[str, float] | None = None,
    hours_7: float = 32.0,
    week: float = 0.0,
    streak: int = 0,
) -> Operator:
    levels = {"SK-CNC": 3} if levels is None else levels
    skills = {skill: SkillHolding(skill_id=skill, level_valid=n, level_held=n) for skill, n in levels.items()}
    for skill, level in (lapsed or {}).items():
        skills[skill] = SkillHolding(skill_id=skill, level_valid=0, level_held=level, lapsed_on=DAY - timedelta(days=3))
    return Operator(
        employee_id=employee_id,
        supervisor_id="SUP-1",
        pay_rate=pay,
        home=home,
        planned=planned,
        blocks=(block(),) if shifts is None else shifts,
        leave=leave,
        hours_last_7_days=hours_7,
        week_hours=week,
        consecutive_days=streak,
        skills=skills,
        efficiency={f"WC-{code}": Efficiency(efficiency=e, hours=40.0) for code, e in (efficiency or {}).items()},
    )


def problem(jobs: list[CrewJob], operators: list[Operator], policy: CrewPolicy | None = None) -> CrewProblem:
    return CrewProblem(
        plant="test-plant",
        timezone="UTC",
        day=DAY,
        shift_codes=("1", "2"),
        window_start=SHIFT["1"][0],
        window_end=SHIFT["2"][1],
        jobs=tuple(jobs),
        operators=tuple(operators),
        policy=policy or CrewPolicy(),
        skill_codes={"SK-CNC": "CNC_LATHE", "SK-WELD": "WELD_MIG"},
    )
