"""Who may staff what, and what each (operator, job segment) pair is worth.

`compile_problem` checks every hard rule that concerns one pair (skills and certifications, leave,
rest, daily and 7-day hours, consecutive days, call-ins) and prices the pairs that pass. What is left
for the optimizer are the rules that tie pairs together: one job at a time per operator, crew sizes,
the operator's total extra hours and the overtime they cause.

The setup rule is one fact, `Compiled.barred`: a pair of an operator who cannot do the setup its job starts
with stays in the data, barred from the seat when the job is a crew of one or none of its pairs can do the
setup (unless it is held: started or accepted work stays, and the plan says the crew has no setter). The
model, greedy, the supervisor baseline, the bound, the fillable seats, the empty seats' reasons and the swap
candidates all read it; a larger crew with someone able gets the optimizer's setup row instead.

Per pair (dollars): value = hours x efficiency there x value per earned hour; labor cost = hours x pay
rate; fatigue = hours x fatigue rate x (10-hour steps above the 7-day threshold + days past the streak);
changeover when the workcenter is not the operator's station (the planned workcenter, else home);
walking = distance from the station (a building change counts as a fixed distance). Overtime is priced
per operator: extra hours (outside scheduled shifts) beyond the straight time left in the ISO week
cost the premium plus the policy penalty.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from plexlabor.crew.models import CrewJob, CrewPolicy, CrewProblem, Operator, Place, SkillRequirement

HOUR_S = 3600.0
ELSEWHERE = "planned in a neighbouring shift"
"""Why a pair is barred by the operator's work in another shift (`Compiled.elsewhere`), as the empty seats count it."""


@dataclass(frozen=True)
class PairInfo:
    """What the reasons of an assignment quote."""

    levels: tuple[tuple[str, int, str], ...]  # (skill code, level held, "valid to ..."/"no expiry"/"skill")
    efficiency: float
    efficiency_hours: float
    efficiency_here: bool
    distance_m: float | None
    changeover: bool
    planned_here: bool


@dataclass
class JobStats:
    """Why candidates were turned away from one job (the unstaffed reasons quote these). As compiled, the reasons
    of the pair alone (leave, rest, hours); `Compiled.job_stats` adds those the setup rule bars."""

    skill_ok: int = 0
    lapsed: int = 0
    turned_away: Counter[str] = field(default_factory=Counter)
    missing: list[str] = field(default_factory=list)  # requirement descriptions nobody meets

    @property
    def candidates(self) -> int:
        return self.skill_ok - sum(self.turned_away.values())


