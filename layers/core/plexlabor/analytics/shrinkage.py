"""Empirical-Bayes estimates that do not rank a low-volume person on luck, and funnel-plot limits.

- Rates (scrap share of pieces, stops caused per entry, nonconformances per entry, upheld findings per
  day): beta-binomial. The prior Beta(a, b) is fitted by maximum marginal likelihood over everyone
  (SciPy); each person's posterior is Beta(a + x, b + n - x). When one trial is not independent of the
  next (pieces of one labor entry are scrapped together), the counts are effective ones
  (`effective_counts`: the sample size that gives the variance the entries' own spread shows).
- Efficiencies (earned over productive hours): normal-normal. Each person's value (a ratio, or Huber's
  robust location of their entries, `huber_location`) has a sampling variance from the pooled spread of
  their entries; the spread between people (tau^2) by DerSimonian-Laird's moments; the posterior mean
  pulls each value toward the plant's by tau^2 / (tau^2 + variance).
- Two-part rates (`product`): how often times how much, each part shrunk on its own.
- Measures that go together (`borrow`): multivariate normal-normal, the covariance between people by
  moments.
- Funnel limits (`funnel_limits`): the plant's value +- z standard errors at each volume, where the
  standard error adds to chance (the within-person spread: effective counts, entry-level variance)
  the ordinary spread between the plant's people, estimated from the data: Spiegelhalter 2005's
  additive random-effects funnel with winsorised z-scores. People do differ (pace, care), so limits of
  chance alone put almost half a plant outside; these put outside about 0.2 % of people who differ
  only as much as people there usually do, and the few who differ far more. Rates on Anscombe's
  arcsine scale, where chance's variance is about 1 / (4 n) whatever the rate, so one rare event in
  2 entries is not outside.

Written here, not taken from a library: scikit-learn and SciPy have no empirical-Bayes shrinkage of
grouped rates; SciPy gives the distributions and the optimizer this uses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats
from scipy.stats import mstats

Floats = Sequence[float] | np.ndarray
"""Per-person figures: a list, or the numpy array a caller already holds (each is read through `np.asarray`)."""
INTERVAL = 0.95
FUNNEL = 0.998
Z_INTERVAL = float(stats.norm.ppf(0.5 + INTERVAL / 2))
_Z_FUNNEL = float(stats.norm.ppf(0.5 + FUNNEL / 2))
WINSORISED = 0.1
"""Share of z-scores pulled in to the 10th and 90th percentile before the spread between people is
estimated (Spiegelhalter 2005), so the few far out, whom the funnel is to find, do not widen it."""
_WINSOR_C = float(stats.norm.ppf(1 - WINSORISED))
_WINSORISED_SQUARE = float(
    2 * stats.norm.cdf(_WINSOR_C) - 1 - 2 * _WINSOR_C * stats.norm.pdf(_WINSOR_C) + 2 * WINSORISED * _WINSOR_C**2
)
"""E[z^2] of a standard normal winsorised so (0.679): dividing by it makes the winsorised mean square
estimate the overdispersion without bias when the z-scores are normal."""


@dataclass(frozen=True)
class Part:
    """One part of a combined estimate (`product`'s how often and how much; the other measure `borrow` reads
    with a rate), so the page can say why the estimate lies where it does: the unit's own value of it
    (`volume` 0: none), its shrunk estimate, and the volume it rests on."""

    raw: float
    estimate: float
    volume: float


@dataclass(frozen=True)
class PartFit:
    """The plant's side of a part: its value, the spread between people in it, and (a part read together
    with the estimate's own measure) their correlation between people."""

    name: str
    target: float
    spread: float
    correlation: float | None = None
    people: int | None = None
    """How many people the correlation was estimated from."""


