"""Operator, crew and shift scores over a window: efficiency, quality and reliability, each shrunk, with
an interval, funnel limits and a rank only where the data separates people.

Measures (`MEASURES`): efficiency (earned over productive hours: an entry's hours less its recorded
downtime; each person's robust location, normal-normal), scrap share of pieces and stops caused per
labor entry (two-part: how often times how much, each part shrunk), nonconformances per labor entry
(shrunk together with the scrapped share, `shrinkage.borrow`) and upheld validation findings per
worked day (beta-binomial; only when supervisors' decisions were read and some were made, otherwise the
report says why it is absent: `findings_absent`). Raw values and funnel limits are the plain ratios'. A
crew is the people of one supervisor, a shift the people whose default shift it is: teams are scored
like people, from their members' entries pooled.

A measure where nothing happened to anyone ranks nobody. Otherwise a rank comes from posterior
draws (normal at each estimate and interval, 400 draws, fixed seed): the median rank with its 90 %
interval, and the rank is given only when that interval spans at most a quarter of the people scored
and the person has at least `MIN_RANKED_ENTRIES` labor entries; otherwise the person is not separable
from the field, which is what the data says about most people with few entries. Funnel limits allow for
the plant's ordinary spread between people (`shrinkage.funnel_limits`), so outside them is rare.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby

import numpy as np
from scipy import stats

from plexlabor.analytics.inputs import EntryFacts, ScoreInputs
from plexlabor.analytics.report import (
    AbsentMeasure,
    MeasureScore,
    MeasureSummary,
    PartSummary,
    ScoresReport,
    UnitKind,
    UnitScores,
)
from plexlabor.analytics.shrinkage import (
    HUBER_EFFICIENCY,
    Z_INTERVAL,
    Estimate,
    Fit,
    Part,
    PartFit,
    as_part,
    beta_binomial,
    borrow,
    effective_counts,
    huber_location,
    normal_normal,
    product,
    rank_intervals,
)

RANK_DRAWS = 400
SEPARABLE_SHARE = 0.25
MIN_RANKED_ENTRIES = 10
"""Fewer labor entries than this: no rank, whatever the interval. Below it one odd entry (a miscounted
batch, a stop nobody recorded) is a tenth or more of the person's data, and the intervals, which rest
on the plant's typical entries, do not show that."""
MIN_BORROWING = 10
"""People with both scrap and entries needed to estimate how nonconformances go with scrap."""
DAY_BREAK_S = 6 * 3600
"""A pause between a person's labor entries longer than this starts another worked day: within a shift
entries are minutes to a couple of hours apart, and two shifts of one person at least 8 h."""


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
    """Each person's entries' earned over productive hours: the plain ratio (raw) and Huber's robust
    location (what is shrunk and what the funnel tests), whose sampling variance is the entries' robust
    spread over their count; entries scatter about a person's pace with a heavy tail (unrecorded stops,
    miscounts) that moves a ratio of sums far more than a robust location."""
    earned = [[e for e in rows if e.earned_hours is not None and e.hours > 0] for rows in units]
    weights = [np.array([e.productive_hours for e in rows]) for rows in earned]
    per_entry = [np.array([(e.earned_hours or 0.0) / e.productive_hours for e in rows]) for rows in earned]
    ratios = _weighted_means(per_entry, weights)[0]
    spread = [shares - np.median(shares) for shares in per_entry if len(shares) > 1]
    scale = float(stats.median_abs_deviation(np.concatenate(spread), scale="normal")) if spread else 0.0
    known = [i for i, rows in enumerate(earned) if rows]
    fit = normal_normal(
        [huber_location(per_entry[i], scale) for i in known],
        [scale**2 / (HUBER_EFFICIENCY * len(per_entry[i])) for i in known],
        [len(earned[i]) for i in known],
        scale**2,
        raw=[ratios[i] for i in known],
    )
    return _spread_back(fit, known, len(units))


def _weighted_means(values: Sequence[np.ndarray], weights: Sequence[np.ndarray]) -> tuple[list[float], list[float]]:
    """Each unit's weighted mean of its entries' values (NaN without entries) and its sampling variance:
    the pooled within-unit variance of the entries (weighted) times sum(w^2) / sum(w)^2."""
    means = [float((w * v).sum() / w.sum()) if len(v) else math.nan for v, w in zip(values, weights, strict=True)]
    residual, total, dof = 0.0, 0.0, 0
    for v, w, mean in zip(values, weights, means, strict=True):
        if len(v) > 1:
            residual += float((w * (v - mean) ** 2).sum())
            total += float(w.sum())
            dof += len(v) - 1
    entries = sum(len(v) for v in values)
    within = residual / total * entries / max(1, dof) if total else 0.0
    variances = [within * float((w**2).sum()) / float(w.sum()) ** 2 if len(w) else math.nan for w in weights]
    return means, variances