@dataclass
class Compiled:
    problem: CrewProblem
    jobs: list[CrewJob]
    operators: list[Operator]
    # pairs (arrays of equal length)
    pair_job: NDArray[np.int64]
    pair_op: NDArray[np.int64]
    hours: NDArray[np.float64]
    outside: NDArray[np.float64]
    value: NDArray[np.float64]
    labor: NDArray[np.float64]
    fatigue: NDArray[np.float64]
    changeover: NDArray[np.float64]
    walking: NDArray[np.float64]
    # jobs
    heads: NDArray[np.int64]
    penalty: NDArray[np.float64]  # per empty fillable seat
    stats: list[JobStats]
    # operators
    day_allowance: NDArray[np.float64]  # extra hours the operator may still work that day
    week_allowance: NDArray[np.float64]  # extra hours within the 7-day maximum
    straight_spare: NDArray[np.float64]  # extra hours before weekly overtime starts
    overtime_rate: NDArray[np.float64]  # dollars per overtime hour (premium + policy penalty)
    available: NDArray[np.bool_]  # per operator: has a pair (barred or not)
    setup_capable: NDArray[np.bool_]  # per pair: the operator may do the setup its job starts with (True: none)
    starts: NDArray[np.float64]  # job start, epoch seconds
    ends: NDArray[np.float64]
    # re-planning (`plexlabor.crew.replan`): dollars charged for each pair that is not in the current
    # plan (zeros for a plan from scratch), and the pairs every plan must keep (started or accepted work)
    change: NDArray[np.float64] | None = None
    held: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    elsewhere: NDArray[np.bool_] | None = None
    """Per pair: barred by the operator's work planned in a neighbouring shift (`stretches.with_commitments`: the
    same time, under `min_rest_hours` apart, or a stretch over `max_hours_per_day`); None: nothing planned there."""
    closed: NDArray[np.bool_] | None = None
    """Per pair: a re-plan may not choose it (a new pair on a seat the event does not touch: `replan.event_scope`);
    None: every pair is open."""

    def info(self, pair: int) -> PairInfo:
        """What the reasons of an assignment quote (computed on demand: only chosen pairs need it)."""
        job = self.jobs[int(self.pair_job[pair])]
        op = self.operators[int(self.pair_op[pair])]
        levels = []
        for requirement in job.requirements:
            holding = op.skills[requirement.skill_id]
            if requirement.certification_required:
                until = f"valid to {holding.valid_until.isoformat()}" if holding.valid_until else "no expiry"
                levels.append((requirement.skill_code, holding.level_valid, until))
            else:
                levels.append((requirement.skill_code, max(holding.level_valid, holding.level_held), "skill"))
        wc_id = job.place.workcenter_id
        known = op.efficiency.get(wc_id)
        eff = known if known is not None else op.overall
        station = op.station
        return PairInfo(
            tuple(levels),
            eff.efficiency,
            eff.hours,
            known is not None,
            distance_m(station, job.place, self.problem.policy.building_change_meters),
            station is not None and station.workcenter_id != wc_id,
            planned_for(op, job, self.problem.day),
        )

    @cached_property
    def barred_elsewhere(self) -> NDArray[np.bool_]:
        """Per pair: barred by the operator's work in a neighbouring shift (`elsewhere`); never a held pair."""
        barred = np.zeros(len(self.pair_job), dtype=bool) if self.elsewhere is None else self.elsewhere.copy()
        barred[self.held] = False
        return barred

    @cached_property
    def barred(self) -> NDArray[np.bool_]:
        """Per pair: barred from the seat by the setup rule or by work elsewhere (`barred_elsewhere`). The setup
        rule: its operator cannot do the setup the job starts with, and the job is a crew of one or none of its
        pairs (not barred elsewhere) can do the setup; a held pair is never barred (it stays, and the plan says the
        crew has no setter). A larger crew with someone able keeps every pair: the optimizer's setup row
        (`optimizer.setup_rows`) sees that someone able is in it."""
        setup = np.array([job.setup_hours > 0 for job in self.jobs], dtype=bool)
        free = ~self.barred_elsewhere
        able_pairs = self.setup_capable & setup[self.pair_job] & free
        able = np.bincount(self.pair_job[able_pairs], minlength=len(self.jobs)) > 0
        only_able = setup & ((self.heads == 1) | ~able)
        barred = (only_able[self.pair_job] & ~self.setup_capable) | self.barred_elsewhere
        barred[self.held] = False
        return barred

    @cached_property
    def allowed(self) -> NDArray[np.int64]:
        """The pairs the setup rule does not bar: the model's columns and every plan's choice."""
        return np.flatnonzero(~self.barred)

    @cached_property
    def barred_per_job(self) -> NDArray[np.int64]:
        """Per job, how many of its pairs the setup rule bars."""
        return np.bincount(self.pair_job[self.barred], minlength=len(self.jobs))

    @cached_property
    def fillable(self) -> NDArray[np.int64]:
        """Per job, the seats some plan can fill: its crew size, at most its candidates (pairs not barred)."""
        candidates = np.array([stat.candidates for stat in self.stats], dtype=np.int64) - self.barred_per_job
        return np.minimum(self.heads, candidates)

    @cached_property
    def _elsewhere_per_job(self) -> NDArray[np.int64]:
        return np.bincount(self.pair_job[self.barred_elsewhere], minlength=len(self.jobs))

    def job_stats(self, j: int) -> JobStats:
        """Why candidates were turned away from job `j`: as compiled, those the setup rule bars and those their
        work in a neighbouring shift bars."""
        stat, barred = self.stats[j], int(self.barred_per_job[j])
        if not barred:
            return stat
        elsewhere = int(self._elsewhere_per_job[j])
        more = Counter({"cannot do the setup": barred - elsewhere, ELSEWHERE: elsewhere})
        return JobStats(stat.skill_ok, stat.lapsed, stat.turned_away + +more, stat.missing)

    @property
    def net(self) -> NDArray[np.float64]:
        net = self.value - self.labor - self.fatigue - self.changeover - self.walking
        return net if self.change is None else net - self.change

    def seat_worth(self, j: int, worth: NDArray[np.float64]) -> NDArray[np.float64]:
        """What a seat of job `j` adds to the objective filled by the pairs worth `worth` each, or left empty when
        that is better (a fillable seat left empty costs its `penalty`): the optimizer's value of a seat."""
        return np.maximum(worth, -self.penalty[j])

    def setup_jobs(self) -> NDArray[np.int64]:
        """The jobs whose crew must include an operator able to do their setup: they start with one and have
        pairs not barred (`barred`) of operators who cannot do it."""
        setup = np.array([job.setup_hours > 0 for job in self.jobs], dtype=bool)
        unable = np.bincount(self.pair_job[~self.setup_capable & ~self.barred], minlength=len(self.jobs)) > 0
        return np.flatnonzero(setup & unable & (self.fillable > 0))

    def pairs_of_job(self, among: NDArray[np.int64] | None = None) -> list[NDArray[np.int64]]:
        """Per job, its pairs (those of `among`, when given), in pair order."""
        return _grouped(self.pair_job, len(self.jobs), among)

    def pairs_of_operator(self, among: NDArray[np.int64] | None = None) -> list[NDArray[np.int64]]:
        """Per operator, their pairs (those of `among`, when given), in pair order."""
        return _grouped(self.pair_op, len(self.operators), among)


