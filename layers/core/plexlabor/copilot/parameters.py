"""Machine settings for the current material lot, from past runs on similar lots that went well.

`suggest(limits, runs, lot)`: the past runs whose scrap rate is at or under `good_scrap_rate` and whose
settings are all inside the SOP's limits are the candidates; their lots' measured properties are scaled
by the candidates' spread (z-scores), and the `neighbours` nearest to the current lot's properties give
the suggestion: their settings averaged with weights 1 / (distance + `smoothing`), then kept inside
the SOP's limits (an average of settings inside the limits is inside them; the clip holds for limits
narrowed since). Every suggestion names the runs it comes from, with their distance and scrap.

No suggestion (a `reason` instead) when there are fewer good runs than `neighbours`, when the lot lacks a
property the runs were measured on, or when even the nearest good run is farther than `max_distance`
(a lot unlike any run that went well: nothing is guessed).

Why not a fitted model of scrap against properties and settings: the nearest good runs are settings
people already ran and can look up, which is what the issue asks for; NumPy does the arithmetic, the
neighbour search over a plant's few thousand runs needs no index structure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

# A parameter's limits, low and high, inclusive, as the SOP gives them.
Limits = Mapping[str, tuple[float, float]]


@dataclass(frozen=True)
class PastRun:
    run_id: str
    lot_properties: Mapping[str, float]
    settings: Mapping[str, float]
    scrap_rate: float
    """Scrapped / produced, 0..1."""


@dataclass(frozen=True)
class SuggestionSettings:
    neighbours: int = 5
    good_scrap_rate: float = 0.05
    max_distance: float = 3.0
    """In standard deviations of the good runs' lot properties (Euclidean over the properties)."""
    smoothing: float = 0.25


@dataclass(frozen=True)
class CitedRun:
    run_id: str
    distance: float
    scrap_rate: float


@dataclass(frozen=True)
class ParameterSuggestion:
    settings: dict[str, float] = field(default_factory=dict)
    runs: tuple[CitedRun, ...] = ()
    reason: str | None = None
    """Why nothing is suggested (then `settings` is empty)."""


def inside(limits: Limits, settings: Mapping[str, float]) -> bool:
    """Every parameter the SOP limits is set, and inside its limits."""
    return all(name in settings and low <= settings[name] <= high for name, (low, high) in limits.items())


def suggest(
    limits: Limits,
    runs: Sequence[PastRun],
    lot: Mapping[str, float],
    settings: SuggestionSettings = SuggestionSettings(),
) -> ParameterSuggestion:
    """The settings for `lot` from the nearest good runs, inside `limits`, citing the runs."""
    good = [run for run in runs if run.scrap_rate <= settings.good_scrap_rate and inside(limits, run.settings)]
    if len(good) < settings.neighbours:
        return ParameterSuggestion(reason=f"only {len(good)} past runs went well inside the SOP's limits")
    properties = sorted(set.intersection(*(set(run.lot_properties) for run in good)))
    missing = [name for name in properties if name not in lot]
    if not properties or missing:
        return ParameterSuggestion(reason=f"the lot has no measured {', '.join(missing) or 'properties'}")
    measured = np.array([[run.lot_properties[name] for name in properties] for run in good], dtype=float)
    centre, spread = measured.mean(axis=0), measured.std(axis=0)
    spread[spread == 0] = 1.0
    scaled = (measured - centre) / spread
    target = (np.array([lot[name] for name in properties], dtype=float) - centre) / spread
    distances = np.linalg.norm(scaled - target, axis=1)
    nearest = np.argsort(distances, kind="stable")[: settings.neighbours]
    if distances[nearest[0]] > settings.max_distance:
        return ParameterSuggestion(reason="no past run that went well was on a lot like this one")
    weights = 1.0 / (distances[nearest] + settings.smoothing)
    chosen = [good[i] for i in nearest]
    suggested = {}
    for name, (low, high) in limits.items():
        value = float(np.average([run.settings[name] for run in chosen], weights=weights))
        suggested[name] = min(max(value, low), high)
    cited = tuple(CitedRun(good[i].run_id, float(distances[i]), good[i].scrap_rate) for i in nearest)
    return ParameterSuggestion(suggested, cited)