@dataclass(frozen=True)
class Estimate:
    """One person's (or team's) raw value, shrunk estimate with its interval, and funnel limits at their volume."""

    raw: float
    estimate: float
    low: float
    high: float
    volume: float
    funnel_low: float
    funnel_high: float
    funnel_value: float | None = None
    """The value the funnel tests when it is not the raw one (efficiency: the robust pace)."""
    parts: tuple[tuple[str, Part], ...] = ()
    """The parts the estimate was built from, by name (`Fit.parts` holds the plant's side)."""

    @property
    def outside_funnel(self) -> str | None:
        tested = self.raw if self.funnel_value is None else self.funnel_value
        if tested > self.funnel_high:
            return "high"
        if tested < self.funnel_low:
            return "low"
        return None


@dataclass(frozen=True)
class Fit:
    """What the estimates of one measure rest on."""

    target: float
    """The plant's value: pooled rate, or the weighted mean efficiency."""
    spread: float
    """Between people: the prior's standard deviation."""
    dispersion: float
    """Within people: phi for rates (1 = binomial), the entry-level variance for efficiencies."""
    estimates: tuple[Estimate, ...]
    funnel_spread: float = 0.0
    """The spread between people the funnel limits allow for (0: chance alone), in the measure's units
    at the plant's value (`funnel_limits`)."""
    parts: tuple[PartFit, ...] = ()
    """The parts each estimate was built from (`Estimate.parts`), the plant's side."""


@dataclass(frozen=True)
class Funnel:
    """Funnel limits at each unit's volume, and the spread between units they allow for."""

    low: np.ndarray
    high: np.ndarray
    spread: float
    """tau on the scale the limits were set on."""


def funnel_limits(values: np.ndarray, variances: np.ndarray, target: float) -> Funnel:
    """99.8 % limits around `target` for `values` with chance's `variances` (inf: no data), allowing
    for the spread between units beyond chance: Spiegelhalter's (2005, "Funnel plots for comparing
    institutional performance", section 5.2) additive random effects. The z-scores against the target
    are winsorised at 10 % and 90 % (SciPy), their mean square is the overdispersion phi, and
    tau^2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w), w = 1 / variance (0 when I phi <= I - 1:
    chance alone explains the spread); the limits are target +- z sqrt(variance + tau^2). The mean
    square is divided by what a standard normal's winsorised one is (`_WINSORISED_SQUARE`), so that with
    normal effects and no outlier phi is not underestimated by a third and about 0.2 % fall outside.
    Written here: neither SciPy nor scikit-learn has funnel limits (statsmodels' meta-analysis is not a
    dependency and has no winsorised estimate)."""
    v = np.asarray(variances, float)
    known = np.isfinite(v) & (v > 0)
    tau2 = 0.0
    if known.sum() > 1:
        z = (np.asarray(values, float)[known] - target) / np.sqrt(v[known])
        phi = float(np.mean(np.asarray(mstats.winsorize(z, limits=(WINSORISED, WINSORISED))) ** 2))
        phi /= _WINSORISED_SQUARE
        count, w = int(known.sum()), 1 / v[known]
        tau2 = max(0.0, (count * phi - (count - 1)) / float(w.sum() - (w**2).sum() / w.sum()))
    half = _Z_FUNNEL * np.sqrt(np.where(known, v, np.inf) + tau2)
    return Funnel(target - half, target + half, math.sqrt(tau2))


def _rate_funnel(x: np.ndarray, n: np.ndarray, pooled: float) -> tuple[np.ndarray, np.ndarray, float]:
    """`funnel_limits` of rates x / n on Anscombe's arcsine scale, asin(sqrt((x + 3/8) / (n + 3/4))) with
    chance's variance 1 / (4 n + 2) whatever the rate, back on the rate scale at each n, and the spread
    they allow for at the plant's rate (delta method). Anscombe's 3/8, not the plain arcsine: with a
    rare event a count of 0 in a few hundred entries is common, and the plain arcsine puts it far
    below the plant."""
    scaled = np.arcsin(np.sqrt(np.clip((x + 0.375) / (n + 0.75), 0.0, 1.0)))
    variances = np.divide(1.0, 4 * n + 2, out=np.full_like(n, np.inf), where=n > 0)
    funnel = funnel_limits(scaled, variances, math.asin(math.sqrt(pooled)))
    counts = (np.sin(np.clip(limit, 0, math.pi / 2)) ** 2 * (n + 0.75) - 0.375 for limit in (funnel.low, funnel.high))
    low, high = (
        np.clip(np.divide(count, n, out=empty, where=n > 0), 0, 1)
        for count, empty in zip(counts, (np.zeros_like(n), np.ones_like(n)), strict=True)
    )
    return low, high, 2 * funnel.spread * math.sqrt(pooled * (1 - pooled))


