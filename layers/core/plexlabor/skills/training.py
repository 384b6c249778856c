"""Cross-training recommendations: for each workcenter whose gaps stay open after cover, who to train.

Candidates are active employees scheduled (not on leave) in the same building on at least one of
those gap shifts, and not already qualified there. For each:

- coverage gain: over the gap shifts they are scheduled on, the hours one more qualified operator
  would secure there, less the hours their leaving would put at risk where they are planned (or
  are covering); never negative per shift. This is the expected hours of at-risk work covered per
  trained person, each candidate counted on their own;
- training effort, in levels: raising a held skill costs the level difference; renewing a lapsed
  certification at the level costs 0.5; a new skill costs its level if it is adjacent (same skill
  group as a skill the employee holds) and its level + 2 otherwise;
- history: labor hours in the look-back at this workcenter, and at similar ones (sharing a
  certification-required skill, or the department);
- quality: scrap quantity per produced quantity in the look-back, against the plant median.

score = gain / (1 + effort) x (1 + 0.5 x min(1, (here + similar / 2) / 40 h)) x 1 / (1 + 10 x excess scrap
rate). Ranked by score, then gain, then effort, then employee id.
"""

from __future__ import annotations

import heapq
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from plexlabor.skills.certs import CertIndex, Qualification, Signature
from plexlabor.skills.coverage import Coverage, Instance
from plexlabor.skills.data import PlannedShift, SkillsInput
from plexlabor.skills.report import TrainingCandidate, TrainingRecommendation

ADJACENT_EXTRA = 0.0
DISTANT_EXTRA = 2.0
RENEW_EFFORT = 0.5
HISTORY_SATURATION_H = 40.0
SCRAP_WEIGHT = 10.0


@dataclass(frozen=True)
class _Plan:
    steps: tuple[str, ...]
    effort: float
    adjacent: bool


def recommend_training(
    data: SkillsInput,
    index: CertIndex,
    qualification: Qualification,
    coverage: Coverage,
    per_gap: int = 3,
) -> list[TrainingRecommendation]:
    residual: dict[str, list[Instance]] = defaultdict(list)
    for gap in coverage.gaps():
        if gap.hours_after_cover > 0 and qualification.signature(gap.workcenter_id):
            residual[gap.workcenter_id].append(gap)
    if not residual:
        return []
    gains = _gains(data, qualification, coverage, residual)
    hours_at = _labor_hours(data)
    scrap_rate = _scrap_rates(data)
    median_rate = statistics.median(scrap_rate.values()) if scrap_rate else 0.0
    plans: dict[tuple[str, Signature], _Plan] = {}
    neighbours = _Neighbours(data, qualification)

    recommendations = []
    for wc, gaps in residual.items():
        sig = qualification.signature(wc)
        similar = neighbours.of(wc)
        ranked: list[tuple[float, float, float, str, _Plan, float, float, float | None]] = []
        best: list[float] = []  # a min-heap of the per_gap best scores so far
        qualified_now = qualification.qualified_set(sig, data.as_of)
        # score <= gain (effort >= 0.5, history factor <= 1.5, quality <= 1): stop once the
        # per_gap-th best score beats every remaining gain
        for person, hours in sorted(gains.get(wc, {}).items(), key=lambda item: (-item[1], item[0])):
            if len(best) == per_gap and best[0] > hours + 0.001:
                break
            if person in qualified_now:
                continue
            plan = plans.get((person, sig))
            if plan is None:
                plan = plans[(person, sig)] = _plan(data, index, qualification, person, sig)
            if not plan.steps:
                continue
            worked = hours_at.get(person, {})
            here = worked.get(wc, 0.0)
            near = sum(h for other, h in worked.items() if other != wc and other in similar)
            rate = scrap_rate.get(person)
            history = 1 + 0.5 * min(1.0, (here + near / 2) / HISTORY_SATURATION_H)
            quality = 1.0 if rate is None else 1 / (1 + SCRAP_WEIGHT * max(0.0, rate - median_rate))
            score = round(hours / (1 + plan.effort) * history * quality, 3)
            ranked.append((-score, -round(hours, 2), plan.effort, person, plan, here, near, rate))
            if len(best) < per_gap:
                heapq.heappush(best, score)
            else:
                heapq.heappushpop(best, score)
        if not ranked:
            continue
        ranked.sort(key=lambda item: item[:4])
        candidates = []
        for neg_score, neg_hours, _effort, person, plan, here, near, rate in ranked[:per_gap]:
            info = data.employees.get(person)
            candidates.append(
                TrainingCandidate(
                    employee_id=person,
                    supervisor_id=info.supervisor_id if info else None,
                    training=list(plan.steps),
                    effort_levels=plan.effort,
                    adjacent=plan.adjacent,
                    history_hours_here=round(here, 1),
                    history_hours_similar=round(near, 1),
                    scrap_rate=None if rate is None else round(rate, 4),
                    coverage_gain_hours=-neg_hours,
                    score=-neg_score,
                    reason=_reason(plan, here, near, rate, median_rate, -neg_hours, data.lookback_days),
                )
            )
        recommendations.append(
            TrainingRecommendation(
                workcenter_id=wc,
                workcenter_code=data.workcenter_code(wc),
                required=[data.skill_label(skill, level) for skill, level in sig],
                hours_at_risk_after_cover=round(sum(g.hours_after_cover for g in gaps), 2),
                candidates=candidates,
            )
        )
    recommendations.sort(key=lambda r: (-r.hours_at_risk_after_cover, r.workcenter_code, r.workcenter_id))
    return recommendations