def _spread_back(fit: Fit, known: list[int], count: int) -> Fit:
    """Units without data get the plant's value, an interval of the field's spread and no funnel."""
    by_unit = dict(zip(known, fit.estimates, strict=True))
    empty = _empty_estimate(fit)
    estimates = tuple(by_unit.get(i, empty) for i in range(count))
    return Fit(fit.target, fit.spread, fit.dispersion, estimates, fit.funnel_spread)


def _empty_estimate(fit: Fit) -> Estimate:
    half = Z_INTERVAL * fit.spread
    return Estimate(fit.target, fit.target, fit.target - half, fit.target + half, 0.0, -np.inf, np.inf)


def _scrap(units: Sequence[Sequence[EntryFacts]], _: Sequence[int]) -> Fit:
    """Two-part: how often a person's entries record scrap times the scrapped share of the pieces of
    those entries; raw and funnel from the plain share (effective counts: pieces of one entry are
    scrapped together)."""
    scrap = [[e.scrap for e in rows] for rows in units]
    pieces = [[e.pieces + e.scrap for e in rows] for rows in units]
    effective_x, effective_n = effective_counts(scrap, pieces)
    if not any(effective_n):  # nobody scrapped anything: the plain counts say so
        effective_x, effective_n = [sum(x) for x in scrap], [sum(n) for n in pieces]
    rate = beta_binomial(effective_x, effective_n, [sum(n) for n in pieces])
    often = beta_binomial(
        [sum(1 for e in rows if e.scrap > 0) for rows in units],
        [sum(1 for e in rows if e.pieces + e.scrap > 0) for rows in units],
    )
    values, variances = _scrap_severity(units)
    known = [i for i, value in enumerate(values) if not math.isnan(value)]
    if not (rate.estimates and known):
        return rate
    much = normal_normal(
        [values[i] for i in known], [variances[i] for i in known], [len(_with_scrap(units[i])) for i in known]
    )
    return product(rate, often, _spread_back(much, known, len(units)))


def _scrap_severity(units: Sequence[Sequence[EntryFacts]]) -> tuple[list[float], list[float]]:
    """Each unit's scrapped share of the pieces of its entries with scrap (NaN without one), and its
    sampling variance."""
    hits = [_with_scrap(rows) for rows in units]
    pieces = [np.array([e.pieces + e.scrap for e in rows]) for rows in hits]
    shares = [
        np.array([e.scrap for e in rows]) / n if len(rows) else np.array([])
        for rows, n in zip(hits, pieces, strict=True)
    ]
    return _weighted_means(shares, pieces)


def _with_scrap(rows: Sequence[EntryFacts]) -> list[EntryFacts]:
    """The entries that made pieces and scrapped some of them."""
    return [e for e in rows if e.scrap > 0 and e.pieces + e.scrap > 0]


def _caused_stops(units: Sequence[Sequence[EntryFacts]], _: Sequence[int]) -> Fit:
    """Two-part: how often a person's entries have a machine stop times the share of their stops with
    an operator reason; raw and funnel from the plain share of entries with a stop they caused."""
    rate = beta_binomial([sum(min(1, e.caused_stops) for e in rows) for rows in units], [len(rows) for rows in units])
    often = beta_binomial([sum(min(1, e.stops) for e in rows) for rows in units], [len(rows) for rows in units])
    much = beta_binomial(
        [sum(e.caused_stops for e in rows) for rows in units], [sum(e.stops for e in rows) for rows in units]
    )
    if not (rate.estimates and often.estimates and much.estimates):
        return rate
    return product(rate, often, much)


