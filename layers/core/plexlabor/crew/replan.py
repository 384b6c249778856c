"""Re-plan one shift after an event, changing as little of the current plan as the event allows.

A `replan` message names what happened (a call-off, a workcenter down or back up, a job operation
added, moved or completed) and the shift it touches. The shift's problem is read again (fresh data
holds added, moved and completed operations, leave and workcenters back up) and the event is applied
on top of it where Plex does not show it yet (`apply_event`: a called-off operator is off the shift,
a workcenter that is down has no work, a completed operation needs nobody). Then:

- **held**: every pair of the current plan that has started by `now` or that a supervisor accepted
  stays, whatever it costs (its operator must still be allowed there: a called-off operator's pairs go;
  one who cannot do the segment's setup stays: the setup rule never bars a held pair, `pairs.Compiled.barred`,
  and the plan says the crew has no setter);
  a pair a supervisor rejected is never chosen again (`plan_changed`, sent from the crew board after
  decisions there, re-plans the rest of the shift around them; `swap`, sent when a supervisor swapped
  someone in by hand there, finds the choice accepted and the person it replaced rejected, so the
  swap is held and the rest of the shift is re-planned around it);
- **minimal change**: only the seats the event touches may change (`event_scope`): every other seat keeps its
  crew and takes nobody new, unless its pair is gone or barred or keeping it breaks a rule with held work
  (`with_current_plan`); within them every pair not in the current plan costs `CrewPolicy.change_cost` dollars
  (`Compiled.change`), so a call-off is covered by someone free or its seat stays empty (the change cost alone
  held nothing when the plan it starts from was far from the best, ux141 #4);
- the person's seats in the neighbouring shifts count for the day's hours and the rest (`commitments`,
  `stretches.with_commitments`);
- the same optimizer as the nightly plan (`optimizer.solve`), the same plan, reasons and publishing.

`people_moved` counts the operators whose assignments differ between two plans (the absent ones aside).
The detector of the commonest trigger (a scheduled operator not clocked in by the shift's start plus a
grace period) is `messages.call_offs`, apart from NumPy and SciPy like the message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
from pydantic import BaseModel, ConfigDict

from plexlabor.crew.messages import ReplanMessage
from plexlabor.crew.models import CALL_OFF_LEAVE, CrewPlan, CrewProblem, Operator
from plexlabor.crew.optimizer import solve
from plexlabor.crew.pairs import Compiled, compile_problem, on_leave
from plexlabor.crew.stretches import with_commitments
from plexlabor.crew.suggestions import Commitment

Assignment = tuple[str, str]
"""(job segment key, employee id): one seat of a plan."""
REFUSED_PAIR_COST = 1e7
"""What a pair a supervisor rejected costs in a re-plan: more than any seat is worth (a seat's value and
its unstaffed penalty are hundreds of dollars), so it is never chosen; a finite cost keeps HiGHS's
objective finite, where removing the pair would re-index every array of the compiled problem."""


class CurrentPlan(BaseModel):
    """The plan being changed: its assignments, those a supervisor accepted (held) and those a supervisor
    rejected (never suggested again)."""

    model_config = ConfigDict(frozen=True)

    assignments: frozenset[Assignment] = frozenset()
    accepted: frozenset[Assignment] = frozenset()
    rejected: frozenset[Assignment] = frozenset()

    @classmethod
    def of(cls, plan: CrewPlan) -> CurrentPlan:
        return cls(assignments=frozenset(assignments_of(plan)))


def assignments_of(plan: CrewPlan) -> set[Assignment]:
    return {(a.job_key, a.employee_id) for a in plan.assignments}


def apply_event(problem: CrewProblem, message: ReplanMessage) -> CrewProblem:
    """The problem with what the event changed that the data read may not show yet."""
    if message.reason in ("call_off", "absence"):
        # off from the earliest call-off: the work over by then stands (`Operator.off_for`), also once the leave is
        # in Plex (entered by timekeeping after the call-off, read as leave of the day)
        def off(op: Operator) -> Operator:
            since = min(op.leave_from or message.detected_at, message.detected_at)
            return op.model_copy(update={"leave": op.leave or CALL_OFF_LEAVE, "leave_from": since})

        operators = tuple(off(op) if op.employee_id == message.employee_id else op for op in problem.operators)
        return problem.model_copy(update={"operators": operators})
    if message.reason == "workcenter_down":
        kept = tuple(job for job in problem.jobs if job.place.workcenter_id != message.workcenter_id)
    elif message.reason == "operation_completed":
        kept = tuple(job for job in problem.jobs if job.job_operation_id != message.job_operation_id)
    else:  # back up, added or moved, a call-off undone: the data read again holds it
        return problem
    note = f"re-planned after {message.reason.replace('_', ' ')}: {len(problem.jobs) - len(kept)} segment(s) dropped"
    return problem.model_copy(update={"jobs": kept, "notes": (*problem.notes, note)})


def compile_event(
    problem: CrewProblem, message: ReplanMessage, compiled: Compiled | None = None
) -> tuple[CrewProblem, Compiled]:
    """The problem with the event applied, and compiled; a call-off or absence on an already compiled
    `problem` (`compiled`) without compiling it again (`pairs.on_leave`)."""
    changed = apply_event(problem, message)
    if compiled is not None and message.reason == "swap":  # the swap is in the current plan, not the problem
        return problem, compiled
    if compiled is not None and message.reason in ("call_off", "absence") and message.employee_id:
        return changed, on_leave(compiled, changed, message.employee_id)
    return changed, compile_problem(changed)


@dataclass(frozen=True)
class Scope:
    """What a re-plan may change (job segment keys): the seats whose current crew may move (`movable`) and those
    that may get someone new (`open`, which holds `movable`). Every other seat keeps its crew and gets nobody new.
    `newcomers` (None: anyone): the only people an open seat that is not `movable` may take in."""

    movable: frozenset[str]
    open: frozenset[str]
    newcomers: frozenset[str] | None = None


def event_scope(
    before: CrewProblem, current: CurrentPlan, message: ReplanMessage, returning: frozenset[str] = frozenset()
) -> Scope | None:
    """The seats an event touches (`before`: the shift's problem before it), None for an event that touches the
    whole shift. A call-off, an absence or a swap: the person's seats (a swap's accepted one, and those it displaces);
    a supervisor's decisions (`plan_changed`): the seats they rejected may move, and the empty seats of the
    departments they see (`ReplanMessage.departments`; every department for a planner) may be filled; a workcenter
    down or an operation completed: the empty seats of its department may take those it freed; a workcenter back up,
    an operation added or moved: its seats (`before` read again holds them). A call-off undone (or its person found
    clocked in after it), or undone for a shift next to this one (`call_off_undone_nearby`: its re-plan took their
    seats here): every seat may take the person back, and those the call-off's re-plans took off the shift
    with them (`returning`: a partner a setup needs them for, ux_s15 #2; until 2026-12-06 only the person came back,
    the partner stayed seatless beside an empty seat that said all qualified operators were busy), nobody else."""
    reason = message.reason
    if reason in ("call_off_undone", "clocked_in", "call_off_undone_nearby") and message.employee_id:
        back = frozenset({message.employee_id}) | returning
        return Scope(frozenset(), frozenset(j.key for j in before.jobs), back)
    if reason in ("call_off", "absence", "swap"):
        seats = frozenset(
            job for job, employee in current.assignments | current.accepted if employee == message.employee_id
        )
        return Scope(seats, seats)
    if reason == "plan_changed":
        rejected = frozenset(job for job, _ in current.rejected)
        seen = message.departments
        jobs = frozenset(j.key for j in before.jobs if seen is None or j.place.department_code in seen)
        return Scope(rejected, rejected | jobs)
    if reason in ("workcenter_down", "operation_completed"):
        gone = [j for j in before.jobs if j.place.workcenter_id == message.workcenter_id]
        gone += [j for j in before.jobs if j.job_operation_id == message.job_operation_id]
        departments = {j.place.department_code for j in gone}
        return Scope(frozenset(), frozenset(j.key for j in before.jobs if j.place.department_code in departments))
    if reason in ("workcenter_up", "operation_added", "operation_moved"):
        seats = frozenset(
            j.key
            for j in before.jobs
            if j.place.workcenter_id == message.workcenter_id or j.job_operation_id == message.job_operation_id
        )
        return Scope(seats, seats)
    return None


def with_current_plan(compiled: Compiled, current: CurrentPlan, now: datetime, scope: Scope | None = None) -> Compiled:
    """The pairs with the change cost and the held pairs of a re-plan at `now`. Held work of an operator who
    cannot do the job's setup stays (the setup rule does not bar a held pair); held work with no pair (the
    operator on leave, or no longer allowed there) goes. With a `scope`, the current crew of every seat outside it
    is held too and nobody new may take such a seat (`Compiled.closed`), unless it must change: its current pair
    is gone or barred (its seat opens), or keeping it would break a rule with held work (`_kept`)."""
    started = {job.key for job in compiled.jobs if job.start <= now}
    holding = [a for a in current.assignments | current.accepted if a[0] in started or a in current.accepted]
    index = pair_indexes(compiled, current.assignments | current.accepted | current.rejected)
    in_plan = [index[a] for a in current.assignments if a in index]
    held = sorted(index[a] for a in holding if a in index)
    change = np.full(len(compiled.pair_job), compiled.problem.policy.change_cost)
    change[in_plan] = 0.0
    change[[index[a] for a in current.rejected if a in index]] = REFUSED_PAIR_COST
    replanned = replace(compiled, change=change, held=np.array(held, dtype=np.int64))
    if scope is None:
        return replanned
    movable = set(scope.movable)
    for a in current.assignments - set(holding):  # a seat whose current pair is gone or barred opens
        if a not in index or compiled.barred[index[a]]:
            movable.add(a[0])
    hard = replanned.held  # started or accepted work stays whatever the allowances say: they make room for it
    extra = np.bincount(compiled.pair_op[hard], weights=compiled.outside[hard], minlength=len(compiled.operators))
    replanned = replace(
        replanned,
        day_allowance=np.maximum(compiled.day_allowance, extra),
        week_allowance=np.maximum(compiled.week_allowance, extra),
    )
    kept = _kept(replanned, [index[a] for a in current.assignments - set(holding) if a in index], movable)
    held_all = np.union1d(hard, np.array(kept, dtype=np.int64))
    open_jobs = np.array([job.key in scope.open or job.key in movable for job in compiled.jobs], dtype=bool)
    closed = ~open_jobs[compiled.pair_job]
    if scope.newcomers is not None:  # on a seat that need not change, only a newcomer may come in
        comes_in = np.array([op.employee_id in scope.newcomers for op in compiled.operators], dtype=bool)
        must_change = np.array([job.key in movable for job in compiled.jobs], dtype=bool)
        closed |= ~comes_in[compiled.pair_op] & ~must_change[compiled.pair_job]
    closed[held_all] = False
    return replace(replanned, held=held_all, closed=closed)


def without_change_cost(compiled: Compiled, assignments: Iterable[Assignment]) -> Compiled:
    """`compiled` with no change cost on the pairs of `assignments` (`replanning.taken_by_call_offs`: the seats an
    undone call-off's re-plans took from its person, the plan before the call-off)."""
    found = list(pair_indexes(compiled, assignments).values())
    if not found or compiled.change is None:
        return compiled
    change = compiled.change.copy()
    change[found] = 0.0
    return replace(compiled, change=change)


def _kept(replanned: Compiled, candidates: list[int], movable: set[str]) -> list[int]:
    """Of `candidates` (current pairs neither started nor accepted), those kept in place: on a seat not `movable`,
    and (adding each such seat to `movable` until none is left) not at the same time as another held or kept pair of
    their operator, not over the day's or 7 days' allowance with them, not more than the seat's crew."""
    c = replanned
    hard = set(c.held.tolist())
    while True:
        kept = [p for p in candidates if c.jobs[int(c.pair_job[p])].key not in movable]
        pairs = np.array(sorted(hard | set(kept)), dtype=np.int64)
        ops, jobs = c.pair_op[pairs], c.pair_job[pairs]
        extra = np.bincount(ops, weights=c.outside[pairs], minlength=len(c.operators))
        over = (extra > c.day_allowance + 1e-9) | (extra > c.week_allowance + 1e-9)
        crowded = np.bincount(jobs, minlength=len(c.jobs)) > c.heads
        moving = set()
        for p in kept:
            o, j = int(c.pair_op[p]), int(c.pair_job[p])
            clash = (ops == o) & (pairs != p) & (c.starts[jobs] < c.ends[j]) & (c.starts[j] < c.ends[jobs])
            if over[o] or crowded[j] or clash.any():
                moving.add(c.jobs[j].key)
        if not moving:
            return kept
        movable |= moving


def pair_indexes(compiled: Compiled, assignments: Iterable[Assignment]) -> dict[Assignment, int]:
    """The pair index of each of `assignments` that is a pair of `compiled` (a sorted search over the pairs'
    (job, operator) codes: a warm re-plan looks up a thousand assignments among some hundred thousand pairs,
    where a dict of every pair cost a quarter of a second to build)."""
    jobs = {job.key: j for j, job in enumerate(compiled.jobs)}
    operators = {op.employee_id: o for o, op in enumerate(compiled.operators)}
    wanted = [a for a in assignments if a[0] in jobs and a[1] in operators]
    if not wanted or not len(compiled.pair_job):
        return {}
    width = len(compiled.operators)
    codes = compiled.pair_job * width + compiled.pair_op
    order = np.argsort(codes, kind="stable")
    sought = np.array([jobs[job] * width + operators[employee] for job, employee in wanted], dtype=np.int64)
    at = np.minimum(np.searchsorted(codes[order], sought), len(order) - 1)
    found = codes[order[at]] == sought
    return {a: int(p) for a, p, hit in zip(wanted, order[at].tolist(), found.tolist(), strict=True) if hit}


def replan(
    problem: CrewProblem,
    current: CurrentPlan,
    message: ReplanMessage,
    now: datetime,
    time_limit: float,
    commitments: Iterable[Commitment] = (),
) -> CrewPlan:
    """The re-planned shift: the event applied, the person's work in the neighbouring shifts counted
    (`commitments`), current work held, only the seats the event touches changed (`event_scope`), every change
    charged."""
    _, compiled = compile_event(problem, message)
    scope = event_scope(problem, current, message)
    return solve(with_current_plan(with_commitments(compiled, commitments), current, now, scope), time_limit)


def people_moved(before: set[Assignment], after: set[Assignment], absent: frozenset[str] = frozenset()) -> int:
    """Operators (other than the absent ones) whose assignments differ between two plans."""
    changed = before ^ after
    return len({employee for _, employee in changed} - set(absent))
