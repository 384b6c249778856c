"""The day-hours and rest limits across shifts: a person's stretches of work, wherever plexlabor plans them.

`pairs.compile_problem` checks `min_rest_hours` and `max_hours_per_day` of each pair against the person's
scheduled shifts in Plex. What plexlabor itself plans is checked here, two ways:

- **within one problem** (the nightly plan of a whole day plans its shifts together): two jobs of one person in
  different shifts that leave less than `min_rest_hours` between them (more than nothing: a job that starts as
  the other ends continues it, and the day's hours row counts both) may not both be chosen. `rest_groups` gives
  the optimizer these conflicts as clique rows (sum <= 1), each a clique of one shift's mutually overlapping jobs
  joined with one of the other shift's (every cross pair in conflict) or with a single job of it, so the rows stay
  few: a shift's jobs of one person mostly overlap each other. `RestGuard` keeps greedy to the same rule.
- **against the neighbouring shifts** (`with_commitments`): a re-plan of one shift, or a plan of one day, counts
  the seats plexlabor suggested (still open) or a supervisor accepted in the other shifts of the day and of the
  days before and after (`suggestions.Commitment`). A pair at the same time as one of them, or less than
  `min_rest_hours` from it, is barred (`Compiled.elsewhere`; the empty seats count it as "planned in a
  neighbouring shift"); one that continues it across midnight is barred when the two make a stretch over
  `max_hours_per_day`; their hours outside the scheduled shifts count in the day's, the 7 days' and the week's
  allowances.

A re-plan also keeps a person called off (or absent) for another shift out of the work that overlaps or extends
that shift (`with_call_offs`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from plexlabor.crew.claims import next_to
from plexlabor.crew.pairs import HOUR_S, Compiled, without
from plexlabor.crew.suggestions import Commitment

TOUCHING_S = 1.0
"""Jobs this close (seconds) touch: one continues the other (no rest between them, none needed)."""


def maximal_cliques(starts: NDArray[np.float64], ends: NDArray[np.float64]) -> list[NDArray[np.int64]]:
    """Maximal sets of mutually overlapping intervals (interval-graph cliques), as index arrays.

    The intervals active at each start time, in start order; a set is maximal unless the next start's
    set contains it (a set contained in a later one is contained in the next one).
    """
    order = np.argsort(starts, kind="stable")
    s, e = starts[order], ends[order]
    active = (s[None, :] <= s[:, None]) & (s[:, None] < e[None, :])  # active[k, i]: i runs at start k
    contained = np.zeros(len(order), dtype=bool)
    contained[:-1] = ~(active[:-1] & ~active[1:]).any(axis=1)
    return [order[np.flatnonzero(active[k])] for k in range(len(order)) if not contained[k] and active[k].sum() > 1]


def _cliques_and_singles(starts: NDArray[np.float64], ends: NDArray[np.float64]) -> list[NDArray[np.int64]]:
    """`maximal_cliques`, and each interval overlapping no other on its own: every interval is in one."""
    cliques = maximal_cliques(starts, ends)
    covered = np.zeros(len(starts), dtype=bool)
    for clique in cliques:
        covered[clique] = True
    return cliques + [np.array([k], dtype=np.int64) for k in np.flatnonzero(~covered)]


def too_short_rest(
    starts: NDArray[np.float64], ends: NDArray[np.float64], shifts: NDArray[np.int64], rest_s: float
) -> NDArray[np.bool_]:
    """[i, k]: jobs i and k are in different shifts and leave more than nothing but less than `rest_s` between them."""
    gap = np.maximum(starts[None, :] - ends[:, None], starts[:, None] - ends[None, :])
    return (shifts[:, None] != shifts[None, :]) & (gap > TOUCHING_S) & (gap < rest_s)


def _groups(
    starts: NDArray[np.float64], ends: NDArray[np.float64], shifts: NDArray[np.int64], rest_s: float
) -> list[NDArray[np.int64]]:
    """Cliques of the conflict graph (overlapping, or in different shifts with too short a rest) that cover every
    rest conflict among one person's jobs (indexes into the arrays)."""
    conflict = too_short_rest(starts, ends, shifts, rest_s)
    if not conflict.any():
        return []
    by_shift = {}
    for shift in np.unique(shifts).tolist():
        members = np.flatnonzero(shifts == shift)
        by_shift[shift] = [members[k] for k in _cliques_and_singles(starts[members], ends[members])]
    groups: list[NDArray[np.int64]] = []
    codes = sorted(by_shift)
    for a_index, a in enumerate(codes):
        for b in codes[a_index + 1 :]:
            for left in by_shift[a]:
                for right in by_shift[b]:
                    sub = conflict[np.ix_(left, right)]
                    if not sub.any():
                        continue
                    if sub.all():
                        groups.append(np.concatenate([left, right]))
                        continue
                    for column, job in enumerate(right.tolist()):
                        if sub[:, column].any():
                            groups.append(np.append(left[sub[:, column]], job))
    return groups