def effective_counts(
    successes: Sequence[Sequence[float]], trials: Sequence[Sequence[float]]
) -> tuple[list[float], list[float]]:
    """Per person, the binomial counts (x, n) with the same rate and the same sampling variance as their
    entries show, when entries are not sums of independent trials (pieces of one entry are scrapped
    together). The variance of a person's ratio sum(x)/sum(n) is the pooled within-person variance of
    the entries' shares (weighted by trials) times sum(n_j^2)/sum(n_j)^2, so a long entry counts for
    less than its pieces; n_eff = p(1 - p) / variance at the pooled rate p, never more than the trials."""
    xs = [np.asarray(x, float) for x in successes]
    ns = [np.asarray(n, float) for n in trials]
    total_x, total_n = sum(float(x.sum()) for x in xs), sum(float(n.sum()) for n in ns)
    if total_n <= 0:
        return [0.0] * len(ns), [0.0] * len(ns)
    pooled = total_x / total_n
    residual, weight, dof = 0.0, 0.0, 0
    for x, n in zip(xs, ns, strict=True):
        keep = n > 0
        if keep.sum() > 1:
            share = x[keep] / n[keep]
            own = x[keep].sum() / n[keep].sum()
            residual += float((n[keep] * (share - own) ** 2).sum())
            weight += float(n[keep].sum())
            dof += int(keep.sum()) - 1
    entries = sum(int((n > 0).sum()) for n in ns)
    within = residual / weight * entries / dof if dof and weight else pooled * (1 - pooled)
    counts_x, counts_n = [], []
    for x, n in zip(xs, ns, strict=True):
        if n.sum() <= 0:
            counts_x.append(0.0)
            counts_n.append(0.0)
            continue
        variance = max(within * float((n**2).sum()) / float(n.sum()) ** 2, 1e-15)
        n_eff = min(float(n.sum()), pooled * (1 - pooled) / variance)
        counts_n.append(n_eff)
        counts_x.append(float(x.sum()) / float(n.sum()) * n_eff)
    return counts_x, counts_n


def beta_binomial(successes: Floats, trials: Floats, volumes: Floats | None = None) -> Fit:
    """Shrunk rates of people with `successes` of `trials` (binomial or effective counts); `volumes`
    are what the report shows as each one's volume (default: the trials)."""
    x = np.asarray(successes, float)
    n = np.asarray(trials, float)
    shown = n if volumes is None else np.asarray(volumes, float)
    dispersion = float(shown.sum() / n.sum()) if n.sum() > 0 else 1.0
    if len(n) == 0 or n.sum() <= 0:
        return Fit(0.0, 0.0, dispersion, ())
    pooled = float(x.sum() / n.sum())
    a, b = _fit_beta_prior(x, n, pooled)
    post_a, post_b = a + x, b + n - x
    low, high = stats.beta.ppf([(1 - INTERVAL) / 2, (1 + INTERVAL) / 2], post_a[:, None], post_b[:, None]).T
    funnel_low, funnel_high, funnel_spread = _rate_funnel(x, n, pooled)
    raw = np.divide(x, n, out=np.full_like(x, pooled), where=n > 0)
    estimates = tuple(
        Estimate(
            float(raw[i]),
            float(post_a[i] / (post_a[i] + post_b[i])),
            float(low[i]),
            float(high[i]),
            float(shown[i]),
            float(funnel_low[i]),
            float(funnel_high[i]),
        )
        for i in range(len(n))
    )
    spread = math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    return Fit(pooled, spread, dispersion, estimates, funnel_spread)


