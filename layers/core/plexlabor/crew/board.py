"""What the crew board needs from a plan beyond its assignments, computed once where the plan is made
(crew_planner, crew_replan) and published in the suggestions' payloads, so the board never recomputes:

- `swap_candidates`: per staffed job segment, the best `SWAP_CANDIDATES` other operators who may staff it
  (qualified, certified, not on leave, within the rest and hours rules: the compiled pairs the setup rule
  does not bar), by what the pair is worth (value less labor, fatigue, changeover and walking, before any
  re-plan change cost), each with where the plan has them at the same time and what leaving that seat costs the
  plan (`leaves`, `_Left`: the list is ranked by the pair's worth less that) and, where the job starts with a
  setup, whether they may do it (`sets_up`: the setter is swapped only for one who may, so such a job also
  offers the best `SWAP_CANDIDATES` of those who may, wherever they rank); a pair a supervisor rejected is
  never offered (the figures that are 0 or None are left out: the list is on every seat);
- `plan_figures`: the plan's objective breakdown next to the supervisor's plan (Plex shift assignments)
  and the greedy plan, for the shifts it covered (the baselines priced without the refusal device of a rejected
  pair: `optimizer.baseline_pricing`), and the seats a supervisor rejected that the supervisor's plan keeps
  (`current_rejected`), which the board says in words.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from plexlabor.crew.models import CrewPlan, ObjectiveBreakdown, Operator
from plexlabor.crew.optimizer import supervisor_plan
from plexlabor.crew.pairs import Compiled
from plexlabor.crew.replan import REFUSED_PAIR_COST

SWAP_CANDIDATES = 5
"""Operators offered per seat for a swap by hand."""
FIGURE_PARTS = (
    "objective",
    "value",
    "labor_cost",
    "fatigue",
    "overtime",
    "changeover",
    "walking",
    "unstaffed_penalty",
    "plan_change",
    "seats_filled",
)
"""The parts of an `ObjectiveBreakdown` the board shows."""


def swap_candidates(
    compiled: Compiled, plan: CrewPlan, limit: int = SWAP_CANDIDATES
) -> dict[str, list[dict[str, Any]]]:
    """By job segment key (segments the plan staffs): up to `limit` operators not in its crew, best first, and
    for a segment that starts with a setup, as many more as it takes to offer the best `limit` of those who may
    do it (the setter's seat offers only those). Pairs are read best first until both are found."""
    crew: dict[str, set[str]] = defaultdict(set)
    busy: dict[str, list[tuple[float, float, str, str]]] = defaultdict(list)
    for a in plan.assignments:
        crew[a.job_key].add(a.employee_id)
        busy[a.employee_id].append((a.start.timestamp(), a.end.timestamp(), a.job_key, a.workcenter_code))
    worth = compiled.value - compiled.labor - compiled.fatigue - compiled.changeover - compiled.walking
    refused = _refused(compiled)
    columns = _columns(compiled).items()
    operator_of, sets_up = compiled.pair_op.tolist(), compiled.setup_capable
    by_job = compiled.pairs_of_job(compiled.allowed)
    left = _Left(compiled, by_job, worth, refused, crew, busy)
    found: dict[str, list[dict[str, Any]]] = {}
    for j, pairs in enumerate(by_job):
        job = compiled.jobs[j]
        if job.key not in crew:
            continue
        start, end = compiled.starts[j], compiled.ends[j]
        offered: list[tuple[int, Operator]] = []
        setup = job.setup_hours > 0
        setters = 0 if setup else limit  # those offered who may do the setup
        for pair in pairs[np.argsort(-worth[pairs], kind="stable")].tolist():
            op = compiled.operators[operator_of[pair]]
            able = setup and bool(sets_up[pair])
            if refused[pair] or op.employee_id in crew[job.key] or (len(offered) >= limit and not able):
                continue
            offered.append((pair, op))
            setters += able
            if len(offered) >= limit and setters >= limit:
                break
        picked = [pair for pair, _ in offered]
        figures = [(name, column[picked].tolist()) for name, column in columns]  # read once per seat, not per pair
        chosen: list[tuple[float, dict[str, Any]]] = []
        for k, (pair, op) in enumerate(offered):
            elsewhere = next(((key, at) for s, e, key, at in busy[op.employee_id] if s < end and start < e), None)
            leaves = None if elsewhere is None else left.seat(operator_of[pair], *elsewhere)
            parts = {name: round(values[k], 2) for name, values in figures}
            about = {
                "employee_id": op.employee_id,
                "supervisor_id": op.supervisor_id,
                "busy_at": None if elsewhere is None else elsewhere[1],
                "leaves": leaves,
                "sets_up": job.setup_hours > 0 and bool(sets_up[pair]),
            }
            net_change = float(worth[pair]) - (leaves["loss"] if leaves else 0.0)
            chosen.append((net_change, {key: v for key, v in (about | parts).items() if v}))  # sparse: on every seat
        found[job.key] = [c for _, c in sorted(chosen, key=lambda c: -c[0])]  # by the swap's worth, seat left counted
    return found


class _Left:
    """The seat a candidate leaves when swapped in (ux164 #7: a swap priced by the seat taken only read "worth $2
    more" for a 1.6 h seat while it emptied its person's 8 h seat): what the plan loses there, in the optimizer's
    value of a seat (`Compiled.seat_worth`), taken over by the best one free at that time, or left empty."""

    def __init__(
        self,
        compiled: Compiled,
        by_job: list[Any],
        worth: Any,
        refused: Any,
        crew: dict[str, set[str]],
        busy: dict[str, list[tuple[float, float, str, str]]],
    ) -> None:
        self.compiled, self.by_job, self.worth, self.refused = compiled, by_job, worth, refused
        self.crew, self.busy = crew, busy
        self.index = {job.key: j for j, job in enumerate(compiled.jobs)}
        self.pairs_of_job: list[Any] | None = None
        self.best_free: dict[int, float | None] = {}

    def seat(self, operator: int, job_key: str, workcenter_code: str) -> dict[str, Any] | None:
        """The seat of `job_key` (at `workcenter_code`) that `operator` leaves: its workcenter, hours, what the plan
        loses (`loss`) and whether nobody free can take it (`empty`); None: the seat is not a compiled pair."""
        j = self.index.get(job_key)
        if j is None:
            return None
        if self.pairs_of_job is None:  # every pair, not only the allowed: a seat held may be a barred pair
            # grouped by job once (NumPy), the operator's found among the job's few: a dict of every (operator, job)
            # pair was 0.1 s CPU of each re-plan's swap candidates (issue 16)
            self.pairs_of_job = self.compiled.pairs_of_job()
        of_job = self.pairs_of_job[j]
        found = of_job[self.compiled.pair_op[of_job] == operator]
        if not len(found):
            return None
        pair = int(found[-1])
        if j not in self.best_free:
            self.best_free[j] = self._best_free(j)
        taker = self.best_free[j]
        before = float(self.compiled.seat_worth(j, self.worth[[pair]])[0])
        after = float(self.compiled.seat_worth(j, np.array([-np.inf if taker is None else taker]))[0])
        job = self.compiled.jobs[j]
        return {
            "workcenter_code": workcenter_code,
            "hours": round(job.hours, 2),
            "loss": round(before - after, 2),
            "empty": taker is None,
        }

    def _best_free(self, j: int) -> float | None:
        """The best worth of a pair of job `j` whose operator the plan has nowhere at that time (None: nobody)."""
        c = self.compiled
        start, end, crew = c.starts[j], c.ends[j], self.crew[c.jobs[j].key]
        best: float | None = None
        for pair in self.by_job[j].tolist():
            op = c.operators[int(c.pair_op[pair])].employee_id
            if self.refused[pair] or op in crew or any(s < end and start < e for s, e, _, _ in self.busy[op]):
                continue
            best = max(best if best is not None else -np.inf, float(self.worth[pair]))
        return best


def _columns(compiled: Compiled) -> dict[str, Any]:
    """A pair's figures a candidate carries (a missing one is 0; a missing `busy_at` or supervisor, None)."""
    return {
        "value": compiled.value,
        "labor_cost": compiled.labor,
        "fatigue": compiled.fatigue,
        "changeover": compiled.changeover,
        "walking": compiled.walking,
        "outside_hours": compiled.outside,
    }


def _parts(breakdown: ObjectiveBreakdown) -> dict[str, float]:
    return {name: getattr(breakdown, name) for name in FIGURE_PARTS}


def _refused(compiled: Compiled) -> Any:
    """Per pair: a supervisor rejected it (a re-plan's refusal device, `replan.REFUSED_PAIR_COST`)."""
    if compiled.change is None:
        return np.zeros(len(compiled.pair_job), dtype=bool)
    return compiled.change >= REFUSED_PAIR_COST


def plan_figures(plan: CrewPlan, compiled: Compiled | None = None) -> dict[str, Any]:
    """The plan's objective breakdown and the baselines' (`recommended`, `current`, `greedy`), for `shifts`; with the
    problem the plan was solved on (`compiled`), the seats a supervisor rejected that the supervisor's plan keeps
    (`current_rejected`: employee id, job segment key, workcenter code; left out when none)."""
    figures: dict[str, Any] = {"shifts": list(plan.shift_codes), "recommended": _parts(plan.breakdown)}
    for key, name in (("current", "supervisor"), ("greedy", "greedy")):
        baseline = plan.baseline(name)
        if baseline is not None:
            figures[key] = _parts(baseline.breakdown)
    if compiled is not None and compiled.change is not None and (kept := rejected_in_supervisor_plan(compiled)):
        figures["current_rejected"] = kept
    return figures


def rejected_in_supervisor_plan(compiled: Compiled) -> list[dict[str, str]]:
    """The seats of the supervisor's plan (`optimizer.supervisor_plan`) whose pair a supervisor rejected: the baseline
    keeps them (Plex's shift assignments do not know the board's decisions), priced as any change
    (`optimizer.baseline_pricing`)."""
    refused = _refused(compiled)
    if not refused.any():  # nothing rejected: the supervisor's plan is not built again
        return []
    kept = [pair for pair in supervisor_plan(compiled)[0] if refused[pair]]
    seats = []
    for pair in kept:
        job = compiled.jobs[int(compiled.pair_job[pair])]
        employee_id = compiled.operators[int(compiled.pair_op[pair])].employee_id
        seats.append({"employee_id": employee_id, "segment": job.key, "workcenter_code": job.place.workcenter_code})
    return seats