def rest_groups(compiled: Compiled, by_operator: list[NDArray[np.int64]]) -> Iterator[NDArray[np.int64]]:
    """Groups of one operator's pairs (of `by_operator`, per operator) of which at most one may be chosen: every
    two jobs of theirs in different shifts of the problem with less than `min_rest_hours` between them are in one.
    Operators with the same jobs share the computation."""
    c = compiled
    rest_s = c.problem.policy.min_rest_hours * HOUR_S
    codes = sorted({job.shift_code for job in c.jobs})
    if len(codes) < 2 or rest_s <= 0:
        return
    shift_of = np.array([codes.index(job.shift_code) for job in c.jobs], dtype=np.int64)
    cache: dict[bytes, list[NDArray[np.int64]]] = {}
    for pairs in by_operator:
        if len(pairs) < 2:
            continue
        jobs = c.pair_job[pairs]
        if np.all(shift_of[jobs] == shift_of[jobs[0]]):
            continue
        key = jobs.tobytes()
        if key not in cache:
            cache[key] = _groups(c.starts[jobs], c.ends[jobs], shift_of[jobs], rest_s)
        for group in cache[key]:
            yield pairs[group]


class RestGuard:
    """Greedy's check of the rest rule between shifts of one problem: the jobs each operator was given so far."""

    def __init__(self, compiled: Compiled) -> None:
        self.c = compiled
        self.rest_s = compiled.problem.policy.min_rest_hours * HOUR_S
        self.active = len({job.shift_code for job in compiled.jobs}) > 1 and self.rest_s > 0
        self.given: dict[int, list[int]] = defaultdict(list)

    def refused(self, ops: NDArray[np.int64], j: int) -> NDArray[np.bool_]:
        """Per operator of `ops`: job `j` would leave too short a rest after (or before) a job they were given."""
        refused = np.zeros(len(ops), dtype=bool)
        if not self.active:
            return refused
        c, shift = self.c, self.c.jobs[j].shift_code
        for k, o in enumerate(ops.tolist()):
            for other in self.given.get(o, ()):
                gap = max(c.starts[j] - c.ends[other], c.starts[other] - c.ends[j])
                if c.jobs[other].shift_code != shift and TOUCHING_S < gap < self.rest_s:
                    refused[k] = True
                    break
        return refused

    def give(self, o: int, j: int) -> None:
        if self.active:
            self.given[o].append(j)


def with_commitments(compiled: Compiled, commitments: Iterable[Commitment]) -> Compiled:
    """`compiled` with each operator's work planned in the neighbouring shifts (those of `commitments` in a shift
    the problem does not plan) counted: the pairs it bars (`Compiled.elsewhere`) and the allowances it uses."""
    c = compiled
    day, policy = c.problem.day, c.problem.policy
    planned = {(day, code) for code in c.problem.shift_codes} | {(day, job.shift_code) for job in c.jobs}
    operator = {op.employee_id: o for o, op in enumerate(c.operators)}
    by_operator: dict[int, list[Commitment]] = defaultdict(list)
    for item in commitments:
        o = operator.get(item.employee_id)
        if o is not None and (item.work_date, item.shift_code) not in planned:
            by_operator[o].append(item)
    if not by_operator:
        return compiled
    elsewhere = np.zeros(len(c.pair_job), dtype=bool) if c.elsewhere is None else c.elsewhere.copy()
    day_allowance, week_allowance = c.day_allowance.copy(), c.week_allowance.copy()
    straight_spare = c.straight_spare.copy()
    pairs_of = c.pairs_of_operator()
    rest_s, longest_s = policy.min_rest_hours * HOUR_S, policy.max_hours_per_day * HOUR_S
    week = day.isocalendar()[:2]
    for o, items in by_operator.items():
        pairs = pairs_of[o]
        starts, ends = c.starts[c.pair_job[pairs]], c.ends[c.pair_job[pairs]]
        for item in items:
            gap = np.maximum(starts - item.end, item.start - ends)
            touching = np.abs(gap) <= TOUCHING_S
            bad = (gap < rest_s) & ~touching  # the same time, or too short a rest
            if item.work_date != day:  # across midnight: one stretch with it, within the day's hours
                bad |= touching & ((ends - starts) + (item.end - item.start) > longest_s + TOUCHING_S)
            elsewhere[pairs[bad]] = True
            if item.work_date == day:
                day_allowance[o] -= item.outside_hours
            if day - timedelta(days=6) <= item.work_date <= day:
                week_allowance[o] -= item.outside_hours
                if item.work_date.isocalendar()[:2] == week:
                    straight_spare[o] -= item.outside_hours
    return replace(
        c,
        elsewhere=elsewhere,
        day_allowance=np.maximum(0.0, day_allowance),
        week_allowance=np.maximum(0.0, week_allowance),
        straight_spare=np.maximum(0.0, straight_spare),
    )