def _grouped(keys: NDArray[np.int64], count: int, among: NDArray[np.int64] | None) -> list[NDArray[np.int64]]:
    pairs = np.arange(len(keys)) if among is None else among
    order = pairs[np.argsort(keys[pairs], kind="stable")]
    bounds = np.searchsorted(keys[order], np.arange(count + 1))
    return [order[bounds[k] : bounds[k + 1]] for k in range(count)]


def planned_for(op: Operator, job: CrewJob, day: date) -> bool:
    """Whether the supervisor's plan (Plex's shift assignments) has the operator on the job: planned at its workcenter
    for the day, and scheduled on the job's shift that day, as the supervisor baseline reads it
    (`optimizer.supervisor_plan`). Until 2026-12-06 the workcenter alone: a seat of another shift there (the overtime
    of a person called off the shift it extends, ux_s16 #2) read "planned here by the supervisor"."""
    return (
        op.planned is not None
        and op.planned.workcenter_id == job.place.workcenter_id
        and any(b.shift_code == job.shift_code and b.work_date == day for b in op.blocks)
    )


def distance_m(a: Place | None, b: Place, building_change_m: float) -> float | None:
    """Floor distance between two workcenters; a building change counts `building_change_m`."""
    if a is None:
        return None
    if a.workcenter_id == b.workcenter_id:
        return 0.0
    if a.building_code and b.building_code and a.building_code != b.building_code:
        return building_change_m
    if None in (a.x_m, a.y_m, b.x_m, b.y_m):
        return None
    return math.hypot(float(a.x_m) - float(b.x_m), float(a.y_m) - float(b.y_m))  # type: ignore[arg-type]


Levels = dict[str, tuple[NDArray[np.int64], NDArray[np.int64]]]
"""Per skill id: each operator's highest level valid on the day and highest ever held (0: none), by operator index."""


def _levels(operators: list[Operator]) -> Levels:
    """Every operator's levels in every skill someone holds, as arrays (`_qualified` compares whole pools)."""
    levels: Levels = {}
    for o, op in enumerate(operators):
        for skill_id, holding in op.skills.items():
            if skill_id not in levels:
                levels[skill_id] = (np.zeros(len(operators), np.int64), np.zeros(len(operators), np.int64))
            levels[skill_id][0][o], levels[skill_id][1][o] = holding.level_valid, holding.level_held
    return levels