def _fit_beta_prior(x: np.ndarray, n: np.ndarray, pooled: float) -> tuple[float, float]:
    """Beta(a, b) maximising the beta-binomial marginal likelihood; a tight prior at `pooled` when it
    cannot be fitted (everyone 0, or no spread beyond chance)."""
    if not 0 < pooled < 1:
        return (1e-3, 1e3) if pooled <= 0 else (1e3, 1e-3)

    def minus_log_likelihood(log_ab: np.ndarray) -> float:
        a, b = np.exp(log_ab)
        return -float((special.betaln(x + a, n - x + b) - special.betaln(a, b)).sum())

    start = np.log([pooled * 10, (1 - pooled) * 10])
    found = optimize.minimize(minus_log_likelihood, start, method="L-BFGS-B", bounds=[(-7, 14), (-7, 14)])
    a, b = np.exp(found.x)
    return float(a), float(b)


HUBER_K = 1.345
"""Huber's tuning constant: 95 % efficient when the entries are normal."""
HUBER_EFFICIENCY = 0.95


def huber_location(values: np.ndarray, scale: float, steps: int = 30) -> float:
    """Huber's M-estimate of the location of `values` with a known `scale` (iteratively reweighted from
    the median): entries far out (a stop nobody recorded, a miscounted batch) pull it by at most
    HUBER_K scales each. Written here because SciPy has no M-estimator of location."""
    location = float(np.median(values))
    if scale <= 0 or len(values) < 3:
        return float(np.mean(values)) if scale <= 0 else location
    for _ in range(steps):
        weights = np.minimum(1.0, HUBER_K * scale / np.maximum(np.abs(values - location), 1e-12))
        moved = float((weights * values).sum() / weights.sum())
        if abs(moved - location) < 1e-9 * scale:
            return moved
        location = moved
    return location


def normal_normal(
    values: Floats,
    variances: Floats,
    volumes: Floats,
    within: float = 0.0,
    *,
    raw: Floats | None = None,
) -> Fit:
    """Shrunk means of people with `values`, their sampling `variances` and `volumes` (entries)
    (DerSimonian-Laird tau^2); `within` is the entry-level variance the variances come from. When the
    values are not the plain ratios (a robust location), `raw` are the ratios the report shows; the
    funnel tests the values (`Estimate.funnel_value`): one entry far out moves a ratio of sums outside
    limits that a person's pace never leaves."""
    y = np.asarray(values, float)
    v = np.maximum(np.asarray(variances, float), 1e-12)
    shown = y if raw is None else np.asarray(raw, float)
    if len(y) == 0:
        return Fit(0.0, 0.0, within, ())
    w = 1 / v
    mean_fixed = float((w * y).sum() / w.sum())
    q = float((w * (y - mean_fixed) ** 2).sum())
    tau2 = max(0.0, (q - (len(y) - 1)) / (w.sum() - (w**2).sum() / w.sum())) if len(y) > 1 else 0.0
    w_random = 1 / (v + tau2)
    mean = float((w_random * y).sum() / w_random.sum())
    pull = tau2 / (tau2 + v)
    post_mean = mean + pull * (y - mean)
    post_sd = np.sqrt(pull * v) if tau2 > 0 else np.sqrt(1 / w_random.sum()) * np.ones_like(y)
    limits = funnel_limits(y, v, mean)
    estimates = tuple(
        Estimate(
            float(shown[i]),
            float(post_mean[i]),
            float(post_mean[i] - Z_INTERVAL * post_sd[i]),
            float(post_mean[i] + Z_INTERVAL * post_sd[i]),
            float(volumes[i]),
            float(limits.low[i]),
            float(limits.high[i]),
            None if raw is None else float(y[i]),
        )
        for i in range(len(y))
    )
    return Fit(mean, math.sqrt(tau2), within, estimates, limits.spread)