@dataclass(frozen=True)
class CalledOff:
    """A call-off (or absence) standing for one shift: who, the shift (its work date and code), when, and why as the
    crew board recorded it (`messages.CALL_OFF_REASONS`' code; None: not said, or detected)."""

    employee_id: str
    work_date: date
    shift_code: str
    at: datetime
    reason: str | None = None


def _gone(c: Compiled, o: int, off: CalledOff) -> NDArray[np.bool_]:
    """The pairs of operator `o` that `off` rules out (`with_call_offs`)."""
    blocks = [b for b in c.operators[o].blocks if (b.work_date, b.shift_code) == (off.work_date, off.shift_code)]
    starts, ends = c.starts[c.pair_job], c.ends[c.pair_job]
    gone = np.zeros(len(c.pair_job), dtype=bool)
    for block in blocks:
        gone |= (starts <= block.end.timestamp() + TOUCHING_S) & (block.start.timestamp() - TOUCHING_S <= ends)
    for other in (b for b in c.operators[o].blocks if b not in blocks):  # their own shift there stands
        gone &= ~((other.start.timestamp() - TOUCHING_S <= starts) & (ends <= other.end.timestamp() + TOUCHING_S))
    return gone & (c.pair_op == o) & (ends > off.at.timestamp())


def with_call_offs(compiled: Compiled, call_offs: Iterable[CalledOff]) -> Compiled:
    """`compiled` without the work that would overlap or extend a shift its person called off (`call_offs`: of other
    shifts than the problem's, whose re-plans took them off those): the pairs whose job overlaps their scheduled
    block of that shift or touches it (starts as it ends, ends as it starts), but work over by the call-off
    (`models.ended_by`), turned away as "called off shift 2". A call-off is recorded per shift it covers ("this shift
    only", or each shift left of the day), and only that shift's problem has the person on leave: until 2026-12-06 a
    re-plan of shift 3 (a swap there) planned a person called off shift 2 into a seat starting as it ends, as
    overtime "extending" it (ux_s16 #2). A shift the person has no block of bars nothing here (the rest rule against
    their other shifts still holds); the block itself still counts for the rest and the day's hours, as Plex
    schedules it. Work within another scheduled block of theirs stands (a person on shifts 2 and 3 who calls off
    shift 2 "this shift only" keeps their shift-3 seat starting as shift 2 ends: only overtime hanging off it goes)."""
    c = compiled
    operator = {op.employee_id: o for o, op in enumerate(c.operators)}
    for off in call_offs:
        o = operator.get(off.employee_id)
        if o is None:
            continue
        gone = _gone(c, o, off)
        if gone.any():
            of = "" if off.work_date == c.problem.day else f" of {off.work_date.isoformat()}"
            c = without(c, gone, f"called off shift {off.shift_code}{of}")
    return c


@dataclass(frozen=True)
class RuledOut:
    """A seat a call-off of another shift rules its person out of (`ruled_out`): that call-off, and how the seat
    meets the shift called off, in the words of a removal's note ("starts as that shift ends")."""

    call_off: CalledOff
    how: str

    @property
    def off_shift(self) -> tuple[str, str]:
        """The shift called off: its work date (ISO) and code."""
        return self.call_off.work_date.isoformat(), self.call_off.shift_code


def _touching_first(how: str) -> bool:
    """Sorts how a seat lies against the blocks of a shift called off: a block it touches first."""
    return how == "overlaps that shift"


def ruled_out(compiled: Compiled, call_offs: Iterable[CalledOff]) -> dict[tuple[str, str], RuledOut]:
    """The (job key, employee id) pairs of `compiled` that `with_call_offs` takes away, each with the call-off that
    rules it out (the first): an accepted seat among them gets a removal from Plex (`removals.open_removals`)."""
    c = compiled
    operator = {op.employee_id: o for o, op in enumerate(c.operators)}
    found: dict[tuple[str, str], RuledOut] = {}
    for off in call_offs:
        o = operator.get(off.employee_id)
        if o is None:
            continue
        blocks = [b for b in c.operators[o].blocks if (b.work_date, b.shift_code) == (off.work_date, off.shift_code)]
        for p in np.flatnonzero(_gone(c, o, off)).tolist():
            job = c.jobs[c.pair_job[p]]
            # the board's words for the same seat, from the same function (ux_verify_s16 B); a block it touches first
            lies = sorted(
                (h for b in blocks if (h := next_to(job.start, job.end, b.start, b.end))), key=_touching_first
            )
            how = lies[0] if lies else "overlaps that shift"
            found.setdefault((job.key, off.employee_id), RuledOut(off, how))
    return found