@dataclass(frozen=True)
class _OpFacts:
    """An operator's schedule as numbers (the availability check runs for every candidate pair)."""

    blocks: tuple[tuple[float, float], ...]  # scheduled shifts, epoch seconds
    scheduled_today: float
    on_leave: bool
    other_days: tuple[tuple[float, float, float], ...] = ()  # scheduled shifts of other work dates: start, end, hours


def _facts(op: Operator, day: object) -> _OpFacts:
    return _OpFacts(
        blocks=tuple((b.start.timestamp(), b.end.timestamp()) for b in op.blocks),
        scheduled_today=sum(b.paid_hours for b in op.blocks if b.work_date == day),
        on_leave=op.leave is not None,
        other_days=tuple(
            (b.start.timestamp(), b.end.timestamp(), b.paid_hours) for b in op.blocks if b.work_date != day
        ),
    )


@dataclass(frozen=True)
class _Schedules:
    """Every operator's `_OpFacts` as arrays, their shifts padded with empty ones (start +inf, end -inf: no overlap,
    no gap, never in a row), so that `_refusals` checks a job against a whole pool at once."""

    starts: NDArray[np.float64]  # operators x most shifts
    ends: NDArray[np.float64]
    other_starts: NDArray[np.float64]  # operators x most shifts of other work dates
    other_ends: NDArray[np.float64]
    other_paid: NDArray[np.float64]
    scheduled_today: NDArray[np.float64]
    hours_last_7_days: NDArray[np.float64]
    alone: NDArray[np.bool_]  # on leave, or at the consecutive-days limit: `_availability` decides, one by one

    @classmethod
    def of(cls, operators: list[Operator], facts: list[_OpFacts], policy: CrewPolicy) -> _Schedules:
        def padded(rows: list[list[float]], width: int, pad: float) -> NDArray[np.float64]:
            return np.array([row + [pad] * (width - len(row)) for row in rows], dtype=np.float64).reshape(
                len(rows), width
            )

        most = max((len(f.blocks) for f in facts), default=0)
        others = max((len(f.other_days) for f in facts), default=0)
        return cls(
            starts=padded([[b[0] for b in f.blocks] for f in facts], most, math.inf),
            ends=padded([[b[1] for b in f.blocks] for f in facts], most, -math.inf),
            other_starts=padded([[b[0] for b in f.other_days] for f in facts], others, math.inf),
            other_ends=padded([[b[1] for b in f.other_days] for f in facts], others, -math.inf),
            other_paid=padded([[b[2] for b in f.other_days] for f in facts], others, 0.0),
            scheduled_today=np.array([f.scheduled_today for f in facts], dtype=np.float64),
            hours_last_7_days=np.array([op.hours_last_7_days for op in operators], dtype=np.float64),
            alone=np.array([f.on_leave for f in facts], dtype=bool)
            | np.array([op.consecutive_days >= policy.max_consecutive_days for op in operators], dtype=bool),
        )


_ALONE = -1
"""`_refusals`' code of an operator it leaves to `_availability` (`_Schedules.alone`); 0: available; above 0: refused,
by the first rule broken (call-ins off, rest, hours of the day, of 7 days), as `_availability` refuses."""