def interval_sd(estimate: Estimate) -> float:
    """The standard deviation a normal with the estimate's 95 % interval would have."""
    return (estimate.high - estimate.low) / (2 * Z_INTERVAL)


def product(rate: Fit, often: Fit, much: Fit) -> Fit:
    """A two-part (hurdle) estimate: each person's rate as how often it happens (`often`, e.g. entries
    with scrap) times how much when it does (`much`, e.g. the scrapped share of those entries), each part
    shrunk on its own, so a part that does not differ between people is pulled to the plant's value and
    adds no noise. Raw values, volumes and funnel limits are those of the plain rate's fit (`rate`); the
    interval is the product's by the delta method."""
    found = []
    for plain, p, q in zip(rate.estimates, often.estimates, much.estimates, strict=True):
        sd_p, sd_q = interval_sd(p), interval_sd(q)
        mean = p.estimate * q.estimate
        sd = math.sqrt((q.estimate * sd_p) ** 2 + (p.estimate * sd_q) ** 2 + (sd_p * sd_q) ** 2)
        low, high = max(0.0, mean - Z_INTERVAL * sd), mean + Z_INTERVAL * sd
        parts = (("often", as_part(p)), ("much", as_part(q)))
        limits = plain.funnel_low, plain.funnel_high
        found.append(Estimate(plain.raw, mean, low, high, plain.volume, *limits, None, parts))
    spread = math.hypot(much.target * often.spread, often.target * much.spread)
    sides = (PartFit("often", often.target, often.spread), PartFit("much", much.target, much.spread))
    return Fit(rate.target, spread, rate.dispersion, tuple(found), rate.funnel_spread, sides)


def as_part(estimate: Estimate) -> Part:
    """An estimate as a part of another one."""
    return Part(estimate.raw, estimate.estimate, estimate.volume)


def borrow(values: np.ndarray, variances: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Multivariate normal-normal over measures that go together (columns): each person's posterior
    means and standard deviations, and the covariance between people. That covariance (the spread
    between people and how the measures go together) is the observed covariance less the mean sampling
    variance, from the people with every measure (clipped to a valid covariance); a missing value (NaN)
    has no weight. With no correlation
    between people each column is shrunk on its own, as `normal_normal` does."""
    observed = ~np.isnan(values)
    variances = np.where(observed, np.maximum(variances, 1e-12), np.inf)
    weights = np.where(observed, 1 / variances, 0.0)
    mean = (weights * np.nan_to_num(values)).sum(axis=0) / weights.sum(axis=0)
    complete = observed.all(axis=1)
    between = np.cov(values[complete].T) - np.diag(variances[complete].mean(axis=0))
    eigen, vectors = np.linalg.eigh(np.atleast_2d(between))
    between = vectors @ np.diag(np.maximum(eigen, 1e-12 * np.abs(eigen).max(initial=1e-12))) @ vectors.T
    means, sds = np.empty_like(values), np.empty_like(values)
    for i in range(len(values)):
        seen = observed[i]
        cross = between[:, seen]
        gain = cross @ np.linalg.inv(between[np.ix_(seen, seen)] + np.diag(variances[i, seen]))
        means[i] = mean + gain @ (values[i, seen] - mean[seen])
        sds[i] = np.sqrt(np.maximum(np.diag(between - gain @ cross.T), 0.0))
    return means, sds, between


def rank_intervals(draws: np.ndarray, higher_is_better: bool, coverage: float = 0.9) -> list[tuple[int, int, int]]:
    """(median, low, high) rank of each column of posterior `draws` (rows: draws), 1 = best."""
    order = -draws if higher_is_better else draws
    ranks = order.argsort(axis=1).argsort(axis=1) + 1
    low, mid, high = np.quantile(ranks, [(1 - coverage) / 2, 0.5, (1 + coverage) / 2], axis=0)
    return [(round(m), math.floor(lo), math.ceil(hi)) for m, lo, hi in zip(mid, low, high, strict=True)]
