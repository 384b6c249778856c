"""Why the re-plan after an undone call-off gave its person no seat (`replanning.unplaced`), which crew_replan
records on its `applied` event and the crew board says."""

from __future__ import annotations

from plexlabor.crew.optimizer import solve
from plexlabor.crew.pairs import compile_problem
from plexlabor.crew.replanning import unplaced
from tests.unit.crew.crew_builder import job, operator, place, problem


def test_unplaced_says_why_the_plan_gave_a_person_no_seat() -> None:
    cnc = place("CNC-01")
    people = [
        operator("BEST", levels={"SK-CNC": 2}, efficiency={"CNC-01": 1.3}),
        operator("BACK", levels={"SK-CNC": 2}, efficiency={"CNC-01": 0.8}),
        operator("WELDER", levels={"SK-WELD": 1}),
    ]
    compiled = compile_problem(problem([job("J", cnc)], people))
    plan = solve(compiled, 10)
    assert [a.employee_id for a in plan.assignments] == ["BEST"]
    assert unplaced(compiled, plan, "BEST") is None
    assert unplaced(compiled, plan, "BACK") == "each seat they may take is worth more with the person planned there"
    assert unplaced(compiled, plan, "WELDER") == (
        "no seat of the shift is open to them under the rules (skills, certifications, rest and hours)"
    )
    assert unplaced(compiled, plan, "GONE") == (
        "they are not in the shift's data from Plex (not scheduled that day, or on leave)"
    )
