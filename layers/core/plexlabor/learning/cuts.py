"""A plant's cuts: per finding type, the magnitude below which its supervisors reject what is sent.

E.g. a plant whose supervisors reject EARLY_CLOCK_IN under 20 minutes beyond the grace: its cut is
`beyond_grace_min` 20, and the validator logs such findings as trends instead of sending them
(`ScorerModel.below_cut`). Learned the same way as the scorer, with the same time-ordered split:

- `fit_cut` on the training (older) decisions of one type: a one-sided decision stump on the type's
  magnitude (`scorer.MAGNITUDE`): the minimum that maximises the reviews it spares (rejected findings
  below it) minus `miss_cost` times the upheld findings it would keep from review; none unless it spares
  more than it costs and at least `min_below` decisions lie below it. Thin history: fewer than
  `min_decisions` decisions of the type, no cut. (A stump over sorted values is a dozen lines;
  scikit-learn's trees minimise impurity, not this asymmetric cost, and the Lambda would import it.)
- `check_cut` on the held-out (newest) decisions of the type: a cut that costs more than it spares there
  is dropped. The whole candidate, cuts applied, then faces the promotion gate (`promotion.evaluate`).
- A type whose decisions fit no cut keeps the model in force's cut (the model in force sends nothing
  below it, so no new decision can refit it), unless the newest decisions contradict it.

Each type's outcome (cut, counts, or why none) goes in the candidate's card (`notes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from plexlabor.validation.decisions import approved
from plexlabor.validation.findings import Finding
from plexlabor.validation.scorer import MAGNITUDE, MagnitudeCut, ScorerModel, family_of


@dataclass(frozen=True)
class CutSettings:
    min_decisions: int = 40
    """Decisions of a type in the training window a plant needs before it gets a cut of that type."""
    min_below: int = 10
    """Decisions that must lie below a cut for it to be learned."""
    miss_cost: float = 4.0
    """An upheld finding kept from review costs this many spared reviews."""


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


def fit_cut(rows: Sequence[Finding], settings: CutSettings) -> tuple[MagnitudeCut | None, str]:
    """The cut the decisions of one type support, or None and why."""
    feature, pairs = _magnitudes(rows)
    if feature is None:
        return None, "no magnitude to cut on"
    if len(pairs) < settings.min_decisions:
        return None, f"{len(pairs)} decisions, fewer than {settings.min_decisions}"
    best: tuple[float, float] | None = None  # (net, minimum)
    below = upheld = 0
    for (low, kept), (high, _) in pairwise(pairs):  # one pass: counts below `high`
        below, upheld = below + 1, upheld + kept
        net = (below - upheld) - settings.miss_cost * upheld
        if high > low and below >= settings.min_below and net > 0 and (best is None or net > best[0]):
            best = (net, round((low + high) / 2, 3))
    if best is None:
        return None, "no minimum spares more reviews than it drops upheld findings"
    below, upheld, _ = _net(pairs, best[1], settings.miss_cost)
    return MagnitudeCut(feature, best[1], len(pairs), below, upheld), "learned"


def check_cut(cut: MagnitudeCut, rows: Sequence[Finding], settings: CutSettings) -> dict[str, Any]:
    """How the cut does on the newest decisions of its type: decisions below it, upheld among them, and
    whether it holds (it spares at least what it costs there)."""
    _, pairs = _magnitudes(rows)
    below, upheld, net = _net(pairs, cut.minimum, settings.miss_cost)
    return {"decisions": len(pairs), "below": below, "upheld_below": upheld, "holds": net >= 0}


def learn_cuts(
    incumbent: ScorerModel, train: Sequence[Finding], held: Sequence[Finding], settings: CutSettings
) -> tuple[dict[str, MagnitudeCut], dict[str, dict[str, Any]]]:
    """The candidate's cuts per anomaly type, and the notes for its card (per type: the cut or why none)."""
    by_type: dict[str, tuple[list[Finding], list[Finding]]] = {}
    for rows, index in ((train, 0), (held, 1)):
        for row in rows:
            by_type.setdefault(row.anomaly_type.value, ([], []))[index].append(row)
    for anomaly_type in incumbent.cuts:
        by_type.setdefault(anomaly_type, ([], []))
    cuts: dict[str, MagnitudeCut] = {}
    notes: dict[str, dict[str, Any]] = {}
    for anomaly_type, (older, newest) in sorted(by_type.items()):
        cut, why = fit_cut(older, settings)
        if cut is None and anomaly_type in incumbent.cuts:
            cut, why = incumbent.cuts[anomaly_type], "kept from the model in force"
        if cut is None:
            if _magnitudes(older)[0] is not None:
                notes[anomaly_type] = {"cut": None, "why": why}
            continue
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