def _gains(
    data: SkillsInput, qualification: Qualification, coverage: Coverage, residual: dict[str, list[Instance]]
) -> dict[str, dict[str, float]]:
    """Workcenter -> employee -> hours of its remaining gaps they would cover once trained."""
    gains: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    unqualified: dict[tuple[date, str, str | None, Signature], list[PlannedShift]] = {}
    for wc, gaps in residual.items():
        sig = qualification.signature(wc)
        place = data.workcenter_building(wc)
        for gap in gaps:
            key = (gap.work_date, gap.shift_id, place, sig)
            people = unqualified.get(key)
            if people is None:
                qualified = qualification.qualified_set(sig, gap.work_date)
                people = unqualified[key] = [
                    shift
                    for shift in coverage.scheduled_near(gap.work_date, gap.shift_id, place)
                    if shift.employee_id not in qualified
                ]
            marginal = gap.marginal()
            for shift in people:
                covered = marginal - coverage.removal_loss(shift)
                if covered > 0:
                    gains[wc][shift.employee_id] += covered
    return gains


def _plan(data: SkillsInput, index: CertIndex, qualification: Qualification, person: str, sig: Signature) -> _Plan:
    """What `person` must learn for a requirement signature, as of as_of, and what it costs."""
    held = qualification.levels(person, data.as_of)
    held_groups = {data.skills[skill].group for skill in held if skill in data.skills}
    steps, effort, adjacent = [], 0.0, True
    for skill, level in sig:
        current = held.get(skill, 0)
        code = data.skill_code(skill)
        if current >= level:
            continue
        if index.blocking(person, skill, level, data.as_of) is not None:
            steps.append(f"{code} level {level} (renewal)")
            effort += RENEW_EFFORT
        elif current > 0:
            steps.append(f"{code} level {level} (from level {current})")
            effort += level - current
        else:
            group = data.skills[skill].group if skill in data.skills else None
            near = group is not None and group in held_groups
            adjacent = adjacent and near
            steps.append(f"{code} level {level} (new{'; an adjacent skill' if near else ''})")
            effort += level + (ADJACENT_EXTRA if near else DISTANT_EXTRA)
    return _Plan(tuple(steps), effort, adjacent)


class _Neighbours:
    """Similar workcenters: sharing a certification-required skill, or the department."""

    def __init__(self, data: SkillsInput, qualification: Qualification) -> None:
        self.data, self.qualification = data, qualification
        self.by_skill: dict[str, set[str]] = defaultdict(set)
        self.by_department: dict[str, set[str]] = defaultdict(set)
        for wc, info in data.workcenters.items():
            for skill, _ in qualification.signature(wc):
                self.by_skill[skill].add(wc)
            if info.department is not None:
                self.by_department[info.department].add(wc)

    def of(self, wc: str) -> set[str]:
        found: set[str] = set()
        for skill, _ in self.qualification.signature(wc):
            found |= self.by_skill[skill]
        info = self.data.workcenters.get(wc)
        if info is not None and info.department is not None:
            found |= self.by_department[info.department]
        found.discard(wc)
        return found


def _labor_hours(data: SkillsInput) -> dict[str, dict[str, float]]:
    hours: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for record in data.work:
        if record.kind == "labor" and record.end is not None:
            hours[record.employee_id][record.workcenter_id] += (record.end - record.start) / 3600
    return hours


def _scrap_rates(data: SkillsInput) -> dict[str, float]:
    produced: dict[str, float] = defaultdict(float)
    for record in data.work:
        if record.kind == "labor":
            produced[record.employee_id] += record.quantity
    scrapped: dict[str, float] = defaultdict(float)
    for scrap in data.scrap:
        scrapped[scrap.employee_id] += scrap.quantity
    return {person: scrapped.get(person, 0.0) / qty for person, qty in produced.items() if qty > 0}


def _reason(
    plan: _Plan, here: float, near: float, rate: float | None, median: float, gain: float, lookback: int
) -> str:
    parts = [("train for " if plan.steps else "") + ", ".join(plan.steps)]
    if here or near:
        parts.append(f"{here + near:.0f} h at this or similar workcenters in {lookback} days")
    if rate is not None:
        parts.append(f"scrap {rate:.1%} vs plant median {median:.1%}")
    parts.append(f"would cover {gain:.1f} h of at-risk work in the horizon")
    return "; ".join(parts)
