"""Operator, crew and shift scores over a window: efficiency, quality and reliability, each shrunk, with
an interval, funnel limits and a rank only where the data separates people.

Measures (`MEASURES`): efficiency (earned over actual hours, normal-normal), scrap share of pieces,
stops caused per labor entry, nonconformances per labor entry and upheld validation findings per
worked day (beta-binomial; `shrinkage`). A crew is the people of one supervisor, a shift the people
whose default shift it is: teams are scored like people, from their members' entries pooled.

A measure where nothing happened to anyone ranks nobody. Otherwise a rank comes from posterior
draws (normal at each estimate and interval, 400 draws, fixed seed): the median rank with its 90 %
interval, and the rank is given only when that interval spans at most a quarter of the people scored;
otherwise the person is not separable from the field, which is what the data says about most people
with few entries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from plexlabor.analytics.inputs import EntryFacts, ScoreInputs
from plexlabor.analytics.report import MeasureScore, MeasureSummary, ScoresReport, UnitKind, UnitScores
from plexlabor.analytics.shrinkage import (
    Z_INTERVAL,
    Estimate,
    Fit,
    beta_binomial,
    effective_counts,
    normal_normal,
    rank_intervals,
)

RANK_DRAWS = 400
SEPARABLE_SHARE = 0.25


@dataclass(frozen=True)
class Measure:
    name: str
    label: str
    higher_is_better: bool
    fit: Callable[[Sequence[Sequence[EntryFacts]], Sequence[int]], Fit]
    """Entries per unit, upheld findings per unit -> the fit of every unit."""
    needs_findings: bool = False
    """Scored only when the upheld findings are known (the audit table; not a plant folder)."""


def _efficiency(units: Sequence[Sequence[EntryFacts]], _: Sequence[int]) -> Fit:
    earned = [[e for e in rows if e.earned_hours is not None and e.hours > 0] for rows in units]
    ratios, weights = [], []
    for rows in earned:
        hours = np.array([e.hours for e in rows])
        ratios.append(float(sum(e.earned_hours or 0.0 for e in rows) / hours.sum()) if len(rows) else np.nan)
        weights.append(hours)
    residual, total, dof = 0.0, 0.0, 0
    for rows, ratio, hours in zip(earned, ratios, weights, strict=True):
        if len(rows) > 1:
            per_entry = np.array([(e.earned_hours or 0.0) / e.hours for e in rows])
            residual += float((hours * (per_entry - ratio) ** 2).sum())
            total += float(hours.sum())
            dof += len(rows) - 1
    entries_total = sum(len(rows) for rows in earned)
    within = residual / total * entries_total / max(1, dof) if total else 0.0
    known = [i for i, rows in enumerate(earned) if rows]
    variances = [within * float((weights[i] ** 2).sum()) / float(weights[i].sum()) ** 2 for i in known]
    fit = normal_normal([ratios[i] for i in known], variances, [len(earned[i]) for i in known], within)
    return _spread_back(fit, known, len(units))


def _spread_back(fit: Fit, known: list[int], count: int) -> Fit:
    """Units without data get the plant's value, an interval of the field's spread and no funnel."""
    by_unit = dict(zip(known, fit.estimates, strict=True))
    empty = _empty_estimate(fit)
    return Fit(fit.target, fit.spread, fit.dispersion, tuple(by_unit.get(i, empty) for i in range(count)))


def _empty_estimate(fit: Fit) -> Estimate:
    half = Z_INTERVAL * fit.spread
    return Estimate(fit.target, fit.target, fit.target - half, fit.target + half, 0.0, -np.inf, np.inf)


def _scrap(units: Sequence[Sequence[EntryFacts]], _: Sequence[int]) -> Fit:
    scrap = [[e.scrap for e in rows] for rows in units]
    pieces = [[e.pieces + e.scrap for e in rows] for rows in units]
    effective_x, effective_n = effective_counts(scrap, pieces)
    return beta_binomial(effective_x, effective_n, [sum(n) for n in pieces])


def _per_entry(count: Callable[[EntryFacts], int]) -> Callable[[Sequence[Sequence[EntryFacts]], Sequence[int]], Fit]:
    def fit(units: Sequence[Sequence[EntryFacts]], _: Sequence[int]) -> Fit:
        return beta_binomial([sum(min(1, count(e)) for e in rows) for rows in units], [len(rows) for rows in units])

    return fit


def _findings(units: Sequence[Sequence[EntryFacts]], upheld: Sequence[int]) -> Fit:
    days = [len({int(e.start // 86400) for e in rows}) for rows in units]
    return beta_binomial([min(u, d) for u, d in zip(upheld, days, strict=True)], days)


MEASURES: tuple[Measure, ...] = (
    Measure("efficiency", "Efficiency (earned / actual hours)", True, _efficiency),
    Measure("scrap_share", "Scrap share of pieces", False, _scrap),
    Measure("caused_stops_per_entry", "Stops caused per labor entry", False, _per_entry(lambda e: e.caused_stops)),
    Measure(
        "nonconformances_per_entry", "Nonconformances per labor entry", False, _per_entry(lambda e: e.nonconformances)
    ),
    Measure("upheld_findings_per_day", "Upheld validation findings per worked day", False, _findings, True),
)


def crews_of(inputs: ScoreInputs) -> dict[str, str]:
    """Each operator's crew: their supervisor's id, `-` for none (in employee id order)."""
    found: dict[str, str] = {}
    for employee_id in sorted(inputs.entries):
        employee = inputs.employees.get(employee_id)
        found[employee_id] = (employee.supervisor_id if employee else None) or "-"
    return found


def score(inputs: ScoreInputs) -> ScoresReport:
    """Every operator with a finished labor entry in the window, their crews and shifts."""
    operators = sorted(inputs.entries)
    crews: dict[str, list[str]] = defaultdict(list)
    shifts: dict[str, list[str]] = defaultdict(list)
    for employee_id, crew in crews_of(inputs).items():
        employee = inputs.employees.get(employee_id)
        crews[crew].append(employee_id)
        shifts[(employee.default_shift_code if employee else None) or "-"].append(employee_id)
    summaries: dict[str, dict[UnitKind, MeasureSummary]] = defaultdict(dict)
    units: dict[UnitKind, list[UnitScores]] = {}
    groups: dict[UnitKind, Mapping[str, list[str]]] = {
        "operator": {employee_id: [employee_id] for employee_id in operators},
        "crew": crews,
        "shift": shifts,
    }
    for kind, members in groups.items():
        units[kind] = _score_units(kind, members, inputs, summaries)
    return ScoresReport(
        begin=inputs.begin,
        end=inputs.end,
        measures={name: dict(by_kind) for name, by_kind in summaries.items()},
        operators=units["operator"],
        crews=units["crew"],
        shifts=units["shift"],
    )


def _score_units(
    kind: UnitKind,
    members: Mapping[str, list[str]],
    inputs: ScoreInputs,
    summaries: dict[str, dict[UnitKind, MeasureSummary]],
) -> list[UnitScores]:
    keys = sorted(members)
    entries = [[e for member in members[key] for e in inputs.entries.get(member, ())] for key in keys]
    findings = inputs.upheld_findings
    upheld = [sum((findings or {}).get(member, 0) for member in members[key]) for key in keys]
    scored: list[dict[str, MeasureScore]] = [{} for _ in keys]
    for measure in MEASURES:
        if measure.needs_findings and findings is None:
            continue
        fit = measure.fit(entries, upheld)
        ranks = _ranks(fit, measure.higher_is_better)
        summaries[measure.name][kind] = MeasureSummary(
            label=measure.label,
            higher_is_better=measure.higher_is_better,
            target=fit.target,
            spread=fit.spread,
            dispersion=fit.dispersion,
            outside_funnel=sum(1 for e in fit.estimates if e.outside_funnel),
            ranked=sum(1 for r in ranks if r[0] is not None),
        )
        for i, (estimate, (rank, low, high)) in enumerate(zip(fit.estimates, ranks, strict=True)):
            scored[i][measure.name] = MeasureScore.of(estimate, rank, low, high)
    return [_unit(kind, key, members[key], inputs, len(entries[i]), scored[i]) for i, key in enumerate(keys)]


def _ranks(fit: Fit, higher_is_better: bool) -> list[tuple[int | None, int, int]]:
    if not fit.estimates:
        return []
    if fit.target <= 0:  # nothing happened to anyone: nobody is separated
        return [(None, 1, len(fit.estimates))] * len(fit.estimates)
    mean = np.array([e.estimate for e in fit.estimates])
    sd = np.array([(e.high - e.low) / (2 * Z_INTERVAL) for e in fit.estimates])
    draws = np.random.default_rng(0).normal(mean, np.maximum(sd, 1e-12), size=(RANK_DRAWS, len(mean)))
    limit = max(1, SEPARABLE_SHARE * len(mean))
    return [
        (rank if high - low <= limit else None, low, high)
        for rank, low, high in rank_intervals(draws, higher_is_better)
    ]


def _unit(
    kind: UnitKind, key: str, members: list[str], inputs: ScoreInputs, entries: int, measures: dict[str, MeasureScore]
) -> UnitScores:
    employee = inputs.employees.get(key)
    label: str = key
    department: str | None = None
    if kind == "operator" and employee:
        label, department = employee.employee_no, employee.department_code
    elif kind == "crew":
        label = f"{employee.employee_no} crew" if employee else "no supervisor"
        department = employee.department_code if employee else None
    elif kind == "shift":
        label = f"shift {key}"
    return UnitScores(
        kind=kind, key=key, label=label, department=department, members=len(members), entries=entries, measures=measures
    )