def _refusals(
    schedules: _Schedules, pool: NDArray[np.int64], start: float, end: float, hours: float, policy: CrewPolicy
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """`_availability` of a job from `start` to `end` for the whole pool at once, as a code per operator (`_ALONE`) and
    their hours outside their shifts: the same float operations in the same order (each shift's overlap added in
    turn), so the same answers. In NumPy because the check ran in Python for every candidate pair (a third of
    compiling a 2,400-person plant's shift, issue 16)."""
    starts, ends = schedules.starts[pool], schedules.ends[pool]
    inside = np.zeros(len(pool))
    for k in range(starts.shape[1]):
        inside = inside + np.maximum(0.0, np.minimum(end, ends[:, k]) - np.maximum(start, starts[:, k]))
    inside = inside / HOUR_S
    outside = np.maximum(0.0, hours - inside)
    within = outside <= 1e-9
    gaps = np.maximum(starts - end, start - ends) / HOUR_S
    scheduled_today = schedules.scheduled_today[pool]
    in_a_row = np.maximum(schedules.other_starts[pool] - end, start - schedules.other_ends[pool]) <= 0
    longer = schedules.other_paid[pool] + outside[:, None] > policy.max_hours_per_day + 1e-9
    broken = [
        within,
        (inside <= 1e-9) & (not policy.allow_call_in),
        ((gaps > 0) & (gaps < policy.min_rest_hours)).any(axis=1),
        (scheduled_today + outside > policy.max_hours_per_day + 1e-9) | (in_a_row & longer).any(axis=1),
        schedules.hours_last_7_days[pool] + scheduled_today + outside > policy.max_hours_7_days + 1e-9,
    ]
    codes = np.select(broken, [0, 1, 2, 3, 4], default=0)
    return np.where(schedules.alone[pool], _ALONE, codes), np.where(within, 0.0, outside)


def _available(
    schedules: _Schedules,
    operators: list[Operator],
    facts: list[_OpFacts],
    problem: CrewProblem,
    qualified: list[int],
    job: CrewJob,
    stat: JobStats,
    cache: dict[tuple[int, float, float, float], tuple[str | None, float]],
    refused_as: dict[int, str],
) -> list[tuple[int, float]]:
    """The operators of `qualified` `_availability` lets take `job`, in order, with their hours outside their shifts;
    those it turns away counted in `stat.turned_away` by the words of its reason before the bracket, in order.
    `refused_as`: the words of each code of `_refusals` (the same for every pair: those of its first pair's reason)."""
    start, end, hours = job.start.timestamp(), job.end.timestamp(), job.hours
    codes, outside_of = _refusals(schedules, np.array(qualified, dtype=np.int64), start, end, hours, problem.policy)
    taken: list[tuple[int, float]] = []
    for o, code, outside in zip(qualified, codes.tolist(), outside_of.tolist(), strict=True):
        if code == 0:
            taken.append((o, outside))
            continue
        words = refused_as.get(code)
        if words is None:  # decided one by one (`_ALONE`), or the first pair refused with this code
            key = (o, start, end, hours)
            if (found := cache.get(key)) is None:
                found = cache[key] = _availability(operators[o], facts[o], start, end, hours, problem)
            why, outside = found
            if why is None:
                taken.append((o, outside))
                continue
            words = why.split(" (")[0]
            if code != _ALONE:
                refused_as[code] = words
        stat.turned_away[words] += 1
    return taken


def _availability(
    op: Operator, facts: _OpFacts, start: float, end: float, hours: float, problem: CrewProblem
) -> tuple[str | None, float]:
    """(why the operator may not take a job from `start` to `end`, or None; hours outside their shifts)."""
    policy = problem.policy
    if facts.on_leave and op.off_for(datetime.fromtimestamp(end, UTC)):
        return op.off_as, 0.0
    if op.consecutive_days >= policy.max_consecutive_days:  # scheduled or not: the weekly day of rest
        return streak_refusal(op.consecutive_days + 1, policy), 0.0
    inside = sum(max(0.0, min(end, b_end) - max(start, b_start)) for b_start, b_end in facts.blocks) / HOUR_S
    outside = max(0.0, hours - inside)
    if outside <= 1e-9:
        return None, 0.0
    if inside <= 1e-9 and not policy.allow_call_in:
        return "not scheduled (call-ins are off)", outside
    for b_start, b_end in facts.blocks:
        gap = max(b_start - end, start - b_end) / HOUR_S
        if 0 < gap < policy.min_rest_hours:
            return f"rest rule ({gap:.1f} h between shifts, {policy.min_rest_hours:g} h required)", outside
    if facts.scheduled_today + outside > policy.max_hours_per_day + 1e-9:
        return f"would exceed {policy.max_hours_per_day:g} h that day", outside
    for b_start, b_end, paid in facts.other_days:  # extending the night shift before (or after): one stretch
        if max(b_start - end, start - b_end) <= 0 and paid + outside > policy.max_hours_per_day + 1e-9:
            return (
                f"would exceed {policy.max_hours_per_day:g} h that day (in a row with a shift of another day)",
                outside,
            )
    if op.hours_last_7_days + facts.scheduled_today + outside > policy.max_hours_7_days + 1e-9:
        return f"would exceed {policy.max_hours_7_days:g} h in 7 days", outside
    return None, outside


def streak_refusal(day_in_a_row: int, policy: CrewPolicy) -> str:
    """Why a day would break the consecutive-days rule: "over 6 days in a row (day 12)" (the words before the
    bracket count the empty seats' reasons: `JobStats.turned_away`)."""
    return f"over {policy.max_consecutive_days} days in a row (day {day_in_a_row})"


def refusal(compiled: Compiled, o: int, j: int) -> str | None:
    """Why operator `o` may not take job `j` by the rules of availability (leave, consecutive days, rest, hours,
    call-ins), None when they may (a pair missing for another reason: skills, the setup rule)."""
    op, job = compiled.operators[o], compiled.jobs[j]
    facts = _facts(op, compiled.problem.day)
    start, end = job.start.timestamp(), job.end.timestamp()
    return _availability(op, facts, start, end, job.hours, compiled.problem)[0]


def _fatigue_units(op: Operator, problem: CrewProblem) -> float:
    policy = problem.policy
    over_hours = max(0.0, op.hours_last_7_days - policy.fatigue_hours_threshold) / 10.0
    over_days = max(0, op.consecutive_days - policy.fatigue_streak_days + 1)
    return over_hours + over_days


def setup_requirements(requirements: tuple[SkillRequirement, ...], policy: CrewPolicy) -> tuple[SkillRequirement, ...]:
    """What a setup of the workcenter needs: each of its requirements `policy.setup_levels_above_minimum`
    levels higher (at most 5). Plex records no setup qualification; a changeover (tooling, first piece) is
    the demanding part of the job, so it goes to the operators certified above what running it takes."""
    extra = policy.setup_levels_above_minimum
    return tuple(r.model_copy(update={"min_level": min(5, r.min_level + extra)}) for r in requirements)


def _describe(requirement: SkillRequirement, codes: dict[str, str]) -> str:
    code = requirement.skill_code or codes.get(requirement.skill_id, requirement.skill_id)
    kind = "valid certification" if requirement.certification_required else "skill"
    return f"{code} L{requirement.min_level} ({kind})"


def _qualified(
    levels: Levels, pool: Sequence[int], requirements: tuple[SkillRequirement, ...]
) -> tuple[list[int], int, Counter[int]]:
    """(operators of `pool` meeting every requirement, in pool order; how many of the others miss only on lapsed
    certifications; how many of the others meet each requirement). A requirement with `certification_required`
    is met by a level valid on the day, held late by a higher level held; one without by either level."""
    index = np.asarray(pool, dtype=np.int64)
    ok = np.ones((len(requirements), len(index)), dtype=bool)
    late = np.zeros_like(ok)
    none = np.zeros(int(index.max(initial=-1)) + 1, np.int64)
    for r, requirement in enumerate(requirements):
        valid, held = levels.get(requirement.skill_id, (none, none))
        if requirement.certification_required:
            ok[r] = valid[index] >= requirement.min_level
            late[r] = ~ok[r] & (held[index] >= requirement.min_level)
        else:
            ok[r] = np.maximum(valid[index], held[index]) >= requirement.min_level
    meets_all = ok.all(axis=0)
    others = ~meets_all
    lapsed = int(np.count_nonzero(others & late.any(axis=0) & (ok | late).all(axis=0)))
    met = Counter({r: int(np.count_nonzero(ok[r] & others)) for r in range(len(requirements))})
    return index[meets_all].tolist(), lapsed, met


def _place_prices(op: Operator, place: Place, policy: CrewPolicy) -> tuple[float, float, float]:
    """(efficiency, changeover cost, walking cost) of the operator at the workcenter."""
    known = op.efficiency.get(place.workcenter_id)
    station = op.station
    distance = distance_m(station, place, policy.building_change_meters)
    return (
        (known if known is not None else op.overall).efficiency,
        policy.changeover_cost if station is not None and station.workcenter_id != place.workcenter_id else 0.0,
        (distance or 0.0) * policy.walking_cost_per_meter,
    )


def compile_problem(problem: CrewProblem) -> Compiled:
    """Every allowed pair, priced; per-job candidate statistics; per-operator allowances."""
    policy = problem.policy
    jobs = sorted(problem.jobs, key=lambda job: (job.start, job.key))
    operators = sorted(problem.operators, key=lambda op: op.employee_id)
    facts = [_facts(op, problem.day) for op in operators]
    schedules = _Schedules.of(operators, facts, policy)
    scheduled_today = [f.scheduled_today for f in facts]
    fatigue_rate = [policy.fatigue_cost_per_hour * _fatigue_units(op, problem) for op in operators]

    levels = _levels(operators)
    by_skill: dict[str, list[int]] = defaultdict(list)
    by_department: dict[str | None, list[int]] = defaultdict(list)
    for index, op in enumerate(operators):
        for skill_id in op.skills:
            by_skill[skill_id].append(index)
        by_department[op.department_code].append(index)

    # per workcenter and requirements: the build gives every job of a workcenter the workcenter's requirements, but
    # a problem's jobs carry their own (two jobs of one workcenter may ask for different skills)
    Staffing = tuple[str, tuple[SkillRequirement, ...]]
    qualified_at: dict[Staffing, tuple[list[int], int, Counter[int], list[int]]] = {}
    sets_up_at: dict[Staffing, set[int]] = {}  # the qualified operators able to do the setup
    available_cache: dict[tuple[int, float, float, float], tuple[str | None, float]] = {}
    refused_as: dict[int, str] = {}
    place_cache: dict[tuple[int, str], tuple[float, float, float]] = {}  # efficiency, changeover, walking
    pair_job: list[int] = []
    pair_op: list[int] = []
    outside_hours: list[float] = []
    per_place: list[tuple[float, float, float]] = []
    capable: list[bool] = []
    stats: list[JobStats] = []
    for j, job in enumerate(jobs):
        stat = JobStats()
        stats.append(stat)
        wc_id = job.place.workcenter_id
        staffing = (wc_id, job.requirements)
        if staffing not in qualified_at:
            if job.requirements:
                strictest = max(job.requirements, key=lambda r: (r.min_level, r.certification_required, r.skill_id))
                pool = by_skill.get(strictest.skill_id, [])
            else:  # no requirement: the workcenter's department staffs it (everyone when it is unknown)
                department = job.place.department_code
                pool = by_department.get(department, []) if department else list(range(len(operators)))
            qualified_at[staffing] = (*_qualified(levels, pool, job.requirements), pool)
        qualified, stat.lapsed, met, pool = qualified_at[staffing]
        if job.setup_hours > 0 and staffing not in sets_up_at:
            sets_up_at[staffing] = set(_qualified(levels, qualified, setup_requirements(job.requirements, policy))[0])
        stat.skill_ok = len(qualified)
        if not qualified:
            missing = [r for i, r in enumerate(job.requirements) if met[i] == 0 or not pool]
            stat.missing = [_describe(r, problem.skill_codes) for r in (missing or job.requirements)]
            if not job.requirements:
                stat.missing = [f"a place in department {job.place.department_code or '?'}"]
            continue
        taken = _available(schedules, operators, facts, problem, qualified, job, stat, available_cache, refused_as)
        for o, outside in taken:
            priced = place_cache.get((o, wc_id))
            if priced is None:
                priced = place_cache[(o, wc_id)] = _place_prices(operators[o], job.place, policy)
            pair_job.append(j)
            pair_op.append(o)
            outside_hours.append(outside)
            per_place.append(priced)
            capable.append(job.setup_hours <= 0 or o in sets_up_at[staffing])

    heads = np.array([job.crew_size for job in jobs], dtype=np.int64)
    scheduled = np.array(scheduled_today)
    week_projected = np.array([op.week_hours for op in operators]) + scheduled

    job_index = np.array(pair_job, dtype=np.int64)
    op_index = np.array(pair_op, dtype=np.int64)
    priced_array = np.array(per_place, dtype=np.float64).reshape(-1, 3)
    hours = np.array([job.hours for job in jobs], dtype=np.float64)[job_index]
    pay = np.array([op.pay_rate for op in operators], dtype=np.float64)
    return Compiled(
        problem=problem,
        jobs=jobs,
        operators=operators,
        pair_job=job_index,
        pair_op=op_index,
        hours=hours,
        outside=np.array(outside_hours, dtype=np.float64),
        value=hours * priced_array[:, 0] * policy.value_per_earned_hour,
        labor=hours * pay[op_index],
        fatigue=hours * np.array(fatigue_rate, dtype=np.float64)[op_index],
        changeover=priced_array[:, 1].copy(),
        walking=priced_array[:, 2].copy(),
        heads=heads,
        penalty=np.array([job.hours * policy.unstaffed_penalty_per_hour for job in jobs]),
        stats=stats,
        day_allowance=np.maximum(0.0, policy.max_hours_per_day - scheduled),
        week_allowance=np.maximum(
            0.0, policy.max_hours_7_days - np.array([op.hours_last_7_days for op in operators]) - scheduled
        ),
        straight_spare=np.maximum(0.0, policy.weekly_straight_time_hours - week_projected),
        overtime_rate=np.array(
            [op.pay_rate * policy.overtime_premium + policy.overtime_penalty_per_hour for op in operators]
        ),
        available=np.bincount(op_index, minlength=len(operators)) > 0,
        setup_capable=np.array(capable, dtype=bool),
        starts=np.array([job.start.timestamp() for job in jobs]),
        ends=np.array([job.end.timestamp() for job in jobs]),
    )


def on_leave(compiled: Compiled, problem: CrewProblem, employee_id: str) -> Compiled:
    """`compiled` with one operator gone on leave, without compiling again (a call-off re-planned in
    seconds): their pairs go (but those of the work over when the leave began, `Operator.off_for`), and each job
    they could staff that is not over counts one candidate fewer, turned away as on leave (a call-off's leave: as
    called off, `Operator.off_as`). `problem` is the problem with them on leave. Pairs, prices, fillable seats and
    what the setup rule bars (`Compiled.barred`: a crew whose last able operator went) are what compiling `problem`
    gives; the counts behind an unstaffed seat's
    reason may differ where the operator had been turned away for a reason of the pair alone (rest, hours)."""
    index = next((o for o, op in enumerate(compiled.operators) if op.employee_id == employee_id), None)
    operators = sorted(problem.operators, key=lambda op: op.employee_id)
    compiled = replace(compiled, problem=problem, operators=operators)
    if index is None or not compiled.available[index]:
        return compiled
    off = np.array([operators[index].off_for(job.end) for job in compiled.jobs], dtype=bool)
    return without(compiled, (compiled.pair_op == index) & off[compiled.pair_job], operators[index].off_as)


def without(compiled: Compiled, gone: NDArray[np.bool_], why: str) -> Compiled:
    """`compiled` without the pairs `gone` (per pair), each job counting its operators that went turned away for
    `why` (their operator may no longer work it: `on_leave`, `stretches.with_call_offs`)."""
    keep = ~gone
    stats = list(compiled.stats)
    for j, count in Counter(compiled.pair_job[gone].tolist()).items():
        old = stats[j]
        stats[j] = JobStats(old.skill_ok, old.lapsed, old.turned_away + Counter({why: count}), old.missing)
    return replace(
        compiled,
        pair_job=compiled.pair_job[keep],
        pair_op=compiled.pair_op[keep],
        hours=compiled.hours[keep],
        outside=compiled.outside[keep],
        value=compiled.value[keep],
        labor=compiled.labor[keep],
        fatigue=compiled.fatigue[keep],
        changeover=compiled.changeover[keep],
        walking=compiled.walking[keep],
        setup_capable=compiled.setup_capable[keep],
        elsewhere=None if compiled.elsewhere is None else compiled.elsewhere[keep],
        closed=None if compiled.closed is None else compiled.closed[keep],
        stats=stats,
        available=compiled.available & (np.bincount(compiled.pair_op[keep], minlength=len(compiled.operators)) > 0),
    )


def overtime_hours(compiled: Compiled, chosen: Sequence[int] | NDArray[np.int64]) -> NDArray[np.float64]:
    """Overtime hours per operator caused by the chosen pairs."""
    chosen = np.asarray(chosen, dtype=np.int64)
    extra = np.bincount(compiled.pair_op[chosen], weights=compiled.outside[chosen], minlength=len(compiled.operators))
    return np.maximum(0.0, extra - compiled.straight_spare)
