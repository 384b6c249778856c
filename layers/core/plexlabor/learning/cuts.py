"""A plant's cuts: per finding type, the magnitude below which its supervisors reject what is sent.

E.g. a plant whose supervisors reject EARLY_CLOCK_IN under 20 minutes beyond the grace: its cut is
`beyond_grace_min` 20, and the validator logs such findings as trends instead of sending them
(`ScorerModel.below_cut`). Learned the same way as the scorer, with the same time-ordered split:

- `fit_cut` on the training (older) decisions of one type: a one-sided decision stump on the type's
  magnitude (`scorer.MAGNITUDE`): the minimum that maximises the reviews it spares (rejected findings
  below it) minus `miss_cost` times the upheld findings it would keep from review; none unless the decisions
  below it are expected to spare more than they cost, the share upheld below taken by Laplace's rule of
  succession (`expected_net`: so a handful of rejected decisions is evidence, one is not). The cut sits just
  above the largest magnitude a supervisor rejected below it, never in the undecided gap above. (A stump over
  sorted values is a dozen lines; scikit-learn's trees minimise impurity, not this asymmetric cost, and the
  Lambda would import it.)
- `check_cut` on the held-out (newest) decisions of the type: a cut that costs more than it spares there
  is dropped. The whole candidate, cuts applied, then faces the promotion gate (`promotion.evaluate`).
- A type whose decisions fit no cut keeps the model in force's cut (the model in force sends nothing
  below it, so no new decision can refit it), unless the newest decisions contradict it.

A type with no cut on its magnitude (rule types have none) may get one on the model's confidence
instead: a **review threshold** for the type above the global one (`engine.CONFIDENCE`; the validator
applies both kinds through `engine.held_back`). `fit_threshold` on the training decisions of the type
the model in force sends: the lowest confidence from which the upheld ones reach `threshold_precision`,
never one that keeps more upheld findings from review than the gate's recall tolerance allows; checked
on the newest decisions by `check_threshold` (recall kept within the tolerance, precision above
the threshold no lower than overall). Thresholds only rise: the decisions cover what the
model in force sent, so nothing says how supervisors would decide findings below the global threshold.

Each type's outcome (cut, counts, or why none) goes in the candidate's card (`notes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from math import floor, inf
from typing import Any

from plexlabor.learning.promotion import EPSILON, GateSettings, confidence
from plexlabor.validation.decisions import approved
from plexlabor.validation.engine import CONFIDENCE
from plexlabor.validation.findings import Finding
from plexlabor.validation.scorer import MAGNITUDE, MagnitudeCut, ScorerModel, family_of


@dataclass(frozen=True)
class CutSettings:
    min_decisions: int = 10
    """Decisions of a type sent on confidence in the training window a plant needs before the type gets a review
    threshold. (It held magnitude cuts too until 2026-12-06, with `min_below`; a magnitude cut now needs only the
    evidence `expected_net` weighs: with 10 of each, a type sent 1-6 times a week, as early clock-ins under a
    plant's tolerance are, waited past week 4 for its cut on development seeds 99-101.)"""
    min_below: int = 10
    """Decisions that must lie below a type's review threshold for it to be learned."""
    miss_cost: float = 4.0
    """An upheld finding kept from review costs this many spared reviews."""
    threshold_precision: float = 0.95
    """A type's review threshold rises until its upheld findings reach this precision (and no further)."""
    line_credibility: float = 0.05
    """A magnitude cut sits no higher than the magnitude below which the plant's line lies with this probability
    (`credible_line`): one wrong rejection above the line does not carry the cut past it."""


def _magnitudes(rows: Sequence[Finding]) -> tuple[str | None, list[tuple[float, bool]]]:
    """The type's magnitude feature and (magnitude, upheld) of the rows that carry it, smallest first."""
    feature = None
    pairs = []
    for row in rows:
        features = row.evidence.get("features") or {}
        feature = feature or MAGNITUDE.get(family_of(features))
        if feature is not None and feature in features:
            pairs.append((float(features[feature]), approved(row)))
    return feature, sorted(pairs)


def _net(pairs: Sequence[tuple[float, bool]], minimum: float, miss_cost: float) -> tuple[int, int, float]:
    """(decisions below `minimum`, upheld among them, reviews spared minus the cost of upheld ones kept)."""
    below = [upheld for value, upheld in pairs if value < minimum]
    upheld = sum(below)
    return len(below), upheld, (len(below) - upheld) - miss_cost * upheld


def expected_net(below: int, upheld: int, miss_cost: float) -> float:
    """Reviews a cut below which `below` decisions lie, `upheld` of them upheld, is expected to spare per finding
    below it, minus `miss_cost` times the upheld findings it is expected to keep from review: the share upheld
    below estimated by Laplace's rule of succession ((upheld + 1) / (below + 2), a uniform prior). Positive when
    that share is under 1 / (1 + miss_cost): from 4 rejected decisions and none upheld, from 9 with one upheld. (A
    count of decisions below, 10 until 2026-12-06, is not evidence: 10 rejected of 10 and 12 of 13 weigh alike.)"""
    share = (upheld + 1) / (below + 2)
    return (1 - share) - miss_cost * share


def credible_line(pairs: Sequence[tuple[float, bool]], noise: float, credibility: float) -> float:
    """The magnitude below which the plant's line (rejected below it, upheld from it) lies with probability
    `credibility`, given the decisions `pairs` (magnitude, upheld; smallest first) each of which contradicts the
    line with probability `noise`: the line's posterior is uniform within each gap between two decisions
    (a flat prior on where it is), weighted by noise ** (decisions the line there contradicts). A lower credible
    bound, not the best guess: a single rejection above the line, or one upheld finding below it, weighs a gap
    by the noise alone (0.05), so from a few decisions it cannot carry the cut across a wide gap (development seed
    102: one rejected early clock-in of 26.7 min, the plant's line 25, drew a cut to 26.709 and two upheld of 25.4
    and 26.1 went unsent). Above the largest decision the gap is taken as wide as the decisions' range (nothing
    bounds a line above them: a type rejected every time is cut above its largest). (The posterior over
    a dozen gaps is a few lines; scipy has no step-change model with a noise rate.)"""
    values = [value for value, _ in pairs]
    edges = [min(0.0, values[0]), *values, values[-1] + (values[-1] - values[0] or 1.0)]
    upheld_below, rejected_above = 0, sum(not upheld for _, upheld in pairs)
    weights = []
    for i, (low, high) in enumerate(pairwise(edges)):  # the line in [low, high): pairs[:i] below it
        if i:
            upheld_below += pairs[i - 1][1]
            rejected_above -= not pairs[i - 1][1]
        contradicted = upheld_below + rejected_above
        weights.append((high - low) * noise**contradicted * (1 - noise) ** (len(pairs) - contradicted))
    mass, total = 0.0, sum(weights)
    for (low, high), weight in zip(pairwise(edges), weights, strict=True):
        if weight and mass + weight >= credibility * total:
            return low + (high - low) * (credibility * total - mass) / weight
        mass += weight
    return edges[-1]


def fit_cut(
    rows: Sequence[Finding], settings: CutSettings, noise: float = GateSettings.noise_share
) -> tuple[MagnitudeCut | None, str]:
    """The cut the decisions of one type support, or None and why: of the minima between two decisions' magnitudes,
    the one whose decisions below it spare the most reviews net of the upheld ones it keeps from review, if they are
    expected to spare more than they cost (`expected_net`). The cut sits just above the largest magnitude below it,
    not in the gap up to the next decision: nothing was decided in that gap (at its middle, a cut learned from a
    few decisions reached past the policy's line and kept upheld findings from review), and no higher than the
    credible lower bound of the plant's line (`credible_line`, with decision `noise`), so that one wrong rejection
    above the line does not carry it there."""
    feature, pairs = _magnitudes(rows)
    if feature is None:
        return None, "no magnitude to cut on"
    best: tuple[float, float] | None = None  # (net, largest magnitude below)
    below = upheld = 0
    for (low, kept), (high, _) in pairwise([*pairs, (inf, False)]):  # one pass: counts up to `low`
        below, upheld = below + 1, upheld + kept
        net = (below - upheld) - settings.miss_cost * upheld
        if high > low and expected_net(below, upheld, settings.miss_cost) > 0 and (best is None or net > best[0]):
            best = (net, low)
    if best is None:
        return None, "no minimum is expected to spare more reviews than it drops upheld findings"
    line = credible_line(pairs, noise, settings.line_credibility)
    minimum = round(min(best[1] + 0.001, line), 3)  # a thousandth above it, rounded: above it still
    below, upheld, _ = _net(pairs, minimum, settings.miss_cost)
    if expected_net(below, upheld, settings.miss_cost) <= 0:
        return None, f"the plant's line may lie as low as {line:.3f}: too few decisions below it for a cut"
    return MagnitudeCut(feature, minimum, len(pairs), below, upheld), "learned"


def check_cut(cut: MagnitudeCut, rows: Sequence[Finding], settings: CutSettings) -> dict[str, Any]:
    """How the cut does on the newest decisions of its type: decisions below it, upheld among them, and
    whether it holds (it spares at least what it costs there)."""
    _, pairs = _magnitudes(rows)
    below, upheld, net = _net(pairs, cut.minimum, settings.miss_cost)
    return {"decisions": len(pairs), "below": below, "upheld_below": upheld, "holds": net >= 0}


def _confidences(model: ScorerModel, rows: Sequence[Finding], threshold: float) -> list[tuple[float, bool]]:
    """(the model's confidence, upheld) of the rows it would send on confidence alone, smallest first; the
    confidence rounded as the validator rounds it (`engine._confidence`), so a learned minimum is one it sees."""
    return sorted((c, approved(row)) for row in rows if (c := round(confidence(model, row), 4)) >= threshold)


def _allowed_misses(upheld: int, gate: GateSettings) -> int:
    """How many upheld findings a threshold may keep from review: the gate's recall tolerance of them."""
    return floor(gate.tolerance * upheld + EPSILON)


def fit_threshold(
    model: ScorerModel, rows: Sequence[Finding], settings: CutSettings, gate: GateSettings
) -> tuple[MagnitudeCut | None, str]:
    """The type's review threshold its decisions support (a cut on `model`'s confidence), or None and why:
    the lowest confidence above the global threshold from which the upheld findings reach
    `threshold_precision`, keeping at least `min_below` decisions and at most the tolerance of the upheld
    ones below it."""
    pairs = _confidences(model, rows, gate.review_threshold)
    if len(pairs) < settings.min_decisions:
        return None, f"{len(pairs)} decisions sent, fewer than {settings.min_decisions}"
    upheld = sum(kept for _, kept in pairs)
    if upheld >= settings.threshold_precision * len(pairs) - EPSILON:
        return (
            None,
            f"precision {upheld / len(pairs):.3f} at the global threshold reaches {settings.threshold_precision}",
        )
    if pairs[0][0] == pairs[-1][0]:
        return None, "one confidence for every finding of the type (a rule's prior): no threshold separates them"
    allowed = _allowed_misses(upheld, gate)
    below = upheld_below = 0
    for (low, kept), (high, _) in pairwise(pairs):  # one pass, lowest first: counts below `high`
        below, upheld_below = below + 1, upheld_below + kept
        if upheld_below > allowed:
            break
        above = len(pairs) - below
        if high > low and below >= settings.min_below and upheld - upheld_below >= settings.threshold_precision * above:
            return MagnitudeCut(CONFIDENCE, high, len(pairs), below, upheld_below), "learned"  # sent from `high`
    return None, f"no threshold reaches precision {settings.threshold_precision} without losing upheld findings"


def check_threshold(
    cut: MagnitudeCut, model: ScorerModel, rows: Sequence[Finding], gate: GateSettings
) -> dict[str, Any]:
    """How the threshold does on the newest decisions of its type the model sends: it holds when it keeps
    no more upheld findings from review than the tolerance and the precision above it is not lower."""
    pairs = _confidences(model, rows, gate.review_threshold)
    upheld = sum(kept for _, kept in pairs)
    above = [kept for value, kept in pairs if value >= cut.minimum]
    upheld_below = upheld - sum(above)
    precision = sum(above) / len(above) if above else 0.0
    holds = upheld_below <= _allowed_misses(upheld, gate) and (not pairs or precision >= upheld / len(pairs) - EPSILON)
    return {"decisions": len(pairs), "below": len(pairs) - len(above), "upheld_below": upheld_below, "holds": holds}


def learn_cuts(
    incumbent: ScorerModel,
    train: Sequence[Finding],
    held: Sequence[Finding],
    settings: CutSettings,
    gate: GateSettings | None = None,
) -> tuple[dict[str, MagnitudeCut], dict[str, dict[str, Any]]]:
    """The candidate's cuts per anomaly type, and the notes for its card (per type: the cut or why none).

    Per type: a cut on its magnitude if the decisions fit one, else a review threshold on the model in
    force's confidence if they fit one, else the model in force's cut of the type (either kind)."""
    gate = gate or GateSettings()
    by_type: dict[str, tuple[list[Finding], list[Finding]]] = {}
    for rows, index in ((train, 0), (held, 1)):
        for row in rows:
            by_type.setdefault(row.anomaly_type.value, ([], []))[index].append(row)
    for anomaly_type in incumbent.cuts:
        by_type.setdefault(anomaly_type, ([], []))
    cuts: dict[str, MagnitudeCut] = {}
    notes: dict[str, dict[str, Any]] = {}
    for anomaly_type, (older, newest) in sorted(by_type.items()):
        kept = incumbent.cuts.get(anomaly_type)
        cut, why = fit_cut(older, settings)
        if cut is None and kept is not None and kept.feature != CONFIDENCE:  # a threshold never replaces it
            cut, why = kept, "kept from the model in force"
        if cut is None:
            cut, threshold_why = fit_threshold(incumbent, older, settings, gate)
            why = f"{why}; threshold: {threshold_why}"
        if cut is None and kept is not None:
            cut, why = kept, "kept from the model in force"
        if cut is None:
            if older:
                notes[anomaly_type] = {"cut": None, "why": why}
            continue
        if cut.feature == CONFIDENCE:
            check = check_threshold(cut, incumbent, newest, gate)
        else:
            check = check_cut(cut, newest, settings)
        if not check["holds"]:
            notes[anomaly_type] = {"cut": None, "why": "the newest decisions contradict it", "held_out": check}
            continue
        cuts[anomaly_type] = cut
        notes[anomaly_type] = {"cut": cut.to_json(), "why": why, "held_out": check}
    return cuts, notes


def cuts_json(model: ScorerModel) -> dict[str, dict[str, Any]]:
    """The model's cuts as its `model` events carry them (the KPI page shows the ones in force)."""
    return {name: cut.to_json() for name, cut in sorted(model.cuts.items())}
