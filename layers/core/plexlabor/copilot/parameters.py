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

`suggestion_for(process, operation, lot_id)` answers from the plant's `ProcessData` (uploaded beside the
procedure file, stored with the index by copilot_index): the operation's limits and runs, the lot's
properties.

Why not a fitted model of scrap against properties and settings: the nearest good runs are settings
people already ran and can look up, which is what the issue asks for; NumPy does the arithmetic, the
neighbour search over a plant's few thousand runs needs no index structure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

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


# ---- the plant's process data, as copilot_index stores it beside the index -------------------------------


class RunRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    run_id: str = Field(min_length=1, max_length=64)
    lot_properties: dict[str, float]
    settings: dict[str, float]
    scrap_rate: float = Field(ge=0.0, le=1.0)


class OperationProcess(BaseModel):
    """One operation's SOP limits (parameter -> [low, high]) and its past runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    limits: dict[str, tuple[float, float]]
    runs: list[RunRecord] = []


class ProcessData(BaseModel):
    """`copilot/procedures/process.json`: per operation (as Plex names it) the SOP's limits and past runs,
    and per material lot its measured properties."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    operations: dict[str, OperationProcess] = {}
    lots: dict[str, dict[str, float]] = {}


def suggestion_for(process: ProcessData, operation: str, lot_id: str) -> dict[str, Any]:
    """The answer's `parameters`: the suggested settings with the SOP's limits and the cited runs, or why none."""
    common: dict[str, Any] = {"operation": operation, "lot_id": lot_id, "settings": {}, "limits": {}, "runs": []}
    known = process.operations.get(operation)
    if known is None:
        return {**common, "reason": f"no SOP limits or past runs for operation {operation}"}
    lot = process.lots.get(lot_id)
    if lot is None:
        return {**common, "reason": f"no measured properties for lot {lot_id}"}
    runs = [PastRun(r.run_id, r.lot_properties, r.settings, r.scrap_rate) for r in known.runs]
    suggestion = suggest(known.limits, runs, lot)
    return {
        **common,
        "settings": {name: round(value, 3) for name, value in suggestion.settings.items()},
        "limits": {name: list(bounds) for name, bounds in known.limits.items()},
        "runs": [
            {"run_id": r.run_id, "distance": round(r.distance, 3), "scrap_rate": r.scrap_rate} for r in suggestion.runs
        ],
        "reason": suggestion.reason,
    }