def _nonconformances(units: Sequence[Sequence[EntryFacts]], _: Sequence[int]) -> Fit:
    """Nonconformances per entry, shrunk together with the scrapped share of entries with scrap
    (`borrow`): where the plant's people who scrap more are also found with more nonconformances, a
    person's few findings are read with their scrap; raw and funnel from the plain share."""
    found = np.array([sum(min(1, e.nonconformances) for e in rows) for rows in units], float)
    entries = np.array([len(rows) for rows in units], float)
    rate = beta_binomial(found.tolist(), entries.tolist())
    severity, severity_variances = _scrap_severity(units)
    together = sum(1 for value, n in zip(severity, entries, strict=True) if n and not math.isnan(value))
    if not rate.estimates or not 0 < rate.target < 1 or together < MIN_BORROWING:
        return rate
    share = np.divide(found, entries, out=np.full_like(found, np.nan), where=entries > 0)
    values = np.column_stack([severity, share])
    variances = np.column_stack([severity_variances, rate.target * (1 - rate.target) / np.maximum(entries, 1)])
    means, sds, between = borrow(values, variances)
    hits = [len(_with_scrap(rows)) for rows in units]
    estimates = tuple(
        Estimate(
            plain.raw,
            max(0.0, float(mean)),
            max(0.0, float(mean - Z_INTERVAL * sd)),
            max(0.0, float(mean + Z_INTERVAL * sd)),
            plain.volume,
            plain.funnel_low,
            plain.funnel_high,
            None,
            (
                ("alone", as_part(plain)),
                ("scrap", Part(0.0 if math.isnan(raw) else float(raw), float(scrap), float(hit))),
            ),
        )
        for plain, mean, sd, raw, scrap, hit in zip(
            rate.estimates, means[:, 1], sds[:, 1], severity, means[:, 0], hits, strict=True
        )
    )
    correlation = float(between[0, 1] / math.sqrt(between[0, 0] * between[1, 1]))
    sides = (
        PartFit("alone", rate.target, rate.spread),
        PartFit(
            "scrap", _precision_weighted(values[:, 0], variances[:, 0]), math.sqrt(between[0, 0]), correlation, together
        ),
    )
    return Fit(rate.target, math.sqrt(between[1, 1]), rate.dispersion, estimates, rate.funnel_spread, sides)


def _precision_weighted(values: np.ndarray, variances: np.ndarray) -> float:
    """The plant's value of a measure from its people's values (NaN: none) and sampling variances, as
    `borrow` centres it."""
    seen = ~np.isnan(values)
    weights = 1 / np.maximum(variances[seen], 1e-12)
    return float((weights * values[seen]).sum() / weights.sum())


def worked_days(entries: Sequence[EntryFacts]) -> int:
    """A person's worked days in `entries` (a team's: its members' added up): their stretches of labor
    entries with no pause of more than `DAY_BREAK_S` between them. Counted by the work, not the calendar,
    so a night or evening shift crossing midnight (in the plant's zone or in UTC) is one day, not two."""
    days = 0
    for _, rows in groupby(sorted(entries, key=lambda e: (e.employee_id, e.start)), key=lambda e: e.employee_id):
        until = -math.inf
        for entry in rows:
            days += entry.start - until > DAY_BREAK_S
            until = max(until, entry.end)
    return days


def _findings(units: Sequence[Sequence[EntryFacts]], upheld: Sequence[int]) -> Fit:
    """Upheld findings over worked days (`worked_days`), beta-binomial; a day's second upheld finding is
    not counted again (at most one a day: the decision does not say which day its finding was about)."""
    days = [worked_days(rows) for rows in units]
    return beta_binomial([min(u, d) for u, d in zip(upheld, days, strict=True)], days)


MEASURES: tuple[Measure, ...] = (
    Measure("efficiency", "Efficiency (earned / productive hours)", True, _efficiency),
    Measure("scrap_share", "Scrap share of pieces", False, _scrap),
    Measure("caused_stops_per_entry", "Stops caused per labor entry", False, _caused_stops),
    Measure("nonconformances_per_entry", "Nonconformances per labor entry", False, _nonconformances),
    Measure("upheld_findings_per_day", "Upheld validation findings per worked day", False, _findings, True),
)


def crews_of(inputs: ScoreInputs) -> dict[str, str]:
    """Each operator's crew: their supervisor's id, `-` for none (in employee id order)."""
    found: dict[str, str] = {}
    for employee_id in sorted(inputs.entries):
        employee = inputs.employees.get(employee_id)
        found[employee_id] = (employee.supervisor_id if employee else None) or "-"
    return found


