"""Crew assignment: the best crew for every scheduled job operation, with the reasons for each choice.

- `build_problem(plant, day, shift)`: the planning problem from a plant folder or a Plex port;
- `solve(problem, time_limit)`: an exact MILP on SciPy's HiGHS with a greedy fallback; the plan carries
  its objective breakdown against the greedy baseline and the supervisor's current plan;
- `publish_plan(plan, store, now)`: the plan as `recommendation` events in the audit table, with what the
  crew board shows beside them (`board`: each seat's swap candidates, the plan's objective breakdown);

Importing this package imports pydantic only; SciPy loads with `build`/`optimizer`. The OR-Library
GAP benchmark solver lives in the development package (`plexlabor_dev.gap`, its path-relinking search in
`plexlabor_dev.gap_ejection`, compiled with Numba, a development dependency).
"""

from plexlabor.crew.models import (
    BaselineComparison,
    CrewAssignment,
    CrewJob,
    CrewPlan,
    CrewPolicy,
    CrewProblem,
    ObjectiveBreakdown,
    Operator,
    Place,
    ShiftBlock,
    SkillHolding,
    SkillRequirement,
    SolverReport,
    UnstaffedSeat,
)

__all__ = [
    "BaselineComparison",
    "CrewAssignment",
    "CrewJob",
    "CrewPlan",
    "CrewPolicy",
    "CrewProblem",
    "ObjectiveBreakdown",
    "Operator",
    "Place",
    "ShiftBlock",
    "SkillHolding",
    "SkillRequirement",
    "SolverReport",
    "UnstaffedSeat",
]
