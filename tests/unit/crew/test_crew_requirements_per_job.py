"""Who qualifies is decided per job: two jobs of one workcenter asking for different skills (a problem may carry
them; the build gives every job of a workcenter the workcenter's requirements) are each staffed against their own."""

from __future__ import annotations

from plexlabor.crew.models import SkillRequirement
from plexlabor.crew.optimizer import solve
from tests.unit.crew.crew_builder import CNC, WELD, block, job, operator, place, problem

CELL = place("CELL-1")


def test_an_operator_with_no_entry_for_the_skill_is_not_paired() -> None:
    # Given a welding job and a CNC operator with no SK-WELD entry at all
    crew = problem([job("W", CELL, requirements=(WELD,))], [operator("E1", levels={"SK-CNC": 3})])

    plan = solve(crew, 5.0)

    # Then nobody staffs it, for want of the welding skill
    assert plan.assignments == ()
    assert [(seat.job_key, seat.cause) for seat in plan.unstaffed] == [("W", "nobody_qualified")]
    assert "WELD_MIG L1 (valid certification)" in plan.unstaffed[0].reason


def test_a_workcenters_second_job_is_staffed_against_its_own_skill() -> None:
    # Given a CNC job in shift 1 and a welding job in shift 2 at the same workcenter, a CNC operator on each shift
    crew = problem(
        [job("C", CELL, requirements=(CNC,)), job("W", CELL, start=8.5, shift="2", requirements=(WELD,))],
        [operator("E1", shifts=(block("1"),)), operator("E2", shifts=(block("2"),))],
    )

    plan = solve(crew, 5.0)

    # Then the CNC job is staffed and the welding job is not: no CNC operator was paired with it
    assert [(a.job_key, a.employee_id) for a in plan.assignments] == [("C", "E1")]
    assert [(seat.job_key, seat.cause) for seat in plan.unstaffed] == [("W", "nobody_qualified")]


def test_a_workcenters_second_job_asking_a_higher_level_turns_away_the_lower() -> None:
    # Given a CNC L2 job in shift 1 and a CNC L4 job in shift 2 at the same workcenter, L3 operators on each shift
    cnc_4 = SkillRequirement(skill_id="SK-CNC", skill_code="CNC_LATHE", min_level=4)
    crew = problem(
        [job("C2", CELL, requirements=(CNC,)), job("C4", CELL, start=8.5, shift="2", requirements=(cnc_4,))],
        [operator("E1", shifts=(block("1"),)), operator("E2", shifts=(block("2"),))],
    )

    plan = solve(crew, 5.0)

    # Then only the L2 job is staffed
    assert [(a.job_key, a.employee_id) for a in plan.assignments] == [("C2", "E1")]
    assert [(seat.job_key, seat.cause) for seat in plan.unstaffed] == [("C4", "nobody_qualified")]