def findings_absent(inputs: ScoreInputs) -> str | None:
    """Why upheld findings are not scored (None: they are): the decisions were not read, or no finding
    about the operators was decided in the window (no decision is not zero upheld findings)."""
    decisions = inputs.decisions
    if decisions.not_read:
        return decisions.not_read
    if not any(decisions.upheld.get(e, 0) + decisions.rejected.get(e, 0) for e in inputs.entries):
        return "no validation finding about these operators was decided in the window"
    return None


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
    why = findings_absent(inputs)
    absent = {m.name: AbsentMeasure(label=m.label, reason=why) for m in MEASURES if m.needs_findings and why}
    for kind, members in groups.items():
        units[kind] = _score_units(kind, members, inputs, summaries, absent)
    return ScoresReport(
        begin=inputs.begin,
        end=inputs.end,
        measures={name: dict(by_kind) for name, by_kind in summaries.items()},
        absent=absent,
        operators=units["operator"],
        crews=units["crew"],
        shifts=units["shift"],
    )


def _score_units(
    kind: UnitKind,
    members: Mapping[str, list[str]],
    inputs: ScoreInputs,
    summaries: dict[str, dict[UnitKind, MeasureSummary]],
    absent: Mapping[str, AbsentMeasure],
) -> list[UnitScores]:
    keys = sorted(members)
    entries = [[e for member in members[key] for e in inputs.entries.get(member, ())] for key in keys]
    decisions = inputs.decisions
    upheld = [sum(decisions.upheld.get(member, 0) for member in members[key]) for key in keys]
    scored: list[dict[str, MeasureScore]] = [{} for _ in keys]
    for measure in MEASURES:
        if measure.name in absent:
            continue
        fit = measure.fit(entries, upheld)
        ranks = _ranks(fit, measure.higher_is_better, [len(rows) for rows in entries])
        summaries[measure.name][kind] = MeasureSummary(
            label=measure.label,
            higher_is_better=measure.higher_is_better,
            target=fit.target,
            spread=fit.spread,
            dispersion=fit.dispersion,
            funnel_spread=fit.funnel_spread,
            outside_funnel=sum(1 for e in fit.estimates if e.outside_funnel),
            ranked=sum(1 for r in ranks if r[0] is not None),
            parts={
                part.name: PartSummary(
                    target=part.target, spread=part.spread, correlation=part.correlation, people=part.people
                )
                for part in fit.parts
            },
        )
        for i, (estimate, (rank, low, high)) in enumerate(zip(fit.estimates, ranks, strict=True)):
            scored[i][measure.name] = MeasureScore.of(estimate, rank, low, high)
    return [
        _unit(kind, key, members[key], inputs, len(entries[i]), scored[i], known=not absent)
        for i, key in enumerate(keys)
    ]


def _ranks(fit: Fit, higher_is_better: bool, entries: Sequence[int]) -> list[tuple[int | None, int, int]]:
    if not fit.estimates:
        return []
    if fit.target <= 0:  # nothing happened to anyone: nobody is separated
        return [(None, 1, len(fit.estimates))] * len(fit.estimates)
    mean = np.array([e.estimate for e in fit.estimates])
    sd = np.array([(e.high - e.low) / (2 * Z_INTERVAL) for e in fit.estimates])
    draws = np.random.default_rng(0).normal(mean, np.maximum(sd, 1e-12), size=(RANK_DRAWS, len(mean)))
    limit = max(1, SEPARABLE_SHARE * len(mean))
    places = np.empty(len(mean), int)
    places[np.argsort(-mean if higher_is_better else mean, kind="stable")] = np.arange(1, len(mean) + 1)
    ranked = []
    for place, (_, low, high), count in zip(places, rank_intervals(draws, higher_is_better), entries, strict=True):
        low, high = min(low, int(place)), max(high, int(place))
        ranked.append((int(place) if high - low <= limit and count >= MIN_RANKED_ENTRIES else None, low, high))
    return ranked


def _unit(
    kind: UnitKind,
    key: str,
    members: list[str],
    inputs: ScoreInputs,
    entries: int,
    measures: dict[str, MeasureScore],
    *,
    known: bool,
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
    decisions = inputs.decisions
    return UnitScores(
        kind=kind,
        key=key,
        label=label,
        department=department,
        members=len(members),
        entries=entries,
        measures=measures,
        findings_upheld=sum(decisions.upheld.get(m, 0) for m in members) if known else None,
        findings_rejected=sum(decisions.rejected.get(m, 0) for m in members) if known else None,
    )
